import Foundation
import LoopbackHTTP
import XCTest

/// SIGHUP (`systemctl reload`) through the real binary: a good new pipeline is swapped in
/// between documents, a bad one is refused with its problems and the old one keeps working,
/// and a changed `urls:` list fetches only what is new.
final class ReloadTests: XCTestCase {
    private func hup(_ h: DaemonHarness) throws {
        let pid = try XCTUnwrap(h.process?.processIdentifier)
        XCTAssertEqual(kill(pid, SIGHUP), 0)
    }

    private func edit(_ h: DaemonHarness, _ edits: [(String, String)]) throws {
        var yaml = try String(contentsOf: h.pipeline, encoding: .utf8)
        for (from, to) in edits {
            XCTAssertTrue(yaml.contains(from), "the pipeline no longer contains \(from)")
            yaml = yaml.replacingOccurrences(of: from, with: to)
        }
        try yaml.write(to: h.pipeline, atomically: true, encoding: .utf8)
    }

    private func logged(_ h: DaemonHarness, _ msg: String) -> [[String: Any]] { h.logLines().filter { $0["msg"] as? String == msg } }

    private func topics(_ record: [String: Any]) -> [String] {
        ((record["labels"] as? [String: Any])?["topics"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }

    private func fileName(_ record: [String: Any]) -> String {
        URL(fileURLWithPath: (record["origin"] as? [String: Any])?["path"] as? String ?? "").lastPathComponent
    }

    /// A hearing every time: the new topic's two terms score 3 in each of these.
    private func hearingArticle(_ n: Int) -> String {
        distinctArticle(n) + "Residents asked many questions at the public hearing.\n"
    }

    func testAReloadUnderLoadSwapsStagesBetweenDocumentsLosingAndDoublingNothing() throws {
        let h = try DaemonHarness(edits: [("summary_interval: 60s", "summary_interval: 0")])
        defer { h.cleanUp() }
        let notify = try NotifyListener(in: h.root)
        defer { notify.stop() }
        try h.start(environment: ["NOTIFY_SOCKET": notify.path])
        try h.drop("original.txt", text: distinctArticle(500))
        try waitUntil("the original is recorded", timeout: 20) { h.names("done") == ["original.txt"] }

        let load = (0..<400).map { String(format: "load-%03d.txt", $0) }
        // Half the load streams in before the reload and half after it is done, so records are
        // written on both sides of the swap however fast or slow the machine (a sanitizer build).
        let streaming = h.streamDistinctArticles(Array(load[..<200]))
        try waitUntil("the load is under way", timeout: 30) { h.names("done").count >= 30 }
        // A new topic (classify rebuilt) and a new near-duplicate threshold (dedupe closed, its
        // index synced, and opened again by the new instance); normalize stays as it runs.
        try edit(h, [
            ("    threshold: 0.8         # Jaccard", "    threshold: 0.85        # Jaccard"),
            ("    topics:\n", "    topics:\n      civic hearing:\n        terms:\n          hearing: 1.5\n          residents: 1.5\n"),
        ])
        try hup(h)
        try waitUntil("the reload is done", timeout: 30) { !logged(h, "pipeline reloaded").isEmpty }
        XCTAssertEqual(streaming.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(h.streamDistinctArticles(Array(load[200...]), offset: 200).wait(timeout: .now() + 60), .success)

        let after = (0..<5).map { "after-\($0).txt" }
        for (i, name) in after.enumerated() { try h.drop(name, text: hearingArticle(900 + i)) }
        try h.drop("original-again.txt", text: distinctArticle(500))
        let all = ["original.txt", "original-again.txt"] + load + after
        try waitUntil("every file is done", timeout: 90) { h.names("done").count == all.count }
        XCTAssertEqual(try h.stop(), 0)

        let records = try h.recordLines()
        XCTAssertEqual(records.count, all.count, "one record per input")
        XCTAssertEqual(Set(records.map(fileName)), Set(all), "none lost")
        XCTAssertEqual(Set(records.compactMap { $0["id"] as? String }).count, all.count, "none recorded twice")
        XCTAssertEqual(h.names("processing"), [])
        XCTAssertEqual(h.names("failed"), [])

        let byName = Dictionary(records.map { (fileName($0), $0) }, uniquingKeysWith: { a, _ in a })
        XCTAssertFalse(topics(try XCTUnwrap(byName["original.txt"])).contains("civic hearing"))
        for name in after { XCTAssertTrue(topics(try XCTUnwrap(byName[name])).contains("civic hearing"), "\(name): the new taxonomy") }
        // The dedupe index came through the rebuild of its stage.
        let again = try XCTUnwrap(byName["original-again.txt"]?["dedupe"] as? [String: Any])
        XCTAssertEqual(again["status"] as? String, "duplicate")
        XCTAssertEqual(again["of"] as? String, byName["original.txt"]?["id"] as? String)

        let reloaded = try XCTUnwrap(logged(h, "pipeline reloaded").first)
        // Under load: the load's records were written both before and after the swap.
        let swapped = try XCTUnwrap(reloaded["ts"] as? String)
        let loadTimes = records.filter { fileName($0).hasPrefix("load-") }.compactMap { $0["ingested_at"] as? String }
        XCTAssertTrue(loadTimes.contains { $0 < swapped } && loadTimes.contains { $0 > swapped }, "the reload came mid-load")
        XCTAssertEqual(reloaded["stages_kept"] as? [String], ["normalize"])
        XCTAssertEqual(Set(reloaded["stages_started"] as? [String] ?? []), ["dedupe", "classify"])
        XCTAssertEqual(reloaded["sink"] as? String, "kept")
        // systemd hears the reload begin (with the monotonic time it asks for) and end.
        let messages = notify.messages
        let reloading = try XCTUnwrap(messages.firstIndex { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") })
        XCTAssertTrue(messages[(reloading + 1)...].contains { $0.hasPrefix("READY=1") })
    }

    func testABadPipelineIsRefusedWithFileLineAndColumnAndTheOldOneKeepsWorking() throws {
        let h = try DaemonHarness(edits: [("summary_interval: 60s", "summary_interval: 0")])
        defer { h.cleanUp() }
        try h.start()
        // Under load, as a good reload is: the refusal must not disturb the documents streaming in.
        let load = (0..<200).map { String(format: "load-%03d.txt", $0) }
        let streaming = h.streamDistinctArticles(load)
        try waitUntil("the load is under way", timeout: 30) { h.names("done").count >= 20 }
        let good = try String(contentsOf: h.pipeline, encoding: .utf8)
        try edit(h, [("    min_words: 10 ", "    min_wrds: 10  "), ("    policy: annotate ", "    policy: forget   ")])
        try hup(h)
        try waitUntil("the reload is refused", timeout: 20) { !logged(h, "reload refused; the running pipeline is kept").isEmpty }
        XCTAssertEqual(streaming.wait(timeout: .now() + 60), .success)
        try waitUntil("the load is done", timeout: 60) { h.names("done").count == load.count }

        let problems = h.logLines().filter { $0["level"] as? String == "error" && $0["line"] != nil }
        XCTAssertEqual(problems.count, 2, "\(problems)")
        for problem in problems {
            let line = try XCTUnwrap(problem["line"] as? Int), column = try XCTUnwrap(problem["column"] as? Int)
            XCTAssertEqual(problem["file"] as? String, h.pipeline.path)
            XCTAssertTrue((problem["msg"] as? String)?.hasPrefix("\(h.pipeline.path):\(line):\(column): ") ?? false, "\(problem)")
        }
        XCTAssertTrue(problems.contains { ($0["msg"] as? String)?.contains("unknown key 'min_wrds'") ?? false })

        // A valid file whose change needs a restart is refused too, saying what.
        try good.replacingOccurrences(of: "state_dir: state ", with: "state_dir: state2")
            .write(to: h.pipeline, atomically: true, encoding: .utf8)
        try hup(h)
        try waitUntil("the second reload is refused", timeout: 20) { logged(h, "reload refused; the running pipeline is kept").count == 2 }
        XCTAssertTrue(h.logLines().contains { ($0["msg"] as? String)?.hasPrefix("state_dir cannot change while ingestd runs") ?? false })

        try h.drop("still.txt", text: distinctArticle(7777))
        try h.drop("still-again.txt", text: distinctArticle(7777))
        try waitUntil("both are done", timeout: 20) { h.names("done").count == load.count + 2 }
        XCTAssertTrue(h.process?.isRunning ?? false)
        XCTAssertEqual(try h.stop(), 0)
        let all = try h.recordLines()
        XCTAssertEqual(all.count, load.count + 2, "one record per input")
        XCTAssertEqual(Set(all.map(fileName)), Set(load + ["still.txt", "still-again.txt"]), "none lost, none twice")
        XCTAssertEqual(h.names("failed"), [])
        let records = all.filter { fileName($0).hasPrefix("still") }
        XCTAssertEqual(Set(records.compactMap { ($0["dedupe"] as? [String: Any])?["status"] as? String }), ["unique", "duplicate"],
                       "the old dedupe stage (policy annotate) still runs")
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.dir("state2").path))
        XCTAssertTrue(logged(h, "pipeline reloaded").isEmpty)
    }

    /// A new stage that cannot start: what the reload closed (dedupe, whose options changed
    /// too) is built again from the old file, and the old pipeline goes on with its index.
    func testAStageThatCannotStartOnReloadLeavesTheOldPipelineRunning() throws {
        let h = try DaemonHarness(edits: [("summary_interval: 60s", "summary_interval: 0")])
        defer { h.cleanUp() }
        try h.start()
        try h.drop("first.txt", text: distinctArticle(11))
        try waitUntil("first is done", timeout: 20) { h.names("done") == ["first.txt"] }
        try edit(h, [
            ("    threshold: 0.8         # Jaccard", "    threshold: 0.85        # Jaccard"),
            ("  - use: classify\n", "  - use: exec\n    name: broken\n    command: [/bin/false]\n  - use: classify\n"),
        ])
        try hup(h)
        try waitUntil("the reload fails", timeout: 30) { !logged(h, "reload failed; going on with the old pipeline").isEmpty }
        let failure = try XCTUnwrap(logged(h, "reload failed; going on with the old pipeline").first)
        XCTAssertTrue((failure["reason"] as? String)?.contains("stage 'broken' cannot start") ?? false, "\(failure)")

        try h.drop("again.txt", text: distinctArticle(11))
        try waitUntil("again is done", timeout: 20) { h.names("done").count == 2 }
        XCTAssertEqual(try h.stop(), 0)
        let records = try h.recordLines()
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual((records.last?["dedupe"] as? [String: Any])?["status"] as? String, "duplicate")
        XCTAssertEqual(records.last?["extensions"] as? [String: String], [:], "no stage of the failed reload ran")
    }

    func testAChangedURLListFetchesTheAddedAndStopsTheRemovedWithoutRefetchingTheRest() throws {
        let pages = ["/a": distinctArticle(201), "/b": distinctArticle(202), "/c": distinctArticle(203)]
        final class Counts: @unchecked Sendable {
            let lock = NSLock()
            var byPath: [String: Int] = [:]
        }
        let counts = Counts()
        let server = try LoopbackHTTPServer { request, reply in
            counts.lock.withLock { counts.byPath[request.path, default: 0] += 1 }
            guard let text = pages[request.path] else { return reply.respond(404, text: "no") }
            let html = "<html><head><title>\(text.split(separator: "\n")[0])</title></head><body><article>"
                + text.split(separator: "\n").dropFirst().map { "<p>\($0)</p>" }.joined() + "</article></body></html>"
            reply.respond(200, [("Content-Type", "text/html; charset=utf-8")], text: html)
        }
        defer { server.stop() }
        func fetched(_ path: String) -> Int { counts.lock.withLock { counts.byPath[path] ?? 0 } }
        func list(_ paths: [String]) -> String {
            paths.map { "    - {url: \"\(server.base)\($0)\", every: 20s}\n" }.joined()
        }
        let h = try DaemonHarness(edits: [
            ("summary_interval: 60s", "summary_interval: 0"),
            ("    on_success: move       # move | delete\n",
             "    on_success: move       # move | delete\n  urls:\n" + list(["/a", "/b"]) + "  fetch:\n    min_delay: 0s\n    robots: false\n"),
        ])
        defer { h.cleanUp() }
        try h.start()
        try waitUntil("a and b are recorded", timeout: 30) { ((try? h.recordLines()) ?? []).count == 2 }
        XCTAssertEqual(fetched("/a"), 1)
        XCTAssertEqual(fetched("/b"), 1)

        try edit(h, [(list(["/a", "/b"]), list(["/b", "/c"]))])
        try hup(h)
        try waitUntil("c is recorded", timeout: 30) { ((try? h.recordLines()) ?? []).count == 3 }
        let reloaded = try XCTUnwrap(logged(h, "pipeline reloaded").first)
        XCTAssertEqual(reloaded["feeds_added"] as? [String], [server.base + "/c"])
        XCTAssertEqual(reloaded["feeds_removed"] as? [String], [server.base + "/a"])
        XCTAssertEqual(reloaded["stages_kept"] as? [String], ["normalize", "dedupe", "classify"])
        XCTAssertEqual(fetched("/b"), 1, "b keeps its schedule: not fetched for the reload")

        // b's next fetch is due 20 s after its first, when a's would have been: a is not fetched.
        try waitUntil("b is fetched on its schedule", timeout: 60) { fetched("/b") == 2 }
        XCTAssertEqual(fetched("/a"), 1, "a removed entry is not fetched again")
        XCTAssertEqual(fetched("/c"), 1)
        XCTAssertEqual(try h.stop(), 0)
        XCTAssertEqual(try h.recordLines().count, 3, "b's unchanged body is no new record")
    }
}
