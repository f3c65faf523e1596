import Foundation
import IngestCore
import XCTest

/// `ingestd tail` as users run it: the real binary on a log recorded for the test, and
/// `--records` following a records file across a rotation.
final class TailCommandTests: XCTestCase {
    private func temp() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("tail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    private let recordedLog = [
        #"{"ts":"2026-11-24T05:31:02.123Z","level":"notice","msg":"ingestd started","pipeline":"news"}"#,
        #"{"ts":"2026-11-24T05:31:03.000Z","level":"info","msg":"record written","doc":"0123456789abcdef0123456789abcdef","dedupe":"unique","path":"/in/a.txt","words":80}"#,
        #"{"ts":"2026-11-24T05:31:04.000Z","level":"warning","msg":"document rejected","detail":"empty","path":"/in/b.txt","reason":"empty","stage":"read"}"#,
        "journalctl: no entries",
        #"{"__REALTIME_TIMESTAMP":"1795325465000000","PRIORITY":"6","MESSAGE":"{\"ts\":\"2026-11-24T05:31:05.000Z\",\"level\":\"info\",\"msg\":\"document dropped\",\"doc\":\"fedcba9876543210fedcba9876543210\",\"reason\":\"duplicate\",\"stage\":\"dedupe\"}"}"#,
    ].joined(separator: "\n") + "\n"

