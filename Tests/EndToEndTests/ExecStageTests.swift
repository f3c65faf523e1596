import Foundation
import XCTest

/// `use: exec` through the real daemon: plugins written here in Python, every fault ending in
/// `failed/` with its reason (or refusing the start), nothing lost.
final class ExecStageTests: XCTestCase {
    static var python3: String { DaemonHarness.python3 }

    /// A plugin that answers by what the text says: CRASHME exits, SLEEPY never answers,
    /// OUTSIDE writes a field it did not declare, REJECTME and DROPME say so; others are tagged.
    static let tagger = """
        import sys, json, os, time
        def send(o):
            sys.stdout.write(json.dumps(o) + "\\n"); sys.stdout.flush()
        hello = json.loads(sys.stdin.readline())
        if hello.get("options", {}).get("desk") != "asia":
            send({"error": "options.desk must be asia"}); sys.exit(1)
        send({"ready": True})
        sys.stderr.write(json.dumps({"level": "info", "message": "tagger ready"}) + "\\n"); sys.stderr.flush()
        for line in sys.stdin:
            req = json.loads(line); doc = req["document"]; text = doc.get("text") or ""
            if "CRASHME" in text: os._exit(3)
            if "SLEEPY" in text: time.sleep(60)
            if "OUTSIDE" in text: send({"id": req["id"], "set": {"labels.genre": "made-up"}}); continue
            if "REJECTME" in text: send({"id": req["id"], "reject": "house style forbids it"}); continue
            if "DROPME" in text: send({"id": req["id"], "drop": "wire copy"}); continue
            send({"id": req["id"], "set": {"extensions.tagger": {"chars": len(text), "keys": sorted(doc.keys())}}})
        """

    private func harness(plugin: String = tagger, stage: String? = nil) throws -> DaemonHarness {
        let h = try DaemonHarness(edits: [
            ("  - use: classify", stage ?? """
                  - use: exec
                    name: tagger
                    command: [\(Self.python3), plugins/tagger.py]
                    reads: [text, title]
                    timeout: 2s
                    options: {desk: asia}
                  - use: classify
                """),
            ("summary_interval: 60s", "summary_interval: 0"),
        ])
        try FileManager.default.createDirectory(at: h.root.appendingPathComponent("plugins"), withIntermediateDirectories: true)
        try plugin.write(to: h.root.appendingPathComponent("plugins/tagger.py"), atomically: true, encoding: .utf8)
        return h
    }

