import Foundation
import XCTest
import IngestCore
@testable import IngestDaemon

/// A source that only counts what it is granted.
final class CountingSource: DocumentSource, @unchecked Sendable {
    private let lock = NSLock()
    private var granted = 0
    var credits: Int { lock.lock(); defer { lock.unlock() }; return granted }
    func start(deliver: @escaping @Sendable (Claim) -> Void) throws {}
    func grant(_ n: Int) { lock.lock(); granted += n; lock.unlock() }
    func acknowledge(_ claim: Claim, outcome: Outcome) {}
    func stop() {}
    var backlog: Int { 0 }
}

final class MergedSourceTests: XCTestCase {
    /// The shares add up to what was granted: together the sources never claim more than
    /// max_in_flight (`max(1, …)` per source used to hand out more than there was).
    func testCreditsAreSplitExactlyNeverMoreThanGranted() {
        for (credits, count) in [(1, 2), (2, 3), (7, 3), (64, 2), (3, 3), (0, 2)] {
            let sources = (0..<count).map { _ in CountingSource() }
            MergedSource(sources).grant(credits)
            let shares = sources.map(\.credits)
            XCTAssertEqual(shares.reduce(0, +), credits, "\(credits) credits over \(count) sources: \(shares)")
            XCTAssertLessThanOrEqual(shares.max()! - shares.min()!, 1, "an even split: \(shares)")
        }
    }
}
