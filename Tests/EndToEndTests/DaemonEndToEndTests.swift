import Foundation
import XCTest

final class DaemonEndToEndTests: XCTestCase {
    private var h: DaemonHarness!

    override func setUpWithError() throws {
        h = try DaemonHarness(edits: [("summary_interval: 60s", "summary_interval: 500ms")])
    }

    override func tearDown() { h.cleanUp() }

    func testDroppedFilesBecomeRecordsAndInputsMoveToDone() throws {
        try h.start()
        try h.drop("a.txt", text: sampleArticle(1))
        try h.drop("b.txt", text: distinctArticle(2))
        try h.drop("a-again.txt", text: sampleArticle(1))
        try waitUntil("three inputs are done", timeout: 20) { h.names("done").count == 3 }

        let records = try h.recordLines()
        XCTAssertEqual(records.count, 3)
        let byName = Dictionary(uniqueKeysWithValues: records.map { (URL(fileURLWithPath: ($0["origin"] as! [String: Any])["path"] as! String).lastPathComponent, $0) })
        let a = try XCTUnwrap(byName["a.txt"])
        XCTAssertEqual(a["schema"] as? String, "ingestd.record/1")
        XCTAssertEqual(a["title"] as? String, "Council debates river cleanup plan number 1")
        XCTAssertEqual(a["byline"] as? [String], ["Ada Quill"])
        XCTAssertEqual(a["published"] as? String, "2021-03-02")
        XCTAssertEqual(a["lang"] as? String, "en")
        XCTAssertEqual((a["pipeline"] as? [String: Any])?["stages"] as? [String], ["normalize", "dedupe", "classify"])
        let text = try XCTUnwrap(a["text"] as? String)
        XCTAssertTrue(text.hasPrefix("Officials met on Tuesday"), text)
        XCTAssertEqual(text.components(separatedBy: "\n\n").count, 3, "paragraphs stay separated by blank lines")
        XCTAssertFalse(text.contains("By Ada Quill"))

        let again = try XCTUnwrap(byName["a-again.txt"])
        let dedupe = try XCTUnwrap(again["dedupe"] as? [String: Any])
        // Which of the two equal files is first depends on scheduling; exactly one is unique.
        let aDedupe = try XCTUnwrap(a["dedupe"] as? [String: Any])
        XCTAssertEqual([dedupe["status"] as? String, aDedupe["status"] as? String].compactMap { $0 }.sorted(), ["duplicate", "unique"])
        let (first, second) = aDedupe["status"] as? String == "unique" ? (a, again) : (again, a)
        XCTAssertEqual((second["dedupe"] as? [String: Any])?["of"] as? String, first["id"] as? String)
        XCTAssertEqual((byName["b.txt"]?["dedupe"] as? [String: Any])?["status"] as? String, "unique")

        XCTAssertEqual(h.names("inbox"), [])
        XCTAssertEqual(h.names("processing"), [])
        try waitUntil("a summary line is logged", timeout: 10) { h.logLines().contains { $0["msg"] as? String == "summary" } }
        XCTAssertEqual(try h.stop(), 0)

        let logs = h.logLines()
        XCTAssertTrue(logs.contains { $0["msg"] as? String == "ingestd started" && $0["version"] != nil && $0["inbox"] != nil })
        XCTAssertEqual(logs.filter { $0["msg"] as? String == "record written" }.count, 3)
        XCTAssertTrue(logs.filter { $0["msg"] as? String == "record written" }.allSatisfy { $0["doc"] is String && $0["ms"] is Double })
        XCTAssertTrue(logs.contains { $0["msg"] as? String == "summary" && $0["docs_per_s"] != nil && $0["in_flight"] != nil })
        XCTAssertTrue(logs.allSatisfy { $0["ts"] is String && $0["level"] is String })
    }

