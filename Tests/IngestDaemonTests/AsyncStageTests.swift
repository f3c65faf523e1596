import Foundation
import Logging
import XCTest
import LogCapture
import IngestCore
import IngestInputs
import IngestSinks
@testable import IngestDaemon

/// An asynchronous stage that suspends (holding no thread) on documents whose path contains
/// "slow" until released, and writes an extension field on every document.
final class SuspendingStage: Stage, @unchecked Sendable {
    let name = "suspending"
    private let lock = NSLock()
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var releases = 0
    let suspended = DispatchSemaphore(value: 0)

    func process(_ document: inout Document) async throws -> StageVerdict {
        if document.origin.path.contains("slow") {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                lock.lock()
                if releases > 0 { releases -= 1; lock.unlock(); c.resume(); return }
                waiting.append(c)
                lock.unlock()
                suspended.signal()
            }
        }
        document.extensions["suspending"] = .object([("words", .int(document.text.split(separator: " ").count))])
        return .keep
    }

    func release() {
        lock.lock()
        if waiting.isEmpty { releases += 1; lock.unlock(); return }
        let c = waiting.removeFirst()
        lock.unlock()
        c.resume()
    }
}

/// Copies the raw bytes to `text`, the way normalize would, on the worker.
struct CopyStage: SynchronousStage {
    let name = "copy"
    func processSynchronously(_ document: inout Document) throws -> StageVerdict {
        document.text = String(decoding: document.raw, as: UTF8.self)
        return .keep
    }
}

/// Fails its start hook, as a plugin that cannot start would.
struct FailingStartStage: Stage {
    let name = "failing"
    func start() async throws { throw StageBuildError(message: "the plugin said no") }
    func process(_ document: inout Document) async throws -> StageVerdict { .keep }
}

final class AsyncStageTests: XCTestCase {
    private var root: URL!
    private var settings: DropFolderSettings!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("async-\(UUID().uuidString)")
        settings = try .underTemporaryFolder(root)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// With one worker, a document suspended in an asynchronous stage does not hold that worker:
    /// the documents after it go through every stage and are recorded meanwhile.
    func testADocumentWaitingInAnAsyncStageHoldsNoWorker() throws {
        try Data("slow one here".utf8).write(to: settings.inbox.appendingPathComponent("slow.txt"))
        let stage = SuspendingStage(), sink = MemorySink()
        var runtime = PipelineConfig.Runtime()
        runtime.concurrency = 1
        runtime.maxInFlight = 8
        let runner = PipelineRunner(pipelineName: "t", runtime: runtime, stages: [CopyStage(), stage, CopyStage()], sink: sink,
                                    source: DropFolder(settings: settings, logger: Logger(label: "t")), logger: Logger(label: "t"),
                                    onFatal: { _ in })
        try runner.start()
        XCTAssertEqual(stage.suspended.wait(timeout: .now() + 10), .success)
        for i in 0..<3 { try Data("fast document \(i)".utf8).write(to: settings.inbox.appendingPathComponent("fast\(i).txt")) }
        try waitUntil("three fast records while the slow one waits", timeout: 10) { sink.count == 3 }
        // The sink holds a record a moment before the runner counts its input as settled.
        try waitUntil("the three fast inputs are settled", timeout: 10) { runner.snapshot.recorded == 3 }
        XCTAssertEqual(runner.snapshot.inFlight, 1, "the slow one is still in flight")
        XCTAssertEqual(sink.count, 3)
        stage.release()
        try waitUntil("the slow record", timeout: 10) { sink.count == 4 }
        XCTAssertTrue(runner.shutdown(timeout: 5))

        let slow = sink.records.first { $0.member("origin")?.member("path")?.stringValue?.hasSuffix("slow.txt") == true }
        XCTAssertEqual(slow?.member("extensions")?.member("suspending")?.member("words"), .int(3))
        XCTAssertEqual(slow?.member("pipeline")?.member("stages"), .array([.string("copy"), .string("suspending"), .string("copy")]))
    }

