import Foundation
import Logging
import XCTest
import LogCapture
import IngestCore
@testable import IngestStages

/// Damaged, old-format and foreign dedupe logs (issue 15, item 10).
final class DedupeLogTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("dedupe-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private var exactLog: URL { dir.appendingPathComponent("dedupe-exact.log") }
    private var nearLog: URL { dir.appendingPathComponent("dedupe-near.log") }

    /// Bytes that look random and are the same on every run.
    private func noise(_ count: Int, seed: UInt64 = 42) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    private func append(_ bytes: [UInt8], to file: URL) throws {
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    private func bytes(_ file: URL) throws -> [UInt8] { Array(try Data(contentsOf: file)) }

    /// Where each frame of a framed log starts, read independently of the code under test.
    private func frameOffsets(_ file: URL) throws -> [Int] {
        let b = try bytes(file)
        var offsets: [Int] = []
        var at = FramedLog.headerSize
        while at + 8 <= b.count {
            offsets.append(at)
            at += 8 + (Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24)
        }
        return offsets
    }

    private func damagedFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.contains(".damaged-") }
    }

    private func exactIndex(claiming keys: Int) throws {
        let index = try ExactIndex(directory: dir)
        for k in 0..<keys { XCTAssertEqual(index.claim(hash: "key\(k)", id: "id\(k)"), "id\(k)") }
        try index.sync()
        index.close()
    }

    private static let story = "The regional water board voted on Thursday to raise the reservoir wall by four metres, ending a dispute that has divided farmers and town councils for most of the past decade."

    /// The signature of a text that shares no word with that of another `n`.
    private func signature(_ n: Int) -> MinHashSignature {
        MinHashSignature(text: (0..<30).map { "w\(n)x\($0)" }.joined(separator: " "), shingle: 5)!
    }

    // MARK: damage after a good header

    private func buildStage(_ log: CapturedLog) throws -> DedupeStage {
        let builder = DedupeStage.Builder(policy: .annotate, near: true, threshold: 0.8, shingle: 5, retention: .forever)
        let context = StageContext(stateDirectory: dir, pipelineName: "test", logger: log.logger())
        let stage = try builder.build(context)
        return try XCTUnwrap(stage as? DedupeStage)
    }

    private func doc(_ id: String, _ text: String) -> Document {
        var d = Document(id: id, origin: Origin(kind: .file, path: "/in/\(id)", size: 1, sha256: "x"), raw: [])
        d.text = text
        return d
    }

    func testRandomBytesAppendedToALogAreMovedAsideWithAWarningAndTheLogGoesOn() throws {
        do {
            let stage = try buildStage(CapturedLog())
            for i in 0..<3 {
                var d = doc("d\(i)", "Story \(i): " + Self.story)
                _ = try stage.processSynchronously(&d)
            }
            try stage.sync()
            stage.close()
        }
        let good = try bytes(exactLog)
        let garbage = noise(4096)
        try append(garbage, to: exactLog)

        let log = CapturedLog()
        let stage = try buildStage(log)
        XCTAssertEqual(stage.exact.count, 3, "the three good entries and nothing from the noise")
        XCTAssertEqual(try bytes(exactLog), good, "the log is cut back to its good entries")
        let aside = try damagedFiles()
        XCTAssertEqual(aside.count, 1)
        XCTAssertTrue(aside.first?.lastPathComponent.hasPrefix("dedupe-exact.log.damaged-") ?? false)
        XCTAssertEqual(try aside.first.map(bytes), garbage, "the damaged tail is kept, byte for byte")

        let seen = log.lines.filter { $0.level == .warning }
        XCTAssertEqual(seen.count, 1)
        XCTAssertEqual(seen.first?.fields["file"], exactLog.path)
        XCTAssertEqual(seen.first?.fields["offset"], "\(good.count)")
        XCTAssertEqual(seen.first?.fields["entries_kept"], "3")
        XCTAssertEqual(seen.first?.fields["bytes_moved"], "4096")
        XCTAssertEqual(seen.first?.fields["moved_to"], aside.first?.path)

        var again = doc("d9", "Story 1: " + Self.story)
        var fresh = doc("d10", "A different story about a football match played in heavy rain on a Saturday.")
        _ = try stage.processSynchronously(&again)
        _ = try stage.processSynchronously(&fresh)
        XCTAssertEqual(again.dedupe?.of, "d1")
        XCTAssertEqual(fresh.dedupe?.status, .unique)
        try stage.sync()
        stage.close()

        let quiet = CapturedLog()
        let reopened = try buildStage(quiet)
        XCTAssertEqual(reopened.exact.count, 4)
        XCTAssertTrue(quiet.lines.filter { $0.level == .warning }.isEmpty, "the repaired log opens clean")
        var later = doc("d11", "A different story about a football match played in heavy rain on a Saturday.")
        _ = try reopened.processSynchronously(&later)
        XCTAssertEqual(later.dedupe?.of, "d10", "the entry written after the repair survived the reopen")
    }

    func testAFlippedByteInAMiddleEntryKeepsTheEntriesBeforeIt() throws {
        try exactIndex(claiming: 5)
        let offsets = try frameOffsets(exactLog)
        XCTAssertEqual(offsets.count, 5)
        var b = try bytes(exactLog)
        b[offsets[2] + 10] ^= 0x04
        try Data(b).write(to: exactLog)

        let index = try ExactIndex(directory: dir)
        XCTAssertEqual(index.count, 2)
        XCTAssertEqual(index.opening?.repair?.offset, offsets[2])
        XCTAssertEqual(index.opening?.repair?.entriesKept, 2)
        XCTAssertEqual(index.opening?.repair?.bytesMoved, b.count - offsets[2])
        XCTAssertEqual(index.claim(hash: "key1", id: "other"), "id1")
        XCTAssertEqual(index.claim(hash: "key3", id: "other"), "other", "an entry after the damage is not trusted")
        XCTAssertEqual(try damagedFiles().map(bytes), [Array(b[offsets[2]...])])
    }

    func testALastFrameTornByACrashIsCutAndTheNextEntryFollowsTheGoodOnes() throws {
        do {
            let index = try NearDuplicateIndex(directory: dir, bar: 0.72)
            XCTAssertNil(index.matchAndInsert(signature(1), id: "a"))
            XCTAssertNil(index.matchAndInsert(signature(2), id: "b"))
            try index.sync()
            index.close()
        }
        let whole = try bytes(nearLog)
        let firstEnd = try frameOffsets(nearLog)[1]
        try Data(whole.dropLast(10)).write(to: nearLog)

        do {
            let index = try NearDuplicateIndex(directory: dir, bar: 0.72)
            XCTAssertEqual(index.count, 1)
            XCTAssertEqual(index.opening?.repair?.offset, firstEnd)
            XCTAssertEqual(index.opening?.repair?.bytesMoved, whole.count - 10 - firstEnd)
            XCTAssertEqual(index.match(signature(1))?.id, "a")
            XCTAssertNil(index.matchAndInsert(signature(3), id: "c"))
            try index.sync()
            index.close()
        }
        let reopened = try NearDuplicateIndex(directory: dir, bar: 0.72)
        XCTAssertNil(reopened.opening?.repair)
        XCTAssertEqual(reopened.count, 2)
        XCTAssertEqual(reopened.match(signature(3))?.id, "c")
    }

    func testALengthFieldOfFourGigabytesStopsTheReadInsteadOfBeingAllocated() throws {
        try exactIndex(claiming: 2)
        let good = try bytes(exactLog).count
        try append([0xFF, 0xFF, 0xFF, 0xFF] + noise(4 + 1 << 20), to: exactLog)
        let index = try ExactIndex(directory: dir)
        XCTAssertEqual(index.count, 2)
        XCTAssertEqual(index.opening?.repair, DamagedTail.Repair(offset: good, entriesKept: 2, bytesMoved: 8 + 1 << 20,
                                                                movedTo: try XCTUnwrap(try damagedFiles().first)))
    }

    func testALengthPastTheEndOfTheFileIsATornFrameNotAnAllocation() throws {
        try exactIndex(claiming: 1)
        let good = try bytes(exactLog).count
        // Within the bound on an entry, but far more than the file holds.
        try append([0x00, 0x00, 0x0F, 0x00, 1, 2, 3, 4] + noise(100), to: exactLog)
        let index = try ExactIndex(directory: dir)
        XCTAssertEqual(index.count, 1)
        XCTAssertEqual(index.opening?.repair?.offset, good)
    }

    // MARK: old headerless logs

    /// A record of the headerless near-duplicate log, as the code before the framed format wrote it.
    private func oldSignatureRecord(id: String, time: UInt32, _ signature: MinHashSignature) -> [UInt8] {
        var out = [UInt8(id.utf8.count)] + Array(id.utf8)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: time >> UInt32(shift))) }
        for v in signature.values { out += [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)] }
        return out
    }

    func testOldFormatLogsLoadTheSameEntriesAndAreRewrittenFramed() throws {
        let hash = String(repeating: "ab", count: 32)
        try Data("\(hash) 5d41402abc4b2a76b9719d911017c592 1764800000\nkey-without-time id2\nbad-line\nkey3 id3 1764800100\n".utf8)
            .write(to: exactLog)
        let time: UInt32 = 1_764_800_000
        try Data(oldSignatureRecord(id: "first", time: time, signature(1)) + oldSignatureRecord(id: "second", time: time, signature(2)))
            .write(to: nearLog)

        for round in 0..<2 {
            let exact = try ExactIndex(directory: dir)
            XCTAssertEqual(exact.count, 3)
            XCTAssertEqual(exact.claim(hash: hash, id: "x"), "5d41402abc4b2a76b9719d911017c592")
            XCTAssertEqual(exact.claim(hash: "key-without-time", id: "x"), "id2")
            XCTAssertEqual(exact.claim(hash: "key3", id: "x"), "id3")
            XCTAssertEqual(exact.opening?.legacy, round == 0)
            XCTAssertNil(exact.opening?.repair)
            exact.close()

            let near = try NearDuplicateIndex(directory: dir, bar: 0.72)
            XCTAssertEqual(near.count, 2)
            XCTAssertEqual(near.match(signature(1))?.id, "first")
            XCTAssertEqual(near.match(signature(2))?.id, "second")
            XCTAssertEqual(near.opening?.legacy, round == 0)
            near.close()

            XCTAssertEqual(Array(try bytes(exactLog).prefix(8)), FramedLog.magic, "rewritten in the framed format at open")
            XCTAssertEqual(Array(try bytes(nearLog).prefix(8)), FramedLog.magic)
        }
        XCTAssertEqual(try frameOffsets(nearLog).count, 2)
        XCTAssertTrue(try damagedFiles().isEmpty)
    }

    // MARK: files that are not ours

    private func assertRefused(_ content: [UInt8], as file: URL, near: Bool = false, saying expected: String,
                               line: UInt = #line) throws {
        try Data(content).write(to: file)
        XCTAssertThrowsError(try buildStage(CapturedLog()), line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix(file.path), message, line: line)
            XCTAssertTrue(message.contains(expected), message, line: line)
        }
        XCTAssertEqual(try bytes(file), content, "left untouched", line: line)
        XCTAssertTrue(try damagedFiles().isEmpty, line: line)
        try FileManager.default.removeItem(at: file)
    }

    func testAFileThatIsNotADedupeLogRefusesTheStageAndIsLeftUntouched() throws {
        try assertRefused(noise(1 << 20, seed: 7), as: exactLog, saying: "is not an ingestd dedupe log")
        try assertRefused(noise(300, seed: 8), as: nearLog, saying: "is not an ingestd dedupe log")
        try assertRefused([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + noise(500), as: exactLog, saying: "starting 7f 45 4c 46")
        // One line of text passes for an id; the 132 bytes after it do not pass for a signature.
        try assertRefused(Array(("{\"state\": \"" + String(repeating: "ok ", count: 120) + "\"}\n").utf8), as: nearLog,
                          saying: "is not an ingestd dedupe log")
        try assertRefused(Array("# ingestd state, do not edit\n".utf8), as: exactLog, saying: "is not an ingestd dedupe log")
    }

    func testAHeaderOfAnotherVersionOrKindIsRefused() throws {
        var newer = FramedLog.header(.keys)
        newer[8] = 4
        try assertRefused(newer, as: exactLog, saying: "format version 4")
        try assertRefused(FramedLog.header(.signatures), as: exactLog, saying: "holds near-duplicate signatures, not text and URL keys")
    }
}