    func testTheDedupeIndexSurvivesARestart() throws {
        try h.start()
        try h.drop("first.txt", text: sampleArticle(7))
        try waitUntil("first is done", timeout: 20) { h.names("done") == ["first.txt"] }
        XCTAssertEqual(try h.stop(), 0)

        try h.start()
        try h.drop("second.txt", text: sampleArticle(7))
        try waitUntil("second is done", timeout: 20) { h.names("done").count == 2 }
        XCTAssertEqual(try h.stop(), 0)
        let records = try h.recordLines()
        XCTAssertEqual(records.count, 2)
        let second = try XCTUnwrap(records.last)
        XCTAssertEqual((second["dedupe"] as? [String: Any])?["status"] as? String, "duplicate")
        XCTAssertEqual((second["dedupe"] as? [String: Any])?["of"] as? String, records[0]["id"] as? String)
    }

    func testBadInputsAreMovedAsideWithReasonsAndTheDaemonKeepsGoing() throws {
        try h.start()
        try h.drop("empty.txt", [])
        try h.drop("picture.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array(repeating: 7, count: 100))
        try h.drop("archive.txt.gz", [0x1F, 0x8B, 0x08, 0x00] + Array(repeating: 0, count: 60))
        try h.drop("furniture.txt", text: "Share this story\nRelated News\nNext Article\n")
        // Mostly UTF-8 with one broken byte: repaired (the default), and the record says so.
        let brokenText = sampleArticle(3).replacingOccurrences(of: "public hearing", with: "public “hearing” at the caf#")
        try h.drop("broken-utf8.txt", Array(brokenText.utf8).flatMap { $0 == UInt8(ascii: "#") ? [0xC3, 0x28] : [$0] })
        // Larger than max_document_bytes (20MB): a sparse file, so the daemon must refuse it from its size.
        let huge = h.dir("inbox").appendingPathComponent(".huge.part")
        FileManager.default.createFile(atPath: huge.path, contents: nil)
        XCTAssertEqual(truncate(huge.path, 30_000_000), 0)
        XCTAssertEqual(rename(huge.path, h.dir("inbox").appendingPathComponent("huge.txt").path), 0)
        try h.drop("fine.txt", text: sampleArticle(4))

        try waitUntil("every input has an outcome", timeout: 20) { h.names("done").count == 2 && h.names("failed").count == 10 }
        XCTAssertEqual(h.names("done"), ["broken-utf8.txt", "fine.txt"])
        func reason(_ name: String) throws -> String? {
            let data = try Data(contentsOf: h.dir("failed").appendingPathComponent(name + ".error.json"))
            return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["reason"] as? String
        }
        XCTAssertEqual(try reason("empty.txt"), "empty")
        XCTAssertEqual(try reason("picture.png"), "binary")
        XCTAssertEqual(try reason("archive.txt.gz"), "binary")
        XCTAssertEqual(try reason("furniture.txt"), "no_content")
        XCTAssertEqual(try reason("huge.txt"), "too_large")
        // Nothing lost: the failed inputs are byte for byte what was dropped.
        XCTAssertEqual(try Data(contentsOf: h.dir("failed").appendingPathComponent("empty.txt")).count, 0)
        var st = stat()
        XCTAssertEqual(stat(h.dir("failed").appendingPathComponent("huge.txt").path, &st), 0)
        XCTAssertEqual(st.st_size, 30_000_000)

        let records = try h.recordLines()
        XCTAssertEqual(records.count, 2)
        let repaired = try XCTUnwrap(records.first { (($0["origin"] as? [String: Any])?["path"] as? String)?.hasSuffix("broken-utf8.txt") ?? false })
        XCTAssertEqual((repaired["origin"] as? [String: Any])?["encoding"] as? String, "utf-8 (repaired)")
        XCTAssertTrue((repaired["text"] as? String)?.contains("\u{FFFD}") ?? false)

        let warnings = h.logLines().filter { $0["level"] as? String == "warning" && $0["msg"] as? String == "document rejected" }
        XCTAssertEqual(Set(warnings.compactMap { $0["reason"] as? String }), ["empty", "binary", "no_content", "too_large"])
        XCTAssertEqual(warnings.count, 5)
        XCTAssertTrue(warnings.allSatisfy { $0["path"] is String && $0["stage"] is String })
        XCTAssertEqual(try h.stop(), 0)
    }

    func testAFileTheDaemonCannotReadIsMovedAsideAsUnreadable() throws {
        // Root reads everything, so run the daemon as an unprivileged user when tests run as root.
        let asUser: String? = geteuid() == 0 ? "nobody" : nil
        if asUser != nil {
            XCTAssertEqual(chmod(h.root.path, 0o777), 0)
            for d in ["inbox", "processing", "done", "failed", "records", "state"] {
                try FileManager.default.createDirectory(at: h.dir(d), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
            }
        }
        try h.start(asUser: asUser)
        // Made unreadable before it lands: a chmod after the drop would race the claim.
        let part = h.dir("inbox").appendingPathComponent(".secret.txt.part")
        try Data(sampleArticle(5).utf8).write(to: part)
        XCTAssertEqual(chmod(part.path, 0), 0)
        XCTAssertEqual(rename(part.path, h.dir("inbox").appendingPathComponent("secret.txt").path), 0)
        try h.drop("public.txt", text: sampleArticle(6))
        try waitUntil("both have an outcome", timeout: 20) { h.names("done").count == 1 && h.names("failed").count == 2 }
        let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: h.dir("failed").appendingPathComponent("secret.txt.error.json"))) as? [String: Any]
        XCTAssertEqual(sidecar?["reason"] as? String, "unreadable")
        XCTAssertEqual(h.names("done"), ["public.txt"])
        XCTAssertEqual(try h.stop(), 0)
    }

