/// Many sparse vectors as one matrix, rows one after another (compressed sparse rows): row i's
/// entries (column and value) are at `start[i]..<start[i + 1]`. Training sets live in this form:
/// three allocations for all their texts, where two arrays per text made building a large set's
/// examples mostly allocator work (96,000 short texts: a third of the time of training). A class,
/// so that solvers of several candidate models read one copy of the examples.
final class SparseRows {
    struct Entry {
        var column: Int32
        var value: Float
    }

    private(set) var count = 0
    private(set) var entryCount = 0
    /// Valid until the next append: readers take them afresh for each use.
    private(set) var start: UnsafeMutablePointer<Int>
    /// Column and value side by side: a reader of a row reads one stream of memory, not two.
    private(set) var entries: UnsafeMutablePointer<Entry>
    private var rowCapacity: Int, entryCapacity: Int

    init(rows: Int = 0, entries: Int = 0) {
        rowCapacity = max(rows, 16)
        entryCapacity = max(entries, 64)
        start = .allocate(capacity: rowCapacity + 1)
        start[0] = 0
        self.entries = .allocate(capacity: entryCapacity)
    }

    /// Rows from vectors, as they are (in each vector's order of entries).
    convenience init(_ vectors: [HashedFeatures.Vector]) {
        self.init(rows: vectors.count, entries: vectors.reduce(0) { $0 + $1.indices.count })
        for v in vectors {
            for (column, value) in zip(v.indices, v.values) { append(column, value) }
            endRow()
        }
    }

    deinit {
        start.deallocate()
        entries.deallocate()
    }

    /// Where row i's entries are.
    @inline(__always) func range(of i: Int) -> Range<Int> { start[i]..<start[i + 1] }

    /// Appends one entry to the row being built.
    @inline(__always) func append(_ column: Int32, _ value: Float) {
        if entryCount == entryCapacity { growEntries() }
        entries[entryCount] = Entry(column: column, value: value)
        entryCount += 1
    }

    /// Closes the row being built: what was appended since the last `endRow` is one row.
    func endRow() {
        if count == rowCapacity {
            rowCapacity *= 2
            start = Self.moved(start, count: count + 1, to: rowCapacity + 1)
        }
        count += 1
        start[count] = entryCount
    }

    private func growEntries() {
        entryCapacity *= 2
        entries = Self.moved(entries, count: entryCount, to: entryCapacity)
    }

    private static func moved<T>(_ old: UnsafeMutablePointer<T>, count: Int, to capacity: Int) -> UnsafeMutablePointer<T> {
        let new = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        new.moveInitialize(from: old, count: count)
        old.deallocate()
        return new
    }
}
