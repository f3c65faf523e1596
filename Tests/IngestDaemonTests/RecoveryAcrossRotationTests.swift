import Foundation
import Logging
import XCTest
import IngestCore
import IngestInputs
import LogCapture
@testable import IngestSinks
@testable import IngestDaemon

/// Stands in for a process killed between the durable write of a record and the acknowledgement
/// of its input: lines go to the real sink (or nowhere, for the inputs named in `neverWritten`:
/// killed before the write), and the runner never hears back, so the input stays in
/// `processing/` under the claim name the drop folder gave it.
final class KilledBeforeAcknowledging: RecordSink, @unchecked Sendable {
    let sink: JSONLinesSink
    let neverWritten: Set<String>
    private let lock = NSLock()
    private var seen: [String: String] = [:]
    let arrived = DispatchSemaphore(value: 0)

    init(_ sink: JSONLinesSink, neverWritten: Set<String> = []) {
        self.sink = sink
        self.neverWritten = neverWritten
    }

    /// The record id the runner gave each input, by file name.
    var ids: [String: String] { lock.lock(); defer { lock.unlock() }; return seen }

    func submit(_ line: [UInt8]?, completion: @escaping @Sendable ((any Error)?) -> Void) {
        guard let line else { return }
        let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any]
        let path = (object?["origin"] as? [String: Any])?["path"] as? String ?? ""
        let name = URL(fileURLWithPath: path).lastPathComponent
        let id = RecordSchema.id(ofLine: line[...]) ?? ""
        if neverWritten.contains(name) {
            note(name, id)
            return
        }
        sink.submit(line) { [self] error in
            XCTAssertNil(error, "the first run's write of \(name)")
            note(name, id)
        }
    }

    private func note(_ name: String, _ id: String) {
        lock.lock(); seen[name] = id; lock.unlock()
        arrived.signal()
    }

    func existingIDs() throws -> Set<String> { try sink.existingIDs() }
    func existingIDs(writtenSince since: Date) throws -> Set<String> { try sink.existingIDs(writtenSince: since) }
    func close() throws { try sink.close() }
}

