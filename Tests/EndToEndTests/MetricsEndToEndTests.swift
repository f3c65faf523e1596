import Foundation
import IngestCore
import LoopbackHTTP
import XCTest

/// `metrics:` of a real daemon: /metrics parsed as Prometheus text against what was recorded
/// and rejected, /health and /ready, the status file and `ingestd status`, and a feed's health
/// through a failure and its recovery.
final class MetricsEndToEndTests: XCTestCase {
    /// The port the daemon logged in `metrics listening` (the harness sets port 0).
    private func metricsPort(_ h: DaemonHarness) throws -> Int {
        let line = try XCTUnwrap(h.logLines().first { $0["msg"] as? String == "metrics listening" }, "no metrics listening line")
        let listen = try XCTUnwrap(line["listen"] as? String)
        XCTAssertTrue(listen.hasPrefix("127.0.0.1:"), listen)
        XCTAssertEqual(h.logLines().first { $0["msg"] as? String == "ingestd started" }?["metrics"] as? String, listen)
        return try XCTUnwrap(Int(listen.split(separator: ":").last!))
    }

    private func scrape(_ port: Int) throws -> PrometheusText {
        let answer = try LoopbackHTTPGet.get(port: port, path: "/metrics")
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        return try PrometheusText(answer.body)
    }

