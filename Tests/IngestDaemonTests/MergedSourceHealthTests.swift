import Foundation
import IngestCore
import XCTest
@testable import IngestDaemon

/// A source with fixed per-URL health.
private final class PollingSource: DocumentSource, @unchecked Sendable {
    let health: [SourceHealth]
    init(_ health: [SourceHealth]) { self.health = health }
    func start(deliver: @escaping @Sendable (Claim) -> Void) throws {}
    func grant(_ n: Int) {}
    func acknowledge(_ claim: Claim, outcome: Outcome) {}
    func stop() {}
    var backlog: Int { 0 }
}

final class MergedSourceHealthTests: XCTestCase {
    /// The drop folder polls nothing; the URL source's entries come through the merge in order.
    func testTheMergeReportsEveryPollingSourcesHealth() {
        let a = SourceHealth(url: "http://127.0.0.1:1/a", host: "http://127.0.0.1:1", kind: "feed", consecutiveFailures: 2)
        let b = SourceHealth(url: "http://127.0.0.1:1/b", host: "http://127.0.0.1:1", kind: "page")
        let merged = MergedSource([CountingSource(), PollingSource([a, b])])
        XCTAssertEqual(merged.health, [a, b])
        XCTAssertEqual(CountingSource().health, [], "a source that polls nothing has no entries")
    }
}
