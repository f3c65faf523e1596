import Foundation
import Logging
import XCTest
import IngestCore
import IngestInputs
@testable import IngestDaemon

/// A stage that holds each document until released, and notes whether `close` ever ran while
/// a document was inside `process`.
final class GateStage: SynchronousStage, @unchecked Sendable {
    let name = "gate"
    private let lock = NSLock()
    private let gate = DispatchSemaphore(value: 0)
    private var inside = 0
    private(set) var closedWhileProcessing = false
    private(set) var closed = false
    let entered = DispatchSemaphore(value: 0)

    func processSynchronously(_ document: inout Document) throws -> StageVerdict {
        lock.lock(); inside += 1; lock.unlock()
        entered.signal()
        gate.wait()
        lock.lock(); inside -= 1; lock.unlock()
        return .keep
    }

    func close() {
        lock.lock(); defer { lock.unlock() }
        closed = true
        if inside > 0 { closedWhileProcessing = true }
    }

    func release(_ n: Int) { for _ in 0..<n { gate.signal() } }

    /// What the stage says of itself (a stage waiting on a database that is away says `down`).
    private var said: StageHealth = .ready
    var health: StageHealth {
        get { lock.lock(); defer { lock.unlock() }; return said }
        set { lock.lock(); said = newValue; lock.unlock() }
    }
}

extension DropFolderSettings {
    /// The four folders under `root`, with the inbox made.
    static func underTemporaryFolder(_ root: URL) throws -> DropFolderSettings {
        let settings = DropFolderSettings(inbox: root.appendingPathComponent("inbox"), processing: root.appendingPathComponent("processing"),
                                          done: root.appendingPathComponent("done"), failed: root.appendingPathComponent("failed"))
        try FileManager.default.createDirectory(at: settings.inbox, withIntermediateDirectories: true)
        return settings
    }
}

/// A sink that keeps lines in memory.
final class MemorySink: RecordSink, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [[UInt8]] = []
    var count: Int { lock.lock(); defer { lock.unlock() }; return lines.count }
    var records: [JSONValue] { lock.lock(); defer { lock.unlock() }; return lines.compactMap { try? JSONParser.parse($0) } }
    func submit(_ line: [UInt8]?, completion: @escaping @Sendable ((any Error)?) -> Void) {
        lock.lock(); if let line { lines.append(line) }; lock.unlock()
        completion(nil)
    }
    func existingIDs() throws -> Set<String> { [] }
    func close() throws {}
}

final class RunnerShutdownTests: XCTestCase {
    private var root: URL!
    private var settings: DropFolderSettings!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString)")
        settings = try .underTemporaryFolder(root)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func runner(_ stage: GateStage, _ sink: MemorySink, concurrency: Int = 2) -> PipelineRunner {
        var runtime = PipelineConfig.Runtime()
        runtime.concurrency = concurrency
        runtime.maxInFlight = 8
        return PipelineRunner(pipelineName: "t", runtime: runtime, stages: [stage], sink: sink,
                              source: DropFolder(settings: settings, logger: Logger(label: "t")), logger: Logger(label: "t"),
                              onFatal: { _ in })
    }

    private func names(_ dir: URL) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() }

    /// A clean stop returns only once every input it finished has left `processing/`.
    func testACleanStopLeavesNothingInProcessing() throws {
        for i in 0..<8 { try Data("document \(i)".utf8).write(to: settings.inbox.appendingPathComponent("d\(i).txt")) }
        let stage = GateStage(), sink = MemorySink()
        let r = runner(stage, sink)
        try r.start()
        for _ in 0..<2 { XCTAssertEqual(stage.entered.wait(timeout: .now() + 5), .success) }
        stage.release(8)
        XCTAssertTrue(r.shutdown(timeout: 10))
        XCTAssertEqual(names(settings.processing), [], "every finished input is moved before shutdown returns")
        XCTAssertEqual(names(settings.done).count, sink.count)
        XCTAssertEqual(names(settings.done).count + names(settings.inbox).count, 8)
        XCTAssertTrue(stage.closed)
    }

    /// At the timeout a worker is still inside the stage: the stage is not closed under it, and
    /// what that worker finishes later is neither recorded nor acknowledged (it stays in
    /// processing/ and is redone at the next start).
    func testTheTimeoutNeitherClosesStagesUnderAWorkerNorAcknowledgesLateResults() throws {
        try Data("slow".utf8).write(to: settings.inbox.appendingPathComponent("slow.txt"))
        let stage = GateStage(), sink = MemorySink()
        let r = runner(stage, sink, concurrency: 1)
        try r.start()
        XCTAssertEqual(stage.entered.wait(timeout: .now() + 5), .success)
        XCTAssertFalse(r.shutdown(timeout: 0.2))
        XCTAssertFalse(stage.closedWhileProcessing)
        XCTAssertFalse(stage.closed)
        stage.release(1)
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(sink.count, 0)
        XCTAssertEqual(names(settings.processing).count, 1)
        XCTAssertEqual(names(settings.done), [])
    }
}
