import Foundation
import XCTest
import IngestCore
@testable import IngestSinks

final class JSONLinesSinkTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func line(_ id: String) -> [UInt8] { Array(#"{"id":"\#(id)","x":1}"#.utf8) }

    private func submitAndWait(_ sink: JSONLinesSink, _ lines: [[UInt8]?]) -> [(any Error)?] {
        let group = DispatchGroup()
        let results = ResultBox()
        for l in lines {
            group.enter()
            sink.submit(l) { e in results.append(e); group.leave() }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 10), .success)
        return results.all
    }

    func testRecordsAreAppendedOnePerLineAndAcknowledgedAfterTheWrite() throws {
        let path = dir.appendingPathComponent("records/r.jsonl")
        let sink = try JSONLinesSink(path: path)
        let results = submitAndWait(sink, (0..<50).map { line("id\($0)") } + [nil])
        XCTAssertEqual(results.count, 51)
        XCTAssertTrue(results.allSatisfy { $0 == nil })
        // The completion ran after the write: the file already holds every line.
        let text = try String(contentsOf: path, encoding: .utf8)
        XCTAssertEqual(text.split(separator: "\n").count, 50)
        XCTAssertTrue(text.hasSuffix("\n"))
        XCTAssertEqual(try sink.existingIDs(), Set((0..<50).map { "id\($0)" }))
        try sink.close()
    }

    /// Lines of `copyLimit` bytes and more are written from their own buffers, between the
    /// gathered short ones: the file is the same as if all were copied into one.
    /// `ingestd once --output /dev/null`: a device has nothing to sync, and the batch succeeds.
    func testADeviceAsTheRecordsFileTakesRecordsWithoutSyncing() throws {
        let sink = try JSONLinesSink(path: URL(fileURLWithPath: "/dev/null"))
        XCTAssertTrue(submitAndWait(sink, [line("a"), line("b")]).allSatisfy { $0 == nil })
        try sink.close()
    }

