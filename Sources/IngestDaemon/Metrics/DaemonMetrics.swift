import CoreMetrics
import Foundation
import IngestCore
import IngestMetrics
import Logging

/// One run's metrics: the Prometheus registry (when `metrics:` is set; otherwise every metric
/// goes to a no-op factory and costs nothing), the HTTP server of `/metrics`, `/health`,
/// `/ready` and `/status`, and the gauges set before each scrape.
final class DaemonMetrics: Sendable {
    let settings: MetricsSettings?
    let prometheus: PrometheusMetrics?
    private let server = Locked<(server: MetricsServer, task: Task<Void, Never>)?>(nil)
    /// Set once the sources run, cleared when the daemon begins to stop.
    private let sourcesStarted = Locked(false)
    private let stopping = Locked(false)

    init(settings: MetricsSettings?) {
        self.settings = settings
        prometheus = settings == nil ? nil : PrometheusMetrics()
    }

    var factory: any MetricsFactory { prometheus?.factory ?? NOOPMetricsHandler.instance }

    func markStarted() { sourcesStarted.withLock { $0 = true } }

    func markStopping() {
        stopping.withLock { $0 = true }
        sourcesStarted.withLock { $0 = false }
    }

    /// Starts serving; returns the address bound (`127.0.0.1:PORT`), or nil without `metrics:`.
    /// Throws when the address cannot be bound, so a wrong port stops the start-up.
    func serve(runner: PipelineRunner, status: StatusReporter, logger: Logger) throws -> String? {
        guard let settings, let prometheus else { return nil }
        let gauges = ScrapeGauges(runner: runner, factory: prometheus.factory)
        let routes = MetricsServer.Routes(
            metrics: {
                gauges.refresh()
                return .init(status: 200, contentType: PrometheusMetrics.contentType, body: prometheus.exposition())
            },
            health: { [stopping] in
                // Live while the process loop runs: not stopping, and the status timer still ticks.
                let problem: String? = stopping.withLock { $0 } ? "stopping"
                    : status.secondsSinceTick > StatusReporter.interval * 5 ? "the status timer has not run for \(Int(status.secondsSinceTick)) s"
                    : nil
                let body = problem.map { #"{"status":"# + JSONValue.string($0).serialized() + "}" } ?? #"{"status":"ok"}"#
                return .init(status: problem == nil ? 200 : 503, contentType: "application/json", body: Array(body.utf8) + [10])
            },
            ready: { [sourcesStarted] in
                let r = Readiness.check(sourcesStarted: sourcesStarted.withLock { $0 }, sink: runner.sink, stages: runner.stages)
                return .init(status: r.isReady ? 200 : 503, contentType: "application/json", body: r.json)
            },
            status: {
                let body = (try? status.snapshot().json()).map { $0 + [10] } ?? Array("{}\n".utf8)
                return .init(status: 200, contentType: "application/json", body: body)
            })
        let server = try MetricsServer(host: settings.host, port: settings.port, routes: routes)
        // Whichever comes first: listening, or `run` failing to bind.
        let outcome = Locked<Result<Int, any Error>?>(nil)
        let settled = DispatchSemaphore(value: 0)
        let settle: @Sendable (Result<Int, any Error>) -> Void = { result in
            let first = outcome.withLock { o -> Bool in
                guard o == nil else { return false }
                o = result
                return true
            }
            if first { settled.signal() }
        }
        let task = Task {
            do { try await server.run() } catch { settle(.failure(error)) }
        }
        Task {
            do { settle(.success(try await server.waitUntilListening(timeout: 10))) } catch { settle(.failure(error)) }
        }
        settled.wait()
        switch outcome.withLock({ $0 })! {
        case .failure(let error):
            task.cancel()
            throw MetricsServerError(message: "cannot serve metrics on \(settings.listen): \(error)")
        case .success(let port):
            self.server.withLock { $0 = (server, task) }
            let address = MetricsSettings(host: settings.host, port: port).listen
            logger.notice("metrics listening", metadata: [
                "listen": .string(address), "paths": .array(["/metrics", "/health", "/ready", "/status"].map { .string($0) }),
                "loopback": .stringConvertible(settings.isLoopback),
            ])
            return address
        }
    }

    /// Stops the HTTP server (after the last status is written: a scrape during shutdown still answers).
    func stop() {
        guard let (server, task) = self.server.withLock({ s -> (MetricsServer, Task<Void, Never>)? in
            defer { s = nil }
            return s
        }) else { return }
        let done = DispatchSemaphore(value: 0)
        Task {
            await server.stop()
            task.cancel()
            done.signal()
        }
        done.wait()
    }
}
