import Foundation
import XCTest
import IngestCore
@testable import IngestSinks

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Date
    init(_ iso: String) { value = TestClock.date(iso) }
    static func date(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }
    var now: Date { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ iso: String) { lock.lock(); value = Self.date(iso); lock.unlock() }
    var read: @Sendable () -> Date { { self.now } }
}

final class RecordRotationTests: XCTestCase {
    private var dir: URL!
    private var live: URL { dir.appendingPathComponent("records.jsonl") }

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("rotation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A record line as the runner writes it: id first, then schema and ingested_at.
    private func record(_ n: Int, at time: String = "2026-12-03T10:00:00.000Z", padding: Int = 100) -> [UInt8] {
        let id = String(format: "%032x", n)
        return Array(#"{"id":"\#(id)","schema":"ingestd.record/1","ingested_at":"\#(time)","text":"\#(String(repeating: "x", count: padding))"}"#.utf8)
    }

    private func id(_ n: Int) -> String { String(format: "%032x", n) }

    private func write(_ sink: JSONLinesSink, _ lines: [[UInt8]]) {
        let group = DispatchGroup()
        let results = ResultBox()
        for l in lines {
            group.enter()
            sink.submit(l) { e in results.append(e); group.leave() }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        XCTAssertTrue(results.all.allSatisfy { $0 == nil }, "\(results.all)")
    }

    /// One at a time, so each record is its own batch and rotation may fall between any two.
    private func writeOneByOne(_ sink: JSONLinesSink, _ lines: [[UInt8]]) {
        for l in lines { write(sink, [l]) }
    }

    private func files() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    private func segmentFiles() -> [String] { files().filter { $0.hasPrefix("records-") } }

    private func manifest() throws -> [String: Any] {
        let data = try Data(contentsOf: dir.appendingPathComponent("manifest.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func entries() throws -> [[String: Any]] { try XCTUnwrap(try manifest()["segments"] as? [[String: Any]]) }

    /// The lines of a stored file, decompressed by our own code.
    private func linesOf(_ file: String) throws -> [String] {
        let compression: SegmentCompression = file.hasSuffix(".gz") ? .gzip : file.hasSuffix(".zst") ? .zstd : .none
        var bytes: [UInt8] = []
        try compression.decompress(dir.appendingPathComponent(file)) { bytes.append(contentsOf: $0) }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    private func ids(ofLines lines: [String]) -> [String] {
        lines.compactMap { RecordSchema.id(ofLine: Array($0.utf8)[...]) }
    }

    /// Every id in the live file and all segments, with repeats.
    private func allIDs() throws -> [String] {
        try (segmentFiles() + ["records.jsonl"]).flatMap { ids(ofLines: try linesOf($0)) }
    }

    private func sha256(of file: String) throws -> String {
        SHA256Digest.hex(of: try FileIO.read(dir.appendingPathComponent(file)))
    }

    // MARK: by size

    func testRotationBySizeClosesSegmentsBetweenBatchesAndListsEachInTheManifest() throws {
        let sink = try JSONLinesSink(path: live, rotation: RotationSettings(maxBytes: 1000))
        let lines = (0..<40).map { record($0, at: String(format: "2026-12-03T10:00:%02d.000Z", $0)) }
        writeOneByOne(sink, lines)
        try sink.close()

        let segments = segmentFiles()
        XCTAssertGreaterThan(segments.count, 3)
        XCTAssertEqual(segments, segments.sorted(), "names sort by time")
        // Every record is in exactly one file, and none is split.
        XCTAssertEqual(try allIDs().sorted(), (0..<40).map(id))
        for file in segments {
            XCTAssertTrue(try linesOf( file).allSatisfy { $0.hasPrefix("{\"id\":") && $0.hasSuffix("}") })
            // Closed once it reached max_bytes, never before: at most one batch past it.
            let size = try FileIO.read(dir.appendingPathComponent(file)).count
            XCTAssertGreaterThanOrEqual(size, 1000, file)
            XCTAssertLessThan(size, 1000 + lines[0].count + 1, file)
        }
        let m = try manifest()
        XCTAssertEqual(m["version"] as? Int, 1)
        XCTAssertEqual(m["live"] as? String, "records.jsonl")
        let listed = try entries()
        XCTAssertEqual(listed.map { $0["file"] as! String }, segments)
        var total = 0
        for e in listed {
            let file = e["file"] as! String
            let content = try linesOf( file)
            XCTAssertEqual(e["count"] as? Int, content.count)
            XCTAssertEqual(e["bytes"] as? Int, try FileIO.read(dir.appendingPathComponent(file)).count)
            XCTAssertEqual(e["sha256"] as? String, try sha256(of: file))
            XCTAssertEqual(e["first"] as? String, LineHeads.ingestedAt(Array(content.first!.utf8)))
            XCTAssertEqual(e["last"] as? String, LineHeads.ingestedAt(Array(content.last!.utf8)))
            XCTAssertEqual(e["compression"] as? String, "none")
            total += content.count
        }
        XCTAssertEqual(total + (try linesOf( "records.jsonl")).count, 40)
        XCTAssertEqual(listed.first?["first"] as? String, "2026-12-03T10:00:00.000Z")
    }

    // MARK: by time

    func testRotationByTimeClosesTheDayAtMidnightUTCAndNamesTheSegmentAfterIt() throws {
        let clock = TestClock("2026-12-03T23:58:00Z")
        let sink = try JSONLinesSink(path: live, rotation: RotationSettings(every: 86400), now: clock.read)
        write(sink, [record(1, at: "2026-12-03T23:58:00.000Z"), record(2, at: "2026-12-03T23:59:59.000Z")])
        XCTAssertEqual(segmentFiles(), [], "still the same day")
        clock.set("2026-12-04T00:00:05Z")
        write(sink, [record(3, at: "2026-12-04T00:00:05.000Z")])
        sink.waitForSegments()
        XCTAssertEqual(segmentFiles(), ["records-2026-12-04T00-00-00.000Z.jsonl"])
        XCTAssertEqual(ids(ofLines: try linesOf( "records-2026-12-04T00-00-00.000Z.jsonl")), [id(1), id(2)])
        XCTAssertEqual(ids(ofLines: try linesOf( "records.jsonl")), [id(3)])
        let e = try XCTUnwrap(try entries().first)
        XCTAssertEqual(e["first"] as? String, "2026-12-03T23:58:00.000Z")
        XCTAssertEqual(e["last"] as? String, "2026-12-03T23:59:59.000Z")
        XCTAssertEqual(e["count"] as? Int, 2)
        try sink.close()
    }

    /// No batch comes after midnight: the timer closes the day's file at the boundary anyway,
    /// named after it, and a later batch starts the new live file.
    func testRotationByTimeHappensAtTheBoundaryWithoutANewBatch() throws {
        let clock = TestClock("2026-12-03T23:59:59Z")
        let sink = try JSONLinesSink(path: live, rotation: RotationSettings(every: 86400, compression: .gzip), now: clock.read)
        write(sink, [record(1, at: "2026-12-03T23:59:59.000Z")])
        // The timer is due in a second of real time, but it reads this clock, which has not moved.
        XCTAssertEqual(segmentFiles(), [], "still the same day")
        clock.set("2026-12-04T00:00:01Z")
        try waitUntil("the day's file is closed with no batch after midnight") {
            sink.segmentFolder?.currentManifest.segments.count == 1
        }
        XCTAssertEqual(segmentFiles(), ["records-2026-12-04T00-00-00.000Z.jsonl.gz"])
        XCTAssertEqual(ids(ofLines: try linesOf("records-2026-12-04T00-00-00.000Z.jsonl.gz")), [id(1)])
        XCTAssertEqual(try linesOf("records.jsonl"), [])
        write(sink, [record(2, at: "2026-12-04T00:00:02.000Z")])
        XCTAssertEqual(ids(ofLines: try linesOf("records.jsonl")), [id(2)])
        try sink.close()
        XCTAssertEqual(try allIDs().sorted(), [id(1), id(2)])
    }

    private func waitUntil(_ what: String, timeout: Double = 60, _ condition: () -> Bool) throws {
        let end = Date().addingTimeInterval(timeout)
        while !condition() && Date() < end { usleep(10_000) }
        XCTAssertTrue(condition(), "timed out waiting: \(what)")
    }

    /// Restarted days later, the live file of an earlier day is closed at once, named after the
    /// end of the day its first record belongs to.
    func testALiveFileFromAnEarlierDayIsClosedAtStart() throws {
        try FileIO.writeFile(record(1, at: "2026-12-01T08:00:00.000Z") + [0x0A], at: live.path, mode: 0o644)
        let clock = TestClock("2026-12-04T09:00:00Z")
        let sink = try JSONLinesSink(path: live, rotation: RotationSettings(every: 86400), now: clock.read)
        sink.waitForSegments()
        XCTAssertEqual(segmentFiles(), ["records-2026-12-02T00-00-00.000Z.jsonl"])
        XCTAssertEqual(try linesOf( "records.jsonl"), [])
        try sink.close()
    }

    // MARK: compression

    func testGzipAndZstdSegmentsRoundTripThroughOurCodeAndTheCommandLineTools() throws {
        for (compression, tool) in [(SegmentCompression.gzip, "gzip"), (.zstd, "zstd")] {
            try? FileManager.default.removeItem(at: dir)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let sink = try JSONLinesSink(path: live, rotation: RotationSettings(maxBytes: 5000, compression: compression))
            // Big enough to take several compressor buffers, varied enough not to vanish.
            let lines = (0..<30).map { n in record(n, padding: 300 + (n * 7919) % 200_000) }
            writeOneByOne(sink, lines)
            try sink.close()
            let segments = segmentFiles()
            XCTAssertFalse(segments.isEmpty)
            XCTAssertTrue(segments.allSatisfy { $0.hasSuffix(compression.suffix) }, "\(segments)")
            XCTAssertEqual(try allIDs().sorted(), (0..<30).map(id), tool)
            var joined: [UInt8] = []
            for file in segments { joined += try linesOf( file).flatMap { Array($0.utf8) + [0x0A] } }
            joined += try FileIO.read(live)
            XCTAssertEqual(joined, lines.flatMap { $0 + [0x0A] }, "byte for byte as written")
            for e in try entries() {
                XCTAssertEqual(e["sha256"] as? String, try sha256(of: e["file"] as! String), "hash of the file as stored")
                XCTAssertEqual(e["compression"] as? String, compression.rawValue)
            }
            // The system's own tool reads what we wrote, when it is installed.
            if let path = ["/usr/bin/\(tool)", "/bin/\(tool)"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
                for file in segments {
                    let p = Process()
                    p.executableURL = URL(fileURLWithPath: path)
                    p.arguments = ["-dc", dir.appendingPathComponent(file).path]
                    let out = Pipe()
                    p.standardOutput = out
                    try p.run()
                    let data = out.fileHandleForReading.readDataToEndOfFile()
                    p.waitUntilExit()
                    XCTAssertEqual(p.terminationStatus, 0, "\(tool) -dc \(file)")
                    XCTAssertEqual(String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init), try linesOf( file))
                }
            }
        }
    }

    func testADamagedCompressedSegmentIsAnErrorNotShortData() throws {
        let sink = try JSONLinesSink(path: live, rotation: RotationSettings(maxBytes: 1000, compression: .zstd))
        writeOneByOne(sink, (0..<12).map { record($0) })
        try sink.close()
        let file = try XCTUnwrap(segmentFiles().first)
        let url = dir.appendingPathComponent(file)
        let bytes = try FileIO.read(url)
        try FileIO.writeFile(Array(bytes[0..<(bytes.count - 9)]), at: url.path, mode: 0o644)
        XCTAssertThrowsError(try linesOf( file))
    }

    // MARK: keep

    func testKeepDeletesSegmentsClosedLongerAgoWithTheirManifestEntries() throws {
        let clock = TestClock("2026-12-01T12:00:00Z")
        let settings = RotationSettings(maxBytes: 1000, keep: 2 * 86400, compression: .gzip)
        var sink = try JSONLinesSink(path: live, rotation: settings, now: clock.read)
        writeOneByOne(sink, (0..<10).map { record($0) })
        try sink.close()
        let old = segmentFiles()
        XCTAssertFalse(old.isEmpty)

        clock.set("2026-12-03T11:00:00Z")  // less than two days later: kept
        sink = try JSONLinesSink(path: live, rotation: settings, now: clock.read)
        writeOneByOne(sink, (10..<20).map { record($0) })
        sink.waitForSegments()
        let middle = segmentFiles().filter { !old.contains($0) }
        XCTAssertEqual(Set(segmentFiles()), Set(old + middle))

        clock.set("2026-12-03T13:00:00Z")  // past two days for the first ones
        writeOneByOne(sink, (20..<30).map { record($0) })
        try sink.close()
        let now = segmentFiles()
        XCTAssertTrue(Set(now).isDisjoint(with: old), "the old segments are gone")
        XCTAssertTrue(Set(middle).isSubset(of: Set(now)))
        XCTAssertEqual(try entries().map { $0["file"] as! String }, now, "the manifest lists exactly what is there")
    }

    /// With no new records there is no rotation to prune after: the timer applies `keep` all the
    /// same, by the sink's clock. (The test shortens the timer's period; the real one is below.)
    func testKeepIsAppliedOnATimerWhenNoRecordsCome() throws {
        let clock = TestClock("2026-12-01T12:00:00Z")
        let settings = RotationSettings(maxBytes: 1, keep: 3600, compression: .zstd)
        let sink = try JSONLinesSink(path: live, rotation: settings, now: clock.read)
        writeOneByOne(sink, (0..<3).map { record($0) })
        sink.waitForSegments()
        XCTAssertEqual(segmentFiles().count, 3)
        let segments = try XCTUnwrap(sink.segmentFolder)
        segments.prunePeriodically(every: 0.05)
        clock.set("2026-12-01T13:00:01Z")
        try waitUntil("the segments older than keep are deleted with no rotation") { self.segmentFiles().isEmpty }
        XCTAssertEqual(try entries().count, 0, "their manifest entries too")
        XCTAssertTrue(files().contains("records.jsonl"), "the live file is not a segment")
        try sink.close()
    }

    func testKeepsTimerRunsEveryTenthOfKeepBetweenAMinuteAndAnHour() {
        XCTAssertNil(RotationSettings(maxBytes: 1).pruneInterval)
        XCTAssertEqual(RotationSettings(keep: 7200).pruneInterval, 720)
        XCTAssertEqual(RotationSettings(keep: 300).pruneInterval, 60)
        XCTAssertEqual(RotationSettings(keep: 90 * 86400).pruneInterval, 3600)
    }

    // MARK: recovery of each interrupted step

    /// Writes a segment as a crash may leave it: renamed from the live file, nothing more done.
    private func leaveUnfinishedSegment(_ stamp: String, _ range: Range<Int>) throws -> String {
        let file = "records-\(stamp).jsonl"
        try FileIO.writeFile(range.flatMap { record($0) + [0x0A] }, at: dir.appendingPathComponent(file).path, mode: 0o644)
        return file
    }

    func testASegmentLeftUnfinishedByAKillIsCompressedAndListedAtStart() throws {
        // Killed after the rename and before the new live file was opened: no live file at all.
        let plain = try leaveUnfinishedSegment("2026-12-04T00-00-00.000Z", 0..<5)
        let sink = try JSONLinesSink(path: live, rotation: RotationSettings(maxBytes: 1_000_000, compression: .zstd))
        sink.waitForSegments()
        XCTAssertEqual(segmentFiles(), [plain + ".zst"], "compressed, and the uncompressed copy removed")
        XCTAssertEqual(try entries().map { $0["file"] as! String }, [plain + ".zst"])
        XCTAssertEqual(try entries().first?["count"] as? Int, 5)
        XCTAssertTrue(FileManager.default.fileExists(atPath: live.path))
        write(sink, [record(5)])
        XCTAssertEqual(try sink.existingIDs(), Set((0..<6).map(id)))
        try sink.close()
    }

    func testAHalfWrittenTemporaryFileIsRemovedAndTheCompressionRedone() throws {
        let plain = try leaveUnfinishedSegment("2026-12-04T00-00-00.000Z", 0..<5)
        try FileIO.writeFile([0x28, 0xB5, 0x2F], at: dir.appendingPathComponent(plain + ".zst.tmp").path, mode: 0o644)
        try FileIO.writeFile(Array("{\"version\":1".utf8), at: dir.appendingPathComponent("manifest.json.tmp").path, mode: 0o644)
        let sink = try JSONLinesSink(path: live, rotation: RotationSettings(maxBytes: 1_000_000, compression: .zstd))
        sink.waitForSegments()
        XCTAssertEqual(files(), ["manifest.json", plain + ".zst", "records.jsonl"])
        XCTAssertEqual(ids(ofLines: try linesOf( plain + ".zst")), (0..<5).map(id))
        try sink.close()
    }

    func testAnUncompressedCopyOfAListedSegmentIsRemoved() throws {
        // Killed after the manifest listed the compressed file, before the plain one was removed.
        let sink1 = try JSONLinesSink(path: live, rotation: RotationSettings(maxBytes: 1000, compression: .gzip))
        writeOneByOne(sink1, (0..<10).map { record($0) })
        try sink1.close()
        let listed = try entries().map { $0["file"] as! String }
        let first = try XCTUnwrap(listed.first)
        let plain = String(first.dropLast(3))
        try FileIO.writeFile(try linesOf( first).flatMap { Array($0.utf8) + [0x0A] }, at: dir.appendingPathComponent(plain).path, mode: 0o644)
        let sink2 = try JSONLinesSink(path: live, rotation: RotationSettings(maxBytes: 1000, compression: .gzip))
        sink2.waitForSegments()
        XCTAssertEqual(segmentFiles(), listed)
        XCTAssertEqual(try allIDs().sorted(), (0..<10).map(id), "each record once")
        try sink2.close()
    }

    func testAnUnlistedCompressedSegmentIsListedAndAListedFileDeletedByHandIsDropped() throws {
        let sink1 = try JSONLinesSink(path: live, rotation: RotationSettings(maxBytes: 1000, compression: .gzip))
        writeOneByOne(sink1, (0..<10).map { record($0) })
        try sink1.close()
        let listed = try entries().map { $0["file"] as! String }
        XCTAssertGreaterThanOrEqual(listed.count, 2)
        // The manifest loses its first entry (as after a crash mid-keep, or an old manifest put
        // back); the second segment is deleted by hand.
        var m = try XCTUnwrap(try RecordsManifest.load(from: dir))
        let firstEntry = m.segments.removeFirst()
        try m.save(in: dir)
        try FileManager.default.removeItem(at: dir.appendingPathComponent(listed[1]))
        let sink2 = try JSONLinesSink(path: live, rotation: RotationSettings(maxBytes: 1000, compression: .gzip))
        sink2.waitForSegments()
        let now = try entries()
        XCTAssertEqual(now.map { $0["file"] as! String }, [listed[0]] + listed.dropFirst(2))
        XCTAssertEqual(now.first?["sha256"] as? String, firstEntry.sha256)
        XCTAssertEqual(now.first?["count"] as? Int, firstEntry.count)
        try sink2.close()
    }

    // MARK: recovery ids

    func testExistingIDsSinceATimeReadTheLiveFileAndTheSegmentsClosedSince() throws {
        let clock = TestClock("2026-12-04T10:00:00Z")
        let sink = try JSONLinesSink(path: live, rotation: RotationSettings(maxBytes: 1000, compression: .zstd), now: clock.read)
        writeOneByOne(sink, (0..<10).map { record($0) })
        clock.set("2026-12-04T11:00:00Z")
        writeOneByOne(sink, (10..<20).map { record($0) })
        sink.waitForSegments()
        XCTAssertEqual(try sink.existingIDs(), Set((0..<20).map(id)))
        let since = try sink.existingIDs(writtenSince: TestClock.date("2026-12-04T10:30:00Z"))
        // Records 10..<20 went into segments closed after 10:30 or are still live; the first
        // segments, closed at 10:00, are not read.
        XCTAssertTrue(Set((10..<20).map(id)).isSubset(of: since))
        XCTAssertFalse(since.contains(id(0)))
        try sink.close()
    }

    /// Issue 17: with `every: 1d`, a day's first batch may hold a record stamped a few ms before
    /// midnight (stamped by the runner, committed after the boundary). Killed at 15:00 before
    /// the last record's input was acknowledged, the restart must not close that live file as
    /// the previous day's segment, and recovery must find the 15:00 record.
    func testALiveFileStartedJustBeforeMidnightStaysLiveAfterARestartAndItsRecordsAreFound() throws {
        let clock = TestClock("2026-12-04T00:00:01Z")
        let first = try JSONLinesSink(path: live, rotation: RotationSettings(every: 86400), now: clock.read)
        write(first, [record(1, at: "2026-12-03T23:59:59.995Z")])
        clock.set("2026-12-04T15:00:00Z")
        write(first, [record(2, at: "2026-12-04T15:00:00.000Z")])
        XCTAssertEqual(segmentFiles(), [], "the first run rotated nothing: its live file belongs to 2026-12-04")
        // kill -9: nothing more happens to the files (close only syncs what is already written).
        try first.close()

        clock.set("2026-12-04T15:00:05Z")
        let restarted = try JSONLinesSink(path: live, rotation: RotationSettings(every: 86400), now: clock.read)
        restarted.waitForSegments()
        XCTAssertEqual(segmentFiles(), [], "a live file with records of today is not closed as yesterday's")
        XCTAssertEqual(ids(ofLines: try linesOf("records.jsonl")), [id(1), id(2)])
        // What recovery asks for an input claimed at 15:00 (its claim stamp less ClaimTime's slack).
        let since = try restarted.existingIDs(writtenSince: TestClock.date("2026-12-04T14:50:00Z"))
        XCTAssertTrue(since.contains(id(2)), "\(since)")
        // It closes at the end of the day its newest record belongs to, after all its records.
        clock.set("2026-12-05T00:00:00Z")
        write(restarted, [record(3, at: "2026-12-05T00:00:00.000Z")])
        restarted.waitForSegments()
        XCTAssertEqual(segmentFiles(), ["records-2026-12-05T00-00-00.000Z.jsonl"])
        try restarted.close()
    }

    /// A segment named before some of its records (as the restart above used to close it) is
    /// still read by recovery: segments are picked by their newest record, not by their name.
    func testRecoveryReadsASegmentNamedBeforeItsNewestRecord() throws {
        let misnamed = dir.appendingPathComponent("records-2026-12-04T00-00-00.000Z.jsonl")
        try FileIO.writeFile(record(1, at: "2026-12-03T23:59:59.995Z") + [0x0A] + record(2, at: "2026-12-04T15:00:00.000Z") + [0x0A],
                             at: misnamed.path, mode: 0o644)
        let old = dir.appendingPathComponent("records-2026-12-03T00-00-00.000Z.jsonl")
        try FileIO.writeFile(record(7, at: "2026-12-02T12:00:00.000Z") + [0x0A], at: old.path, mode: 0o644)
        let clock = TestClock("2026-12-04T15:00:05Z")
        let sink = try JSONLinesSink(path: live, rotation: RotationSettings(every: 86400, compression: .gzip), now: clock.read)
        sink.waitForSegments()
        XCTAssertEqual(segmentFiles(), ["records-2026-12-03T00-00-00.000Z.jsonl.gz", "records-2026-12-04T00-00-00.000Z.jsonl.gz"])
        let listed = try sink.existingIDs(writtenSince: TestClock.date("2026-12-04T14:50:00Z"))
        XCTAssertTrue(listed.contains(id(2)), "\(listed)")
        // A listed segment whose newest record is older than `since` is not read.
        XCTAssertFalse(listed.contains(id(7)), "\(listed)")
        try sink.close()
    }

    /// A logrotate rename under a rotating sink: the renamed file is left alone (not one of our
    /// segments) and the next batch goes to a fresh live file.
    func testALogrotateRenameUnderARotatingSinkIsSurvived() throws {
        let sink = try JSONLinesSink(path: live, rotation: RotationSettings(maxBytes: 1_000_000))
        write(sink, [record(1)])
        try FileManager.default.moveItem(at: live, to: dir.appendingPathComponent("records.jsonl.1"))
        write(sink, [record(2)])
        try sink.close()
        XCTAssertEqual(ids(ofLines: try linesOf( "records.jsonl")), [id(2)])
        XCTAssertEqual(ids(ofLines: try linesOf( "records.jsonl.1")), [id(1)])
        XCTAssertEqual(try entries().count, 0)
    }

    func testSegmentNamesParseBackAndSortByTime() {
        let pattern = SegmentName.Pattern(live: "records.jsonl")
        let a = SegmentName(closedAt: 1_796_342_400_000, compression: .zstd)
        XCTAssertEqual(pattern.file(a), "records-2026-12-04T00-00-00.000Z.jsonl.zst")
        XCTAssertEqual(pattern.parse(pattern.file(a)), a)
        XCTAssertNil(pattern.parse("records.jsonl"))
        XCTAssertNil(pattern.parse("records.jsonl.1"))
        XCTAssertNil(pattern.parse("records-2026-12-04T00-00-00.000Z.jsonl.zst.tmp"))
        let names = [999, 1_000, 86_400_000, 1_796_342_400_001].map { pattern.file(SegmentName(closedAt: Int64($0), compression: .none)) }
        XCTAssertEqual(names, names.sorted())
    }
}
