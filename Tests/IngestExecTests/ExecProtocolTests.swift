import Foundation
import IngestCore
import IngestExec
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// plugin/1 as a well-behaved plugin sees it: handshake, requests, answers, stderr, environment.
final class ExecProtocolTests: XCTestCase {
    private var fx: PluginFixture!

    override func setUpWithError() throws { fx = try PluginFixture() }
    override func tearDown() { fx.remove() }

    func testHandshakeCarriesStageAndOptionsAndAnEchoAnswerComesBack() async throws {
        let cmd = try fx.python("""
        for line in sys.stdin:
            m = json.loads(line)
            send({"id": m["id"], "set": {"extensions.echo": {"hello": HELLO, "doc": m["document"]}}})
        """)
        let engine = fx.engine(fx.settings(cmd, name: "echo") { $0.options = .object([("desk", .string("asia"))]) })
        try await engine.start()
        let answer = try await engine.process(id: "d1", document: .object([("title", .string("Hi"))]), allowedWrites: ["extensions.echo"])
        await engine.stop()
        let value = try XCTUnwrap(answer.value("extensions.echo"))
        XCTAssertEqual(value.member("hello"), .object([
            ("ingestd", .string("plugin/1")), ("stage", .string("echo")), ("options", .object([("desk", .string("asia"))])),
        ]))
        XCTAssertEqual(value.member("doc"), .object([("title", .string("Hi"))]))
        XCTAssertEqual(engine.health.state, .stopped)
    }

