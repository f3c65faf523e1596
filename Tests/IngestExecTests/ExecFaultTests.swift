import Foundation
import IngestCore
import IngestExec
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Every fault of plugin/1 and its outcome: nothing lost, nothing answered twice.
final class ExecFaultTests: XCTestCase {
    private var fx: PluginFixture!

    override func setUpWithError() throws { fx = try PluginFixture() }
    override func tearDown() { fx.remove() }

    private func doc(_ kind: String) -> JSONValue { .object([("kind", .string(kind))]) }

    /// Answers `{"extensions.t": pid}`, and misbehaves as the document's `kind` says.
    private func misbehaving(_ cases: String) throws -> [String] {
        try fx.python("""
        for line in sys.stdin:
            m = json.loads(line)
            kind = m["document"]["kind"]
        \(cases.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            send({"id": m["id"], "set": {"extensions.t": os.getpid()}})
        """)
    }

    func testACrashIsRetriedOnceOnAFreshProcessThenRejectedAsCrashed() async throws {
        let marker = fx.path("crashed-once")
        let cmd = try misbehaving("""
        if kind == "always": os._exit(3)
        if kind == "once" and not os.path.exists("\(marker)"):
            open("\(marker)", "w").close(); os.kill(os.getpid(), 9)
        """)
        let engine = fx.engine(fx.settings(cmd, name: "crashy"))
        try await engine.start()
        let first = engine.pids
        let once = try await engine.process(id: "once", document: doc("once"), allowedWrites: ["extensions.t"])
        let second = engine.pids
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(once.value("extensions.t"), .int(Int(second[0])), "retried on the fresh process")
        let always = await rejection { () async throws(Rejection) in
            try await engine.process(id: "always", document: self.doc("always"), allowedWrites: ["extensions.t"])
        }
        XCTAssertEqual(always?.code, .pluginCrashed)
        XCTAssertEqual(always?.stage, "crashy")
        XCTAssertTrue(always?.message.contains("exit status 3") ?? false, always?.message ?? "")
        // The engine is still serving.
        await eventually("a process is back") { engine.health.live == 1 }
        _ = try await engine.process(id: "after", document: doc("ok"), allowedWrites: ["extensions.t"])
        XCTAssertEqual(engine.health.restarts, 3)
        await engine.stop()
    }

    /// The documents a crashed process held are retried one at a time, so the one that kills
    /// the process again is rejected alone and the others are answered. (The first time, the
    /// poison document waits until the process has had both others before it kills it, so what
    /// it holds is retried. The engine writes to the process from the submitting threads, so
    /// under load one of the others may reach it before the poison does: it is then answered
    /// first, and the poison waits for the other one only.)
    func testRetriedDocumentsGoOneAtATimeSoOnlyTheCulpritIsRejected() async throws {
        let held = fx.path("held-both")
        let cmd = try misbehaving("""
        if "others" not in globals(): others = 0
        if kind == "poison" and not os.path.exists("\(held)"):
            while others < 2:
                sys.stdin.readline(); others += 1
            open("\(held)", "w").close(); os._exit(3)
        if kind == "poison": os._exit(3)
        others += 1
        """)
        let engine = fx.engine(fx.settings(cmd, name: "crashy"))
        try await engine.start()
        let bad = doc("poison"), ok = doc("ok")
        async let poison = outcome(engine, "poison", bad)
        await eventually("the poison document is in flight") { engine.health.inFlight == 1 }
        async let a = outcome(engine, "a", ok)
        async let b = outcome(engine, "b", ok)
        let (p, x, y) = await (poison, a, b)
        XCTAssertEqual(p.rejection?.code, .pluginCrashed)
        XCTAssertNil(x.rejection, "an innocent document held by the crashed process is answered on retry")
        XCTAssertNil(y.rejection)
        await engine.stop()
    }

    /// With two instances, one that says ready and dies while the other is still starting fails
    /// the start at once instead of leaving it waiting for a restart that only comes once running.
    func testAnInstanceThatDiesAfterReadyWhileAnotherStartsFailsTheStart() async throws {
        let marker = fx.path("first")
        let cmd = try fx.python("""
        try:
            os.close(os.open("\(marker)", os.O_CREAT | os.O_EXCL)); send({"ready": True}); time.sleep(0.2); os._exit(3)
        except FileExistsError:
            time.sleep(1.5); send({"ready": True})
        for line in sys.stdin: pass
        """, handshake: false)
        let engine = fx.engine(fx.settings(cmd, name: "flaky") { $0.instances = 2 })
        let started = Date()
        do {
            try await engine.start()
            XCTFail("the start should fail")
        } catch let error as ExecPluginStartError {
            XCTAssertTrue(error.message.contains("during start-up"), error.message)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 15)
        await engine.stop()
    }

