import Foundation
import XCTest

/// deploy/ingestd.service as systemd reads it: scripts/check-unit runs `systemd-analyze
/// verify` and keeps `systemd-analyze security` at or below 2.0.
final class SystemdUnitTests: XCTestCase {
    func testTheUnitVerifiesAndItsExposureStaysAtMostTwo() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            throw XCTSkip("systemd-analyze is not installed")
        }
        let p = Process()
        p.executableURL = DaemonHarness.repository.appendingPathComponent("scripts/check-unit")
        p.arguments = [DaemonHarness.binary.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("verify ok"), text)
    }

    /// The reload runs `ingestd validate` before the SIGHUP, so a bad file fails the reload
    /// itself; the watchdog is on.
    func testTheUnitValidatesBeforeItReloadsAndHasAWatchdog() throws {
        let unit = try String(contentsOf: DaemonHarness.repository.appendingPathComponent("deploy/ingestd.service"), encoding: .utf8)
        let lines = unit.split(separator: "\n").map(String.init)
        let reloads = lines.filter { $0.hasPrefix("ExecReload=") }
        XCTAssertEqual(reloads, ["ExecReload=/usr/local/bin/ingestd validate /etc/ingestd/news.yaml", "ExecReload=/bin/kill -HUP $MAINPID"])
        XCTAssertTrue(lines.contains { $0.hasPrefix("WatchdogSec=") })
    }
}
