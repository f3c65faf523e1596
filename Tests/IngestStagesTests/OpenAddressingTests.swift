import XCTest
@testable import IngestStages

final class OpenAddressingTests: XCTestCase {
    private struct Cell: KeyedCell {
        var key: UInt64 = 0
        var value = -1
        var isTaken: Bool { value >= 0 }
        static var vacant: Cell { Cell() }
    }

    private func insert(_ keys: Range<UInt64>, into table: inout OpenAddressing<Cell>) {
        table.reserve(keys.count)
        let shift = table.shift
        table.cells.withUnsafeMutableBufferPointer { c in
            for key in keys {
                let i = OpenAddressing<Cell>.probe(key, in: UnsafeBufferPointer(c), shift: shift)
                XCTAssertFalse(c[i].isTaken)
                c[i] = Cell(key: key, value: Int(key) * 3)
            }
        }
        table.count += keys.count
    }

    func testGrowsAtItsLoadAndKeepsEveryKey() {
        var half = OpenAddressing<Cell>(expected: 8)
        XCTAssertEqual(half.cells.count, 16)
        var full = OpenAddressing<Cell>(expected: 12, maximumLoad: 0.75)
        XCTAssertEqual(full.cells.count, 16, "12 of 16 is three quarters")
        insert(0..<12, into: &full)
        XCTAssertEqual(full.cells.count, 16)
        insert(12..<13, into: &full)
        XCTAssertEqual(full.cells.count, 32, "the 13th key grows it")
        insert(0..<9, into: &half)
        XCTAssertEqual(half.cells.count, 32)
        for (table, count) in [(full, 13), (half, 9)] {
            table.cells.withUnsafeBufferPointer { c in
                for key in 0..<UInt64(count) {
                    let i = OpenAddressing<Cell>.probe(key, in: c, shift: table.shift)
                    XCTAssertEqual(c[i].value, Int(key) * 3)
                }
                let absent = OpenAddressing<Cell>.probe(999, in: c, shift: table.shift)
                XCTAssertFalse(c[absent].isTaken)
            }
        }
    }
}