    /// A plugin that dies leaving a child that holds its stdout open is noticed when it exits,
    /// not at the document's timeout.
    func testAPluginThatDiesLeavingAChildOnItsStdoutIsSeenToCrash() async throws {
        let cmd = try misbehaving("""
        if kind == "orphan":
            import subprocess; subprocess.Popen(["sleep", "120"]); os._exit(3)
        """)
        let engine = fx.engine(fx.settings(cmd, name: "orphaning") { $0.timeout = .seconds(60) })
        try await engine.start()
        let orphan = doc("orphan")
        let result = await outcome(engine, "o", orphan)
        XCTAssertEqual(result.rejection?.code, .pluginCrashed, "a timeout here means the exit went unseen")
        _ = try await engine.process(id: "after", document: doc("ok"), allowedWrites: ["extensions.t"])
        await engine.stop()
    }

    /// Documents sent together with a stuck one pass their deadlines with it on a plugin that
    /// works one at a time; only the stuck one is the timeout, the others are answered on retry.
    func testDocumentsQueuedBehindAStuckOneAreRetriedNotTimedOut() async throws {
        let cmd = try misbehaving("""
        if kind == "hang": time.sleep(3600)
        """)
        let engine = fx.engine(fx.settings(cmd) { $0.timeout = .milliseconds(500) })
        try await engine.start()
        let hang = doc("hang"), ok = doc("ok")
        async let stuck = outcome(engine, "stuck", hang)
        async let a = outcome(engine, "a", ok)
        async let b = outcome(engine, "b", ok)
        let (s, x, y) = await (stuck, a, b)
        XCTAssertEqual(s.rejection?.code, .pluginTimeout)
        XCTAssertNil(x.rejection)
        XCTAssertNil(y.rejection)
        await engine.stop()
    }

    func testATimeoutRejectsTheDocumentRestartsTheProcessAndRetriesItsOtherDocuments() async throws {
        let cmd = try misbehaving("""
        if kind == "hang": time.sleep(3600)
        """)
        let engine = fx.engine(fx.settings(cmd) { $0.timeout = .milliseconds(700) })
        try await engine.start()
        let wedged = engine.pids
        let hang = doc("hang"), ok = doc("ok")
        async let hung = outcome(engine, "hang", hang)
        // Queued behind the hanging document on the same (only) process.
        await eventually("the hanging document is in flight") { engine.health.inFlight == 1 }
        // Well inside the hanging one's deadline, so only that one has passed when it fires.
        try await Task.sleep(for: .milliseconds(250))
        async let behind = outcome(engine, "behind", ok)
        let timedOut = await hung.rejection
        XCTAssertEqual(timedOut?.code, .pluginTimeout)
        let answer = try await behind.get()
        XCTAssertNotEqual(answer.value("extensions.t"), .int(Int(wedged[0])), "answered by the fresh process")
        await eventually("the wedged process is gone") { kill(wedged[0], 0) == -1 }
        await engine.stop()
    }

    func testALineThatIsNotJSONRestartsTheProcessAndEndsAsAProtocolFaultWithEvidence() async throws {
        let cmd = try misbehaving("""
        if kind == "garbage":
            sys.stdout.write("Traceback? no, just garbage\\n"); sys.stdout.flush(); continue
        """)
        let engine = fx.engine(fx.settings(cmd))
        try await engine.start()
        let r = await rejection { () async throws(Rejection) in
            try await engine.process(id: "g", document: self.doc("garbage"), allowedWrites: ["extensions.t"])
        }
        XCTAssertEqual(r?.code, .pluginProtocol)
        XCTAssertEqual(r?.evidence, "Traceback? no, just garbage")
        await eventually("restarted after each of the two attempts") { engine.health.restarts == 2 }
        await engine.stop()
    }

