import Foundation
import IngestCore
import Logging
import ServiceLifecycle

/// What systemd hears from the daemon (`Type=notify`): `READY=1` once the pipeline runs,
/// `STATUS=` whenever the status line changes, and `WATCHDOG=1` at half the watchdog interval
/// while the `Watchdog` finds the pipeline healthy. It is the first service of the group, so
/// the last stopped: the pings go on while the pipeline drains.
struct SystemdService: Service {
    let runner: PipelineRunner
    let watchdog: Watchdog
    let settings: WatchdogSettings?
    let sourceStatus: @Sendable () -> [String]

    func run() async throws {
        let status: @Sendable () -> String = { [runner, sourceStatus] in
            StatusLine.make(runner.snapshot, queued: runner.queued, sources: sourceStatus(), health: runner.source.health)
        }
        let first = status()
        SystemdNotifier.notify("READY=1\nSTATUS=" + first)
        if settings != nil, watchdog.healthy() { SystemdNotifier.notify("WATCHDOG=1") }
        // Checked at least every second, so STATUS follows the counts closely.
        let tick = min(1.0, settings?.pingEvery ?? 1.0)
        do {
            try await cancelWhenGracefulShutdown {
                var last = first, sincePing = 0.0
                while true {
                    try await Task.sleep(for: .milliseconds(Int(tick * 1000)))
                    let now = status()
                    if now != last {
                        SystemdNotifier.notify("STATUS=" + now)
                        last = now
                    }
                    sincePing += tick
                    if let settings, sincePing >= settings.pingEvery - 0.001 {
                        sincePing = 0
                        if watchdog.healthy() { SystemdNotifier.notify("WATCHDOG=1") }
                    }
                }
            }
        } catch is CancellationError {}
    }
}
