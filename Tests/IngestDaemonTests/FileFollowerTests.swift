import Foundation
import XCTest
@testable import IngestDaemon

/// `ingestd tail --records` follows the records file by name: across a rename and a new file
/// (rotation, logrotate), a deletion, a truncation, without skipping or repeating a line.
final class FileFollowerTests: XCTestCase {
    private var folder: URL!
    private var live: URL { folder.appendingPathComponent("records.jsonl") }

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("follower-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func append(_ text: String, to url: URL? = nil) throws {
        let target = url ?? live
        if !FileManager.default.fileExists(atPath: target.path) { _ = FileManager.default.createFile(atPath: target.path, contents: nil) }
        let h = try FileHandle(forWritingTo: target)
        h.seekToEndOfFile()
        h.write(Data(text.utf8))
        try h.close()
    }

    /// Polls (woken by inotify) until `count` lines have come, or a generous deadline.
    private func collect(_ follower: FileFollower, until count: Int, into lines: inout [String]) {
        let deadline = Date().addingTimeInterval(20)
        lines += follower.poll()
        while lines.count < count, Date() < deadline {
            follower.wait(timeout: 500)
            lines += follower.poll()
        }
    }

    func testReadsTheOldFilesRestThenTheNewFileAcrossARotation() throws {
        try append("r1\nr2\n")
        let follower = try FileFollower(path: live.path, fromStart: true)
        var lines: [String] = []
        collect(follower, until: 2, into: &lines)
        XCTAssertEqual(lines, ["r1", "r2"])

        // Written after the last poll, then rotated away before the next one: still read.
        try append("r3\nr4")
        let rotated = folder.appendingPathComponent("records-20261124T053102Z.jsonl")
        XCTAssertEqual(rename(live.path, rotated.path), 0)
        // The writer finishes its last batch in the renamed file, then starts the new one.
        try append("\nr5\n", to: rotated)
        collect(follower, until: 5, into: &lines)
        try append("r6\nr7\n")
        collect(follower, until: 7, into: &lines)
        XCTAssertEqual(lines, ["r1", "r2", "r3", "r4", "r5", "r6", "r7"], "each record once, in order")

        // All at once between two polls: a line in the live file, the rename, a new file with a line.
        try append("r8\n")
        XCTAssertEqual(rename(live.path, folder.appendingPathComponent("records-20261124T060000Z.jsonl").path), 0)
        try append("r9\n")
        collect(follower, until: 9, into: &lines)
        XCTAssertEqual(lines, ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"])
    }

    func testADeletedFileIsFollowedByTheNextOneOfTheSameName() throws {
        try append("a\n")
        let follower = try FileFollower(path: live.path, fromStart: true)
        var lines: [String] = []
        collect(follower, until: 1, into: &lines)
        try FileManager.default.removeItem(at: live)
        XCTAssertEqual(follower.poll(), [])
        try append("b\nc\n")
        collect(follower, until: 3, into: &lines)
        XCTAssertEqual(lines, ["a", "b", "c"])
    }

    func testStartsAtTheEndAndSkipsTheRestOfALineBeingWritten() throws {
        try append("old1\nold2\nhalf of a li")
        let follower = try FileFollower(path: live.path, fromStart: false)
        XCTAssertEqual(follower.poll(), [])
        try append("ne\nnew1\n")
        var lines: [String] = []
        collect(follower, until: 1, into: &lines)
        XCTAssertEqual(lines, ["new1"])
    }

    func testAFileThatDoesNotExistYetIsReadFromItsStartOnceCreated() throws {
        let follower = try FileFollower(path: live.path, fromStart: false)
        XCTAssertEqual(follower.poll(), [])
        try append("first\n")
        var lines: [String] = []
        collect(follower, until: 1, into: &lines)
        XCTAssertEqual(lines, ["first"])
    }

    func testATruncatedFileIsReadAgainFromItsStart() throws {
        try append("one\ntwo\n")
        let follower = try FileFollower(path: live.path, fromStart: true)
        var lines: [String] = []
        collect(follower, until: 2, into: &lines)
        XCTAssertEqual(truncate(live.path, 0), 0)
        try append("three\n")
        collect(follower, until: 3, into: &lines)
        XCTAssertEqual(lines, ["one", "two", "three"])
    }

    func testAMissingFolderIsAnError() {
        XCTAssertThrowsError(try FileFollower(path: folder.appendingPathComponent("nope/records.jsonl").path, fromStart: true)) { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
    }
}
