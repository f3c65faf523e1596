import Foundation
import Logging
import LogCapture
import XCTest
import IngestCore
@testable import IngestInputs

final class RetentionAndRetryTests: XCTestCase {
    private var root: URL!
    private var done: URL { root.appendingPathComponent("done") }
    private var failed: URL { root.appendingPathComponent("failed") }
    private var inbox: URL { root.appendingPathComponent("inbox") }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("retention-\(UUID().uuidString)")
        for d in [done, failed, inbox] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func names(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    private func write(_ text: String, _ url: URL) throws { try FileIO.writeFile(Array(text.utf8), at: url.path, mode: 0o644) }

    /// A rejected input as the daemon leaves it: the file and its sidecar.
    private func reject(_ name: String, reason: String, url: String? = nil) throws {
        try write("text of \(name)", failed.appendingPathComponent(name))
        var fields: [(String, JSONValue)] = [("reason", .string(reason)), ("message", .string("m")), ("stage", .string("s")),
                                             ("time", .string("2026-12-04T00:00:00.000Z")), ("file", .string(name))]
        if let url { fields.append(("url", .string(url))) }
        try write(JSONValue.object(fields).serialized() + "\n", failed.appendingPathComponent(name + ".error.json"))
    }

    // MARK: retention

    func testASweepRemovesWhatHasBeenInTheFolderLongerThanTheRetentionAndLogsOneLine() throws {
        try write("a", done.appendingPathComponent("a.txt"))
        try write("b", done.appendingPathComponent("b.html"))
        try FileManager.default.createDirectory(at: done.appendingPathComponent("folder/inner"), withIntermediateDirectories: true)
        // A link whose target lies outside: the link goes, the target stays.
        let outside = root.appendingPathComponent("outside.txt")
        try write("keep me", outside)
        try FileManager.default.createSymbolicLink(at: done.appendingPathComponent("link"), withDestinationURL: outside)
        let log = CapturedLog()
        let sweep = RetentionSweep(folder: done, key: "sources.drop_folder.done_retention", retention: 7 * 86400,
                                   logger: log.logger(), queue: DispatchQueue(label: "test"))
        let now = Date().timeIntervalSince1970
        XCTAssertEqual(sweep.sweep(now: now), 0, "all were moved in just now")
        XCTAssertEqual(names(done), ["a.txt", "b.html", "folder", "link"])
        XCTAssertEqual(sweep.sweep(now: now + 7 * 86400 + 5), 4)
        XCTAssertEqual(names(done), [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: outside.path))
        let lines = log.lines.filter { $0.message == "pruned entries older than their retention" }
        XCTAssertEqual(lines.map { $0.fields["removed"] }, ["0", "4"])
        XCTAssertEqual(lines.last?.fields["key"], "sources.drop_folder.done_retention")
        XCTAssertEqual(lines.last?.fields["retention_s"], "604800")
    }

    /// A folder rejected whole holds what an inbox writer put there: links to folders outside are
    /// removed, never entered, and names that are not UTF-8 are removed by their bytes.
    func testARejectedFolderIsEmptiedByDescriptorWithoutFollowingItsLinks() throws {
        let outsideDir = root.appendingPathComponent("precious")
        try FileManager.default.createDirectory(at: outsideDir, withIntermediateDirectories: true)
        try write("keep me", outsideDir.appendingPathComponent("state.log"))
        let rejected = failed.appendingPathComponent("a-folder")
        try FileManager.default.createDirectory(at: rejected.appendingPathComponent("deep/deeper"), withIntermediateDirectories: true)
        try write("x", rejected.appendingPathComponent("deep/deeper/file.txt"))
        try FileManager.default.createSymbolicLink(at: rejected.appendingPathComponent("deep/to-precious"), withDestinationURL: outsideDir)
        // A name of Latin-1 bytes ("caf\xe9.txt"), which String paths cannot spell.
        let latin1 = Array("caf".utf8) + [0xE9] + Array(".txt".utf8)
        let path = Array(rejected.path.utf8) + [UInt8(ascii: "/")] + latin1 + [0]
        let fd = path.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        }
        XCTAssertGreaterThanOrEqual(fd, 0)
        close(fd)

        let log = CapturedLog()
        let sweep = RetentionSweep(folder: failed, key: "sources.drop_folder.failed_retention", retention: 3600,
                                   logger: log.logger(), queue: DispatchQueue(label: "test"))
        XCTAssertEqual(sweep.sweep(now: Date().timeIntervalSince1970 + 7200), 1)
        XCTAssertEqual(names(failed), [])
        XCTAssertEqual(names(outsideDir), ["state.log"], "the link was removed, not followed")
        XCTAssertNil(log.lines.last?.fields["not_removed"])
    }

