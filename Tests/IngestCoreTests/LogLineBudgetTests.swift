import Dispatch
import IngestCore
import XCTest

final class LogLineBudgetTests: XCTestCase {
    private func at(_ seconds: Double) -> DispatchTime { DispatchTime(uptimeNanoseconds: UInt64(seconds * 1e9) + 1) }

    func testPassesThePerSecondBudgetAndTellsWhatWasLeftOut() {
        let budget = LogLineBudget(perSecond: 3)
        let first = (0..<5).map { _ in budget.admit(now: at(10.1)) }
        XCTAssertEqual(first.map(\.pass), [true, true, true, false, false])
        XCTAssertTrue(first.allSatisfy { $0.leftOutBefore == 0 })
        // The next second: the first line that passes says two were left out, the next says nothing.
        let next = budget.admit(now: at(11.0))
        XCTAssertTrue(next.pass)
        XCTAssertEqual(next.leftOutBefore, 2)
        XCTAssertEqual(budget.admit(now: at(11.5)).leftOutBefore, 0)
        XCTAssertEqual(budget.takeSuppressed(), 2)
        XCTAssertEqual(budget.takeSuppressed(), 0, "told once to the summary")
        _ = budget.admit(now: at(11.6))
        XCTAssertFalse(budget.admit(now: at(11.7)).pass)
        XCTAssertEqual(budget.leftOutTotal, 3)
        XCTAssertEqual(budget.takeSuppressed(), 1)
    }

    func testZeroMeansNoLimit() {
        let budget = LogLineBudget(perSecond: 0)
        XCTAssertTrue((0..<10_000).allSatisfy { _ in budget.admit(now: at(1)).pass })
        XCTAssertEqual(budget.leftOutTotal, 0)
    }
}