    private func errorJSON(_ h: DaemonHarness, _ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: h.dir("failed").appendingPathComponent(name + ".error.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testEveryAnswerAndEveryFaultOfAPluginHasItsOutcome() throws {
        let h = try harness()
        defer { h.cleanUp() }
        try h.start()
        let cases = ["plain": "", "crash": "CRASHME", "sleepy": "SLEEPY", "outside": "OUTSIDE", "reject": "REJECTME", "drop": "DROPME"]
        for (name, marker) in cases.sorted(by: { $0.key < $1.key }) {
            try h.drop("\(name).txt", text: sampleArticle(name.count) + "\n\(marker) \(name) closes the story here.\n")
        }
        do {
            try waitUntil("every input is settled", timeout: 90) { h.names("done").count + h.names("failed").count == 6 + 4 }
        } catch {
            print("settled so far: done", h.names("done"), "failed", h.names("failed"), "processing", h.names("processing"))
            for l in h.logLines() { print("log:", l) }
            throw error
        }
        // The daemon lives on: a document after the faults is tagged.
        try h.drop("after.txt", text: sampleArticle(42))
        try waitUntil("the document after the faults", timeout: 60) { h.names("done").contains("after.txt") }
        XCTAssertEqual(try h.stop(), 0)

        XCTAssertEqual(h.names("done"), ["after.txt", "drop.txt", "plain.txt"])
        XCTAssertEqual(h.names("failed"), ["crash.txt", "crash.txt.error.json", "outside.txt", "outside.txt.error.json",
                                           "reject.txt", "reject.txt.error.json", "sleepy.txt", "sleepy.txt.error.json"])
        XCTAssertEqual(try errorJSON(h, "crash.txt")["reason"] as? String, "plugin_crashed")
        XCTAssertEqual(try errorJSON(h, "sleepy.txt")["reason"] as? String, "plugin_timeout")
        XCTAssertEqual(try errorJSON(h, "reject.txt")["reason"] as? String, "plugin_rejected")
        XCTAssertEqual(try errorJSON(h, "reject.txt")["message"] as? String, "house style forbids it")
        let outside = try errorJSON(h, "outside.txt")
        XCTAssertEqual(outside["reason"] as? String, "plugin_protocol")
        XCTAssertEqual(outside["stage"] as? String, "tagger")
        XCTAssertTrue((outside["evidence"] as? String)?.contains("labels.genre") == true, "\(outside)")

        let records = try h.recordLines()
        XCTAssertEqual(records.count, 2)
        for record in records {
            let ext = try XCTUnwrap((record["extensions"] as? [String: Any])?["tagger"] as? [String: Any], "\(record)")
            XCTAssertEqual(ext["keys"] as? [String], ["id", "schema", "text", "title"], "only the fields read are sent")
            XCTAssertEqual(ext["chars"] as? Int, (record["text"] as? String)?.count)
            XCTAssertEqual((record["pipeline"] as? [String: Any])?["stages"] as? [String], ["normalize", "dedupe", "tagger", "classify"])
        }
        // The plugin's stderr is the daemon's log, with the stage named.
        XCTAssertTrue(h.logLines().contains { $0["msg"] as? String == "tagger ready" && $0["stage"] as? String == "tagger" })
        XCTAssertTrue(h.logLines().contains { $0["msg"] as? String == "document dropped" && $0["reason"] as? String == "wire copy" })
        XCTAssertEqual(Self.processes(running: h.root.appendingPathComponent("plugins/tagger.py").path), [],
                       "no plugin outlives the daemon")
    }

    func testAPluginThatRefusesItsOptionsStopsTheStartWithItsMessage() throws {
        let h = try harness(stage: """
              - use: exec
                name: tagger
                command: [\(Self.python3), plugins/tagger.py]
                options: {desk: europe}
              - use: classify
            """)
        defer { h.cleanUp() }
        XCTAssertThrowsError(try h.start()) { error in
            XCTAssertTrue("\(error)".contains("options.desk must be asia"), "\(error)")
            XCTAssertTrue("\(error)".contains("stage 'tagger' cannot start"), "\(error)")
        }
    }

    /// kill -9 while documents stream through a pipeline with an exec stage: afterwards every
    /// file has exactly one record, and no plugin process is left behind.
    func testExactlyOneRecordPerFileAcrossKill9sWithAnExecStage() throws {
        let echo = """
            import sys, json
            sys.stdin.readline(); sys.stdout.write('{"ready": true}\\n'); sys.stdout.flush()
            for line in sys.stdin:
                req = json.loads(line)
                sys.stdout.write(json.dumps({"id": req["id"], "set": {"extensions.tagger": {"n": len(req["document"]["text"])}}}) + "\\n")
                sys.stdout.flush()
            """
        let h = try harness(plugin: echo, stage: """
              - use: exec
                name: tagger
                command: [\(Self.python3), plugins/tagger.py]
                reads: [text]
                instances: 2
              - use: classify
            """)
        defer { h.cleanUp() }
        let total = 600
        let names = (0..<total).map { String(format: "doc-%04d.txt", $0) }
        try h.start()
        let writerDone = h.streamDistinctArticles(names)
        var recordsAtKill: [Int] = []
        for pause in [0.5, 0.7] {
            Thread.sleep(forTimeInterval: pause)
            try h.kill9()
            recordsAtKill.append((try? h.recordLines().count) ?? -1)
            try h.start()
        }
        XCTAssertEqual(writerDone.wait(timeout: .now() + 60), .success)
        try waitUntil("every file is done", timeout: 120) { h.names("done").count == total }
        XCTAssertEqual(try h.stop(), 0)

        XCTAssertTrue(recordsAtKill.allSatisfy { $0 < total }, "the kills must land while files are still streaming: \(recordsAtKill)")
        let records = try h.recordLines()
        XCTAssertEqual(records.count, total, "one record per file, no more, no less")
        XCTAssertEqual(Set(records.compactMap { $0["id"] as? String }).count, total)
        XCTAssertTrue(records.allSatisfy { (($0["extensions"] as? [String: Any])?["tagger"] as? [String: Any])?["n"] is Int })
        XCTAssertEqual(h.names("failed"), [])
        // A killed daemon's plugins see their stdin close and exit.
        try waitUntil("orphaned plugins exit", timeout: 10) {
            Self.processes(running: h.root.appendingPathComponent("plugins/tagger.py").path).isEmpty
        }
    }

    private func ingestd(_ args: [String]) throws -> (status: Int32, out: String, err: String) { try DaemonHarness.run(args) }

    func testPluginCheckStartsTheStageAndPrintsWhatItDid() throws {
        let h = try harness()
        defer { h.cleanUp() }
        let ok = try ingestd(["plugin", "check", h.pipeline.path, "tagger"])
        XCTAssertEqual(ok.status, 0, ok.err)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ok.out.utf8)) as? [String: Any], ok.out)
        XCTAssertEqual(report["status"] as? String, "ok")
        let set = try XCTUnwrap(report["set"] as? [String: Any])
        XCTAssertEqual(((set["extensions.tagger"] as? [String: Any])?["keys"] as? [String]), ["id", "schema", "text", "title"])

        let input = h.root.appendingPathComponent("reject-me.txt")
        try (sampleArticle(1) + "\nREJECTME reject closes the story here.\n").write(to: input, atomically: true, encoding: .utf8)
        let rejected = try ingestd(["plugin", "check", h.pipeline.path, "tagger", "--input", input.path])
        XCTAssertEqual(rejected.status, 1)
        XCTAssertTrue(rejected.out.contains(#""reason":"plugin_rejected""#), rejected.out)
        XCTAssertTrue(rejected.out.contains("house style forbids it"), rejected.out)
        XCTAssertEqual(h.names("done") + h.names("failed"), [], "a check records nothing and moves nothing")
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.records.path))
    }

    func testValidateChecksAnExecStagesOptionsWithoutRunningIt() throws {
        let h = try harness(stage: """
              - use: exec
                command: [/nonexistent/plugin]
                writes: [origin, extensions.x]
                reads: [titel]
                instances: 0
              - use: exec
                name: dedupe
                command: [\(Self.python3), plugins/tagger.py]
              - use: classify
            """)
        defer { h.cleanUp() }
        let r = try ingestd(["validate", h.pipeline.path])
        XCTAssertEqual(r.status, 1)
        let lines = r.err.split(separator: "\n").map { String($0.split(separator: " ", maxSplits: 1).last ?? "") }
        for expected in [
            "stages[2]: an exec stage needs 'name:' (unique in the pipeline; its results go to extensions.NAME)",
            "stages[2].command: cannot run /nonexistent/plugin: No such file or directory",
            "stages[2].writes: 'origin' is set by ingestd and cannot be written by a stage",
            "stages[2].reads: 'titel' is not a document field (did you mean 'title'?)",
            "stages[2].instances: must be between 1 and 64, found 0",
            "stages[3].name: the name 'dedupe' is a stage kind; give the exec stage a name of its own",
        ] {
            XCTAssertTrue(lines.contains { $0.hasPrefix(expected) }, "missing \(expected) in:\n\(r.err)")
        }
        XCTAssertTrue(r.err.hasPrefix(h.pipeline.path + ":"), r.err)
        // Nothing was started to find this out.
        XCTAssertEqual(Self.processes(running: h.root.appendingPathComponent("plugins/tagger.py").path), [])
    }

    /// Process ids whose command line names `path`.
    static func processes(running path: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(path)
        }
    }
}
