import Foundation
import LoopbackHTTP
import IngestCore
import IngestExec
import LogCapture
import Logging
import XCTest

/// A folder of tiny plugins written by a test, and the log lines the engine produced.
final class PluginFixture: @unchecked Sendable {
    let dir: URL
    let log = CapturedLog()

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    /// A Python plugin: `prelude` (send, log, the handshake answered) then `body`.
    func python(_ body: String, handshake: Bool = true, name: String = "plugin.py") throws -> [String] {
        let prelude = """
        import sys, json, os, time
        def send(o):
            sys.stdout.write(json.dumps(o) + "\\n"); sys.stdout.flush()
        def log(**f):
            sys.stderr.write(json.dumps(f) + "\\n"); sys.stderr.flush()
        HELLO = json.loads(sys.stdin.readline()) if \(handshake ? "True" : "False") else None
        if HELLO is not None: send({"ready": True})

        """
        let path = dir.appendingPathComponent(name)
        try (prelude + body + "\n").write(to: path, atomically: true, encoding: .utf8)
        return [Self.python3, path.path]
    }

    static var python3: String { Python3.executable }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func settings(_ command: [String], name: String = "t", configure: (inout ExecPluginSettings) -> Void = { _ in }) -> ExecPluginSettings {
        // Generous for the machine's load, except where a test is about a timeout.
        var s = ExecPluginSettings(name: name, command: command, timeout: .seconds(20), startTimeout: .seconds(20))
        s.initialBackoff = .milliseconds(10)
        s.maxBackoff = .milliseconds(200)
        s.stopGrace = .seconds(1)
        configure(&s)
        return s
    }

    func engine(_ settings: ExecPluginSettings) -> ExecPlugin {
        var logger = log.logger()
        logger.logLevel = .trace
        return ExecPlugin(settings: settings, logger: logger)
    }
}

extension XCTestCase {
    /// The rejection `body` threw, failing the test if it returned instead.
    func rejection(_ body: () async throws(Rejection) -> PluginAnswer, file: StaticString = #filePath, line: UInt = #line) async -> Rejection? {
        do {
            let answer = try await body()
            XCTFail("expected a rejection, got \(answer)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    /// Polls `condition` (tests only: the engine itself never polls) until true or 20 s pass.
    func eventually(_ what: String, file: StaticString = #filePath, line: UInt = #line, _ condition: () -> Bool) async {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition() {
            if ContinuousClock.now > deadline { XCTFail("never: \(what)", file: file, line: line); return }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// What `process` ended in, as a value a child task can hand back.
func outcome(_ engine: ExecPlugin, _ id: String, _ document: JSONValue, writes: [String] = ["extensions.t"]) async -> Result<PluginAnswer, Rejection> {
    do throws(Rejection) {
        return .success(try await engine.process(id: id, document: document, allowedWrites: writes))
    } catch {
        return .failure(error)
    }
}

extension Result {
    var rejection: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}

extension PluginAnswer {
    /// The value set at `path`, if this is a `.set`.
    func value(_ path: String) -> JSONValue? {
        guard case .set(let assignments) = self else { return nil }
        return assignments.first { $0.path == path }?.value
    }
}