    func testTheSweepIntervalIsATenthOfTheRetentionBetweenAMinuteAndAnHour() {
        let q = DispatchQueue(label: "test")
        func interval(_ r: Double) -> Double { RetentionSweep(folder: done, key: "k", retention: r, logger: Logger(label: "t"), queue: q).interval }
        XCTAssertEqual(interval(7 * 86400), 3600)
        XCTAssertEqual(interval(3000), 300)
        XCTAssertEqual(interval(120), 60)
    }

    /// Started with the drop folder, the first sweep runs at once on its timer.
    func testTheDropFolderSweepsDoneAtStart() throws {
        try write("old", done.appendingPathComponent("old.txt"))
        var settings = DropFolderSettings(inbox: inbox, processing: root.appendingPathComponent("processing"), done: done, failed: failed)
        settings.doneRetention = 60
        let log = CapturedLog()
        let folder = DropFolder(settings: settings, logger: log.logger())
        try folder.start { _ in }
        defer { folder.stop() }
        try waitFor("the first sweep is logged") { log.lines.contains { $0.message == "pruned entries older than their retention" } }
        // Moved in just now: not old enough.
        XCTAssertEqual(names(done), ["old.txt"])
        XCTAssertFalse(log.lines.contains { $0.fields["key"] == "sources.drop_folder.failed_retention" }, "failed_retention is off by default")
    }

