import Dispatch
import Foundation
import ServiceLifecycle

/// SIGHUP (`systemctl reload ingestd`) reloads the pipeline file; see `PipelineReloader`.
/// Signals that arrive during a reload are merged into one more reload after it.
struct ReloadService: Service {
    let reloader: PipelineReloader
    let requests: AsyncStream<Void>

    func run() async throws {
        for await _ in requests.cancelOnGracefulShutdown() {
            await blockingWork { [reloader] in reloader.reload(signal: "SIGHUP") }
        }
    }

    /// Starts hearing SIGHUP. Called once the pipeline runs and before `ingestd started` and
    /// READY=1: a reload asked for the moment the daemon says it is up (before the service group
    /// has started this service) waits for it instead of being lost. Keep the source alive.
    static func listen(queue: DispatchQueue) -> (requests: AsyncStream<Void>, source: any DispatchSourceSignal) {
        let (requests, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        source.setEventHandler { continuation.yield() }
        source.resume()
        return (requests, source)
    }
}
