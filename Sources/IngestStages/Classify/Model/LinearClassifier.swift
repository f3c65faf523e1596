import Foundation

/// A linear text classifier over `HashedFeatures` vectors: one weight row per class, softmax
/// probabilities. Trained as one-vs-rest linear SVMs (`SquaredHingeSolver`, the model of
/// scikit-learn's `LinearSVC`), with the weights then scaled by the factor that calibrates the
/// softmax of their scores (`TemperatureScaling`), so a prediction is the SVM's decision and its
/// probability is a calibrated one. Only the hashed slots the training texts used are kept,
/// numbered by falling document frequency ("features"): every other slot has zero weight, so the
/// model is as large as its vocabulary, not 2^18 × k.
public struct LinearClassifier: Sendable {
    /// The newest model file format `ModelFile` writes.
    public static let formatVersion: UInt32 = 3

    public let labels: [String]
    /// What the model counts in a text.
    public let kinds: HashedFeatures.Kinds
    /// The hashed slots the training texts used, by feature number: only these carry weights.
    public let slots: [Int32]
    /// IDF by feature number, and the IDF of every slot training never saw.
    public let idf: [Float]
    public let unseenIDF: Float
    /// By feature number, the weight of each class side by side (a prediction reads one cache
    /// line per feature), then one bias per class.
    public let weights: [Float]
    /// Feature number by slot, -1 for slots training never saw.
    let featureOfSlot: [Int32]

    /// Checks nothing: `ModelFile` checks what it reads. `featureOfSlot`, when the caller has it
    /// already, must be the inverse of `slots`.
    init(labels: [String], kinds: HashedFeatures.Kinds, slots: [Int32], idf: [Float], unseenIDF: Float, weights: [Float],
         featureOfSlot: [Int32]? = nil) {
        self.labels = labels
        self.kinds = kinds
        self.slots = slots
        self.idf = idf
        self.unseenIDF = unseenIDF
        self.weights = weights
        if let featureOfSlot {
            self.featureOfSlot = featureOfSlot
        } else {
            var featureOfSlot = [Int32](repeating: -1, count: HashedFeatures.dimensions)
            for (f, j) in slots.enumerated() { featureOfSlot[Int(j)] = Int32(f) }
            self.featureOfSlot = featureOfSlot
        }
    }

    public struct Prediction: Sendable, Equatable {
        public var label: String
        public var probability: Double
    }

    public struct Options: Sendable {
        /// The SVM's C: how much a training example's margin violation costs against the size of
        /// the weights. 1 is `LinearSVC`'s default; larger fits the training data more closely.
        public var c: Float = 1
        /// A problem is solved when its projected gradients span no more than this (liblinear's
        /// default for the solver).
        public var tolerance: Float = 0.1
        /// Passes over the data at most, whether or not every problem is solved by then.
        public var maxPasses = 1000
        public var seed: UInt64 = 1
        public var kinds: HashedFeatures.Kinds = .wordsAndPunctuation
        public init() {}
    }

    public struct TrainingReport: Sendable {
        /// Passes over the data, the calibration fold's included.
        public var passes: Int
        /// False when `maxPasses` ran out first (the model is still usable, and close).
        public var converged: Bool
        /// The factor the SVM scores were scaled by to calibrate the probabilities.
        public var temperature: Float
    }

    public static func train(texts: [String], labels: [String], options: Options = Options()) -> LinearClassifier {
        trainReporting(texts: texts, labels: labels, options: options).model
    }

