import Foundation
import XCTest

/// A document rejected by a plugin stage after `dedupe` gives its dedupe claims back: its retry
/// is `unique`, not a duplicate of a record that was never written (nor, under `policy: drop`,
/// dropped without one).
final class DedupeReleaseTests: XCTestCase {
    /// Rejects a document saying GATEKEEP while the file named by `options.gate` exists.
    static let gatekeeper = """
        import sys, json, os
        def send(o):
            sys.stdout.write(json.dumps(o) + "\\n"); sys.stdout.flush()
        hello = json.loads(sys.stdin.readline())
        gate = hello["options"]["gate"]
        send({"ready": True})
        for line in sys.stdin:
            req = json.loads(line); text = req["document"].get("text") or ""
            if "GATEKEEP" in text and os.path.exists(gate):
                send({"id": req["id"], "reject": "gate closed"}); continue
            send({"id": req["id"], "set": {"extensions.gatekeeper": {"passed": True}}})
        """

    private func harness() throws -> (DaemonHarness, gate: URL) {
        let root = FileManager.default.temporaryDirectory
        let gate = root.appendingPathComponent("gate-\(UUID().uuidString)")
        let h = try DaemonHarness(edits: [
            ("policy: annotate ", "policy: drop "),
            ("  - use: classify", """
                  - use: exec
                    name: gatekeeper
                    command: [\(ExecStageTests.python3), plugins/gatekeeper.py]
                    reads: [text]
                    timeout: 5s
                    options: {gate: \(gate.path)}
                  - use: classify
                """),
            ("summary_interval: 60s", "summary_interval: 0"),
        ])
        try FileManager.default.createDirectory(at: h.root.appendingPathComponent("plugins"), withIntermediateDirectories: true)
        try Self.gatekeeper.write(to: h.root.appendingPathComponent("plugins/gatekeeper.py"), atomically: true, encoding: .utf8)
        try Data().write(to: gate)
        return (h, gate)
    }

    private func story() -> String {
        sampleArticle(7).replacingOccurrences(of: "Residents who spoke", with: "GATEKEEP residents who spoke")
    }

    private func rejectThenRetry(restart: Bool) throws {
        let (h, gate) = try harness()
        defer { h.cleanUp(); try? FileManager.default.removeItem(at: gate) }
        try h.start()
        try h.drop("story.txt", text: story())
        do {
            try waitUntil("the story is rejected", timeout: 30) { h.names("failed").contains("story.txt.error.json") }
        } catch {
            for l in h.logLines() { print("log:", l) }
            print("done", h.names("done"), "failed", h.names("failed"))
            throw error
        }
        XCTAssertTrue(try h.recordLines().isEmpty)
        if restart {
            XCTAssertEqual(try h.stop(), 0)
        }
        // The plugin accepts it now; the same file goes back into the inbox.
        try FileManager.default.removeItem(at: gate)
        if restart { try h.start() }
        try FileManager.default.moveItem(at: h.dir("failed").appendingPathComponent("story.txt"),
                                         to: h.dir("inbox").appendingPathComponent("story.txt"))
        do {
            try waitUntil("the retry is settled", timeout: 60) { h.names("done").contains("story.txt") }
        } catch {
            for l in h.logLines() { print("log:", l) }
            throw error
        }
        XCTAssertEqual(try h.stop(), 0)

        let records = try h.recordLines()
        XCTAssertEqual(records.count, 1, "the retry has a record: not dropped as a duplicate of the rejected try")
        let dedupe = try XCTUnwrap(records.first?["dedupe"] as? [String: Any])
        XCTAssertEqual(dedupe["status"] as? String, "unique", "\(dedupe)")
        XCTAssertNil(dedupe["of"] as? String)
        XCTAssertFalse(h.logLines().contains { $0["msg"] as? String == "document dropped" })
    }

    func testARejectedDocumentsRetryIsUniqueUnderPolicyDrop() throws {
        try rejectThenRetry(restart: false)
    }

    func testTheReleaseSurvivesARestartBetweenTheTwoDrops() throws {
        try rejectThenRetry(restart: true)
    }
}