    func testTheDaemonRefusesABadPipelineAtStartUpWithFileAndLine() throws {
        let cases: [(String, String)] = [
            ("stages:\n  - use: normalize\n  - use: dedup\n", ":3:10: stages[1].use: unknown stage 'dedup' (did you mean 'dedupe'?)"),
            ("runtime:\n  max_in_flight: many\nstages:\n  - use: normalize\n", ":2:18: runtime.max_in_flight: expected an integer, found 'many'"),
            ("stages:\n  - use: normalize\n\t- use: dedupe\n", "tabs cannot indent YAML"),
        ]
        for (i, (yaml, expected)) in cases.enumerated() {
            let bad = h.root.appendingPathComponent("bad\(i).yaml")
            try yaml.write(to: bad, atomically: true, encoding: .utf8)
            let p = Process()
            p.executableURL = DaemonHarness.binary
            p.arguments = ["run", "--pipeline", bad.path]
            let err = Pipe()
            p.standardError = err
            try p.run()
            let output = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 2, output)
            XCTAssertTrue(output.contains(bad.path + (expected.hasPrefix(":") ? expected : "")), output)
            XCTAssertTrue(output.contains(expected), output)
            let lines = output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            XCTAssertTrue(lines.contains { $0["level"] as? String == "error" && $0["file"] as? String == bad.path && $0["line"] is Int }, output)
            XCTAssertTrue(lines.contains { $0["level"] as? String == "critical" })
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.dir("inbox").path), "nothing is created for a refused pipeline")
    }
}

final class ShutdownTests: XCTestCase {
    /// SIGTERM while hundreds of files are in flight: the daemon exits 0, nothing is lost, and
    /// after a restart every file has exactly one record.
    func testSIGTERMDrainsInFlightDocumentsAndARestartFinishesTheRest() throws {
        let h = try DaemonHarness(edits: [("summary_interval: 60s", "summary_interval: 0")])
        defer { h.cleanUp() }
        let names = (0..<300).map { String(format: "t-%03d.txt", $0) }
        for (i, name) in names.enumerated() { try h.drop(name, text: sampleArticle(1000 + i)) }
        try h.start()
        XCTAssertEqual(try h.stop(timeout: 15), 0)
        let afterStop = h.names("done").count
        XCTAssertEqual(h.names("processing"), [], "a clean stop finishes what it claimed")
        XCTAssertEqual(afterStop + h.names("inbox").count, names.count)
        XCTAssertTrue(h.logLines().contains { $0["msg"] as? String == "stopped" })

        try h.start()
        try waitUntil("all files are done", timeout: 60) { h.names("done").count == names.count }
        XCTAssertEqual(try h.stop(), 0)
        let records = try h.recordLines()
        XCTAssertEqual(records.count, names.count)
        XCTAssertEqual(Set(records.compactMap { ($0["origin"] as? [String: Any])?["path"] as? String }.map { URL(fileURLWithPath: $0).lastPathComponent }),
                       Set(names))
    }
}

