import Foundation
import IngestExec
import XCTest

/// A plugin process that exits at once can be reaped before `start` begins to wait for the
/// handshakes: the start must still fail with that exit, not wait forever (seen on a reload,
/// where the daemon starts a new exec stage from a Dispatch thread).
final class ExecStartRaceTests: XCTestCase {
    func testAProcessThatExitsBeforeTheStartWaitsFailsTheStart() throws {
        let fx = try PluginFixture()
        defer { fx.remove() }
        for round in 0..<5 {
            // Many instances: the first exit while later ones are still being spawned.
            let engine = fx.engine(fx.settings(["/bin/false"]) { $0.instances = 16 })
            let finished = DispatchSemaphore(value: 0)
            let message = LockedMessage()
            Task {
                do { try await engine.start() } catch { message.set("\(error)") }
                finished.signal()
            }
            // A liveness bound, far above the milliseconds this takes: a lost exit waits for ever.
            XCTAssertEqual(finished.wait(timeout: .now() + 60), .success, "round \(round): the start never ended")
            XCTAssertTrue(message.get().contains("exited") || message.get().contains("during start-up"), "round \(round): \(message.get())")
        }
    }
}

final class LockedMessage: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    func set(_ t: String) { lock.withLock { text = t } }
    func get() -> String { lock.withLock { text } }
}
