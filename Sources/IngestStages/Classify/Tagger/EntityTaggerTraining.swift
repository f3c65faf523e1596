/// Trains an `EntityTagger`: the averaged perceptron (Collins 2002) with the greedy decoder the
/// tagger runs, learning from its own earlier decisions as history, as it will meet them. The
/// sentence order of each pass comes from a seeded generator, so the same data and seed give
/// the same model, byte for byte.
public struct EntityTaggerTraining {
    public struct Options: Sendable {
        public var passes = 12
        public var seed: UInt64 = 1
        /// Features whose every averaged weight is below this share of the largest are dropped
        /// from the model file: they cost memory and lookups and barely move a score.
        public var prune: Float = 0.05
        public init() {}
    }

    public struct Report: Sendable {
        public var sentences: Int
        public var tokens: Int
        public var features: Int
        public var keptFeatures: Int
        /// Tokens tagged wrong in each pass (before averaging): how training converged.
        public var mistakes: [Int]
    }

    /// A document's sentences, as tokens and their gold tags.
    public struct Document: Sendable {
        public var sentences: [[(word: String, tag: EntityTag)]]
        public init(sentences: [[(word: String, tag: EntityTag)]]) { self.sentences = sentences }
    }

    /// One sentence ready for training: its tokens' static features, computed once.
    private struct Example {
        var infos: [TaggerFeatures.TokenInfo]
        var features: [UInt64]
        var gold: [EntityTag]
    }

    public static func train(_ documents: [Document], options: Options = Options(),
                             provenance: String) -> (EntityTagger, Report) {
        var examples: [Example] = []
        let n = TaggerFeatures.staticCount
        for doc in documents {
            let words = doc.sentences.map { $0.map(\.word) }
            let prepared = EntityDocument.prepare(words: words, gazetteer: Gazetteer())
            for (k, s) in prepared.sentences.enumerated() where !s.tokens.isEmpty {
                var features = [UInt64](repeating: 0, count: s.tokens.count * n)
                features.withUnsafeMutableBufferPointer { f in
                    for i in 0..<s.tokens.count { TaggerFeatures.token(i, s, prepared.document, into: f.baseAddress! + i * n) }
                }
                examples.append(Example(infos: s.tokens, features: features, gold: doc.sentences[k].map(\.tag)))
            }
        }
        var model = AveragedPerceptron()
        // SplitMix64 steps, as the classifier's solver shuffles: the standard library's shuffle
        // and random source may change between releases.
        var rng = options.seed
        var order = Array(examples.indices)
        var mistakes: [Int] = []
        var tokens = 0
        for _ in 0..<options.passes {
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                rng = MinHashSignature.splitmix(rng)
                order.swapAt(i, Int(rng % UInt64(i + 1)))
            }
            var wrong = 0
            var features = [UInt64](repeating: 0, count: n + 4)
            for e in order {
                let ex = examples[e]
                var previous = EntityTag.outside, beforeThat = EntityTag.outside
                for i in 0..<ex.infos.count {
                    var truth = ex.gold[i]
                    // A gold I-X after a decided non-X is, from here, where an X begins.
                    if !truth.mayFollow(previous) { truth = EntityTag(rawValue: truth.rawValue - 1)! }
                    var guess = EntityTag.outside
                    if TaggerFeatures.needsScoring(ex.infos[i], previous: previous) {
                        for k in 0..<n { features[k] = ex.features[i * n + k] }
                        let h = TaggerFeatures.history(previous: previous, beforeThat: beforeThat, ex.infos[i])
                        features[n] = h.0; features[n + 1] = h.1; features[n + 2] = h.2; features[n + 3] = h.3
                        guess = model.best(features, previous: previous)
                        model.tick()
                        if guess != truth { model.update(features, truth: truth, guess: guess) }
                    }
                    if guess != truth { wrong += 1 }
                    beforeThat = previous
                    previous = guess
                }
            }
            tokens = examples.reduce(0) { $0 + $1.infos.count }
            mistakes.append(wrong)
        }
        let (keys, weights, scale) = model.averaged(prune: options.prune)
        let tagger = EntityTagger(keys: keys, weights: weights, scale: scale, provenance: provenance)
        return (tagger, Report(sentences: examples.count, tokens: tokens, features: model.index.count,
                               keptFeatures: keys.count, mistakes: mistakes))
    }
}

/// The perceptron's weights while it learns, with the running sums that averaging needs
/// (updated lazily: a weight's sum catches up only when the weight changes).
private struct AveragedPerceptron {
    var index: [UInt64: Int] = [:]
    var weights: [Float] = []
    var sums: [Double] = []
    var stamps: [Int] = []
    var clock = 0

    mutating func tick() { clock += 1 }

    func best(_ features: [UInt64], previous: EntityTag) -> EntityTag {
        var scores = [Float](repeating: 0, count: EntityTag.count)
        for f in features {
            guard let row = index[EntityTagger.storedKey(f)] else { continue }
            for t in 0..<EntityTag.count { scores[t] += weights[row + t] }
        }
        var best = EntityTag.outside, top = scores[0]
        for t in 1..<EntityTag.count {
            let candidate = EntityTag(rawValue: t)!
            if scores[t] > top, candidate.mayFollow(previous) { top = scores[t]; best = candidate }
        }
        return best
    }

    mutating func update(_ features: [UInt64], truth: EntityTag, guess: EntityTag) {
        for f in features {
            let key = EntityTagger.storedKey(f)
            let row: Int
            if let r = index[key] { row = r } else {
                row = weights.count
                index[key] = row
                weights.append(contentsOf: repeatElement(0, count: EntityTag.count))
                sums.append(contentsOf: repeatElement(0, count: EntityTag.count))
                stamps.append(contentsOf: repeatElement(0, count: EntityTag.count))
            }
            bump(row + truth.rawValue, by: 1)
            bump(row + guess.rawValue, by: -1)
        }
    }

    private mutating func bump(_ cell: Int, by delta: Float) {
        sums[cell] += Double(clock - stamps[cell]) * Double(weights[cell])
        stamps[cell] = clock
        weights[cell] += delta
    }

    /// The averaged weights as 16-bit integers and their scale, features in key order, the
    /// negligible ones dropped.
    func averaged(prune: Float) -> (keys: [UInt64], weights: [Int16], scale: Float) {
        let k = EntityTag.count
        var average = [Float](repeating: 0, count: weights.count)
        var largest: Float = 0
        for cell in 0..<weights.count {
            let total = sums[cell] + Double(clock - stamps[cell]) * Double(weights[cell])
            average[cell] = Float(total / Double(max(clock, 1)))
            largest = max(largest, abs(average[cell]))
        }
        let scale = largest > 0 ? largest / 32767 : 1
        let floor = largest * prune
        var kept: [(UInt64, Int)] = []
        for (key, row) in index where (0..<k).contains(where: { abs(average[row + $0]) >= floor }) { kept.append((key, row)) }
        kept.sort { $0.0 < $1.0 }
        var out: [Int16] = []
        out.reserveCapacity(kept.count * k)
        for (_, row) in kept {
            for t in 0..<k { out.append(Int16((average[row + t] / scale).rounded())) }
        }
        return (kept.map(\.0), out, scale)
    }
}
