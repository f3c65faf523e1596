import CPrefetch

/// A cell of an `OpenAddressing` table: a 64-bit key, whatever the table keeps with it, and
/// whether the cell is taken.
protocol KeyedCell {
    var key: UInt64 { get }
    var isTaken: Bool { get }
    static var vacant: Self { get }
}

/// The hashing core of the classifier's term tables: open addressing with linear probing, at
/// most half full by default, over one flat array of cells rather than a `Dictionary` (several
/// times slower per lookup). Every term of every text is looked up, and on a vocabulary of a million terms
/// every lookup is a cache miss: keeping what the caller needs in the cell makes it one miss.
/// The callers probe `cells` through a buffer pointer with `probe`, so the hot loops stay free of
/// exclusivity checks; they count what they insert in `count`.
struct OpenAddressing<Cell: KeyedCell> {
    var cells: [Cell]
    private(set) var shift: UInt64
    var count = 0

    /// The share of cells that may be taken before the table grows: fewer cells make fewer cache
    /// misses, more taken ones longer probes.
    let maximumLoad: Double

    init(expected: Int, maximumLoad: Double = 0.5) {
        self.maximumLoad = maximumLoad
        var bits: UInt64 = 4
        while Double(1 << bits) * maximumLoad < Double(max(expected, 1)) { bits += 1 }
        cells = [Cell](repeating: .vacant, count: 1 << bits)
        shift = 64 - bits
    }

    /// Fibonacci hashing: the top bits of key × 2^64/φ, which spreads small legacy slot numbers as
    /// well as full hashes.
    @inline(__always) static func home(_ key: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The cell that holds `key`, or the vacant cell where it belongs.
    @inline(__always) static func probe(_ key: UInt64, in c: UnsafeBufferPointer<Cell>, shift: UInt64) -> Int {
        let mask = c.count - 1
        var i = home(key, shift)
        while c[i].isTaken && c[i].key != key { i = (i + 1) & mask }
        return i
    }

    /// Starts loading the cell `key` probes first, for a caller that knows its next keys.
    @inline(__always) static func prefetch(_ key: UInt64, in c: UnsafeBufferPointer<Cell>, shift: UInt64) {
        ingestd_prefetch(c.baseAddress! + home(key, shift))
    }

    @inline(__always) func prefetch(_ key: UInt64) {
        let shift = self.shift
        cells.withUnsafeBufferPointer { Self.prefetch(key, in: $0, shift: shift) }
    }

    /// Room for `more` new keys without growing, so that cell positions hold until they are in.
    mutating func reserve(_ more: Int) {
        while Double(count + more) > Double(cells.count) * maximumLoad {
            let old = cells
            cells = [Cell](repeating: .vacant, count: 2 * old.count)
            shift -= 1
            let shift = self.shift
            cells.withUnsafeMutableBufferPointer { c in
                for cell in old where cell.isTaken { c[Self.probe(cell.key, in: UnsafeBufferPointer(c), shift: shift)] = cell }
            }
        }
    }
}

extension OpenAddressing: Sendable where Cell: Sendable {}
