import CPrefetch

/// Term keys (64-bit hashes, or a legacy model's 18-bit slots) to numbers: open addressing with
/// linear probing, at most half full. The classifier looks up every term of every text here, so
/// it is one flat array of cells rather than a `Dictionary` (several times slower per lookup):
/// on a vocabulary of a million terms every lookup is a cache miss, one line per cell.
struct TermTable: Sendable {
    private struct Cell {
        var key: UInt64
        /// -1 marks an empty cell.
        var value: Int32
    }

    private var cells: [Cell]
    private var shift: UInt64
    private(set) var count = 0

    init(expected: Int = 0) {
        var bits: UInt64 = 4
        while (1 << bits) < 2 * max(expected, 1) { bits += 1 }
        cells = [Cell](repeating: Cell(key: 0, value: -1), count: 1 << bits)
        shift = 64 - bits
    }

    /// Fibonacci hashing: the top bits of key × 2^64/φ, which spreads small legacy slot numbers as
    /// well as full hashes.
    @inline(__always) private static func home(_ key: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Starts loading the cell `key` probes first, for a caller that knows its next keys.
    @inline(__always) func prefetch(_ key: UInt64) {
        let at = Self.home(key, shift)
        cells.withUnsafeBufferPointer { ingestd_prefetch($0.baseAddress! + at) }
    }

    /// The number stored for `key`, or -1.
    @inline(__always) func find(_ key: UInt64) -> Int32 {
        let shift = self.shift
        return cells.withUnsafeBufferPointer { c in
            let mask = c.count - 1
            var i = Self.home(key, shift)
            while c[i].value >= 0 {
                if c[i].key == key { return c[i].value }
                i = (i + 1) & mask
            }
            return -1
        }
    }

    /// The number of `key`, given the next free number (`count`) if it is new.
    @inline(__always) mutating func insert(_ key: UInt64) -> (number: Int32, inserted: Bool) {
        if 2 * (count + 1) > cells.count { grow() }
        let next = Int32(count), shift = self.shift
        let found: Int32 = cells.withUnsafeMutableBufferPointer { c in
            let mask = c.count - 1
            var i = Self.home(key, shift)
            while c[i].value >= 0 {
                if c[i].key == key { return c[i].value }
                i = (i + 1) & mask
            }
            c[i] = Cell(key: key, value: next)
            return -1
        }
        if found >= 0 { return (found, false) }
        count += 1
        return (next, true)
    }

    /// Stores `number` for a key not in the table yet; false if it is there already.
    mutating func add(_ key: UInt64, number: Int32) -> Bool {
        if 2 * (count + 1) > cells.count { grow() }
        let shift = self.shift
        let added: Bool = cells.withUnsafeMutableBufferPointer { c in
            let mask = c.count - 1
            var i = Self.home(key, shift)
            while c[i].value >= 0 {
                if c[i].key == key { return false }
                i = (i + 1) & mask
            }
            c[i] = Cell(key: key, value: number)
            return true
        }
        if added { count += 1 }
        return added
    }

    private mutating func grow() {
        let old = cells
        cells = [Cell](repeating: Cell(key: 0, value: -1), count: 2 * old.count)
        shift -= 1
        let shift = self.shift
        cells.withUnsafeMutableBufferPointer { c in
            let mask = c.count - 1
            for cell in old where cell.value >= 0 {
                var i = Self.home(cell.key, shift)
                while c[i].value >= 0 { i = (i + 1) & mask }
                c[i] = cell
            }
        }
    }
}
