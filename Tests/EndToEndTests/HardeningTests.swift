import Foundation
import XCTest

/// The daemon against careless and hostile use (issue 15): files moved under it, links and
/// folders in the inbox, names that are not text, two daemons on one folder, stray signals.
final class HardeningTests: XCTestCase {
    private var h: DaemonHarness!

    override func setUpWithError() throws {
        h = try DaemonHarness(edits: [("summary_interval: 60s", "summary_interval: 0")])
    }

    override func tearDown() { h.cleanUp() }

    private func origins(_ records: [[String: Any]]) -> [String] {
        records.compactMap { ($0["origin"] as? [String: Any])?["path"] as? String }.map { URL(fileURLWithPath: $0).lastPathComponent }
    }

    private func records(in file: URL) throws -> [[String: Any]] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    private func reason(_ sidecar: URL) throws -> String? {
        (try JSONSerialization.jsonObject(with: Data(contentsOf: sidecar)) as? [String: Any])?["reason"] as? String
    }

    // MARK: 1. the records file renamed or deleted under the daemon

    func testRecordsAfterTheRecordsFileIsRenamedOrDeletedGoToAFreshFile() throws {
        try h.start()
        try h.drop("one.txt", text: distinctArticle(1))
        try waitUntil("one is done", timeout: 20) { h.names("done") == ["one.txt"] }
        let rotated = h.records.appendingPathExtension("1")
        XCTAssertEqual(rename(h.records.path, rotated.path), 0, "logrotate's rename")
        try h.drop("two.txt", text: distinctArticle(2))
        try waitUntil("two is done", timeout: 20) { h.names("done").count == 2 }
        XCTAssertEqual(origins(try records(in: rotated)), ["one.txt"])
        XCTAssertEqual(origins(try h.recordLines()), ["two.txt"], "a fresh records file at the configured path")

        XCTAssertEqual(unlink(h.records.path), 0)
        try h.drop("three.txt", text: distinctArticle(3))
        try waitUntil("three is done", timeout: 20) { h.names("done").count == 3 }
        XCTAssertEqual(origins(try h.recordLines()), ["three.txt"], "the record is in a file a user can read")
        XCTAssertEqual(try h.stop(), 0)
        XCTAssertEqual(h.logLines().filter { ($0["msg"] as? String)?.hasPrefix("the records file was renamed or deleted") ?? false }.count, 2)
    }

    // MARK: 2. symbolic links

    /// A file only its owner may read, outside the inbox, and a running daemon.
    private func startBesideASecret() throws -> URL {
        let secret = h.root.appendingPathComponent("secret.txt")
        try Data(("TOPSECRET " + distinctArticle(9)).utf8).write(to: secret)
        XCTAssertEqual(chmod(secret.path, 0o600), 0)
        try FileManager.default.createDirectory(at: h.dir("inbox"), withIntermediateDirectories: true)
        try h.start()
        return secret
    }

    /// Neither the records nor the logs hold a word of the secret.
    private func stopAndCheckTheSecretWasNeverRead() throws {
        XCTAssertEqual(try h.recordLines().count, 0)
        XCTAssertEqual(try h.stop(), 0)
        XCTAssertFalse(h.logLines().contains { "\($0)".contains("TOPSECRET") })
    }

    func testLinksInTheInboxAreRefusedAndNeverFollowed() throws {
        let secret = try startBesideASecret()
        // Made in place (an IN_CREATE and nothing else), and made elsewhere then moved in.
        XCTAssertEqual(symlink(secret.path, h.dir("inbox").appendingPathComponent("made-here.txt").path), 0)
        let outside = h.root.appendingPathComponent("link.txt")
        XCTAssertEqual(symlink(secret.path, outside.path), 0)
        XCTAssertEqual(rename(outside.path, h.dir("inbox").appendingPathComponent("moved-in.txt").path), 0)
        XCTAssertEqual(symlink(h.root.path, h.dir("inbox").appendingPathComponent("to-a-folder").path), 0)
        try waitUntil("the links are in failed/", timeout: 20) { h.names("failed").count == 6 }
        for name in ["made-here.txt", "moved-in.txt", "to-a-folder"] {
            XCTAssertEqual(try reason(h.dir("failed").appendingPathComponent(name + ".error.json")), "symlink", name)
            var st = stat()
            XCTAssertEqual(lstat(h.dir("failed").appendingPathComponent(name).path, &st), 0)
            XCTAssertEqual(st.st_mode & S_IFMT, S_IFLNK, "the link itself is kept, as dropped")
        }
        try stopAndCheckTheSecretWasNeverRead()
    }

