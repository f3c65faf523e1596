import Foundation
import IngestCore
import IngestSinks
import XCTest
@testable import IngestDaemon

/// The status snapshot's file format, the screen `ingestd status` prints from it, and `/ready`'s verdict.
final class StatusAndReadinessTests: XCTestCase {
    private struct Stage: IngestCore.Stage {
        let name: String
        let health: StageHealth
        func process(_ document: inout Document) async throws -> StageVerdict { .keep }
    }

    private final class Sink: RecordSink, @unchecked Sendable {
        var problem: String?
        func submit(_ line: [UInt8]?, completion: @escaping @Sendable ((any Error)?) -> Void) { completion(nil) }
        func existingIDs() throws -> Set<String> { [] }
        func close() throws {}
        var writeProblem: String? { problem }
    }

    func testReadyOnlyWhenSourcesRunTheSinkCanWriteAndEveryStageIsReady() {
        let sink = Sink()
        let ready = [Stage(name: "normalize", health: .ready)]
        XCTAssertTrue(Readiness.check(sourcesStarted: true, sink: sink, stages: ready).isReady)
        XCTAssertEqual(String(decoding: Readiness.check(sourcesStarted: true, sink: sink, stages: ready).json, as: UTF8.self),
                       "{\"ready\":true}\n")

        sink.problem = "cannot write in /srv/records: Permission denied"
        let r = Readiness.check(sourcesStarted: false, sink: sink,
                                stages: ready + [Stage(name: "alerts", health: .down("5 faults within 60s"))])
        XCTAssertFalse(r.isReady)
        let json = try? JSONSerialization.jsonObject(with: Data(r.json)) as? [String: Any]
        XCTAssertEqual(json?["ready"] as? Bool, false)
        XCTAssertEqual(json?["not_ready"] as? [String: String], [
            "sources": "not started", "sink": "cannot write in /srv/records: Permission denied",
            "stage:alerts": "down: 5 faults within 60s",
        ])
    }

