import Foundation
import XCTest

/// kill -9 the daemon repeatedly while files stream in; afterwards every file has exactly one
/// record, sits in done/, and the records file has no torn line.
final class CrashRecoveryTests: XCTestCase {
    func testExactlyOneRecordPerFileAcrossThreeKill9s() throws {
        let h = try DaemonHarness(edits: [("summary_interval: 60s", "summary_interval: 0")])
        defer { h.cleanUp() }
        let total = 1200
        let names = (0..<total).map { String(format: "doc-%04d.txt", $0) }

        try h.start()
        // The writer streams files in at about 400 per second on its own thread.
        let writerDone = h.streamDistinctArticles(names)

        var kills = 0
        var recordsAtKill: [Int] = []
        for pause in [0.6, 0.9, 0.7] {
            Thread.sleep(forTimeInterval: pause)
            try h.kill9()
            kills += 1
            recordsAtKill.append((try? h.recordLines().count) ?? -1)
            try h.start()
        }
        XCTAssertEqual(writerDone.wait(timeout: .now() + 60), .success)
        try waitUntil("every file is done", timeout: 120) { h.names("done").count == total }
        XCTAssertEqual(try h.stop(), 0)

        XCTAssertEqual(kills, 3)
        XCTAssertTrue(recordsAtKill.allSatisfy { $0 < total }, "the kills must land while files are still streaming: \(recordsAtKill)")
        let records = try h.recordLines()  // throws on any line that is not a JSON object
        let origins = records.map { URL(fileURLWithPath: ($0["origin"] as! [String: Any])["path"] as! String).lastPathComponent }
        XCTAssertEqual(records.count, total, "one record per file, no more, no less")
        XCTAssertEqual(Set(origins), Set(names))
        XCTAssertEqual(Set(records.compactMap { $0["id"] as? String }).count, total)
        XCTAssertEqual(h.names("done"), names)
        XCTAssertEqual(h.names("processing"), [])
        XCTAssertEqual(h.names("inbox"), [])
        XCTAssertEqual(h.names("failed"), [])
        // Every document is distinct, so none may be called a duplicate after the crashes.
        XCTAssertTrue(records.allSatisfy { ($0["dedupe"] as? [String: Any])?["status"] as? String == "unique" })
    }
}