    func testAnswersOutOfOrderAreMatchedToTheirDocumentsById() async throws {
        // Holds four requests, then answers them last first.
        let cmd = try fx.python("""
        held = []
        for line in sys.stdin:
            held.append(json.loads(line))
            if len(held) == 4:
                for m in reversed(held):
                    send({"id": m["id"], "set": {"extensions.t": m["document"]["n"]}})
                held = []
        """)
        let engine = fx.engine(fx.settings(cmd) { $0.maxPending = 4 })
        try await engine.start()
        let results = try await withThrowingTaskGroup(of: (Int, JSONValue?).self) { group in
            for n in 0..<8 {
                group.addTask {
                    let a = try await engine.process(id: "doc-\(n)", document: .object([("n", .int(n))]), allowedWrites: ["extensions.t"])
                    return (n, a.value("extensions.t"))
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        await engine.stop()
        XCTAssertEqual(results.count, 8)
        for (n, v) in results { XCTAssertEqual(v, .int(n)) }
    }

    func testNoMoreThanMaxPendingDocumentsAreInFlightPerProcess() async throws {
        // Reads everything written to it before answering the oldest, waiting up to a second for
        // more while it holds fewer than 3 (a loaded machine may be slow to send the next one),
        // and reports how many it held: the engine's bound is the only thing keeping that down.
        let cmd = try fx.python("""
        import select
        buf, held = b"", []
        fd = sys.stdin.fileno()
        while True:
            r, _, _ = select.select([fd], [], [], None if not held else (0 if len(held) >= 3 else 1.0))
            if r:
                chunk = os.read(fd, 65536)
                if not chunk: break
                buf += chunk
                *lines, buf = buf.split(b"\\n")
                held += [json.loads(l) for l in lines if l]
                continue
            time.sleep(0.01)
            m = held.pop(0)
            send({"id": m["id"], "set": {"extensions.t": len(held) + 1}})
        """)
        // (The prelude's buffered readline of the handshake cannot swallow requests: none is
        // sent before the plugin says it is ready.)
        let engine = fx.engine(fx.settings(cmd) { $0.maxPending = 3 })
        try await engine.start()
        let held = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<15 {
                group.addTask {
                    let a = try await engine.process(id: "d\(n)", document: .object([]), allowedWrites: ["extensions.t"])
                    guard case .int(let h)? = a.value("extensions.t") else { return -1 }
                    return h
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        await engine.stop()
        XCTAssertEqual(held.count, 15)
        XCTAssertLessThanOrEqual(held.max() ?? 99, 3, "the plugin held more than max_pending documents: \(held)")
        XCTAssertEqual(held.max(), 3, "pipelining never filled the window: \(held)")
    }

    func testInstancesShareTheDocuments() async throws {
        let cmd = try fx.python("""
        for line in sys.stdin:
            m = json.loads(line)
            time.sleep(0.005)
            send({"id": m["id"], "set": {"extensions.t": os.getpid()}})
        """)
        let engine = fx.engine(fx.settings(cmd) { $0.instances = 2; $0.maxPending = 2 })
        try await engine.start()
        XCTAssertEqual(engine.health.live, 2)
        let pids = try await withThrowingTaskGroup(of: JSONValue?.self) { group in
            for n in 0..<20 {
                group.addTask { try await engine.process(id: "d\(n)", document: .object([]), allowedWrites: ["extensions.t"]).value("extensions.t") }
            }
            return try await group.reduce(into: Set<Int>()) { if case .int(let p)? = $1 { $0.insert(p) } }
        }
        XCTAssertEqual(pids, Set(engine.pids.map(Int.init)))
        await engine.stop()
        XCTAssertEqual(pids.count, 2)
    }

    func testRejectAndDropAnswersAndAWriteOutsideWritesIsAProtocolFaultWithEvidence() async throws {
        let cmd = try fx.python("""
        for line in sys.stdin:
            m = json.loads(line)
            k = m["document"]["kind"]
            if k == "reject": send({"id": m["id"], "reject": "not for this desk"})
            elif k == "drop": send({"id": m["id"], "drop": "wire copy"})
            else: send({"id": m["id"], "set": {"extensions.t": 1, "title": "rewritten"}})
        """)
        let engine = fx.engine(fx.settings(cmd, name: "house-tags"))
        try await engine.start()
        let pid = engine.pids
        let rejected = await rejection { () async throws(Rejection) in
            try await engine.process(id: "r", document: .object([("kind", .string("reject"))]), allowedWrites: ["extensions.t"])
        }
        XCTAssertEqual(rejected, Rejection(.pluginRejected, "not for this desk", stage: "house-tags"))
        let dropped = try await engine.process(id: "d", document: .object([("kind", .string("drop"))]), allowedWrites: ["extensions.t"])
        XCTAssertEqual(dropped, .drop(reason: "wire copy"))
        let outside = await rejection { () async throws(Rejection) in
            try await engine.process(id: "w", document: .object([("kind", .string("write"))]), allowedWrites: ["extensions.t"])
        }
        XCTAssertEqual(outside?.code, .pluginProtocol)
        XCTAssertEqual(outside?.stage, "house-tags")
        XCTAssertTrue(outside?.message.contains("\"title\"") ?? false, outside?.message ?? "")
        XCTAssertEqual(outside?.evidence, #"{"id": "w", "set": {"extensions.t": 1, "title": "rewritten"}}"#)
        // The plugin broke the contract for one document only: its process is kept.
        XCTAssertEqual(engine.pids, pid)
        XCTAssertEqual(engine.health.restarts, 0)
        await engine.stop()
    }

    func testStderrLinesBecomeLogLinesWithStageAndPid() async throws {
        let cmd = try fx.python("""
        sys.stderr.write("plain words\\n"); sys.stderr.flush()
        log(level="warning", msg="model is stale", age_days=3)
        log(level="error", message="spelled out")
        for line in sys.stdin:
            m = json.loads(line)
            send({"id": m["id"], "set": {}})
        """)
        let engine = fx.engine(fx.settings(cmd, name: "loud"))
        try await engine.start()
        _ = try await engine.process(id: "x", document: .object([]), allowedWrites: [])
        let pid = "\(engine.pids[0])"
        await engine.stop()
        let lines = fx.log.lines.filter { $0.fields["pid"] == pid && $0.fields["stage"] == "loud" }
        let plain = lines.first { $0.message == "plain words" }
        XCTAssertEqual(plain?.level, .info)
        let stale = lines.first { $0.message == "model is stale" }
        XCTAssertEqual(stale?.level, .warning)
        XCTAssertEqual(stale?.fields["age_days"], "3")
        XCTAssertEqual(lines.first { $0.message == "spelled out" }?.level, .error)
    }

    func testEnvironmentIsClearedButPathLangAndTheConfiguredOnesAndNoDescriptorLeaks() async throws {
        // A descriptor the daemon opened without O_CLOEXEC must not reach the plugin.
        let leaky = open("/dev/null", O_RDONLY)
        XCTAssertGreaterThan(leaky, 2)
        defer { close(leaky) }
        setenv("INGESTD_TEST_SECRET", "hunter2", 1)
        defer { unsetenv("INGESTD_TEST_SECRET") }
        let cmd = try fx.python("""
        for line in sys.stdin:
            m = json.loads(line)
            fds = sorted(int(f) for f in os.listdir("/proc/self/fd"))
            send({"id": m["id"], "set": {"extensions.t": {"env": sorted(os.environ.keys()), "model": os.environ.get("MODEL_DIR"), "fds": fds}}})
        """)
        let engine = fx.engine(fx.settings(cmd) { $0.environment = ["MODEL_DIR": "/models"] })
        try await engine.start()
        let answer = try await engine.process(id: "e", document: .object([]), allowedWrites: ["extensions.t"])
        await engine.stop()
        let value = try XCTUnwrap(answer.value("extensions.t"))
        let keys = Set((value.member("env")?.arrayValue ?? []).compactMap(\.stringValue))
        // Python may add LC_CTYPE itself when coercing the C locale.
        XCTAssertTrue(keys.isSubset(of: ["PATH", "LANG", "MODEL_DIR", "LC_CTYPE"]), "\(keys)")
        XCTAssertTrue(keys.contains("PATH") && keys.contains("MODEL_DIR"))
        XCTAssertEqual(value.member("model"), .string("/models"))
        // 0, 1, 2 and the one listdir itself opened.
        let fds = (value.member("fds")?.arrayValue ?? []).compactMap { v -> Int? in if case .int(let i) = v { return i } else { return nil } }
        XCTAssertEqual(fds.count, 4, "\(fds)")
        XCTAssertEqual(Array(fds.prefix(3)), [0, 1, 2])
    }
}

extension ExecProtocolTests {
    func testADuplicateIdWaitsForTheFirstToBeAnswered() async throws {
        // Answers a request only when the next one arrives, or after 0.3 s: two requests
        // with one id on the line at once would be answered with one id twice.
        let cmd = try fx.python("""
        import select
        seen = set()
        for line in sys.stdin:
            m = json.loads(line)
            if m["id"] in seen: send({"id": m["id"], "reject": "duplicate in flight"}); continue
            seen.add(m["id"])
            time.sleep(0.3)
            seen.discard(m["id"])
            send({"id": m["id"], "set": {"extensions.t": m["document"]["n"]}})
        """)
        let engine = fx.engine(fx.settings(cmd))
        try await engine.start()
        async let a = outcome(engine, "same", .object([("n", .int(1))]))
        async let b = outcome(engine, "same", .object([("n", .int(2))]))
        let values = try await [a.get().value("extensions.t"), b.get().value("extensions.t")]
        await engine.stop()
        XCTAssertEqual(Set(values.compactMap { $0 }.map { $0.serialized() }), ["1", "2"])
    }
}