    /// A document still waiting in an asynchronous stage when the shutdown timeout passes is
    /// neither recorded nor acknowledged when it comes back: it stays in processing/ and is redone
    /// at the next start.
    func testADocumentInAnAsyncStageAtTheShutdownTimeoutStaysForTheNextStart() throws {
        try Data("slow one here".utf8).write(to: settings.inbox.appendingPathComponent("slow.txt"))
        let stage = SuspendingStage(), sink = MemorySink()
        var runtime = PipelineConfig.Runtime()
        runtime.concurrency = 1
        runtime.maxInFlight = 4
        let runner = PipelineRunner(pipelineName: "t", runtime: runtime, stages: [CopyStage(), stage], sink: sink,
                                    source: DropFolder(settings: settings, logger: Logger(label: "t")), logger: Logger(label: "t"),
                                    onFatal: { _ in })
        try runner.start()
        XCTAssertEqual(stage.suspended.wait(timeout: .now() + 10), .success)
        XCTAssertFalse(runner.shutdown(timeout: 0.3))
        stage.release()
        // Give the released document every chance to (wrongly) reach the sink or done/.
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(sink.count, 0)
        let fm = FileManager.default
        XCTAssertEqual((try? fm.contentsOfDirectory(atPath: settings.done.path)) ?? [], [])
        XCTAssertEqual(((try? fm.contentsOfDirectory(atPath: settings.processing.path)) ?? []).filter { !$0.hasPrefix(".") }.count, 1)
    }

    /// A stage whose start hook fails stops the start-up, naming the stage's entry in the pipeline file.
    func testAStageThatCannotStartRefusesTheStart() throws {
        let registry = ComponentRegistry(stages: StageRegistry([StageFactory(name: "failing", summary: "") { _ in FailingBuilder() }]),
                                         sources: [DropFolderComponent.factory], sinks: [JSONLinesSinkComponent.factory])
        let file = root.appendingPathComponent("p.yaml")
        try Data("name: p\nstages:\n  - use: failing\n".utf8).write(to: file)
        let config = try PipelineLoader.load(file: file, registry: registry)
        XCTAssertThrowsError(try Daemon.buildStages(config, stateDirectory: nil, logger: Logger(label: "t"))) { error in
            XCTAssertEqual("\(error)", "\(file.path):3:5: stage 'failing' cannot start: the plugin said no")
        }
    }
}

/// A stage whose health the test sets.
final class UnwellStage: SynchronousStage, @unchecked Sendable {
    let name = "unwell"
    private let lock = NSLock()
    private var current = StageHealth.ready
    var health: StageHealth {
        get { lock.lock(); defer { lock.unlock() }; return current }
        set { lock.lock(); current = newValue; lock.unlock() }
    }
    func processSynchronously(_ document: inout Document) throws -> StageVerdict { .keep }
}

final class StageHealthSummaryTests: XCTestCase {
    /// The periodic summary names a stage that is not ready, at warning level, and says nothing
    /// of stages when all are ready.
    func testTheSummaryReportsAStageThatIsNotReady() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("health-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let settings = try DropFolderSettings.underTemporaryFolder(root)
        let stage = UnwellStage()
        let runner = PipelineRunner(pipelineName: "t", runtime: PipelineConfig.Runtime(), stages: [stage], sink: MemorySink(),
                                    source: DropFolder(settings: settings, logger: Logger(label: "t")), logger: Logger(label: "t"),
                                    onFatal: { _ in })
        let log = CapturedLog()
        var summaries: [CapturedLog.Line] { log.lines.filter { $0.message == "summary" } }
        let timer = try XCTUnwrap(Daemon.startSummaries(runner, every: 0.05, logger: log.logger()))
        defer { timer.cancel() }
        let deadline = Date().addingTimeInterval(10)
        while summaries.isEmpty && Date() < deadline { usleep(10_000) }
        XCTAssertEqual(summaries.first?.level, .info)
        XCTAssertNil(summaries.first?.metadata["stages"])
        stage.health = .down("5 faults within 60s")
        let seen = summaries.count
        while summaries.count <= seen + 1 && Date() < deadline { usleep(10_000) }
        let last = try XCTUnwrap(summaries.last)
        XCTAssertEqual(last.level, .warning)
        XCTAssertEqual(last.metadata["stages"], .dictionary(["unwell": .string("down: 5 faults within 60s")]))
    }
}

private struct FailingBuilder: StageBuilder {
    func build(_ context: StageContext) throws -> any Stage { FailingStartStage() }
}
