import CPrefetch

/// Term keys (64-bit hashes, or a legacy model's 18-bit slots) to numbers: open addressing with
/// linear probing, at most half full. The classifier looks up every term of every text here, so
/// it is a flat pair of arrays rather than a `Dictionary` (several times slower per lookup, and
/// that is most of the cost of counting a text).
struct TermTable: Sendable {
    private var keys: [UInt64]
    /// -1 marks an empty cell.
    private var values: [Int32]
    private var shift: UInt64
    private(set) var count = 0

    init(expected: Int = 0) {
        var bits: UInt64 = 4
        while (1 << bits) < 2 * max(expected, 1) { bits += 1 }
        keys = [UInt64](repeating: 0, count: 1 << bits)
        values = [Int32](repeating: -1, count: 1 << bits)
        shift = 64 - bits
    }

    /// Fibonacci hashing: the top bits of key × 2^64/φ, which spreads small legacy slot numbers as
    /// well as full hashes.
    @inline(__always) private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    /// Starts loading the cells `key` probes first: on a vocabulary of a million terms every
    /// lookup is a cache miss, and a caller that knows its next keys can overlap them.
    @inline(__always) func prefetch(_ key: UInt64) {
        let i = home(key)
        keys.withUnsafeBufferPointer { ingestd_prefetch($0.baseAddress! + i) }
        values.withUnsafeBufferPointer { ingestd_prefetch($0.baseAddress! + i) }
    }

    /// The number stored for `key`, or -1.
    @inline(__always) func find(_ key: UInt64) -> Int32 {
        keys.withUnsafeBufferPointer { k in
            values.withUnsafeBufferPointer { v in
                let mask = k.count - 1
                var i = home(key)
                while v[i] >= 0 {
                    if k[i] == key { return v[i] }
                    i = (i + 1) & mask
                }
                return -1
            }
        }
    }

    /// The number of `key`, given the next free number (`count`) if it is new.
    @inline(__always) mutating func insert(_ key: UInt64) -> (number: Int32, inserted: Bool) {
        if 2 * (count + 1) > keys.count { grow() }
        let mask = keys.count - 1
        var i = home(key)
        while values[i] >= 0 {
            if keys[i] == key { return (values[i], false) }
            i = (i + 1) & mask
        }
        keys[i] = key
        values[i] = Int32(count)
        count += 1
        return (values[i], true)
    }

    /// Stores `number` for a key not in the table yet; false if it is there already.
    mutating func add(_ key: UInt64, number: Int32) -> Bool {
        if 2 * (count + 1) > keys.count { grow() }
        let mask = keys.count - 1
        var i = home(key)
        while values[i] >= 0 {
            if keys[i] == key { return false }
            i = (i + 1) & mask
        }
        keys[i] = key
        values[i] = number
        count += 1
        return true
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [UInt64](repeating: 0, count: 2 * oldKeys.count)
        values = [Int32](repeating: -1, count: 2 * oldKeys.count)
        shift -= 1
        let mask = keys.count - 1
        for (key, value) in zip(oldKeys, oldValues) where value >= 0 {
            var i = home(key)
            while values[i] >= 0 { i = (i + 1) & mask }
            keys[i] = key
            values[i] = value
        }
    }
}
