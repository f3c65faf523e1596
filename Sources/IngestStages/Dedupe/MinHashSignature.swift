/// A MinHash signature of a text's word shingles: `permutations` minimum hash values whose
/// share of agreement between two texts estimates the Jaccard similarity of their shingle sets.
///
/// Words are lower-cased letters and digits (the classifier's tokenizer); shingles are runs of
/// `shingle` consecutive words. Each shingle is hashed once to 64 bits; the permutations are
/// multiply-shift hashes of that value, and each kept minimum is its top 16 bits ("b-bit
/// MinHash"), which keeps the index small: 128 bytes per document at 64 permutations.
public struct MinHashSignature: Equatable, Sendable {
    public var values: [UInt16]

    public static let permutations = 64
    /// Odd multipliers and offsets of the permutation family, fixed so signatures stay
    /// comparable across restarts and versions.
    static let multipliers: [UInt64] = (0..<permutations).map { i in splitmix(UInt64(i) &* 2 &+ 1) | 1 }
    static let offsets: [UInt64] = (0..<permutations).map { i in splitmix(UInt64(i) &* 2 &+ 2) }

    public init(values: [UInt16]) { self.values = values }

    /// Nil when the text has fewer words than one shingle.
    public init?(text: String, shingle: Int) {
        var sink = ShingleMinimums(shingle: shingle)
        Tokenizer.scan(text, into: &sink)
        guard sink.words >= shingle else { return nil }
        values = sink.minimums.map { UInt16(truncatingIfNeeded: $0 >> 48) }
    }

    /// Estimated Jaccard similarity: the share of positions that agree, corrected for the
    /// chance agreement of 16-bit values.
    public func similarity(to other: MinHashSignature) -> Double {
        similarity(to: other.values[...])
    }

    /// The same estimate against values stored elsewhere (the index keeps them in one flat array).
    func similarity(to other: ArraySlice<UInt16>) -> Double {
        var equal = 0
        for (a, b) in zip(values, other) where a == b { equal += 1 }
        let raw = Double(equal) / Double(values.count)
        let chance = 1.0 / 65_536
        return max(0, (raw - chance) / (1 - chance))
    }

    /// The permutations' minimums over the shingles, taken as the words arrive: only the last
    /// `shingle` word hashes are kept, as an array of every word's hash was larger than the text.
    /// A repeated shingle cannot lower a minimum again, so no set of seen shingles is kept
    /// either: hashing each into one costs more than the rare repeat.
    struct ShingleMinimums: Tokenizer.Sink {
        let shingle: Int
        private var last: [UInt64]
        private(set) var words = 0
        private(set) var minimums = [UInt64](repeating: .max, count: MinHashSignature.permutations)
        private let multipliers = MinHashSignature.multipliers
        private let offsets = MinHashSignature.offsets

        init(shingle: Int) {
            self.shingle = shingle
            last = [UInt64](repeating: 0, count: shingle)
        }

        /// Where the next word's hash goes: the oldest of the last `shingle`. Wrapped by a
        /// comparison, as a division per word cost as much as the permutations.
        private var next = 0

        mutating func token(_ bytes: UnsafeBufferPointer<UInt8>) {
            last[next] = MinHashSignature.fnv1a(bytes)
            next = next + 1 == shingle ? 0 : next + 1
            words += 1
            guard words >= shingle else { return }
            // The shingle of the last `shingle` words, oldest first.
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            var k = next
            for _ in 0..<shingle {
                h = MinHashSignature.splitmix(h ^ last[k])
                k = k + 1 == shingle ? 0 : k + 1
            }
            minimums.withUnsafeMutableBufferPointer { m in
                multipliers.withUnsafeBufferPointer { mul in
                    offsets.withUnsafeBufferPointer { add in
                        for p in 0..<m.count {
                            let v = h &* mul[p] &+ add[p]
                            if v < m[p] { m[p] = v }
                        }
                    }
                }
            }
        }
    }

    static func fnv1a(_ s: String) -> UInt64 {
        var s = s
        return s.withUTF8(fnv1a)
    }

    static func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    static func splitmix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
