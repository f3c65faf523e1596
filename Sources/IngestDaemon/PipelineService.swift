@preconcurrency import Dispatch
import Foundation
import IngestCore
import Logging
import ServiceLifecycle

/// The pipeline (sources → runner → sink) as a service. It is already running when the group
/// starts; `run` waits for a stop and then stops it in order: stop claiming, drain the documents
/// in flight (up to `shutdown_timeout`), acknowledge them, close the stages, flush and close
/// the sink. A sink failure stops it too, and ends the group with an error (exit status 1).
struct PipelineService: Service {
    let runner: PipelineRunner
    let reloader: PipelineReloader
    let latch: StopLatch
    let shutdownTimeout: Double
    let logger: Logger
    let summary: (any DispatchSourceTimer)?
    /// Told when the stop begins (`/health` then says so while the pipeline drains).
    var onStopping: @Sendable () -> Void = {}

    struct SinkFailed: Error, CustomStringConvertible {
        var description: String { "the sink could not make records durable" }
    }

    func run() async throws {
        let reason = await withGracefulShutdownHandler {
            await latch.wait()
        } onGracefulShutdown: { [latch] in
            latch.fire(.gracefulShutdown)
        }
        SystemdNotifier.notify("STOPPING=1")
        let signal: String
        switch reason {
        case .signal(let name): signal = name
        case .gracefulShutdown: signal = "graceful shutdown"
        case .fatal: signal = "fatal error"
        }
        logger.notice("stopping", metadata: ["signal": .string(signal), "in_flight": .stringConvertible(runner.snapshot.inFlight)])
        summary?.cancel()
        onStopping()
        let drained = await blockingWork { [runner, reloader, shutdownTimeout] in
            reloader.stopping { runner.shutdown(timeout: shutdownTimeout) }
        }
        let c = runner.snapshot
        if !drained {
            logger.warning("shutdown timeout reached; documents still in flight stay in processing/ and are redone at the next start",
                           metadata: ["in_flight": .stringConvertible(c.inFlight)])
        }
        logger.notice("stopped", metadata: ["recorded": .stringConvertible(c.recorded), "rejected": .stringConvertible(c.rejected),
                                            "dropped": .stringConvertible(c.dropped),
                                            "document_lines_left_out": .stringConvertible(runner.documentLines.leftOutTotal)])
        if reason == .fatal { throw SinkFailed() }
    }
}
