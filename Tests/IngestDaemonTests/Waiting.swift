import Foundation

/// A condition a test waited for did not come about within its (generous) deadline.
struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting until \(what)" }
}

/// Polls a condition another thread brings about (the runner's workers, a sink's queue) every
/// 10 ms, up to `timeout` seconds.
func waitUntil(_ what: String, timeout: Double = 20, _ condition: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        if Date() > deadline { throw TimedOut(what: what) }
        usleep(10_000)
    }
}
