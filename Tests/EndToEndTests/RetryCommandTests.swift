import Foundation
import XCTest

/// `ingestd retry` beside a running daemon: a desk fixes the pipeline, restarts, and moves what
/// failed back; the daemon ingests it, and nothing already in the inbox is overwritten.
final class RetryCommandTests: XCTestCase {
    func testRetryMovesFailedInputsBackWhileTheDaemonRunsAndTheyAreRecorded() throws {
        let h = try DaemonHarness(edits: [("summary_interval: 60s", "summary_interval: 0"),
                                          ("max_document_bytes: 20MB", "max_document_bytes: 1KB")])
        defer { h.cleanUp() }
        try h.start()
        try h.drop("long.txt", text: distinctArticle(1, words: 400))
        try h.drop("short.txt", text: String(repeating: "x", count: 2000))  // too large as well, and never fixed below
        try waitUntil("both are rejected as too large", timeout: 60) { h.names("failed").count == 4 }
        XCTAssertEqual(try h.stop(), 0)

        // The fix: a larger limit. Then the daemon runs again and the desk retries.
        let yaml = try String(contentsOf: h.pipeline, encoding: .utf8).replacingOccurrences(of: "max_document_bytes: 1KB",
                                                                                            with: "max_document_bytes: 20MB")
        try yaml.write(to: h.pipeline, atomically: true, encoding: .utf8)
        try h.start()
        let notRetried = try DaemonHarness.run(["retry", "--pipeline", h.pipeline.path, "--reason", "plugin_crashed"])
        XCTAssertEqual(notRetried.status, 0, notRetried.err)
        XCTAssertEqual(notRetried.out, "")
        XCTAssertTrue(notRetried.err.contains("nothing to retry"), notRetried.err)

        let r = try DaemonHarness.run(["retry", "--pipeline", h.pipeline.path, "--reason", "too_large", "long.txt"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "\(h.dir("failed").path)/long.txt -> \(h.dir("inbox").path)/long.txt\n")
        try waitUntil("the retried input is recorded", timeout: 60) { h.names("done").contains("long.txt") }
        XCTAssertEqual(h.names("failed"), ["short.txt", "short.txt.error.json"])
        let records = try h.recordLines()
        XCTAssertEqual(records.map { URL(fileURLWithPath: ($0["origin"] as! [String: Any])["path"] as! String).lastPathComponent }, ["long.txt"])

        // Named, but missing: exit 1, said on stderr.
        let missing = try DaemonHarness.run(["retry", "--pipeline", h.pipeline.path, "nothing-here.txt"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.err.contains("left nothing-here.txt: not in"), missing.err)
        XCTAssertEqual(try h.stop(), 0)
    }
}