    func testAProcessThatClosesItsStdoutButLivesOnIsEndedAndItsDocumentsRetried() async throws {
        let cmd = try misbehaving("""
        if kind == "mute":
            os.close(1); time.sleep(3600)
        """)
        let engine = fx.engine(fx.settings(cmd))
        try await engine.start()
        let mute = engine.pids[0]
        let r = await rejection { () async throws(Rejection) in
            try await engine.process(id: "m", document: self.doc("mute"), allowedWrites: ["extensions.t"])
        }
        XCTAssertEqual(r?.code, .pluginCrashed)
        XCTAssertTrue(r?.message.contains("SIGKILL") ?? false, r?.message ?? "")
        await eventually("the mute process is gone") { kill(mute, 0) == -1 }
        await eventually("a process is back") { engine.health.live == 1 }
        _ = try await engine.process(id: "ok", document: doc("ok"), allowedWrites: ["extensions.t"])
        await engine.stop()
    }

    func testAnAnswerWithAnUnknownIdIsAProtocolFault() async throws {
        let cmd = try misbehaving("""
        if kind == "stranger":
            send({"id": "nobody-sent-this", "set": {}}); continue
        """)
        let engine = fx.engine(fx.settings(cmd))
        try await engine.start()
        let r = await rejection { () async throws(Rejection) in
            try await engine.process(id: "s", document: self.doc("stranger"), allowedWrites: ["extensions.t"])
        }
        XCTAssertEqual(r?.code, .pluginProtocol)
        XCTAssertEqual(r?.evidence, #"{"id": "nobody-sent-this", "set": {}}"#)
        XCTAssertTrue(engine.health.lastFault?.contains("nobody-sent-this") ?? false)
        await engine.stop()
    }

    func testAnOverlongLineIsCutAtTheLimitAndTheEvidenceIsTruncated() async throws {
        let cmd = try misbehaving("""
        if kind == "flood":
            sys.stdout.write("x" * 200000); sys.stdout.flush(); time.sleep(3600)
        """)
        let engine = fx.engine(fx.settings(cmd) { $0.maxLineBytes = 4096 })
        try await engine.start()
        let r = await rejection { () async throws(Rejection) in
            try await engine.process(id: "f", document: self.doc("flood"), allowedWrites: ["extensions.t"])
        }
        XCTAssertEqual(r?.code, .pluginProtocol)
        let evidence = r?.evidence ?? ""
        XCTAssertTrue(evidence.hasPrefix(String(repeating: "x", count: 1024)), evidence)
        XCTAssertLessThan(evidence.utf8.count, 1100)
        XCTAssertTrue(engine.health.lastFault?.contains("longer than 4096 bytes") ?? false, engine.health.lastFault ?? "")
        _ = try await engine.process(id: "ok", document: doc("ok"), allowedWrites: ["extensions.t"])
        await engine.stop()
    }

    func testAPluginThatKeepsCrashingGoesDownRejectsAtOnceAndRecoversWhenARestartSucceeds() async throws {
        // Crashes at start while the marker exists, so restarts fail until the test removes it.
        let broken = fx.path("broken")
        let cmd = try fx.python("""
        for line in sys.stdin:
            m = json.loads(line)
            open("\(broken)", "w").close()
            os._exit(1)
        """, name: "body.py")
        let script = try String(contentsOfFile: cmd[1], encoding: .utf8)
        try ("import os, sys\nif os.path.exists(\"\(broken)\"):\n    sys.stderr.write(\"model missing\\n\"); sys.exit(2)\n" + script)
            .write(toFile: cmd[1], atomically: true, encoding: .utf8)
        let engine = fx.engine(fx.settings(cmd, name: "flaky") { $0.maxFaults = 3 })
        try await engine.start()
        let crashed = await rejection { () async throws(Rejection) in
            try await engine.process(id: "a", document: .object([]), allowedWrites: [])
        }
        // The first crash, then failed restarts: down after the third fault.
        XCTAssertEqual(crashed?.code, .pluginUnavailable)
        XCTAssertEqual(engine.health.state, .down)
        let clock = ContinuousClock()
        let start = clock.now
        let refused = await rejection { () async throws(Rejection) in
            try await engine.process(id: "b", document: .object([]), allowedWrites: [])
        }
        XCTAssertLessThan(clock.now - start, .milliseconds(100), "rejected at once, not queued")
        XCTAssertEqual(refused?.code, .pluginUnavailable)
        XCTAssertEqual(refused?.stage, "flaky")
        XCTAssertTrue(refused?.message.contains("model missing") ?? false, refused?.message ?? "")

        try FileManager.default.removeItem(atPath: broken)
        await eventually("a restart succeeds") { engine.health.state == .ready }
        // Restarts were spaced out: at most a handful in this time, not a hot loop.
        XCTAssertLessThan(engine.health.restarts, 30)
        await engine.stop()
    }

    func testStartFailsWithThePluginsOwnErrorMessage() async throws {
        let cmd = try fx.python("""
        import sys, json
        sys.stdin.readline()
        sys.stderr.write("loading model\\n"); sys.stderr.flush()
        print(json.dumps({"error": "options.watch is missing"}), flush=True)
        import time; time.sleep(3600)
        """, handshake: false)
        let error = await startError(fx.settings(cmd, name: "needs-options"))
        XCTAssertEqual(error?.stage, "needs-options")
        XCTAssertTrue(error?.message.contains("options.watch is missing") ?? false, "\(String(describing: error))")
        XCTAssertEqual(error?.stderr, ["loading model"])
    }

    func testStartFailsWhenThePluginExitsWithATraceback() async throws {
        let cmd = try fx.python("raise SystemExit('no module named spacy')", handshake: false)
        let error = await startError(fx.settings(cmd))
        XCTAssertTrue(error?.message.contains("exited (exit status 1) before it was ready") ?? false, "\(String(describing: error))")
        XCTAssertEqual(error?.stderr.last, "no module named spacy")
    }

    func testStartFailsWhenTheFirstLineIsNotReady() async throws {
        let cmd = try fx.python("sys.stdin.readline(); print('hello, world', flush=True); sys.stdin.read()", handshake: false)
        let error = await startError(fx.settings(cmd))
        XCTAssertTrue(error?.message.contains("first line is not {\"ready\":true}: hello, world") ?? false, "\(String(describing: error))")
    }

    func testStartFailsWhenThePluginNeverAnswersTheHandshake() async throws {
        let cmd = try fx.python("time.sleep(3600)", handshake: false)
        let error = await startError(fx.settings(cmd) { $0.startTimeout = .milliseconds(500) })
        XCTAssertTrue(error?.message.contains("did not answer the handshake within 0.5s") ?? false, "\(String(describing: error))")
    }

    func testStartFailsWhenTheCommandDoesNotExist() async throws {
        let error = await startError(fx.settings(["no-such-plugin-binary"]))
        XCTAssertTrue(error?.message.contains("not found in PATH") ?? false, "\(String(describing: error))")
        let error2 = await startError(fx.settings(["/nonexistent/plugin"]))
        XCTAssertTrue(error2?.message.contains("cannot start /nonexistent/plugin") ?? false, "\(String(describing: error2))")
    }

    func testStopEndsAPluginThatIgnoresEndOfInputAndSIGTERM() async throws {
        let cmd = try fx.python("""
        import signal
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        sys.stdin.read()
        time.sleep(3600)
        """)
        let engine = fx.engine(fx.settings(cmd) { $0.stopGrace = .milliseconds(200) })
        try await engine.start()
        let pid = engine.pids[0]
        await engine.stop()
        XCTAssertEqual(kill(pid, 0), -1)
        XCTAssertEqual(errno, ESRCH)
    }

    func testStopLetsThePluginAnswerWhatItHolds() async throws {
        // Answers only when its input ends.
        let cmd = try fx.python("""
        held = [json.loads(l) for l in sys.stdin]
        for m in held: send({"id": m["id"], "set": {"extensions.t": "late"}})
        """)
        let engine = fx.engine(fx.settings(cmd))
        try await engine.start()
        async let answer = engine.process(id: "held", document: .object([]), allowedWrites: ["extensions.t"])
        await eventually("in flight") { engine.health.inFlight == 1 }
        await engine.stop()
        let value = try await answer.value("extensions.t")
        XCTAssertEqual(value, .string("late"))
    }

    private func startError(_ settings: ExecPluginSettings) async -> ExecPluginStartError? {
        let engine = fx.engine(settings)
        do {
            try await engine.start()
            XCTFail("start succeeded")
            await engine.stop()
            return nil
        } catch let error as ExecPluginStartError {
            XCTAssertEqual(engine.health.state, .stopped)
            return error
        } catch {
            XCTFail("\(error)")
            return nil
        }
    }
}