    func testTheRecordsFolderMustBeWritableForTheSinkToBeReady() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ready-\(UUID().uuidString)")
        defer { chmod(dir.path, 0o755); try? FileManager.default.removeItem(at: dir) }
        let sink = try JSONLinesSink(path: dir.appendingPathComponent("records.jsonl"))
        defer { try? sink.close() }
        XCTAssertNil(sink.writeProblem)
        chmod(dir.path, 0o555)
        // root may write anywhere: the check then (rightly) finds nothing to say.
        if geteuid() != 0 { XCTAssertNotNil(sink.writeProblem) }
    }

    private func snapshot() -> StatusSnapshot {
        let now = Date()
        return StatusSnapshot(
            pipeline: "news", pid: getpid(), version: "0.1.0", startedAt: now.addingTimeInterval(-3_725), writtenAt: now, running: true,
            counts: .init(received: 120, recorded: 110, dropped: 4, rejected: 3, recordsBytes: 2_500_000),
            rates: .init(docsPerSecond: 4.25, recordsPerSecond: 4), queued: 2, inFlight: 3, maxInFlight: 64,
            stages: [.init(name: "normalize", health: "ready", detail: nil), .init(name: "alerts", health: "down", detail: "5 faults")],
            sources: [
                SourceHealth(url: "http://127.0.0.1:8080/feed.xml", host: "http://127.0.0.1:8080", kind: "feed",
                             lastAttempt: now.addingTimeInterval(-12), lastSuccess: now.addingTimeInterval(-12), lastStatus: "200",
                             itemsPerDay: 48, newestItem: now.addingTimeInterval(-2_100)),
                SourceHealth(url: "http://127.0.0.1:8081/rss", host: "http://127.0.0.1:8081", kind: "feed",
                             lastAttempt: now.addingTimeInterval(-5), lastStatus: "error: connection refused", consecutiveFailures: 4,
                             failingSince: now.addingTimeInterval(-3_600)),
            ],
            metrics: "127.0.0.1:9464")
    }

    func testTheStatusFileRoundTripsAndRefusesAnotherFormat() throws {
        let s = snapshot()
        let back = try StatusSnapshot.parse(try s.json(), from: "status.json")
        XCTAssertEqual(back.counts, s.counts)
        XCTAssertEqual(back.sources.map(\.consecutiveFailures), [0, 4])
        XCTAssertEqual(back.sources[0].lastSuccess.map { $0.timeIntervalSince1970.rounded() }, s.sources[0].lastSuccess.map { $0.timeIntervalSince1970.rounded() })
        var other = s
        other.format = "ingestd.status/9"
        XCTAssertThrowsError(try StatusSnapshot.parse(try other.json(), from: "status.json")) { error in
            XCTAssertTrue("\(error)".contains("format ingestd.status/9"), "\(error)")
        }
        XCTAssertThrowsError(try StatusSnapshot.parse(Array("{}".utf8), from: "status.json"))
    }

    func testTheScreenShowsCountsRatesQueueStagesAndEachSource() {
        let screen = StatusScreen.render(snapshot(), processAlive: true)
        let lines = screen.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].contains("pipeline news · running"), lines[0])
        XCTAssertTrue(lines[0].contains("up 1h02m"), lines[0])
        XCTAssertTrue(lines[0].hasSuffix("metrics http://127.0.0.1:9464/metrics"), lines[0])
        XCTAssertEqual(lines[1], "documents  received 120  recorded 110  dropped 4  rejected 3  records 2.5 MB")
        XCTAssertEqual(lines[2], "rates      4.2 docs/s  4.0 records/s")
        XCTAssertEqual(lines[3], "queue      queued 2  in flight 3/64")
        XCTAssertEqual(lines[4], "stages     normalize ready · alerts DOWN: 5 faults")
        XCTAssertEqual(lines[5], "sources    feeds 1/2 ok, 1 failing (http://127.0.0.1:8081/rss)")
        let feedRow = lines.first { $0.hasPrefix("  http://127.0.0.1:8080/feed.xml") } ?? ""
        XCTAssertTrue(feedRow.contains("200"), feedRow)
        XCTAssertTrue(feedRow.contains("12s ago"), feedRow)
        XCTAssertTrue(feedRow.contains("48.0"), feedRow)
        XCTAssertTrue(feedRow.hasSuffix("35m00s"), feedRow)
        let badRow = lines.first { $0.hasPrefix("  http://127.0.0.1:8081/rss") } ?? ""
        XCTAssertTrue(badRow.contains("error   4"), badRow)
        XCTAssertTrue(badRow.contains("never"), badRow)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  ! http://127.0.0.1:8081/rss: 4 failed polls since") && $0.hasSuffix("last: error: connection refused") })
    }

    func testAStatusLeftByADeadProcessSaysSo() {
        var s = snapshot()
        XCTAssertTrue(StatusScreen.render(s, processAlive: false).contains("not running (no process \(s.pid)"))
        s.running = false
        XCTAssertTrue(StatusScreen.render(s).contains("stopped at"))
    }

    func testAStatusFileIsReadFromTheStateFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("status-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try StatusOrigin.stateDirectory(dir).read()) { error in
            XCTAssertTrue("\(error)".contains("is the daemon running with this state folder?"), "\(error)")
        }
        try FileIO.replaceAtomically(dir.appendingPathComponent("status.json"), with: try snapshot().json())
        XCTAssertEqual(try StatusOrigin.stateDirectory(dir).read().counts.recorded, 110)
        XCTAssertEqual("\(StatusOrigin.url("http://127.0.0.1:9464/metrics"))", "http://127.0.0.1:9464/status")
        XCTAssertEqual("\(StatusOrigin.url("http://127.0.0.1:9464/"))", "http://127.0.0.1:9464/status")
    }
}
