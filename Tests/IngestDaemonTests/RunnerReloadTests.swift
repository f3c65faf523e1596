import Foundation
import Logging
import XCTest
import IngestCore
import IngestInputs
@testable import IngestDaemon

/// Notes the file name of every document it sees.
final class NamingStage: SynchronousStage, @unchecked Sendable {
    let name: String
    private let lock = NSLock()
    private var seen: [String] = []
    init(_ name: String) { self.name = name }
    var names: [String] { lock.withLock { seen } }
    func processSynchronously(_ document: inout Document) throws -> StageVerdict {
        let base = URL(fileURLWithPath: document.origin.path).lastPathComponent
        lock.withLock { seen.append(base) }
        return .keep
    }
}

/// The runner's side of a reload: while held, new claims are parked; documents in flight finish
/// on the stages they started on; after the swap, parked claims go to the new stages.
final class RunnerReloadTests: XCTestCase {
    private var root: URL!
    private var settings: DropFolderSettings!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("reload-\(UUID().uuidString)")
        settings = try .underTemporaryFolder(root)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func drop(_ name: String) throws {
        let tmp = settings.inbox.appendingPathComponent(".\(name).part")
        try Data("document \(name)".utf8).write(to: tmp)
        XCTAssertEqual(rename(tmp.path, settings.inbox.appendingPathComponent(name).path), 0)
    }

    func testADocumentInFlightFinishesOnTheOldStagesAndAParkedOneStartsOnTheNew() throws {
        let gate = GateStage(), old = NamingStage("old"), new = NamingStage("new"), sink = MemorySink()
        var runtime = PipelineConfig.Runtime()
        runtime.concurrency = 2
        runtime.maxInFlight = 8
        let runner = PipelineRunner(pipelineName: "t", runtime: runtime, stages: [gate, old], sink: sink,
                                    source: DropFolder(settings: settings, logger: Logger(label: "t")), logger: Logger(label: "t"),
                                    onFatal: { _ in })
        try runner.start()
        try drop("a.txt")
        XCTAssertEqual(gate.entered.wait(timeout: .now() + 10), .success)

        let generation = runner.hold()
        XCTAssertFalse(runner.drain(generation, timeout: 0.1), "a.txt is still inside the gate")
        try drop("b.txt")
        try waitUntil("b.txt is claimed and parked") { runner.snapshot.inFlight == 2 }
        XCTAssertNotNil(runner.oldestInStage, "the stage clock sees a.txt")
        XCTAssertEqual(runner.oldestInStage?.stage, "gate")

        gate.release(1)
        XCTAssertTrue(runner.drain(generation, timeout: 10))
        XCTAssertEqual(old.names, ["a.txt"])
        XCTAssertEqual(sink.count, 1)

        runner.resume(stages: [new], sink: sink)
        try waitUntil("b.txt is recorded") { sink.count == 2 }
        XCTAssertEqual(new.names, ["b.txt"])
        XCTAssertEqual(old.names, ["a.txt"], "no document moved between generations")
        XCTAssertTrue(runner.shutdown(timeout: 10))
        XCTAssertNil(runner.oldestInStage, "every slot is free after the stop")
        XCTAssertEqual(Set(((try? FileManager.default.contentsOfDirectory(atPath: settings.done.path)) ?? [])), ["a.txt", "b.txt"])
    }
}

final class LifecycleHelpersTests: XCTestCase {
    func testStatusLineGroupsThousands() {
        var c = PipelineRunner.Counters()
        c.recorded = 12_345
        c.rejected = 3
        XCTAssertEqual(StatusLine.make(c, queued: 0, sources: ["watching /srv/inbox"]),
                       "recorded 12,345 · rejected 3 · queue 0 · watching /srv/inbox")
        let ok = SourceHealth(url: "https://a.example/feed", host: "https://a.example:443", kind: "feed")
        var failing = SourceHealth(url: "https://b.example/rss", host: "https://b.example:443", kind: "feed")
        failing.consecutiveFailures = 4
        XCTAssertEqual(StatusLine.make(c, queued: 2, sources: ["fetching 2 URLs"], health: [ok, failing]),
                       "recorded 12,345 · rejected 3 · queue 2 · fetching 2 URLs · feeds 1/2 ok, 1 failing (https://b.example/rss)")
        XCTAssertEqual(StatusLine.grouped(1_000_000), "1,000,000")
        XCTAssertEqual(StatusLine.grouped(999), "999")
    }

    func testWatchdogIsOnlyForTheProcessSystemdMeant() {
        XCTAssertEqual(WatchdogSettings.fromEnvironment(["WATCHDOG_USEC": "60000000"], pid: 42), WatchdogSettings(interval: 60))
        XCTAssertEqual(WatchdogSettings.fromEnvironment(["WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "42"], pid: 42)?.pingEvery, 30)
        XCTAssertNil(WatchdogSettings.fromEnvironment(["WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "7"], pid: 42))
        XCTAssertNil(WatchdogSettings.fromEnvironment(["WATCHDOG_USEC": "0"], pid: 42))
        XCTAssertNil(WatchdogSettings.fromEnvironment(["WATCHDOG_USEC": "soon"], pid: 42))
        XCTAssertNil(WatchdogSettings.fromEnvironment([:], pid: 42))
    }
}
