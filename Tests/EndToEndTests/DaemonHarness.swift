import Foundation
import LoopbackHTTP
import XCTest

/// Runs the real `ingestd` binary on a throwaway pipeline folder.
final class DaemonHarness {
    let root: URL
    let pipeline: URL
    var process: Process?
    private(set) var logFiles: [URL] = []

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["INGESTD_BIN"] { return URL(fileURLWithPath: path) }
        // The test bundle is built next to the executables it depends on.
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("ingestd")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return here.appendingPathComponent(".build/debug/ingestd")
    }

    /// Runs the binary to completion: its exit status, stdout and stderr.
    static func run(_ args: [String], cwd: URL? = nil, environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Both pipes are drained before the wait, so a chatty command cannot fill one and stall.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    static var python3: String { Python3.executable }

    /// A copy of the shipped pipelines/ at `folder`/pipelines, with the wasm plugins built into
    /// it as scripts/build-plugins builds them (they are build products, not in the repository).
    static func copyPipelinesWithPlugins(into folder: URL) throws -> URL {
        let copy = folder.appendingPathComponent("pipelines")
        try FileManager.default.copyItem(at: repository.appendingPathComponent("pipelines"), to: copy)
        let build = Process()
        build.executableURL = repository.appendingPathComponent("scripts/build-plugins")
        build.arguments = [copy.appendingPathComponent("plugins").path]
        build.standardOutput = FileHandle.nullDevice
        try build.run()
        build.waitUntilExit()
        guard build.terminationStatus == 0 else { throw Failure("scripts/build-plugins failed (\(build.terminationStatus))") }
        return copy
    }

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// - Parameter edit: changes to the shipped default pipeline text, applied in order.
    init(edits: [(String, String)] = [], file: StaticString = #filePath, line: UInt = #line) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ingestd-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var yaml = try String(contentsOf: Self.repository.appendingPathComponent("pipelines/news.yaml"), encoding: .utf8)
        for (from, to) in edits {
            XCTAssertTrue(yaml.contains(from), "the default pipeline no longer contains \(from)", file: file, line: line)
            yaml = yaml.replacingOccurrences(of: from, with: to)
        }
        // Any free port: daemons of tests that run side by side must not fight over 9464.
        yaml = yaml.replacingOccurrences(of: "listen: 127.0.0.1:9464", with: "listen: 127.0.0.1:0")
        pipeline = root.appendingPathComponent("news.yaml")
        try yaml.write(to: pipeline, atomically: true, encoding: .utf8)
        // The data files the pipeline names, beside it as they ship.
        try FileManager.default.copyItem(at: Self.repository.appendingPathComponent("pipelines/gazetteers"),
                                         to: root.appendingPathComponent("gazetteers"))
    }

    func dir(_ name: String) -> URL { root.appendingPathComponent(name) }
    var records: URL { root.appendingPathComponent("records/records.jsonl") }

    func names(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir(folder).path)) ?? []).sorted()
    }

    /// Starts `ingestd run` and waits for its start-up log line.
    /// - Parameter environment: variables added to the test's own (a fake `NOTIFY_SOCKET`).
    func start(asUser user: String? = nil, extraArguments: [String] = [], environment: [String: String] = [:]) throws {
        let p = Process()
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        var args = ["run", "--pipeline", pipeline.path] + extraArguments
        if let user {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            args = ["--reuid=\(user)", "--regid=\(user == "nobody" ? "nogroup" : user)", "--clear-groups", Self.binary.path] + args
        } else {
            p.executableURL = Self.binary
        }
        p.arguments = args
        let log = root.appendingPathComponent("daemon-\(logFiles.count).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        logFiles.append(log)
        p.standardError = try FileHandle(forWritingTo: log)
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        process = p
        try waitUntil("the daemon logs that it started", timeout: 20) {
            (try? String(contentsOf: log, encoding: .utf8))?.contains("\"msg\":\"ingestd started\"") ?? false
                || !p.isRunning
        }
        guard p.isRunning else {
            throw Failure("ingestd exited at start-up: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
    }

    /// Writes a file the way users are told to: under an ignored temporary name, then renamed.
    func drop(_ name: String, _ bytes: [UInt8]) throws { try Self.drop(name, bytes, into: dir("inbox")) }

    static func drop(_ name: String, _ bytes: [UInt8], into inbox: URL) throws {
        let tmp = inbox.appendingPathComponent(".\(name).part")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        try Data(bytes).write(to: tmp)
        guard rename(tmp.path, inbox.appendingPathComponent(name).path) == 0 else { throw Failure("rename failed") }
    }

    /// Starts dropping `names` (the i-th holding `distinctArticle(i)`) on a thread of its own,
    /// about 400 a second, so a test can kill the daemon while files stream in; the semaphore
    /// is signalled once all are in.
    /// `offset`: the first name holds `distinctArticle(offset)`.
    func streamDistinctArticles(_ names: [String], offset: Int = 0) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        let inbox = dir("inbox")
        Thread {
            for (i, name) in names.enumerated() {
                try? Self.drop(name, Array(distinctArticle(offset + i).utf8), into: inbox)
                if i % 20 == 19 { usleep(50_000) }
            }
            done.signal()
        }.start()
        return done
    }

    func drop(_ name: String, text: String) throws { try drop(name, Array(text.utf8)) }

    /// SIGTERM, then the exit status.
    @discardableResult
    func stop(timeout: TimeInterval = 20) throws -> Int32 {
        guard let p = process else { return -1 }
        p.terminate()
        try waitUntil("the daemon exits after SIGTERM", timeout: timeout) { !p.isRunning }
        process = nil
        return p.terminationStatus
    }

    func kill9() throws {
        guard let p = process else { return }
        kill(p.processIdentifier, SIGKILL)
        try waitUntil("the daemon dies", timeout: 10) { !p.isRunning }
        process = nil
    }

    func recordLines() throws -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: records.path) else { return [] }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            guard let obj = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] else { throw Failure("not an object: \($0)") }
            return obj
        }
    }

    func logLines() -> [[String: Any]] {
        logFiles.flatMap { url -> [[String: Any]] in
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
    }

    func cleanUp() {
        if let p = process, p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        try? FileManager.default.removeItem(at: root)
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Polls a condition that the test cannot be notified about (another process's files).
func waitUntil(_ what: String, timeout: TimeInterval, _ condition: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        if Date() > deadline { throw Failure("timed out after \(timeout)s waiting until \(what)") }
        usleep(20_000)
    }
}

/// Article-like text made up for the tests: a headline, a byline, a date and paragraphs.
func sampleArticle(_ n: Int, paragraphs: Int = 3) -> String {
    let topics = ["harbour expansion", "river cleanup", "school budget", "rail strike", "solar farm"]
    let topic = topics[n % topics.count]
    var lines = ["Council debates \(topic) plan number \(n)", "By Ada Quill", "March \(1 + n % 27), 2021", ""]
    for p in 0..<paragraphs {
        lines.append("Officials met on Tuesday to discuss the \(topic), item \(n)-\(p), and said the vote would come next month after a public hearing. "
                     + "Residents who spoke at the meeting asked for more detail on costs and on the timetable for the work.")
        lines.append("")
    }
    return lines.joined(separator: "\n")
}

/// An article whose words are drawn at random (seeded by `n`) from a small vocabulary, so
/// that any two are different documents, not near duplicates of one template.
func distinctArticle(_ n: Int, words: Int = 120) -> String {
    let vocabulary = ("council harbour river school budget strike solar farm vote hearing residents officials month "
        + "cost timetable bridge road rail station water board plan report minister court police market price "
        + "energy trade union teacher hospital doctor nurse patient family village town city region coast valley "
        + "storm flood drought harvest factory worker wage tax levy fund grant loan bank bond share profit loss "
        + "election campaign party leader mayor senator judge jury witness trial appeal verdict sentence prison "
        + "museum library theatre festival concert film book author painter singer player coach match season")
        .split(separator: " ").map(String.init)
    var state = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15 &+ 1
    var out = ["Report \(n) on local affairs", "By Ada Quill", ""]
    var sentence: [String] = []
    for k in 0..<words {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        sentence.append(vocabulary[Int((state >> 33) % UInt64(vocabulary.count))])
        if k % 12 == 11 { out.append(sentence.joined(separator: " ").capitalized + "."); sentence = [] }
    }
    return out.joined(separator: "\n") + "\n"
}
