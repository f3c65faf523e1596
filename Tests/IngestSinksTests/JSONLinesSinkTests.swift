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

    /// A record whose text is written from its String at commit time (what the runner submits
    /// for a large text), with a text of several of the sink's 64 KiB pieces.
    private func streamed(_ id: String) -> StreamedRecord {
        let text = String(repeating: "Para \"\(id)\" — déjà vu 中文 😀\u{2028}\t\u{1}\\\n", count: 5_000)
        return StreamedRecord(prefix: Array(#"{"id":"\#(id)","text":"#.utf8), text: text, suffix: Array(#","words":2}"#.utf8))
    }

    /// Submits `a` alone, holds the sink in that batch's `beforeCommit` until `rest` is queued, so
    /// `rest` is committed as one batch (the second); `second` runs in that batch's `beforeCommit`.
    private func submitAsSecondBatch(_ path: URL, _ rest: [JSONLinesSink.Submission], second: @escaping @Sendable () -> Void = {},
                                     afterWrite: (() -> Void)? = nil) throws -> (JSONLinesSink, [(any Error)?]) {
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let commits = Counter()
        let sink = try JSONLinesSink(path: path, beforeCommit: {
            let n = commits.next()
            if n == 1 { entered.signal(); release.wait() }
            if n == 2 { second() }
        })
        sink.afterWrite = afterWrite
        let group = DispatchGroup()
        let results = ResultBox()
        group.enter()
        sink.submit(line("a")) { e in results.append(e); group.leave() }
        // The sink is inside the first batch's commit: all of `rest` queues behind it.
        XCTAssertEqual(entered.wait(timeout: .now() + 10), .success)
        for submission in rest {
            group.enter()
            let done: @Sendable ((any Error)?) -> Void = { e in
                // Durable before completion: the record is already in the file at the path.
                if case .streamed(let record) = submission {
                    let file = (try? [UInt8](Data(contentsOf: path))) ?? []
                    XCTAssertNotNil(file.firstRange(of: record.joined() + [0x0A]), "completed before it was written")
                }
                results.append(e)
                group.leave()
            }
            switch submission {
            case .line(let l): sink.submit(l, completion: done)
            case .streamed(let r): sink.submit(streamed: r, completion: done)
            }
        }
        release.signal()
        XCTAssertEqual(group.wait(timeout: .now() + 20), .success)
        return (sink, results.all)
    }

    func testAStreamedRecordAmongLinesIsWrittenWholeInOrderAndDurableBeforeItsCompletion() throws {
        let path = dir.appendingPathComponent("r.jsonl")
        let s1 = streamed("s1"), s2 = streamed("s2")
        let rest: [JSONLinesSink.Submission] = [.line(line("b")), .streamed(s1), .line(nil), .streamed(s2), .line(line("c"))]
        let (sink, results) = try submitAsSecondBatch(path, rest)
        XCTAssertEqual(results.count, 6)
        XCTAssertTrue(results.allSatisfy { $0 == nil })
        try sink.close()
        let expected: [UInt8] = [line("a"), line("b"), s1.joined(), s2.joined(), line("c")].flatMap { $0 + [UInt8(0x0A)] }
        XCTAssertTrue(try [UInt8](Data(contentsOf: path)) == expected, "the file is not these records in order")
        XCTAssertEqual(try sink.existingIDs(), ["a", "b", "s1", "s2", "c"])
        // Each line is a record whose text is the String submitted.
        let lines = try String(contentsOf: path, encoding: .utf8).split(separator: "\n")
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[2].utf8)) as? [String: Any])
        XCTAssertEqual(parsed["text"] as? String, s1.text)
    }

    /// The records file renamed away while a batch with a streamed record waits: the batch goes
    /// whole to a fresh file at the path.
    func testABatchWithAStreamedRecordFollowsARenamedFile() throws {
        let path = dir.appendingPathComponent("records/r.jsonl")
        let rotated = dir.appendingPathComponent("records/r.jsonl.1")
        let s = streamed("s")
        let (sink, results) = try submitAsSecondBatch(path, [.line(line("b")), .streamed(s), .line(line("c"))],
                                                      second: { XCTAssertEqual(rename(path.path, rotated.path), 0) })
        XCTAssertTrue(results.allSatisfy { $0 == nil })
        try sink.close()
        XCTAssertEqual(try [UInt8](Data(contentsOf: rotated)), line("a") + [0x0A])
        let expected: [UInt8] = [line("b"), s.joined(), line("c")].flatMap { $0 + [UInt8(0x0A)] }
        XCTAssertTrue(try [UInt8](Data(contentsOf: path)) == expected, "the file is not these records in order")
    }

    /// The records file deleted after a batch with a streamed record was written to it: the
    /// batch is written again, streamed text included, to a fresh file at the path.
    func testABatchWithAStreamedRecordIsWrittenAgainWhenItsFileWasDeletedUnderIt() throws {
        let path = dir.appendingPathComponent("records/r.jsonl")
        let s = streamed("s")
        let writes = Counter()
        let (sink, results) = try submitAsSecondBatch(path, [.line(line("b")), .streamed(s), .line(line("c"))], afterWrite: {
            if writes.next() == 2 { XCTAssertEqual(unlink(path.path), 0) }
        })
        XCTAssertTrue(results.allSatisfy { $0 == nil })
        try sink.close()
        XCTAssertEqual(writes.value, 2, "the hook runs after the first write of each batch only")
        let expected: [UInt8] = [line("b"), s.joined(), line("c")].flatMap { $0 + [UInt8(0x0A)] }
        XCTAssertTrue(try [UInt8](Data(contentsOf: path)) == expected, "the file is not these records in order")
        XCTAssertEqual(try sink.existingIDs(), ["b", "s", "c"])
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

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
