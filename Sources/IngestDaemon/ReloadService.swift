import ServiceLifecycle
import UnixSignals

/// SIGHUP (`systemctl reload ingestd`) reloads the pipeline file; see `PipelineReloader`.
/// Signals that arrive during a reload are merged into one more reload after it.
struct ReloadService: Service {
    let reloader: PipelineReloader

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            await blockingWork { [reloader] in reloader.reload(signal: "SIGHUP") }
        }
    }
}
