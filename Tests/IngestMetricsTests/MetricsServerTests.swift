import CoreMetrics
import Foundation
import IngestMetrics
import LoopbackHTTP
import XCTest

/// The HTTP server and the registry in-process, on a loopback port chosen by the kernel.
final class MetricsServerTests: XCTestCase {
    private func serve(_ routes: MetricsServer.Routes) throws -> (MetricsServer, Int, Task<Void, Never>) {
        let server = try MetricsServer(host: "127.0.0.1", port: 0, routes: routes)
        let task = Task { _ = try? await server.run() }
        let port = try blocking { try await server.waitUntilListening(timeout: 20) }
        return (server, port, task)
    }

    private func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = LockedBox<Result<T, any Error>?>(nil)
        Task {
            do { result.set(.success(try await work())) } catch { result.set(.failure(error)) }
            done.signal()
        }
        done.wait()
        return try result.get()!.get()
    }

    private static func answer(_ status: Int, _ body: String) -> MetricsServer.Answer {
        .init(status: status, contentType: "application/json", body: Array(body.utf8))
    }

    func testCountersTimersAndGaugesComeOutAsPrometheusText() throws {
        let metrics = PrometheusMetrics()
        let routes = MetricsServer.Routes(
            metrics: { .init(status: 200, contentType: PrometheusMetrics.contentType, body: metrics.exposition()) },
            health: { Self.answer(200, "{}") }, ready: { Self.answer(503, "{\"ready\":false}") }, status: { Self.answer(200, "{}") })
        let (server, port, task) = try serve(routes)
        defer { task.cancel() }

        Counter(label: "ingestd_test_total", dimensions: [("source", "a \"quoted\" name")], factory: metrics.factory).increment(by: 3)
        let timer = Timer(label: PrometheusMetrics.stageLatency, dimensions: [("stage", "normalize")], factory: metrics.factory)
        timer.recordNanoseconds(50_000)        // 0.05 ms: below the first bucket
        timer.recordNanoseconds(3_000_000)     // 3 ms
        timer.recordNanoseconds(20_000_000_000) // 20 s: only +Inf
        Gauge(label: "ingestd_queue_depth", factory: metrics.factory).record(7)

        let got = try LoopbackHTTPGet.get(port: port, path: "/metrics")
        XCTAssertEqual(got.status, 200)
        XCTAssertEqual(got.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        let text = try PrometheusText(got.body)
        XCTAssertEqual(text.value("ingestd_test_total", ["source": "a \"quoted\" name"]), 3)
        XCTAssertEqual(text.value("ingestd_queue_depth"), 7)
        XCTAssertEqual(text.types["ingestd_stage_latency_seconds"], "histogram")
        XCTAssertEqual(text.value("ingestd_stage_latency_seconds_count", ["stage": "normalize"]), 3)
        XCTAssertEqual(text.value("ingestd_stage_latency_seconds_bucket", ["stage": "normalize", "le": "0.0001"]), 1)
        XCTAssertEqual(text.value("ingestd_stage_latency_seconds_bucket", ["stage": "normalize", "le": "0.005"]), 2)
        XCTAssertEqual(text.value("ingestd_stage_latency_seconds_bucket", ["stage": "normalize", "le": "10.0"])
                       ?? text.value("ingestd_stage_latency_seconds_bucket", ["stage": "normalize", "le": "10"]), 2)
        XCTAssertEqual(text.value("ingestd_stage_latency_seconds_bucket", ["stage": "normalize", "le": "+Inf"]), 3)
        XCTAssertEqual(text.value("ingestd_stage_latency_seconds_sum", ["stage": "normalize"]) ?? 0, 20.00305, accuracy: 1e-9)

        let ready = try LoopbackHTTPGet.get(port: port, path: "/ready")
        XCTAssertEqual(ready.status, 503)
        XCTAssertEqual(ready.body, "{\"ready\":false}")
        XCTAssertEqual(try LoopbackHTTPGet.get(port: port, path: "/health").status, 200)
        XCTAssertEqual(try LoopbackHTTPGet.get(port: port, path: "/metrics/extra").status, 404)
        XCTAssertEqual(try LoopbackHTTPGet.get(port: port, path: "/metrics", method: "POST").status, 405)

        try blocking { await server.stop() }
        XCTAssertThrowsError(try LoopbackHTTPGet.get(port: port, path: "/health"), "stopped: nothing listens any more")
    }

    func testTwoRegistriesInOneProcessKeepTheirOwnCounts() throws {
        // Each daemon run (and each test) makes its own registry: nothing is bootstrapped globally.
        let first = PrometheusMetrics(), second = PrometheusMetrics()
        Counter(label: "ingestd_records_written_total", factory: first.factory).increment(by: 2)
        Counter(label: "ingestd_records_written_total", factory: second.factory).increment(by: 5)
        XCTAssertEqual(try PrometheusText(String(decoding: first.exposition(), as: UTF8.self)).value("ingestd_records_written_total"), 2)
        XCTAssertEqual(try PrometheusText(String(decoding: second.exposition(), as: UTF8.self)).value("ingestd_records_written_total"), 5)
    }

    func testTheParserRefusesWhatIsNotPrometheusText() {
        XCTAssertThrowsError(try PrometheusText("ingestd_x_total{source=\"a\" 1\n"))
        XCTAssertThrowsError(try PrometheusText("ingestd_x_total one\n"))
        XCTAssertThrowsError(try PrometheusText("# TYPE ingestd_x_total countr\n"))
        XCTAssertThrowsError(try PrometheusText("{source=\"a\"} 1\n"))
        XCTAssertNoThrow(try PrometheusText("# HELP x_total Things.\n# TYPE x_total counter\nx_total{a=\"b\\n\"} 1 1700000000000\n"))
    }
}

/// A value set from another task, read once it has been.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
}
