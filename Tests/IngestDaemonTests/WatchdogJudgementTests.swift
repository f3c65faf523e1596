import Foundation
import IngestCore
import IngestInputs
import LogCapture
import Logging
import XCTest
@testable import IngestDaemon

/// A sink whose commit began `age` seconds ago and never ends: a disk that stopped answering.
final class StuckSink: RecordSink, @unchecked Sendable {
    let started: UInt64
    /// What the sink says it waits for (the cluster's database away), or nil.
    let waitingFor: String?
    init(age: Double, waitingFor: String? = nil) {
        started = DispatchTime.now().uptimeNanoseconds - UInt64(age * 1e9)
        self.waitingFor = waitingFor
    }
    var writeProblem: String? { waitingFor }
    func submit(_ line: [UInt8]?, completion: @escaping @Sendable ((any Error)?) -> Void) {}
    func existingIDs() throws -> Set<String> { [] }
    func close() throws {}
    var commitStartedAt: UInt64? { started }
}

final class WatchdogJudgementTests: XCTestCase {
    private func runner(sink: any RecordSink, stages: [any Stage] = []) throws -> (PipelineRunner, DropFolderSettings) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("watchdog-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        let settings = try DropFolderSettings.underTemporaryFolder(root)
        var runtime = PipelineConfig.Runtime()
        runtime.concurrency = 1
        runtime.maxInFlight = 4
        let r = PipelineRunner(pipelineName: "t", runtime: runtime, stages: stages, sink: sink,
                               source: DropFolder(settings: settings, logger: Logger(label: "t")), logger: Logger(label: "t"),
                               onFatal: { _ in })
        return (r, settings)
    }

    func testAnIdlePipelineIsHealthy() throws {
        let (r, _) = try runner(sink: MemorySink())
        let log = CapturedLog()
        let watchdog = Watchdog(runner: r, stallTimeout: 1, logger: log.logger())
        XCTAssertNil(watchdog.stall)
        XCTAssertTrue(watchdog.healthy())
        XCTAssertTrue(log.lines.isEmpty)
    }

    func testASinkStuckOnOneBatchStopsThePingsAndIsLoggedOnce() throws {
        let (r, _) = try runner(sink: StuckSink(age: 5))
        let log = CapturedLog()
        let watchdog = Watchdog(runner: r, stallTimeout: 1, logger: log.logger())
        XCTAssertEqual(watchdog.stall?.stage, "sink")
        XCTAssertNil(watchdog.stall?.doc)
        XCTAssertFalse(watchdog.healthy())
        XCTAssertFalse(watchdog.healthy())
        let critical = log.lines.filter { $0.level == .critical }
        XCTAssertEqual(critical.map(\.message), ["watchdog pings stopped: the sink has been committing one batch for too long"])
        XCTAssertEqual(critical.first?.fields["stage"], "sink")
    }

    /// The cluster's database away: the sink retries one batch and says so, the dedupe stage holds
    /// documents and says it is down. Neither is a wedge a restart would cure.
    func testWaitingThatSaysWhatItWaitsForIsNoStall() throws {
        let (stuck, _) = try runner(sink: StuckSink(age: 5, waitingFor: "database unavailable: connect: no such file"))
        XCTAssertNil(Watchdog(runner: stuck, stallTimeout: 1, logger: CapturedLog().logger()).stall)

        let gate = GateStage()
        gate.health = .down("database unavailable")
        let (r, settings) = try runner(sink: MemorySink(), stages: [gate])
        let watchdog = Watchdog(runner: r, stallTimeout: 0, logger: CapturedLog().logger())
        try r.start()
        try Data("held".utf8).write(to: settings.inbox.appendingPathComponent("held.txt"))
        XCTAssertEqual(gate.entered.wait(timeout: .now() + 10), .success)
        XCTAssertNil(watchdog.stall, "held by a stage that says why")
        gate.health = .ready
        XCTAssertEqual(watchdog.stall?.stage, "gate", "the same wait without a reason is a stall")
        gate.release(1)
        XCTAssertTrue(r.shutdown(timeout: 10))
    }

    func testADocumentHeldInAStagePastTheBoundIsTheStallAndItsReleaseEndsIt() throws {
        let gate = GateStage()
        let (r, settings) = try runner(sink: MemorySink(), stages: [gate])
        let log = CapturedLog()
        // Zero: any document inside a stage at all is past the bound.
        let watchdog = Watchdog(runner: r, stallTimeout: 0, logger: log.logger())
        try r.start()
        try Data("held".utf8).write(to: settings.inbox.appendingPathComponent("held.txt"))
        XCTAssertEqual(gate.entered.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(watchdog.stall?.stage, "gate")
        XCTAssertEqual(watchdog.stall?.path.map { URL(fileURLWithPath: $0).lastPathComponent }, "held.txt")
        XCTAssertFalse(watchdog.healthy())
        gate.release(1)
        XCTAssertTrue(r.shutdown(timeout: 10))
        XCTAssertTrue(watchdog.healthy())
        XCTAssertEqual(log.lines.map(\.message), ["watchdog pings stopped: a document has been in one stage for too long",
                                                  "watchdog pings resumed: the pipeline makes progress again"])
    }
}