/// Exactly once across a rotation: a record written and rotated into a closed segment before
/// its input was acknowledged is found there at the next start, and its input is acknowledged
/// without a second record; an input whose record is in no file is processed once.
final class RecoveryAcrossRotationTests: XCTestCase {
    private var root: URL!
    private var settings: DropFolderSettings!
    private var live: URL { root.appendingPathComponent("records/records.jsonl") }

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("recovery-rotation-\(UUID().uuidString)")
        settings = try .underTemporaryFolder(root)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func names(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    private func runner(_ sink: any RecordSink, logger: Logger = Logger(label: "t")) -> PipelineRunner {
        var runtime = PipelineConfig.Runtime()
        runtime.concurrency = 2
        runtime.maxInFlight = 8
        return PipelineRunner(pipelineName: "t", runtime: runtime, stages: [], sink: sink,
                              source: DropFolder(settings: settings, logger: logger), logger: logger,
                              onFatal: { error in XCTFail("fatal: \(error)") })
    }

    /// Every record id in the live file and every segment, with repeats, read as stored.
    private func allRecordIDs() throws -> [String] {
        let folder = live.deletingLastPathComponent()
        let pattern = SegmentName.Pattern(live: live.lastPathComponent)
        var ids: [String] = []
        for file in names(folder) {
            let compression: SegmentCompression
            if file == live.lastPathComponent {
                compression = .none
            } else if let name = pattern.parse(file) {
                compression = name.compression
            } else {
                continue
            }
            var bytes: [UInt8] = []
            try compression.decompress(folder.appendingPathComponent(file)) { bytes.append(contentsOf: $0) }
            ids += bytes.split(separator: 0x0A).compactMap { RecordSchema.id(ofLine: $0) }
        }
        return ids
    }

    private func segments() -> [String] {
        let pattern = SegmentName.Pattern(live: live.lastPathComponent)
        return names(live.deletingLastPathComponent()).filter { pattern.parse($0) != nil }
    }

    /// The first run: the inputs are claimed, their records written (max_bytes 1: each batch is
    /// rotated into a segment at once, and the segment compressed and listed), and then the
    /// process "dies" before any acknowledgement. Returns the id each input's record has.
    private func crashAfterWriting(_ inputs: [String: String], rotation: RotationSettings,
                                   neverWritten: Set<String> = []) throws -> [String: String] {
        for (name, text) in inputs { try Data(text.utf8).write(to: settings.inbox.appendingPathComponent(name)) }
        let sink = KilledBeforeAcknowledging(try JSONLinesSink(path: live, rotation: rotation), neverWritten: neverWritten)
        let r = runner(sink)
        try r.start()
        for _ in inputs { XCTAssertEqual(sink.arrived.wait(timeout: .now() + 60), .success, "every input reaches the sink") }
        // Nothing can drain: every input is still in flight, and stays in processing/.
        XCTAssertFalse(r.shutdown(timeout: 0))
        XCTAssertEqual(names(settings.processing).count, inputs.count)
        XCTAssertEqual(names(settings.done), [])
        XCTAssertEqual(names(settings.inbox), [])
        return sink.ids
    }

    private func restart(rotation: RotationSettings, log: CapturedLog, settled: Int) throws -> (PipelineRunner.Counters, JSONLinesSink) {
        let sink = try JSONLinesSink(path: live, rotation: rotation)
        let r = runner(sink, logger: log.logger())
        try r.start()
        try waitUntil("the recovered inputs are settled", timeout: 60) { self.names(self.settings.done).count == settled }
        XCTAssertTrue(r.shutdown(timeout: 30))
        return (r.snapshot, sink)
    }

    private func acknowledgedAsAlreadyRecorded(_ compression: SegmentCompression) throws {
        let rotation = RotationSettings(maxBytes: 1, compression: compression)
        let ids = try crashAfterWriting(["story.txt": "A story written before the crash."], rotation: rotation)
        let id = try XCTUnwrap(ids["story.txt"])
        XCTAssertEqual(try allRecordIDs(), [id], "the first run wrote the record once")
        let before = segments()
        XCTAssertEqual(before.count, 1, "the record was rotated into a closed segment: \(names(live.deletingLastPathComponent()))")
        XCTAssertTrue(before[0].hasSuffix(".jsonl" + compression.suffix), "\(before)")

        let log = CapturedLog()
        let (counters, sink) = try restart(rotation: rotation, log: log, settled: 1)
        XCTAssertEqual(counters.alreadyRecorded, 1)
        XCTAssertEqual(counters.recorded, 1, "acknowledged as recorded")
        XCTAssertEqual(names(settings.done), ["story.txt"])
        XCTAssertEqual(names(settings.processing), [])
        XCTAssertEqual(try allRecordIDs(), [id], "not written a second time")
        XCTAssertEqual(segments(), before)
        XCTAssertEqual(sink.segmentFolder?.currentManifest.segments.map(\.file), before)
        let line = try XCTUnwrap(log.lines.first { $0.message == "record was already written before the last stop; acknowledging" })
        XCTAssertEqual(line.fields["doc"], id)
        XCTAssertEqual(line.fields["path"], settings.inbox.path + "/story.txt")
        XCTAssertFalse(log.lines.contains { $0.message == "record written" })
    }

    func testARecordRotatedIntoAnUncompressedSegmentIsNotWrittenAgain() throws {
        try acknowledgedAsAlreadyRecorded(.none)
    }

    func testARecordRotatedIntoAGzipSegmentIsNotWrittenAgain() throws {
        try acknowledgedAsAlreadyRecorded(.gzip)
    }

    func testARecordRotatedIntoAZstdSegmentIsNotWrittenAgain() throws {
        try acknowledgedAsAlreadyRecorded(.zstd)
    }

    /// Killed after the rename and before the segment was compressed and listed: the restart
    /// finishes the segment (compressed, listed) and finds the record in it all the same.
    func testARecordInASegmentLeftUncompressedAndUnlistedIsNotWrittenAgain() throws {
        let folder = live.deletingLastPathComponent()
        // The first run's segment is stored as renamed; its entry is then taken out of the
        // manifest, which is what the folder looks like when the kill came before the listing.
        let ids = try crashAfterWriting(["story.txt": "Rotated, never compressed."], rotation: RotationSettings(maxBytes: 1))
        let id = try XCTUnwrap(ids["story.txt"])
        var manifest = try XCTUnwrap(try RecordsManifest.load(from: folder))
        XCTAssertEqual(manifest.segments.count, 1)
        manifest.segments = []
        try manifest.save(in: folder)
        let plain = try XCTUnwrap(segments().first)
        XCTAssertTrue(plain.hasSuffix(".jsonl"), plain)

        let rotation = RotationSettings(maxBytes: 1, compression: .gzip)
        let log = CapturedLog()
        let (counters, sink) = try restart(rotation: rotation, log: log, settled: 1)
        XCTAssertEqual(counters.alreadyRecorded, 1)
        XCTAssertEqual(try allRecordIDs(), [id], "not written a second time")
        XCTAssertEqual(segments(), [plain + ".gz"], "finished at the restart")
        XCTAssertEqual(sink.segmentFolder?.currentManifest.segments.map(\.file), [plain + ".gz"])
        XCTAssertEqual(names(settings.done), ["story.txt"])
    }

    /// Beside a recovered input whose record sits in a segment, one whose record was never
    /// written (killed before the write) is processed and recorded once, under the same id.
    func testARecoveredInputWhoseRecordIsInNoFileIsRecordedOnce() throws {
        let rotation = RotationSettings(maxBytes: 1, compression: .gzip)
        let ids = try crashAfterWriting(["written.txt": "Written, then the process died.", "lost.txt": "Never written."],
                                        rotation: rotation, neverWritten: ["lost.txt"])
        let written = try XCTUnwrap(ids["written.txt"]), lost = try XCTUnwrap(ids["lost.txt"])
        XCTAssertNotEqual(written, lost)
        XCTAssertEqual(try allRecordIDs(), [written])

        let log = CapturedLog()
        let (counters, _) = try restart(rotation: rotation, log: log, settled: 2)
        XCTAssertEqual(counters.alreadyRecorded, 1)
        XCTAssertEqual(counters.recorded, 2)
        XCTAssertEqual(names(settings.done), ["lost.txt", "written.txt"])
        XCTAssertEqual(names(settings.processing), [])
        XCTAssertEqual(try allRecordIDs().sorted(), [written, lost].sorted(), "each input has exactly one record")
        let acknowledged = log.lines.filter { $0.message == "record was already written before the last stop; acknowledging" }
        XCTAssertEqual(acknowledged.map { $0.fields["doc"] }, [written])
        let recorded = log.lines.filter { $0.message == "record written" }
        XCTAssertEqual(recorded.map { $0.fields["doc"] }, [lost])
    }

    /// A clean stop does not wait without limit for a segment being compressed (a 256 MB gzip
    /// can outlast the stop timeout): past the bound it returns, says so, and leaves the
    /// segment as renamed and unlisted, which the next start finishes (tests above).
    func testACleanStopDoesNotWaitForeverForASegmentBeingCompressed() throws {
        let log = CapturedLog()
        let sink = try JSONLinesSink(path: live, logger: log.logger(), rotation: RotationSettings(maxBytes: 1, compression: .gzip))
        let compressing = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        sink.segmentFolder?.beforeCompress = {
            compressing.signal()
            release.wait()
        }
        sink.stopWait = 0.5
        let written = DispatchSemaphore(value: 0)
        let line = Array(#"{"id":"0123456789abcdef0123456789abcdef","schema":"ingestd.record/1","ingested_at":"2026-12-04T10:00:00.000Z"}"#.utf8)
        sink.submit(line) { error in
            XCTAssertNil(error)
            written.signal()
        }
        XCTAssertEqual(written.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(compressing.wait(timeout: .now() + 60), .success, "the rotated segment is being compressed")

        let stopped = DispatchSemaphore(value: 0)
        Thread { try? sink.close(); stopped.signal() }.start()
        // Whatever fails below, the compressor is let go at the end.
        addTeardownBlock { release.signal() }
        XCTAssertEqual(stopped.wait(timeout: .now() + 60), .success, "close() returned while the segment was still being compressed")
        let plain = try XCTUnwrap(segments().first)
        XCTAssertTrue(plain.hasSuffix(".jsonl"), "left as renamed: \(segments())")
        XCTAssertEqual(try RecordsManifest.load(from: live.deletingLastPathComponent())?.segments.map(\.file), [], "not listed yet")
        let said = try XCTUnwrap(log.lines.first { $0.message == "records segments still being finished at stop; the next start finishes them" })
        XCTAssertEqual(said.fields["path"], live.deletingLastPathComponent().path)
        release.signal()
        // The work itself was not abandoned in this process: released, it completes.
        sink.waitForSegments()
        XCTAssertEqual(segments(), [plain + ".gz"])
    }
}
