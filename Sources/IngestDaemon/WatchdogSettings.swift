import Foundation

/// systemd's watchdog as sd_watchdog_enabled(3) reads it: `WATCHDOG_USEC` set by the service
/// manager (from `WatchdogSec=`), meant for this process when `WATCHDOG_PID` is unset or ours.
struct WatchdogSettings: Sendable, Equatable {
    /// Seconds within which systemd must hear `WATCHDOG=1`.
    var interval: Double

    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                pid: Int32 = getpid()) -> WatchdogSettings? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid { return nil }
        return WatchdogSettings(interval: Double(usec) / 1e6)
    }

    /// Pings at half the interval, as sd_watchdog_enabled's manual advises.
    var pingEvery: Double { interval / 2 }
}
