/// A trained averaged-perceptron tagger (`ingestd train-entities`): greedy left to right over a
/// sentence, each token's tag the best-scoring one its features allow given the two tags before,
/// never an `I-X` that does not continue an X. Weights are 16-bit integers times one scale, kept
/// beside their feature's key so that a feature costs one cache line.
public struct EntityTagger: Sendable {
    struct Cell: KeyedCell, Sendable {
        var key: UInt64
        var outside: Int16
        /// B-PER, I-PER, B-ORG, I-ORG, B-LOC, I-LOC, B-MISC, I-MISC.
        var named: SIMD8<Int16>
        var isTaken: Bool { key != 0 }
        static var vacant: Cell { Cell(key: 0, outside: 0, named: .zero) }
    }

    let table: OpenAddressing<Cell>
    /// A weight is its integer times `scale`.
    let scale: Float
    /// Where the model came from, as its training wrote it (data, examples, passes).
    public let provenance: String

    /// The model's features in key order with their weights, tag by tag (`EntityTag` order).
    init(keys: [UInt64], weights: [Int16], scale: Float, provenance: String) {
        var table = OpenAddressing<Cell>(expected: keys.count, maximumLoad: 0.6)
        let k = EntityTag.count
        table.cells.withUnsafeMutableBufferPointer { c in
            for (n, key) in keys.enumerated() {
                let key = Self.storedKey(key)
                let at = OpenAddressing<Cell>.probe(key, in: UnsafeBufferPointer(c), shift: table.shift)
                let row = weights[(n * k)..<(n * k + k)]
                var named = SIMD8<Int16>.zero
                for j in 0..<8 { named[j] = row[row.startIndex + 1 + j] }
                c[at] = Cell(key: key, outside: row[row.startIndex], named: named)
            }
        }
        table.count = keys.count
        self.table = table
        self.scale = scale
        self.provenance = provenance
    }

    /// Key 0 marks a vacant cell; the one feature that hashes to it moves to 1.
    @inline(__always) static func storedKey(_ key: UInt64) -> UInt64 { key == 0 ? 1 : key }

    /// The model's features and weights, for writing it out.
    var rows: (keys: [UInt64], weights: [Int16]) {
        var rows: [(UInt64, Cell)] = table.cells.filter(\.isTaken).map { ($0.key, $0) }
        rows.sort { $0.0 < $1.0 }
        var weights: [Int16] = []
        weights.reserveCapacity(rows.count * EntityTag.count)
        for (_, cell) in rows {
            weights.append(cell.outside)
            for j in 0..<8 { weights.append(cell.named[j]) }
        }
        return (rows.map(\.0), weights)
    }

    /// The tags of every sentence of a document.
    func tag(_ sentences: [TaggerFeatures.SentenceContext], document: TaggerFeatures.DocumentContext) -> [[EntityTag]] {
        var features = [UInt64](repeating: 0, count: TaggerFeatures.staticCount + 4)
        let shift = table.shift
        return table.cells.withUnsafeBufferPointer { cells in
            features.withUnsafeMutableBufferPointer { f in
                sentences.map { s in
                    var tags: [EntityTag] = []
                    tags.reserveCapacity(s.tokens.count)
                    var previous = EntityTag.outside, beforeThat = EntityTag.outside
                    for i in 0..<s.tokens.count {
                        var tag = EntityTag.outside
                        if TaggerFeatures.needsScoring(s.tokens[i], previous: previous) {
                            TaggerFeatures.token(i, s, document, into: f.baseAddress!)
                            let h = TaggerFeatures.history(previous: previous, beforeThat: beforeThat, s.tokens[i])
                            let n = TaggerFeatures.staticCount
                            f[n] = h.0; f[n + 1] = h.1; f[n + 2] = h.2; f[n + 3] = h.3
                            for key in f { OpenAddressing<Cell>.prefetch(Self.storedKey(key), in: cells, shift: shift) }
                            var outside: Int32 = 0
                            var named = SIMD8<Int32>.zero
                            for key in f {
                                let key = Self.storedKey(key)
                                let cell = cells[OpenAddressing<Cell>.probe(key, in: cells, shift: shift)]
                                guard cell.isTaken else { continue }
                                outside &+= Int32(cell.outside)
                                named &+= SIMD8<Int32>(truncatingIfNeeded: cell.named)
                            }
                            var best = outside
                            for j in 0..<8 {
                                let candidate = EntityTag(rawValue: j + 1)!
                                if named[j] > best, candidate.mayFollow(previous) { best = named[j]; tag = candidate }
                            }
                        }
                        tags.append(tag)
                        beforeThat = previous
                        previous = tag
                    }
                    return tags
                }
            }
        }
    }
}
