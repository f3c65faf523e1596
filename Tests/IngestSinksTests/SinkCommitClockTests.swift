import Foundation
import XCTest
import IngestCore
@testable import IngestSinks

/// What the watchdog reads from the sink: when the commit under way began, nil between commits.
final class SinkCommitClockTests: XCTestCase {
    func testTheCommitStartIsSetWhileABatchIsMadeDurableAndClearedAfter() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sink-clock-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let inCommit = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let sink = try JSONLinesSink(path: dir.appendingPathComponent("r.jsonl"), beforeCommit: {
            inCommit.signal()
            release.wait()
        })
        XCTAssertNil(sink.commitStartedAt)
        let before = DispatchTime.now().uptimeNanoseconds
        let done = DispatchSemaphore(value: 0)
        sink.submit(Array(#"{"id":"a"}"#.utf8)) { error in
            XCTAssertNil(error)
            done.signal()
        }
        XCTAssertEqual(inCommit.wait(timeout: .now() + 10), .success)
        let started = try XCTUnwrap(sink.commitStartedAt)
        XCTAssertGreaterThanOrEqual(started, before)
        release.signal()
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertNil(sink.commitStartedAt)
        try sink.close()
    }
}