    public static func trainReporting(texts: [String], labels: [String], options: Options = Options())
        -> (model: LinearClassifier, report: TrainingReport) {
        let names = Array(Set(labels)).sorted()
        let classOf = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        // The slots the texts use, and in how many texts each occurs.
        let counted = HashedFeatures.counts(texts, kinds: options.kinds)
        var df = [Int32](repeating: 0, count: HashedFeatures.dimensions)
        var used: [Int32] = []
        for text in counted {
            for j in text.indices {
                if df[Int(j)] == 0 { used.append(j) }
                df[Int(j)] += 1
            }
        }
        // Feature numbers by falling document frequency: the features most texts share (function
        // words, common punctuation) get neighbouring weights that stay in cache, and training,
        // which is bound by reads of scattered weights, runs about a third faster on the dev sets.
        // A counting sort by frequency (ties in order of first sighting): linear, where a
        // comparison sort of the vocabulary costs more than the solver on small sets.
        var firstOfFrequency = [Int](repeating: 0, count: texts.count + 2)
        for j in used { firstOfFrequency[texts.count - Int(df[Int(j)]) + 1] += 1 }
        for r in 0...texts.count { firstOfFrequency[r + 1] += firstOfFrequency[r] }
        var featureOfSlot = [Int32](repeating: -1, count: HashedFeatures.dimensions)
        var slots = [Int32](repeating: 0, count: used.count)
        for j in used {
            let rank = texts.count - Int(df[Int(j)])
            slots[firstOfFrequency[rank]] = j
            featureOfSlot[Int(j)] = Int32(firstOfFrequency[rank])
            firstOfFrequency[rank] += 1
        }
        let m = slots.count, k = names.count
        let idf = slots.map { HashedFeatures.idf(documentFrequency: Int(df[Int($0)]), documents: texts.count) }
        let vectors = counted.map { text in
            HashedFeatures.vector(indices: text.indices.map { featureOfSlot[Int($0)] }, counts: text.counts, idf: idf)
        }
        let y = labels.map { classOf[$0]! }
        // Two classes need one problem, class 1 against class 0, whose weights are row 1 and,
        // negated, row 0 (the softmax of (-s, s) is the logistic function of 2s).
        let problems = k == 2 ? 1 : k
        let solver = SquaredHingeSolver(vectors, positive: k == 2 ? y.map { $0 == 1 ? 0 : -1 } : y, problems: problems,
                                        features: m, c: options.c, seed: options.seed)
        // Calibration wants scores of examples the model has not seen: solve first without a
        // seeded fifth of the examples, score that fifth, then go on with every example from
        // where the solver stands (a warm start costs a few passes, not a second training).
        var rng = options.seed ^ 0x6361_6C69_6272_6174
        let fold = texts.indices.map { _ -> Bool in
            rng = MinHashSignature.splitmix(rng)
            return rng % 5 == 0
        }
        let heldOut = texts.indices.filter { fold[$0] }
        var passes = 0, converged = true
        var temperature: Float = 1
        if heldOut.count >= Self.minimumHeldOut && k > 1 {
            // Solved loosely: the factor fitted barely moves with the tolerance (7.69 at 1.0, 7.78 at
            // 0.05 on the outlet set), and the final solve below tightens the weights anyway.
            let first = solver.solve(over: texts.indices.filter { !fold[$0] }, tolerance: 10 * options.tolerance,
                                     maxPasses: options.maxPasses)
            passes += first.passes
            converged = first.converged
            let scores = heldOut.flatMap { i -> [Float] in
                let s = solver.scores(of: i)
                return k == 2 ? [-s[0], s[0]] : s
            }
            temperature = TemperatureScaling.fit(scores: scores, classes: k, truth: heldOut.map { y[$0] })
        }
        let last = solver.solve(over: Array(texts.indices), tolerance: options.tolerance, maxPasses: options.maxPasses)
        passes += last.passes
        converged = converged && last.converged
        let solved = solver.weights
        var w = [Float](repeating: 0, count: (m + 1) * k)
        if k == 2 {
            for f in 0...m { w[2 * f] = -solved[f] * temperature; w[2 * f + 1] = solved[f] * temperature }
        } else {
            for i in w.indices { w[i] = solved[i] * temperature }
        }
        let model = LinearClassifier(labels: names, kinds: options.kinds, slots: slots, idf: idf,
                                     unseenIDF: HashedFeatures.idf(documentFrequency: 0, documents: texts.count), weights: w,
                                     featureOfSlot: featureOfSlot)
        return (model, TrainingReport(passes: passes, converged: converged, temperature: temperature))
    }

    /// Fewer held-out examples than this leave the scores uncalibrated (temperature 1): one factor
    /// fitted on a handful of examples says more about them than about the model.
    static let minimumHeldOut = 20

    /// TF-IDF over this model's features of a text's slot counts, unit length. Slots training
    /// never saw carry no weight but still count towards the length, as they did in training.
    func vector(slots: [Int32], counts: [Float]) -> HashedFeatures.Vector {
        var features: [Int32] = [], values: [Float] = []
        features.reserveCapacity(slots.count)
        values.reserveCapacity(slots.count)
        var norm: Float = 0
        for (j, c) in zip(slots, counts) {
            let f = featureOfSlot[Int(j)]
            let v = (1 + logf(c)) * (f >= 0 ? idf[Int(f)] : unseenIDF)
            norm += v * v
            if f >= 0 { features.append(f); values.append(v) }
        }
        if norm > 0 {
            let scale = 1 / norm.squareRoot()
            for i in values.indices { values[i] *= scale }
        }
        return HashedFeatures.Vector(indices: features, values: values)
    }

    func probabilities(_ x: HashedFeatures.Vector, into p: UnsafeMutableBufferPointer<Float>) {
        let k = labels.count, m = slots.count
        weights.withUnsafeBufferPointer { w in
            for c in 0..<k { p[c] = w[m * k + c] }
            for (f, v) in zip(x.indices, x.values) {
                let base = Int(f) * k
                for c in 0..<k { p[c] += w[base + c] * v }
            }
        }
        Self.softmax(p)
    }

    /// Scores to probabilities, in place, shifted by the top score so exp cannot overflow.
    static func softmax(_ p: UnsafeMutableBufferPointer<Float>) {
        var top = -Float.infinity
        for s in p { top = max(top, s) }
        var sum: Float = 0
        for c in p.indices { p[c] = expf(p[c] - top); sum += p[c] }
        for c in p.indices { p[c] /= sum }
    }

    public func predict(_ text: String) -> Prediction {
        let (slots, counts) = HashedFeatures.counts(text, kinds: kinds)
        return predict(vector(slots: slots, counts: counts))
    }

    /// The same for many texts, counted in one batch (no sort per text).
    public func predict(_ texts: [String]) -> [Prediction] {
        HashedFeatures.counts(texts, kinds: kinds).map { predict(vector(slots: $0.indices, counts: $0.counts)) }
    }

    func predict(_ x: HashedFeatures.Vector) -> Prediction {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: labels.count) { p in
            probabilities(x, into: p)
            let best = p.indices.max { p[$0] < p[$1] } ?? 0
            return Prediction(label: labels[best], probability: (Double(p[best]) * 1000).rounded() / 1000)
        }
    }
}