    private func waitFor(_ what: String, timeout: TimeInterval = 30, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { throw TimedOut(what: what) }
            usleep(20_000)
        }
    }

    private struct TimedOut: Error { let what: String }

    // MARK: retry

    func testRetryWithAReasonMovesOnlyThoseAndRemovesTheirSidecars() throws {
        try reject("a.html", reason: "plugin_crashed")
        try reject("b.txt", reason: "no_content")
        try reject("c.txt", reason: "plugin_crashed")
        let outcome = try FailedRetry.run(failed: failed, inbox: inbox, reason: "plugin_crashed", names: [])
        XCTAssertEqual(outcome.moved.map(\.to), [inbox.path + "/a.html", inbox.path + "/c.txt"])
        XCTAssertEqual(outcome.skipped, [])
        XCTAssertEqual(names(inbox), ["a.html", "c.txt"])
        XCTAssertEqual(names(failed), ["b.txt", "b.txt.error.json"])
        XCTAssertEqual(try String(contentsOf: inbox.appendingPathComponent("a.html"), encoding: .utf8), "text of a.html")
    }

    func testRetryOfNamedFilesTakesOnlyThoseAndSaysWhyOthersWereLeft() throws {
        try reject("a.txt", reason: "empty")
        try reject("b.txt", reason: "empty")
        let outcome = try FailedRetry.run(failed: failed, inbox: inbox, reason: nil, names: [failed.path + "/b.txt", "missing.txt"])
        XCTAssertEqual(outcome.moved, [.init(from: failed.path + "/b.txt", to: inbox.path + "/b.txt")])
        XCTAssertEqual(outcome.skipped.map(\.name), ["missing.txt"])
        XCTAssertEqual(names(failed), ["a.txt", "a.txt.error.json"])
        // A named file whose reason does not match is left, and said so.
        let other = try FailedRetry.run(failed: failed, inbox: inbox, reason: "plugin_timeout", names: ["a.txt"])
        XCTAssertEqual(other.moved, [])
        XCTAssertEqual(other.skipped.first?.why, "its reason is empty, not plugin_timeout")
    }

    /// `ingestd retry failed/*` names every sidecar too: each stands for its input (moved once,
    /// the sidecar named beside it skipped quietly), and a sidecar whose input is gone is never
    /// moved into the inbox as a document.
    func testNamedSidecarsStandForTheirInputsAndAnOrphanSidecarIsNeverMoved() throws {
        try reject("a.txt", reason: "empty")
        try reject("b.txt", reason: "empty")
        try write(#"{"reason":"empty"}"#, failed.appendingPathComponent("gone.txt.error.json"))
        let globbed = ["a.txt", "a.txt.error.json", "b.txt.error.json", "gone.txt.error.json"].map { failed.path + "/" + $0 }
        let outcome = try FailedRetry.run(failed: failed, inbox: inbox, reason: nil, names: globbed)
        XCTAssertEqual(outcome.moved, [.init(from: failed.path + "/a.txt", to: inbox.path + "/a.txt"),
                                       .init(from: failed.path + "/b.txt", to: inbox.path + "/b.txt")])
        XCTAssertEqual(names(inbox), ["a.txt", "b.txt"])
        XCTAssertEqual(try String(contentsOf: inbox.appendingPathComponent("b.txt"), encoding: .utf8), "text of b.txt")
        XCTAssertEqual(outcome.skipped, [.init(name: "gone.txt.error.json",
                                               why: "an error sidecar whose input gone.txt is not in \(failed.path)")])
        XCTAssertEqual(names(failed), ["gone.txt.error.json"], "the orphan sidecar stays where it is")
    }

    func testANameTakenInTheInboxIsNeverOverwritten() throws {
        try reject("story.html", reason: "empty")
        try write("a new story", inbox.appendingPathComponent("story.html"))
        try write("another", inbox.appendingPathComponent("story.retry-1.html"))
        let outcome = try FailedRetry.run(failed: failed, inbox: inbox, reason: nil, names: [])
        XCTAssertEqual(outcome.moved.map(\.to), [inbox.path + "/story.retry-2.html"])
        XCTAssertEqual(try String(contentsOf: inbox.appendingPathComponent("story.html"), encoding: .utf8), "a new story")
        XCTAssertEqual(try String(contentsOf: inbox.appendingPathComponent("story.retry-2.html"), encoding: .utf8), "text of story.html")
        XCTAssertEqual(FailedRetry.retryName(EntryName("README"), 3).display, "README.retry-3")
    }

    func testLinksFoldersAndFetchedDocumentsStayInFailed() throws {
        let outside = root.appendingPathComponent("secret.txt")
        try write("secret", outside)
        try FileManager.default.createSymbolicLink(at: failed.appendingPathComponent("link.txt"), withDestinationURL: outside)
        try write(#"{"reason":"symlink"}"#, failed.appendingPathComponent("link.txt.error.json"))
        try FileManager.default.createDirectory(at: failed.appendingPathComponent("batch"), withIntermediateDirectories: true)
        try reject("page.html", reason: "no_content", url: "http://127.0.0.1/page")
        let outcome = try FailedRetry.run(failed: failed, inbox: inbox, reason: nil, names: [])
        XCTAssertEqual(outcome.moved, [])
        XCTAssertEqual(Set(outcome.skipped.map(\.name)), ["link.txt", "batch", "page.html"])
        XCTAssertEqual(names(inbox), [])
        XCTAssertEqual(names(failed), ["batch", "link.txt", "link.txt.error.json", "page.html", "page.html.error.json"])
    }
}
