import Foundation
import XCTest

/// A flood must not spend journald's allowance on lines that say all went well: those are
/// budgeted per second and counted, while every rejection keeps its warning line.
final class LogVolumeTests: XCTestCase {
    func testAFloodKeepsEveryWarningAndBudgetsTheLinesThatSayAllWentWell() throws {
        let h = try DaemonHarness(edits: [("summary_interval: 60s", "summary_interval: 1s\n  documents_per_second: 20")])
        defer { h.cleanUp() }
        // Written before the start, as after an outage: the daemon meets them all at once.
        let good = 1_500, empty = 500
        for i in 0..<good { try h.drop("good-\(i).txt", text: distinctArticle(i)) }
        for i in 0..<empty { try h.drop("empty-\(i).txt", []) }
        let started = Date()
        try h.start()
        try waitUntil("every input is done or failed", timeout: 240) {
            h.names("done").count == good && h.names("failed").filter { !$0.hasSuffix(".error.json") }.count == empty
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(try h.stop(), 0)

        let logs = h.logLines()
        let rejected = logs.filter { $0["msg"] as? String == "document rejected" }
        XCTAssertEqual(Set(rejected.compactMap { ($0["path"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } }),
                       Set((0..<empty).map { "empty-\($0).txt" }), "one warning per rejected input, none left out")
        XCTAssertTrue(rejected.allSatisfy { $0["level"] as? String == "warning" })

        let written = logs.filter { $0["msg"] as? String == "record written" }
        XCTAssertLessThanOrEqual(written.count, 20 * (Int(elapsed) + 2), "at most 20 a second over \(elapsed) s")
        XCTAssertLessThan(written.count, good, "the flood was faster than the budget, so some lines were left out")
        let stopped = try XCTUnwrap(logs.last { $0["msg"] as? String == "stopped" })
        let leftOut = try XCTUnwrap(stopped["document_lines_left_out"] as? Int)
        XCTAssertEqual(written.count + leftOut, good, "every line left out is counted")
        // What was left out is told: in the next line that passed, and in the summaries.
        let toldInLines = written.compactMap { $0["left_out"] as? Int }.reduce(0, +)
        XCTAssertGreaterThan(toldInLines, 0)
        XCTAssertLessThanOrEqual(toldInLines, leftOut)
        let toldInSummaries = logs.filter { $0["msg"] as? String == "summary" }.compactMap { $0["document_lines_left_out"] as? Int }.reduce(0, +)
        XCTAssertGreaterThan(toldInSummaries, 0)
        XCTAssertLessThanOrEqual(toldInSummaries, leftOut)
    }

    func testDocumentLinesAtDebugAreNotWrittenAtInfo() throws {
        let h = try DaemonHarness(edits: [("summary_interval: 60s", "summary_interval: 60s\n  documents: debug")])
        defer { h.cleanUp() }
        try h.start()
        for i in 0..<5 { try h.drop("d-\(i).txt", text: distinctArticle(i)) }
        try h.drop("empty.txt", [])
        try waitUntil("all inputs are settled", timeout: 30) { h.names("done").count == 5 && h.names("failed").contains("empty.txt") }
        XCTAssertEqual(try h.stop(), 0)
        let logs = h.logLines()
        XCTAssertFalse(logs.contains { $0["msg"] as? String == "record written" })
        XCTAssertEqual(logs.filter { $0["msg"] as? String == "document rejected" }.count, 1)

        // --log-level debug shows them again.
        let d = try DaemonHarness(edits: [("summary_interval: 60s", "summary_interval: 60s\n  documents: debug")])
        defer { d.cleanUp() }
        try d.start(extraArguments: ["--log-level", "debug"])
        try d.drop("x.txt", text: distinctArticle(9))
        try waitUntil("x is done", timeout: 30) { d.names("done") == ["x.txt"] }
        XCTAssertEqual(try d.stop(), 0)
        XCTAssertTrue(d.logLines().contains { $0["msg"] as? String == "record written" && $0["level"] as? String == "debug" })
    }
}