    func testHardLinksInTheInboxAreRefusedAndNeverRead() throws {
        let secret = try startBesideASecret()
        XCTAssertEqual(link(secret.path, h.dir("inbox").appendingPathComponent("linked.txt").path), 0)
        try waitUntil("the link is in failed/", timeout: 20) { h.names("failed").count == 2 }
        XCTAssertEqual(try reason(h.dir("failed").appendingPathComponent("linked.txt.error.json")), "hardlink")
        try stopAndCheckTheSecretWasNeverRead()
    }

    // MARK: 3. one daemon per data folder

    func testASecondDaemonOnTheSameFoldersIsRefusedNamingTheLockAndItsHolder() throws {
        try h.start()
        let first = try XCTUnwrap(h.process?.processIdentifier)
        let second = Process()
        second.executableURL = DaemonHarness.binary
        second.arguments = ["run", "--pipeline", h.pipeline.path]
        let errFile = h.root.appendingPathComponent("second.log")
        FileManager.default.createFile(atPath: errFile.path, contents: nil)
        second.standardError = try FileHandle(forWritingTo: errFile)
        try second.run()
        defer { if second.isRunning { kill(second.processIdentifier, SIGKILL); second.waitUntilExit() } }
        try waitUntil("the second daemon exits", timeout: 10) { !second.isRunning }
        let output = try String(contentsOf: errFile, encoding: .utf8)
        XCTAssertEqual(second.terminationStatus, 1, output)
        XCTAssertTrue(output.contains(h.dir("state").appendingPathComponent("ingestd.lock").path), output)
        XCTAssertTrue(output.contains("pid \(first)"), output)
        XCTAssertFalse(output.contains("ingestd started"), output)

        // The first one is untouched and still works.
        try h.drop("after.txt", text: distinctArticle(4))
        try waitUntil("after is done", timeout: 20) { h.names("done") == ["after.txt"] }
        XCTAssertEqual(try h.stop(), 0)
        // Its lock dies with it: a new daemon starts.
        try h.start()
        XCTAssertEqual(try h.stop(), 0)
    }

    // MARK: 4. names that are not UTF-8, names too long for a claim stamp