    private var utc: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["TZ"] = "UTC"
        return env
    }

    func testReadsARecordedLogFileAsPlainLinesWhenNotATerminal() throws {
        let log = try temp().appendingPathComponent("daemon.log")
        try recordedLog.write(to: log, atomically: true, encoding: .utf8)
        let r = try DaemonHarness.run(["tail", log.path], environment: utc)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, """
            05:31:02 NOTE  ingestd started  pipeline=news
            05:31:03 INFO  record written  doc=0123456789ab  path=/in/a.txt  dedupe=unique  words=80
            05:31:04 WARN  document rejected  stage=read  reason=empty  path=/in/b.txt  detail=empty
            journalctl: no entries
            05:31:05 INFO  document dropped  doc=fedcba987654  stage=dedupe  reason=duplicate

            """)
        XCTAssertFalse(r.out.contains("\u{1B}"))

        let warnings = try DaemonHarness.run(["tail", log.path, "--level", "warning", "--color", "always"], environment: utc)
        XCTAssertEqual(warnings.status, 0, warnings.err)
        XCTAssertEqual(warnings.out.split(separator: "\n").count, 2, "the warning and the line that is not an entry: \(warnings.out)")
        XCTAssertTrue(warnings.out.contains("\u{1B}[33mWARN "), warnings.out)

        let stage = try DaemonHarness.run(["tail", log.path, "--stage", "dedupe", "--doc", "fedcba"], environment: utc)
        XCTAssertEqual(stage.out, "05:31:05 INFO  document dropped  doc=fedcba987654  stage=dedupe  reason=duplicate\n")
    }

    func testReadsStdin() throws {
        let p = Process()
        p.executableURL = DaemonHarness.binary
        p.arguments = ["tail", "-", "--level", "notice"]
        p.environment = utc
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(recordedLog.utf8))
        try input.fileHandleForWriting.close()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertEqual(out.split(separator: "\n").map(String.init), [
            "05:31:02 NOTE  ingestd started  pipeline=news",
            "05:31:04 WARN  document rejected  stage=read  reason=empty  path=/in/b.txt  detail=empty",
            "journalctl: no entries",
        ])
    }

    /// `ingestd tail - | head -1`: once the reader of its output is gone, tail exits at the
    /// next line it prints (status 0, as tail(1) does), even though its input is still open.
    func testExitsWhenTheReaderOfItsOutputIsGone() throws {
        // Writes into the child's stdin after it exited must fail with EPIPE here, not kill the test.
        signal(SIGPIPE, SIG_IGN)
        let p = Process()
        p.executableURL = DaemonHarness.binary
        p.arguments = ["tail", "-"]
        p.environment = utc
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        addTeardownBlock { if p.isRunning { p.terminate(); p.waitUntilExit() } }
        let stdin = input.fileHandleForWriting.fileDescriptor
        let line = Array(recordedLog.utf8)
        _ = line.withUnsafeBytes { write(stdin, $0.baseAddress!, $0.count) }
        // The first lines came out, so tail is in its loop; then the reader goes away.
        XCTAssertFalse(output.fileHandleForReading.availableData.isEmpty)
        try output.fileHandleForReading.close()
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning && Date() < deadline {
            _ = line.withUnsafeBytes { write(stdin, $0.baseAddress!, $0.count) }
            usleep(20_000)
        }
        guard !p.isRunning else {
            XCTFail("tail went on reading after its output was closed")
            p.terminate()
            p.waitUntilExit()
            return
        }
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit, "ended by a signal instead of exiting")
        XCTAssertEqual(p.terminationStatus, 0)
        try input.fileHandleForWriting.close()
    }

    func testRefusesABadLevel() throws {
        let r = try DaemonHarness.run(["tail", "-", "--level", "loud"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("--level must be one of"), r.err)
    }

    func testRecordsAreFollowedAcrossARotationWithoutASkipOrARepeat() throws {
        let folder = try temp().appendingPathComponent("records")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let live = folder.appendingPathComponent("records.jsonl")
        func record(_ n: Int) -> String {
            #"{"id":"\#(String(format: "%032x", n))","schema":"ingestd.record/1","ingested_at":"2026-11-24T05:3\#(n % 10):00.000Z","#
                + #""title":"Story \#(n)","site":"Coast Courier","dedupe":{"status":"unique","of":null,"similarity":null},"#
                + #""labels":{"topics":[{"name":"economy","score":2.5}],"genre":null}}"# + "\n"
        }
        func append(_ text: String, to url: URL) throws {
            if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
            let h = try FileHandle(forWritingTo: url)
            h.seekToEndOfFile()
            h.write(Data(text.utf8))
            try h.close()
        }
        try append(record(1), to: live)

        let p = Process()
        p.executableURL = DaemonHarness.binary
        p.arguments = ["tail", "--records", live.path, "--from-start"]
        p.environment = utc
        let output = Pipe()
        p.standardOutput = output
        try p.run()
        addTeardownBlock { if p.isRunning { p.terminate(); p.waitUntilExit() } }
        let lines = Locked<[String]>([])
        let reader = Thread {
            var partial = ""
            while true {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { return }
                partial += String(decoding: data, as: UTF8.self)
                while let nl = partial.firstIndex(of: "\n") {
                    let line = String(partial[..<nl])
                    partial = String(partial[partial.index(after: nl)...])
                    lines.withLock { $0.append(line) }
                }
            }
        }
        reader.start()
        try waitUntil("the first record is shown", timeout: 20) { lines.withLock { $0.count } >= 1 }
        try append(record(2), to: live)
        try waitUntil("the second record is shown", timeout: 20) { lines.withLock { $0.count } >= 2 }
        // A record, then the rotation, then the new file's records, with no pause between.
        try append(record(3), to: live)
        XCTAssertEqual(rename(live.path, folder.appendingPathComponent("records-20261124T053300Z.jsonl").path), 0)
        try append(record(4) + record(5), to: live)
        try waitUntil("five records are shown", timeout: 20) { lines.withLock { $0.count } >= 5 }
        try append(record(6), to: live)
        try waitUntil("six records are shown", timeout: 20) { lines.withLock { $0.count } >= 6 }
        p.terminate()
        p.waitUntilExit()
        let shown = lines.withLock { $0 }
        XCTAssertEqual(shown, (1...6).map { "05:3\($0):00  Coast Courier  Story \($0)  economy  unique" })
    }
}