final class OnSuccessDeleteTests: XCTestCase {
    func testOnSuccessDeleteRemovesTheInputOnlyAfterItsRecordIsWritten() throws {
        let h = try DaemonHarness(edits: [("on_success: move", "on_success: delete")])
        defer { h.cleanUp() }
        try h.start()
        try h.drop("gone.txt", text: sampleArticle(31))
        try h.drop("empty.txt", [])
        try waitUntil("the record is written and the input deleted", timeout: 20) {
            ((try? h.recordLines().count) ?? 0) == 1 && h.names("inbox").isEmpty && h.names("processing").isEmpty
                && h.names("failed").count == 2
        }
        XCTAssertEqual(h.names("done"), [])
        XCTAssertEqual(h.names("failed"), ["empty.txt", "empty.txt.error.json"], "rejected inputs are kept whatever on_success says")
        XCTAssertEqual(try h.stop(), 0)
    }
}

final class DuplicateDetectionTests: XCTestCase {
    /// Near and canonical-URL duplicates through the running daemon, the index surviving a restart.
    func testNearAndCanonicalURLDuplicatesAcrossARestart() throws {
        let h = try DaemonHarness()
        defer { h.cleanUp() }
        let story = distinctArticle(500, words: 240)
        func page(_ url: String, _ body: String) -> String {
            "<html><head><link rel=\"canonical\" href=\"\(url)\"><title>T</title></head><body><article>"
                + body.split(separator: "\n").map { "<p>\($0)</p>" }.joined() + "</article></body></html>"
        }
        try h.start()
        try h.drop("original.txt", text: story)
        try h.drop("page.html", text: page("https://news.example/story/1?utm_source=feed", distinctArticle(501)))
        try waitUntil("two are done", timeout: 20) { h.names("done").count == 2 }
        XCTAssertEqual(try h.stop(), 0)

        try h.start()
        // Another headline, one sentence reworded, the last one cut, a share prompt: the text
        // differs after normalizing, but only a little.
        var lines = story.split(separator: "\n").map(String.init)
        lines[0] = "Another headline entirely"
        lines[4] = "This sentence was reworded by the syndicating outlet."
        lines.removeLast()
        try h.drop("rescraped.txt", text: lines.joined(separator: "\n") + "\nShare this story\n")
        try h.drop("same-url.html", text: page("http://news.example/story/1#comments", distinctArticle(502)))
        try waitUntil("four are done", timeout: 20) { h.names("done").count == 4 }
        XCTAssertEqual(try h.stop(), 0)

        let records = Dictionary(uniqueKeysWithValues: try h.recordLines().map {
            (URL(fileURLWithPath: ($0["origin"] as! [String: Any])["path"] as! String).lastPathComponent, $0)
        })
        func dedupe(_ name: String) -> [String: Any]? { records[name]?["dedupe"] as? [String: Any] }
        XCTAssertEqual(dedupe("original.txt")?["status"] as? String, "unique")
        XCTAssertEqual(dedupe("rescraped.txt")?["status"] as? String, "near_duplicate")
        XCTAssertEqual(dedupe("rescraped.txt")?["of"] as? String, records["original.txt"]?["id"] as? String)
        XCTAssertGreaterThan(dedupe("rescraped.txt")?["similarity"] as? Double ?? 0, 0.7)
        XCTAssertEqual(dedupe("same-url.html")?["status"] as? String, "duplicate")
        XCTAssertEqual(dedupe("same-url.html")?["of"] as? String, records["page.html"]?["id"] as? String)
        XCTAssertEqual((records["page.html"]?["origin"] as? [String: Any])?["canonical_url"] as? String,
                       "https://news.example/story/1?utm_source=feed")
    }
}
