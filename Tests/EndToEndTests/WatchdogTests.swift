import Foundation
import XCTest

/// systemd's watchdog and STATUS lines, against a fake `NOTIFY_SOCKET`: pings while the
/// pipeline is healthy (idle counts), none once a stage has held a document past
/// `runtime.stall_timeout`.
final class WatchdogTests: XCTestCase {
    /// A wasm-plugin/1 module whose `process` never returns: `(loop (br 0))`. With a fuel
    /// budget no document exhausts, nothing but the watchdog notices: wasm stages have no timeout.
    static let spinningModule: [UInt8] = [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
        // types: (i32) -> i32, (i32, i32) -> i64
        0x01, 0x0c, 0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7e,
        // functions: alloc is type 0, process type 1
        0x03, 0x03, 0x02, 0x00, 0x01,
        // one memory of one page
        0x05, 0x03, 0x01, 0x00, 0x01,
        // exports: memory, alloc, process
        0x07, 0x1c, 0x03,
        0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00,
        0x05, 0x61, 0x6c, 0x6c, 0x6f, 0x63, 0x00, 0x00,
        0x07, 0x70, 0x72, 0x6f, 0x63, 0x65, 0x73, 0x73, 0x00, 0x01,
        // code: alloc returns 1024; process loops forever, then (never) returns 0
        0x0a, 0x11, 0x02,
        0x05, 0x00, 0x41, 0x80, 0x08, 0x0b,
        0x09, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x42, 0x00, 0x0b,
    ]

    func testWatchdogPingsStopWhenAStageWedgesAndTheReasonIsLogged() throws {
        let h = try DaemonHarness(edits: [
            ("  shutdown_timeout: 10s", "  shutdown_timeout: 10s\n  stall_timeout: 2s"),
            ("    invalid_utf8: repair   # repair | reject\n", """
                invalid_utf8: repair   # repair | reject
              - use: wasm
                name: spin
                module: spin.wasm
                fuel: 9223372036854775807

            """),
        ])
        defer { h.cleanUp() }
        try Data(Self.spinningModule).write(to: h.root.appendingPathComponent("spin.wasm"))
        let notify = try NotifyListener(in: h.root)
        defer { notify.stop() }
        // One second: a ping every half second while healthy. No WATCHDOG_PID: any process may ping.
        try h.start(environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"])

        try waitUntil("READY=1 and a status line arrive", timeout: 20) {
            notify.messages.contains { $0.contains("READY=1") && $0.contains("STATUS=recorded 0 · rejected 0 · queue 0") }
        }
        try waitUntil("the idle daemon pings the watchdog", timeout: 20) { notify.count("WATCHDOG=1") >= 3 }

        try h.drop("wedge.txt", text: distinctArticle(1))
        try waitUntil("the wedge is logged", timeout: 30) {
            h.logLines().contains { $0["msg"] as? String == "watchdog pings stopped: a document has been in one stage for too long" }
        }
        let stalled = try XCTUnwrap(h.logLines().first { ($0["msg"] as? String)?.hasPrefix("watchdog pings stopped") ?? false })
        XCTAssertEqual(stalled["level"] as? String, "critical")
        XCTAssertEqual(stalled["stage"] as? String, "spin")
        XCTAssertTrue((stalled["path"] as? String)?.hasSuffix("wedge.txt") ?? false, "\(stalled)")
        XCTAssertNotNil(stalled["doc"] as? String)
        XCTAssertNotNil(stalled["since"] as? String)

        // Six ping periods: a daemon that still pinged would have sent several.
        let pings = notify.count("WATCHDOG=1")
        Thread.sleep(forTimeInterval: 3)
        XCTAssertEqual(notify.count("WATCHDOG=1"), pings, "no WATCHDOG=1 after the wedge")
        XCTAssertEqual(h.logLines().filter { ($0["msg"] as? String)?.hasPrefix("watchdog pings stopped") ?? false }.count, 1,
                       "the reason is logged once, not at every missed ping")
        XCTAssertTrue(h.process?.isRunning ?? false, "stopping is systemd's decision, not the daemon's")
    }

    func testWatchdogSettingsMeantForAnotherProcessAreIgnored() throws {
        let h = try DaemonHarness(edits: [("summary_interval: 60s", "summary_interval: 0")])
        defer { h.cleanUp() }
        let notify = try NotifyListener(in: h.root)
        defer { notify.stop() }
        // WATCHDOG_PID names another process (pid 1): sd_watchdog_enabled says this one must not ping.
        try h.start(environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"])
        try h.drop("a.txt", text: distinctArticle(2))
        try waitUntil("a status line shows the record", timeout: 20) {
            notify.messages.contains { $0.contains("STATUS=recorded 1 · rejected 0 · queue 0") }
        }
        XCTAssertEqual(try h.stop(), 0)
        XCTAssertEqual(notify.count("WATCHDOG=1"), 0)
        XCTAssertEqual(notify.count("STOPPING=1"), 1)
    }

    /// A plugin may hold a document up to its timeout (after a restart): a stall_timeout that
    /// is not longer would have systemd restart a daemon that only waits as configured.
    func testValidateRefusesAStallTimeoutAPluginMayOutwait() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stall-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func validate(_ runtime: String, timeout: String) throws -> (status: Int32, err: String, file: String) {
            let file = dir.appendingPathComponent("p-\(UUID().uuidString).yaml")
            try """
                runtime:
                  \(runtime)
                stages:
                  - use: normalize
                  - use: exec
                    name: slow
                    command: [/bin/cat]
                    timeout: \(timeout)
                """.write(to: file, atomically: true, encoding: .utf8)
            let r = try DaemonHarness.run(["validate", file.path])
            return (r.status, r.err, file.path)
        }
        let explicit = try validate("stall_timeout: 20s", timeout: "10s")
        XCTAssertEqual(explicit.status, 1)
        XCTAssertTrue(explicit.err.hasPrefix("\(explicit.file):2:3: stage 'slow' may hold a document for 20s"), explicit.err)
        let byDefault = try validate("concurrency: 1", timeout: "10m")
        XCTAssertEqual(byDefault.status, 1)
        XCTAssertTrue(byDefault.err.hasPrefix("\(byDefault.file):5:5: stage 'slow' may hold a document for 610s"), byDefault.err)
        XCTAssertEqual(try validate("stall_timeout: 30s", timeout: "10s").status, 0)
    }
}