    func testMetricsCountWhatWasRecordedAndRejectedAndStatusShowsTheSame() throws {
        let h = try DaemonHarness()
        defer { h.cleanUp() }
        try h.start()
        let port = try metricsPort(h)
        try h.drop("a.txt", text: distinctArticle(1))
        try h.drop("b.txt", text: distinctArticle(2))
        try h.drop("c.txt", text: distinctArticle(3))
        try h.drop("empty.txt", [])
        try waitUntil("three are done and one failed", timeout: 30) { h.names("done").count == 3 && h.names("failed").count == 2 }
        let records = try h.recordLines().count
        XCTAssertEqual(records, 3)
        let recordBytes = try Data(contentsOf: h.records).count

        // The counters are set as each record becomes durable, just before its input moves.
        var metrics = try scrape(port)
        try waitUntil("the metrics have caught up with done/", timeout: 10) {
            metrics = (try? scrape(port)) ?? metrics
            return metrics.value("ingestd_records_written_total") == 3
        }
        XCTAssertEqual(metrics.value("ingestd_records_written_total"), Double(records))
        XCTAssertEqual(metrics.value("ingestd_records_bytes_total"), Double(recordBytes))
        XCTAssertEqual(metrics.value("ingestd_documents_rejected_total", ["reason": "empty"]), 1)
        XCTAssertEqual(metrics.total("ingestd_documents_rejected_total"), 1)
        XCTAssertEqual(metrics.value("ingestd_documents_received_total", ["source": "drop_folder"]), 4)
        XCTAssertEqual(metrics.types["ingestd_records_written_total"], "counter")
        XCTAssertEqual(metrics.types["ingestd_stage_latency_seconds"], "histogram")
        XCTAssertEqual(metrics.types["ingestd_in_flight"], "gauge")
        XCTAssertEqual(metrics.value("ingestd_in_flight"), 0)
        XCTAssertEqual(metrics.value("ingestd_queue_depth"), 0)
        // normalize ran on all four (and rejected the empty one); the stages after it on three.
        for (stage, ran) in [("normalize", 4.0), ("dedupe", 3), ("classify", 3)] {
            XCTAssertEqual(metrics.value("ingestd_stage_latency_seconds_count", ["stage": stage]), ran, stage)
            XCTAssertEqual(metrics.value("ingestd_stage_ready", ["stage": stage]), 1, stage)
            let buckets = metrics.samples.filter { $0.name == "ingestd_stage_latency_seconds_bucket" && $0.labels["stage"] == stage }
            XCTAssertEqual(buckets.map(\.value), buckets.map(\.value).sorted(), "\(stage): buckets are cumulative")
            XCTAssertEqual(buckets.first { $0.labels["le"] == "+Inf" }?.value, ran)
            XCTAssertEqual(buckets.first?.labels["le"], "0.0001", "the first bucket is 0.1 ms")
        }
        XCTAssertEqual(metrics.value("ingestd_dedupe_index_entries", ["stage": "dedupe", "index": "exact"]), 3)

        let health = try LoopbackHTTPGet.get(port: port, path: "/health")
        XCTAssertEqual(health.status, 200)
        let ready = try LoopbackHTTPGet.get(port: port, path: "/ready")
        XCTAssertEqual(ready.status, 200, ready.body)
        XCTAssertEqual(ready.body, "{\"ready\":true}\n")
        XCTAssertEqual(try LoopbackHTTPGet.get(port: port, path: "/nothing").status, 404)

        let served = try LoopbackHTTPGet.get(port: port, path: "/status")
        XCTAssertEqual(served.status, 200)
        let live = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(served.body.utf8)) as? [String: Any])
        XCTAssertEqual(live["running"] as? Bool, true)
        XCTAssertEqual((live["counts"] as? [String: Any])?["recorded"] as? Int, 3)

        XCTAssertEqual(try h.stop(), 0)
        // The status file written at stop, and `ingestd status` reading it.
        let file = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: h.dir("state/status.json"))) as? [String: Any])
        XCTAssertEqual(file["format"] as? String, "ingestd.status/1")
        XCTAssertEqual(file["running"] as? Bool, false)
        let counts = try XCTUnwrap(file["counts"] as? [String: Any])
        XCTAssertEqual(counts["recorded"] as? Int, 3)
        XCTAssertEqual(counts["rejected"] as? Int, 1)
        XCTAssertEqual(counts["received"] as? Int, 4)
        XCTAssertEqual(counts["records_bytes"] as? Int, recordBytes)
        let shown = try DaemonHarness.run(["status", "--pipeline", h.pipeline.path])
        XCTAssertEqual(shown.status, 0, shown.err)
        XCTAssertTrue(shown.out.contains("stopped at"), shown.out)
        XCTAssertTrue(shown.out.contains("received 4  recorded 3  dropped 0  rejected 1"), shown.out)
        XCTAssertTrue(shown.out.contains("normalize ready · dedupe ready · classify ready"), shown.out)
        // `top` in a pipe: screens appended, no terminal codes, stopped by --count.
        let top = try DaemonHarness.run(["top", "--state", h.dir("state").path, "--interval", "0.5", "--count", "2"])
        XCTAssertEqual(top.status, 0, top.err)
        XCTAssertEqual(top.out.components(separatedBy: "received 4  recorded 3").count - 1, 2, top.out)
        XCTAssertFalse(top.out.contains("\u{1B}["), "no screen clearing outside a terminal")
        let none = try DaemonHarness.run(["status", "--state", h.dir("nowhere").path])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.err.contains("is the daemon running with this state folder?"), none.err)
    }

    func testABusyPortRefusesTheStartAndSaysWhich() throws {
        let blocker = try LoopbackHTTPServer { _, reply in reply.respond(200, text: "") }
        defer { blocker.stop() }
        let h = try DaemonHarness(edits: [("listen: 127.0.0.1:9464", "listen: 127.0.0.1:\(blocker.port)")])
        defer { h.cleanUp() }
        XCTAssertThrowsError(try h.start())
        try waitUntil("the daemon exits", timeout: 20) { !(h.process?.isRunning ?? false) }
        XCTAssertEqual(h.process?.terminationStatus, 1)
        let critical = try XCTUnwrap(h.logLines().first { $0["msg"] as? String == "cannot start" })
        XCTAssertTrue((critical["reason"] as? String ?? "").contains("cannot serve metrics on 127.0.0.1:\(blocker.port)"), "\(critical)")
    }

    /// A feed that fails its first poll (`warn_after_failures: 1`) and answers the next:
    /// `feed failing` once, `feed recovered`, and the failures back to 0 in /metrics and status.
    func testAFeedThatFailsThenRecoversShowsInMetricsStatusAndLogs() throws {
        let polls = Locked(0)
        let server = try LoopbackHTTPServer { request, reply in
            if request.path == "/feed.xml" {
                let n = polls.withLock { p -> Int in p += 1; return p }
                if n == 1 { return reply.respond(500, text: "broken") }
                reply.respond(200, [("Content-Type", "application/rss+xml")],
                              text: "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Desk</title></channel></rss>")
            } else {
                reply.respond(404, text: "no")
            }
        }
        defer { server.stop() }
        let feed = server.base + "/feed.xml"
        let h = try DaemonHarness(edits: [("    on_success: move       # move | delete\n", """
                on_success: move       # move | delete
              urls:
                - url: \(feed)
                  kind: feed
                  every: 10s
              fetch:
                min_delay: 0s
                robots: false
                retries: 0
                warn_after_failures: 1

            """)])
        defer { h.cleanUp() }
        try h.start()
        let port = try metricsPort(h)
        let labels = ["url": feed, "host": server.base]

        try waitUntil("the first poll has failed", timeout: 20) { h.logLines().contains { $0["msg"] as? String == "feed failing" } }
        var metrics = try scrape(port)
        XCTAssertEqual(metrics.value("ingestd_source_consecutive_failures", labels), 1)
        XCTAssertEqual(metrics.value("ingestd_source_last_status", labels), 500)
        XCTAssertEqual(metrics.value("ingestd_source_last_success_timestamp_seconds", labels), -1, "never succeeded")
        XCTAssertEqual(metrics.value("ingestd_fetch_requests_total", ["host": server.base, "status": "500"]), 1)

        // The next poll, `every` (10 s) later, succeeds.
        try waitUntil("the feed recovers", timeout: 40) { h.logLines().contains { $0["msg"] as? String == "feed recovered" } }
        metrics = try scrape(port)
        XCTAssertEqual(metrics.value("ingestd_source_consecutive_failures", labels), 0)
        XCTAssertEqual(metrics.value("ingestd_source_last_status", labels), 200)
        XCTAssertGreaterThan(metrics.value("ingestd_source_last_success_timestamp_seconds", labels) ?? 0, 1_700_000_000)
        XCTAssertEqual(metrics.value("ingestd_fetch_requests_total", ["host": server.base, "status": "200"]), 1)
        let status = try DaemonHarness.run(["status", "--url", "http://127.0.0.1:\(port)"])
        XCTAssertEqual(status.status, 0, status.err)
        XCTAssertTrue(status.out.contains("feeds 1/1 ok"), status.out)
        XCTAssertEqual(try h.stop(), 0)

        let logs = h.logLines()
        let failing = logs.filter { $0["msg"] as? String == "feed failing" }
        XCTAssertEqual(failing.count, 1)
        XCTAssertEqual(failing.first?["level"] as? String, "warning")
        XCTAssertEqual(failing.first?["url"] as? String, feed)
        XCTAssertEqual(failing.first?["last_error"] as? String, "HTTP 500")
        let recovered = logs.filter { $0["msg"] as? String == "feed recovered" }
        XCTAssertEqual(recovered.count, 1)
        XCTAssertEqual(recovered.first?["level"] as? String, "notice")
        let file = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: h.dir("state/status.json"))) as? [String: Any])
        let sources = try XCTUnwrap(file["sources"] as? [[String: Any]])
        XCTAssertEqual(sources.first?["url"] as? String, feed)
        XCTAssertEqual(sources.first?["consecutive_failures"] as? Int, 0)
        XCTAssertEqual(sources.first?["last_status"] as? String, "200")
    }

    /// A plugin stage that is down (its restarts keep failing): /ready answers 503 naming it,
    /// /metrics shows the stage not ready, and /health stays 200 (the process itself is fine).
    func testReadyIsUnavailableWhileAPluginStageIsDown() throws {
        let h = try DaemonHarness(edits: [("  - use: classify", """
              - use: exec
                name: p
                command: [\(DaemonHarness.python3), plugins/p.py]
              - use: classify
            """)])
        defer { h.cleanUp() }
        let starts = h.root.appendingPathComponent("starts")
        // Ready at its first start; it dies on its first document, and every restart exits at once.
        try FileManager.default.createDirectory(at: h.root.appendingPathComponent("plugins"), withIntermediateDirectories: true)
        try """
            import sys, json, os
            path = \(String(reflecting: starts.path))
            n = int(open(path).read()) if os.path.exists(path) else 0
            open(path, "w").write(str(n + 1))
            if n > 0: os._exit(3)
            sys.stdin.readline(); print(json.dumps({"ready": True}), flush=True)
            for line in sys.stdin: os._exit(7)
            """.write(to: h.root.appendingPathComponent("plugins/p.py"), atomically: true, encoding: .utf8)
        try h.start()
        let port = try metricsPort(h)
        XCTAssertEqual(try LoopbackHTTPGet.get(port: port, path: "/ready").status, 200, "ready before the first document")
        try h.drop("doc.txt", text: distinctArticle(5))
        try waitUntil("the plugin is down", timeout: 60) {
            h.logLines().contains { ($0["msg"] as? String)?.hasPrefix("plugin is down") == true }
        }
        let ready = try LoopbackHTTPGet.get(port: port, path: "/ready")
        XCTAssertEqual(ready.status, 503)
        let body = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ready.body.utf8)) as? [String: Any])
        XCTAssertEqual(body["ready"] as? Bool, false)
        let notReady = try XCTUnwrap(body["not_ready"] as? [String: String])
        XCTAssertEqual(Array(notReady.keys), ["stage:p"])
        XCTAssertTrue(notReady["stage:p"]?.hasPrefix("down: ") ?? false, "\(notReady)")
        let metrics = try scrape(port)
        XCTAssertEqual(metrics.value("ingestd_stage_ready", ["stage": "p"]), 0)
        XCTAssertEqual(metrics.value("ingestd_stage_ready", ["stage": "normalize"]), 1)
        XCTAssertEqual(try LoopbackHTTPGet.get(port: port, path: "/health").status, 200)
        XCTAssertEqual(try h.stop(), 0)
    }
}
