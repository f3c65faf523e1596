/// Term keys (64-bit hashes, or a legacy model's 18-bit slots) to feature numbers: a model's
/// vocabulary, built once when the model is, then only read.
struct TermTable: Sendable {
    private struct Cell: KeyedCell, Sendable {
        var key: UInt64
        /// -1 marks a vacant cell.
        var value: Int32
        var isTaken: Bool { value >= 0 }
        static var vacant: Cell { Cell(key: 0, value: -1) }
    }

    private var table: OpenAddressing<Cell>

    init(expected: Int = 0) { table = OpenAddressing(expected: expected) }

    @inline(__always) func prefetch(_ key: UInt64) { table.prefetch(key) }

    /// The number stored for `key`, or -1.
    @inline(__always) func find(_ key: UInt64) -> Int32 {
        let shift = table.shift
        return table.cells.withUnsafeBufferPointer { c in c[OpenAddressing<Cell>.probe(key, in: c, shift: shift)].value }
    }

    /// Stores `number` for a key not in the table yet; false if it is there already.
    mutating func add(_ key: UInt64, number: Int32) -> Bool {
        table.reserve(1)
        let shift = table.shift
        let added: Bool = table.cells.withUnsafeMutableBufferPointer { c in
            let i = OpenAddressing<Cell>.probe(key, in: UnsafeBufferPointer(c), shift: shift)
            if c[i].isTaken { return false }
            c[i] = Cell(key: key, value: number)
            return true
        }
        if added { table.count += 1 }
        return added
    }
}