    private func rawNames(_ folder: String) -> [[UInt8]] {
        guard let dir = opendir(h.dir(folder).path) else { return [] }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E], name != [0x2E, 0x2E] { names.append(name) }
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }

    private func dropRaw(_ name: [UInt8], _ text: String) throws {
        let inbox = h.dir("inbox")
        let tmp = inbox.appendingPathComponent(".raw.part")
        try Data(text.utf8).write(to: tmp)
        let target = Array(inbox.path.utf8) + [UInt8(ascii: "/")] + name + [0]
        XCTAssertEqual(target.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { rename(tmp.path, $0.baseAddress!) } }, 0)
    }

    func testNamesThatAreNotUTF8OrTooLongForAClaimStampEndInDoneOrFailed() throws {
        try FileManager.default.createDirectory(at: h.dir("inbox"), withIntermediateDirectories: true)
        try h.start()
        let latin1 = Array("caf".utf8) + [0xE9] + Array(" menu.txt".utf8)  // "café" in Latin-1
        let long = Array((String(repeating: "n", count: 246) + ".txt").utf8)     // 250 bytes: fits, the stamp would not
        let longEmpty = Array((String(repeating: "e", count: 246) + ".txt").utf8)
        try dropRaw(latin1, distinctArticle(11))
        try dropRaw(long, distinctArticle(12))
        try dropRaw(longEmpty, "")
        try waitUntil("every input has an outcome", timeout: 20) { h.names("done").count == 2 && h.names("failed").count == 2 }
        XCTAssertEqual(rawNames("done"), [latin1, long].sorted { $0.lexicographicallyPrecedes($1) }, "the exact names, byte for byte")
        XCTAssertEqual(rawNames("inbox"), [])
        XCTAssertEqual(rawNames("processing"), [], "no claim and no saved name is left behind")

        // In failed/, a 250-byte name leaves no room for `.error.json`: the claim name stands in
        // and the reason file names the original.
        let failed = h.names("failed")
        let sidecar = try XCTUnwrap(failed.first { $0.hasSuffix(".error.json") })
        XCTAssertTrue(failed.contains(String(sidecar.dropLast(".error.json".count))))
        let reasons = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: h.dir("failed").appendingPathComponent(sidecar))) as? [String: Any])
        XCTAssertEqual(reasons["reason"] as? String, "empty")
        XCTAssertEqual(reasons["file"] as? String, String(decoding: longEmpty, as: UTF8.self))

        let records = try h.recordLines()
        XCTAssertEqual(records.count, 2)
        let byName = Dictionary(uniqueKeysWithValues: records.map { (($0["origin"] as! [String: Any])["path"] as! String, $0["origin"] as! [String: Any]) })
        let inbox = h.dir("inbox").path + "/"
        XCTAssertNotNil(byName[inbox + String(decoding: long, as: UTF8.self)], "\(byName.keys)")
        let shown = try XCTUnwrap(byName[inbox + "caf\u{FFFD} menu.txt"], "\(byName.keys)")
        XCTAssertEqual((shown["path_base64"] as? String).flatMap { Data(base64Encoded: $0) }, Data(Array(inbox.utf8) + latin1))
        XCTAssertNil(byName[inbox + String(decoding: long, as: UTF8.self)]?["path_base64"], "only for names that are not UTF-8")
        XCTAssertEqual(try h.stop(), 0)
    }

    // MARK: 5. a file still being written when the daemon starts

    func testAFileStillBeingWrittenAtStartUpIsClaimedOnlyOnceItIsWhole() throws {
        try FileManager.default.createDirectory(at: h.dir("inbox"), withIntermediateDirectories: true)
        let path = h.dir("inbox").appendingPathComponent("slow.txt")
        let text = distinctArticle(21, words: 480)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
        FileManager.default.createFile(atPath: path.path, contents: nil)
        let writer = try FileHandle(forWritingTo: path)
        writer.write(Data(lines[0..<4].joined().utf8))
        try h.start()
        // A writer that trickles the rest in over three seconds, longer than settle_time.
        for line in lines[4...] {
            writer.write(Data(line.utf8))
            usleep(3_000_000 / UInt32(lines.count))
            XCTAssertEqual(h.names("inbox"), ["slow.txt"], "claimed while still being written")
        }
        try writer.close()
        try waitUntil("slow is done", timeout: 20) { h.names("done") == ["slow.txt"] }
        let record = try XCTUnwrap(try h.recordLines().first)
        XCTAssertEqual(record["title"] as? String, "Report 21 on local affairs")
        XCTAssertEqual((record["origin"] as? [String: Any])?["size"] as? Int, lines.joined().utf8.count, "the whole file, not the part written at start-up")
        XCTAssertEqual(try h.stop(), 0)
    }

    /// At runtime, a file is claimed when its writer closes it, never because it sat still: a
    /// daemon that may not take a lease on the writer's file (another user's) must not claim it
    /// while the writer pauses.
    func testAFileBeingWrittenByAnotherUserIsNotClaimedWhileItsWriterPauses() throws {
        let asUser: String? = geteuid() == 0 ? "nobody" : nil
        try XCTSkipIf(asUser == nil, "needs root to run the daemon as another user")
        XCTAssertEqual(chmod(h.root.path, 0o777), 0)
        for d in ["inbox", "processing", "done", "failed", "records", "state"] {
            try FileManager.default.createDirectory(at: h.dir(d), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        }
        try h.start(asUser: asUser)
        let path = h.dir("inbox").appendingPathComponent("paused.txt")
        // open(2) in place: FileManager.createFile writes a temporary file and renames it in.
        let fd = open(path.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let writer = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let text = distinctArticle(22, words: 240)
        let half = text.index(text.startIndex, offsetBy: text.count / 2)
        writer.write(Data(text[..<half].utf8))
        Thread.sleep(forTimeInterval: 3)  // longer than settle_time
        XCTAssertEqual(h.names("inbox"), ["paused.txt"], "claimed while its writer paused")
        writer.write(Data(text[half...].utf8))
        try writer.close()
        try waitUntil("paused is done", timeout: 20) { h.names("done") == ["paused.txt"] }
        XCTAssertEqual((try h.recordLines().first?["origin"] as? [String: Any])?["size"] as? Int, text.utf8.count)
        XCTAssertEqual(try h.stop(), 0)
    }

    // MARK: 6. folders in the inbox

    func testAFolderInTheInboxGoesToFailedWithReasonDirectoryAtRuntimeAndAtStartUp() throws {
        try FileManager.default.createDirectory(at: h.dir("inbox/early"), withIntermediateDirectories: true)
        try Data(distinctArticle(31).utf8).write(to: h.dir("inbox/early/inside.txt"))
        try h.start()
        try waitUntil("early is in failed/", timeout: 20) { h.names("failed").contains("early") }
        try FileManager.default.createDirectory(at: h.dir("inbox/late"), withIntermediateDirectories: false)
        try FileManager.default.createDirectory(at: h.root.appendingPathComponent("moved"), withIntermediateDirectories: false)
        XCTAssertEqual(rename(h.root.appendingPathComponent("moved").path, h.dir("inbox/moved").path), 0)
        try waitUntil("every folder is in failed/", timeout: 20) { h.names("failed").count == 6 }
        for name in ["early", "late", "moved"] {
            XCTAssertEqual(try reason(h.dir("failed").appendingPathComponent(name + ".error.json")), "directory", name)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.dir("failed/early/inside.txt").path), "nothing inside is lost")
        XCTAssertEqual(try h.stop(), 0)
        XCTAssertEqual(h.logLines().filter { $0["msg"] as? String == "document rejected" && $0["reason"] as? String == "directory" }.count, 3)
    }

    // MARK: 7. records or state inside the inbox

    func testValidateRefusesRecordsInsideTheInbox() throws {
        let bad = h.root.appendingPathComponent("bad.yaml")
        let yaml = try String(contentsOf: h.pipeline, encoding: .utf8)
            .replacingOccurrences(of: "path: records/records.jsonl", with: "path: inbox/records.jsonl")
        XCTAssertTrue(yaml.contains("inbox/records.jsonl"))
        try yaml.write(to: bad, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = DaemonHarness.binary
        p.arguments = ["validate", bad.path]
        let err = Pipe()
        p.standardError = err
        try p.run()
        let output = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 1)
        XCTAssertTrue(output.range(of: #"bad\.yaml:\d+:\d+: sink\.path .* lies inside the drop folder"#, options: .regularExpression) != nil, output)
    }

    // MARK: 8. signals

    func testStraySignalsAreLoggedAndIgnored() throws {
        try h.start()
        let pid = try XCTUnwrap(h.process?.processIdentifier)
        for sig in [SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE] { XCTAssertEqual(kill(pid, sig), 0) }
        try h.drop("still-here.txt", text: distinctArticle(41))
        try waitUntil("the file is done", timeout: 20) { h.names("done") == ["still-here.txt"] }
        XCTAssertTrue(h.process?.isRunning ?? false)
        XCTAssertEqual(try h.stop(), 0)
        let logged = Set(h.logLines().compactMap { $0["signal"] as? String })
        XCTAssertTrue(logged.isSuperset(of: ["SIGHUP", "SIGUSR1", "SIGUSR2", "SIGALRM"]), "\(logged)")
        // SIGHUP reloads the unchanged file: nothing changes and nothing stops.
        XCTAssertTrue(h.logLines().contains { $0["msg"] as? String == "reloading the pipeline" && $0["signal"] as? String == "SIGHUP" })
    }

    /// `ingestd run 2>&1 | jq …` and jq exits: the daemon must go on ingesting.
    func testTheDaemonOutlivesTheReaderOfItsLog() throws {
        let p = Process()
        p.executableURL = DaemonHarness.binary
        p.arguments = ["run", "--pipeline", h.pipeline.path]
        let log = Pipe()
        p.standardError = log
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() } }
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("ingestd started") {
            let chunk = log.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        try log.fileHandleForReading.close()  // the reader goes away
        try h.drop("a.txt", text: distinctArticle(42))
        try h.drop("b.txt", text: distinctArticle(43))
        try waitUntil("both are done", timeout: 20) { h.names("done").count == 2 }
        XCTAssertTrue(p.isRunning)
        p.terminate()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertEqual(try h.recordLines().count, 2)
    }
}