    func testALongLineAmongShortOnesIsWrittenWholeAndInOrder() throws {
        let long = Array(#"{"id":"long","text":""#.utf8) + [UInt8](repeating: 0x61, count: JSONLinesSink.copyLimit) + Array(#""}"#.utf8)
        let lines: [[UInt8]?] = [line("a"), nil, long, long, line("b")]
        XCTAssertEqual(JSONLinesSink.pieces(lines).map(\.count), [line("a").count + 1, long.count, 1, long.count, 1 + line("b").count + 1])
        let path = dir.appendingPathComponent("r.jsonl")
        let sink = try JSONLinesSink(path: path)
        XCTAssertTrue(submitAndWait(sink, lines).allSatisfy { $0 == nil })
        try sink.close()
        let expected: [UInt8] = [line("a"), long, long, line("b")].flatMap { $0 + [UInt8(0x0A)] }
        XCTAssertEqual(try [UInt8](Data(contentsOf: path)), expected)
    }

    func testBeforeCommitRunsBeforeTheWriteAndItsFailureFailsTheBatch() throws {
        let path = dir.appendingPathComponent("r.jsonl")
        struct Refused: Error {}
        let sink = try JSONLinesSink(path: path, beforeCommit: { throw Refused() })
        let results = submitAndWait(sink, [line("a"), line("b")])
        XCTAssertEqual(results.count, 2)
        XCTAssertTrue(results.allSatisfy { $0 is Refused })
        XCTAssertEqual(try Data(contentsOf: path).count, 0, "nothing may be written when the barrier fails")
    }

    func testATornLastLineIsCutAtOpen() throws {
        let path = dir.appendingPathComponent("r.jsonl")
        let whole = #"{"id":"a"}"# + "\n" + #"{"id":"b"}"# + "\n"
        try Data((whole + #"{"id":"c","text":"half a rec"#).utf8).write(to: path)
        let sink = try JSONLinesSink(path: path)
        XCTAssertEqual(sink.repairedBytes, #"{"id":"c","text":"half a rec"#.utf8.count)
        XCTAssertEqual(try String(contentsOf: path, encoding: .utf8), whole)
        _ = submitAndWait(sink, [line("d")])
        let lines = try String(contentsOf: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
        XCTAssertEqual(try sink.existingIDs(), ["a", "b", "d"])
    }

    func testAFileWithNoNewlineAtAllIsEmptiedAndAWholeFileIsLeftAlone() throws {
        let torn = dir.appendingPathComponent("torn.jsonl")
        try Data(#"{"id":"x","te"#.utf8).write(to: torn)
        XCTAssertEqual(try JSONLinesSink(path: torn).repairedBytes, 13)
        XCTAssertEqual(try Data(contentsOf: torn).count, 0)

        let whole = dir.appendingPathComponent("whole.jsonl")
        try Data((#"{"id":"x"}"# + "\n").utf8).write(to: whole)
        XCTAssertEqual(try JSONLinesSink(path: whole).repairedBytes, 0)
        XCTAssertEqual(try Data(contentsOf: whole).count, 11)
    }

    /// logrotate's way: the file is renamed away (and, with `create`, a new empty one made).
    /// Records after the rename go to a file at the configured path, not to the renamed one.
    func testARenamedRecordsFileIsFollowedByAFreshOneAtThePath() throws {
        let path = dir.appendingPathComponent("records/r.jsonl")
        let rotated = dir.appendingPathComponent("records/r.jsonl.1")
        let sink = try JSONLinesSink(path: path)
        XCTAssertTrue(submitAndWait(sink, [line("a")]).allSatisfy { $0 == nil })
        XCTAssertEqual(rename(path.path, rotated.path), 0)
        XCTAssertTrue(submitAndWait(sink, [line("b"), line("c")]).allSatisfy { $0 == nil })
        XCTAssertEqual(try String(contentsOf: rotated, encoding: .utf8), String(decoding: line("a"), as: UTF8.self) + "\n")
        XCTAssertEqual(try sink.existingIDs(), ["b", "c"])

        // `create`: the rotator makes the new file itself; the sink appends to that one.
        let rotated2 = dir.appendingPathComponent("records/r.jsonl.2")
        XCTAssertEqual(rename(path.path, rotated2.path), 0)
        FileManager.default.createFile(atPath: path.path, contents: Data())
        XCTAssertTrue(submitAndWait(sink, [line("d")]).allSatisfy { $0 == nil })
        XCTAssertEqual(try sink.existingIDs(), ["d"])
        XCTAssertEqual(try String(contentsOf: rotated2, encoding: .utf8).split(separator: "\n").count, 2)
        try sink.close()
    }

    /// A deleted records file (or its whole folder) must not swallow the next records.
    func testADeletedRecordsFileOrFolderIsRecreatedBeforeTheNextBatch() throws {
        let folder = dir.appendingPathComponent("records")
        let path = folder.appendingPathComponent("r.jsonl")
        let sink = try JSONLinesSink(path: path)
        XCTAssertTrue(submitAndWait(sink, [line("a")]).allSatisfy { $0 == nil })
        XCTAssertEqual(unlink(path.path), 0)
        XCTAssertTrue(submitAndWait(sink, [line("b")]).allSatisfy { $0 == nil })
        XCTAssertEqual(try sink.existingIDs(), ["b"])

        try FileManager.default.removeItem(at: folder)
        XCTAssertTrue(submitAndWait(sink, [line("c")]).allSatisfy { $0 == nil })
        XCTAssertEqual(try sink.existingIDs(), ["c"])
        try sink.close()
    }

    /// When no file can be made at the path, the batch fails: nothing is acknowledged.
    func testABatchFailsWhenTheRecordsFileCannotBeRecreated() throws {
        let folder = dir.appendingPathComponent("records")
        let path = folder.appendingPathComponent("r.jsonl")
        let sink = try JSONLinesSink(path: path)
        try FileManager.default.removeItem(at: folder)
        // A file where the folder was: the folder cannot be made again.
        FileManager.default.createFile(atPath: folder.path, contents: Data("x".utf8))
        let results = submitAndWait(sink, [line("a")])
        XCTAssertEqual(results.count, 1)
        XCTAssertNotNil(results[0] ?? nil)
    }

    /// After `close` (the shutdown timeout passed) nothing more is written.
    func testASubmitAfterCloseFailsAndWritesNothing() throws {
        let path = dir.appendingPathComponent("r.jsonl")
        let sink = try JSONLinesSink(path: path)
        try sink.close()
        let results = submitAndWait(sink, [line("late")])
        XCTAssertTrue(results.first.flatMap { $0 } is SinkClosed)
        XCTAssertEqual(try Data(contentsOf: path).count, 0)
    }

    func testConcurrentSubmittersAllLandExactlyOnce() throws {
        let path = dir.appendingPathComponent("r.jsonl")
        let sink = try JSONLinesSink(path: path)
        let group = DispatchGroup()
        DispatchQueue.concurrentPerform(iterations: 400) { i in
            group.enter()
            sink.submit(Array(#"{"id":"c\#(i)"}"#.utf8)) { _ in group.leave() }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 20), .success)
        let ids = try String(contentsOf: path, encoding: .utf8).split(separator: "\n")
            .compactMap { RecordSchema.id(ofLine: Array($0.utf8)[...]) }
        XCTAssertEqual(ids.count, 400)
        XCTAssertEqual(Set(ids).count, 400)
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(any Error)?] = []
    func append(_ e: (any Error)?) { lock.lock(); items.append(e); lock.unlock() }
    var all: [(any Error)?] { lock.lock(); defer { lock.unlock() }; return items }
}
