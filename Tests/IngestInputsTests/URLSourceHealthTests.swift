import CoreMetrics
import Foundation
import IngestCore
import LogCapture
import LoopbackHTTP
import XCTest
@testable import IngestInputs

/// Per-source health: a feed on a loopback server that fails, then recovers.
final class URLSourceHealthTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("health-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private static let newest = "Tue, 03 Nov 2026 10:00:00 GMT"

    /// Feed polls fail (503) while `failing` is above 0, counting it down; then, once `gate` is
    /// signalled (it is open unless a test holds it), the feed lists two items with a pubDate.
    private func feedServer(failing: Int, gate: DispatchSemaphore = DispatchSemaphore(value: 1)) throws -> (LoopbackHTTPServer, Locked<Int>) {
        let left = Locked(failing)
        let server = try LoopbackHTTPServer { request, reply in
            if request.path == "/feed.xml" {
                let fail = left.withLock { n -> Bool in
                    defer { n = max(0, n - 1) }
                    return n > 0
                }
                if fail { return reply.respond(503, text: "down") }
                gate.wait()
                gate.signal()
                reply.respond(200, [("Content-Type", "application/rss+xml")], text: """
                    <?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>
                    <item><title>a</title><link>/a</link><guid>a</guid><pubDate>\(Self.newest)</pubDate></item>
                    <item><title>b</title><link>/b</link><guid>b</guid><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>
                    </channel></rss>
                    """)
            } else {
                reply.respond(200, [("Content-Type", "text/html")], text: "<html><title>\(request.path)</title><p>story</p></html>")
            }
        }
        return (server, left)
    }

    private func start(_ feed: String, warnAfter: Int, logs: CapturedLog, metrics: any MetricsFactory) throws -> (URLSource, HTTPFetcher) {
        var settings = URLSourceSettings(entries: [.init(url: feed, kind: .feed, every: 0.2)],
                                         stateFolder: folder.appendingPathComponent("state"), failed: folder.appendingPathComponent("failed"))
        settings.minDelay = 0
        settings.robots = false
        settings.retries = 0
        settings.warnAfterFailures = warnAfter
        let fetcher = HTTPFetcher(settings: settings.fetch)
        let source = URLSource(settings: settings, fetcher: fetcher, logger: logs.logger(), metrics: metrics)
        try source.start { [weak source] claim in source?.acknowledge(claim, outcome: .recorded(id: claim.claimName)) }
        source.grant(8)
        return (source, fetcher)
    }

    private func waitUntil(_ what: String, timeout: Double = 30, _ condition: () -> Bool) throws {
        let end = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > end { throw NSError(domain: "test", code: 1, userInfo: [NSLocalizedDescriptionKey: "timed out waiting until \(what)"]) }
            usleep(20_000)
        }
    }

    func testAFeedFailingThreePollsWarnsOnceAndItsRecoveryIsANoticeWithFailuresBackToZero() throws {
        // The poll after the third failure waits until the test has looked at the failing state.
        let gate = DispatchSemaphore(value: 0)
        let (server, left) = try feedServer(failing: 3, gate: gate)
        var opened = false
        defer {
            if !opened { gate.signal() }
            server.stop()
        }
        let feed = server.base + "/feed.xml"
        let logs = CapturedLog()
        let counts = CountingMetrics()
        let (source, fetcher) = try start(feed, warnAfter: 2, logs: logs, metrics: counts)
        defer { source.stop(); fetcher.stop() }

        try waitUntil("the third poll has failed") { source.health.first?.consecutiveFailures == 3 }
        var h = try XCTUnwrap(source.health.first)
        XCTAssertEqual(h.url, feed)
        XCTAssertEqual(h.host, server.base)
        XCTAssertEqual(h.lastStatus, "503")
        XCTAssertNil(h.lastSuccess)
        XCTAssertNotNil(h.failingSince)
        XCTAssertEqual(left.withLock { $0 }, 0)
        XCTAssertEqual(logs.lines.filter { $0.message == "feed failing" }.count, 1)
        gate.signal()
        opened = true

        try waitUntil("the feed is read again") { source.health.first?.consecutiveFailures == 0 }
        // Both items fetched (the feed's later polls are ordinary successes).
        try waitUntil("both items are fetched") { counts.value(FetchCounters.name, ["host": server.base, "status": "200"]) >= 3 }
        source.stop()
        h = try XCTUnwrap(source.health.first)
        XCTAssertEqual(h.lastStatus, "200")
        XCTAssertNotNil(h.lastSuccess)
        XCTAssertNil(h.failingSince)
        XCTAssertEqual(h.newestItem, FeedDate.parse(Self.newest))
        XCTAssertGreaterThan(h.itemsPerDay, 0, "two new items were taken")

        let failing = logs.lines.filter { $0.message == "feed failing" }
        XCTAssertEqual(failing.count, 1, "warned once, at the second failure, not at every poll")
        XCTAssertEqual(failing.first?.level, .warning)
        XCTAssertEqual(failing.first?.fields["url"], feed)
        XCTAssertEqual(failing.first?.fields["failures"], "2")
        XCTAssertEqual(failing.first?.fields["last_error"], "HTTP 503")
        XCTAssertNotNil(failing.first?.fields["since"])
        let recovered = logs.lines.filter { $0.message == "feed recovered" }
        XCTAssertEqual(recovered.count, 1)
        XCTAssertEqual(recovered.first?.level, .notice)
        XCTAssertEqual(recovered.first?.fields["failures"], "3")
        XCTAssertEqual(counts.value(FetchCounters.name, ["host": server.base, "status": "503"]), 3)
    }

    func testFailuresBelowTheThresholdLogNoWarningAndNoRecovery() throws {
        let (server, _) = try feedServer(failing: 1)
        defer { server.stop() }
        let logs = CapturedLog()
        let (source, fetcher) = try start(server.base + "/feed.xml", warnAfter: 2, logs: logs, metrics: NOOPMetricsHandler.instance)
        defer { source.stop(); fetcher.stop() }
        try waitUntil("the feed has been read after its failure") {
            let h = source.health.first
            return h?.lastSuccess != nil && h?.consecutiveFailures == 0
        }
        XCTAssertFalse(logs.lines.contains { $0.message == "feed failing" || $0.message == "feed recovered" })
    }

    func testTheSummaryForSystemdCountsFailingFeeds() {
        var a = SourceHealth(url: "http://127.0.0.1:1/a", host: "http://127.0.0.1:1", kind: "feed")
        let b = SourceHealth(url: "http://127.0.0.1:1/b", host: "http://127.0.0.1:1", kind: "page")
        XCTAssertEqual(SourceHealthSummary([a, b]).description, "feeds 2/2 ok")
        a.consecutiveFailures = 4
        XCTAssertEqual(SourceHealthSummary([a, b]).description, "feeds 1/2 ok, 1 failing (http://127.0.0.1:1/a)")
        XCTAssertEqual(SourceHealthSummary([]).description, "no URLs")
    }

    func testFeedDatesInTheFormsFeedsWrite() {
        let expected = Date(timeIntervalSince1970: 1_793_700_000)  // 2026-11-03T10:00:00Z
        XCTAssertEqual(FeedDate.parse("Tue, 03 Nov 2026 10:00:00 GMT"), expected)
        XCTAssertEqual(FeedDate.parse("Tue, 03 Nov 2026 11:00:00 +0100"), expected)
        XCTAssertEqual(FeedDate.parse("2026-11-03T10:00:00Z"), expected)
        XCTAssertEqual(FeedDate.parse("2026-11-03T10:00:00.000Z"), expected)
        XCTAssertNil(FeedDate.parse("yesterday"))
    }
}

/// Counters kept by label and dimensions, to check what the source counted.
final class CountingMetrics: MetricsFactory, @unchecked Sendable {
    final class Count: CounterHandler, @unchecked Sendable {
        let lock = NSLock()
        var value: Int64 = 0
        func increment(by amount: Int64) { lock.lock(); value += amount; lock.unlock() }
        func reset() { lock.lock(); value = 0; lock.unlock() }
    }

    private let lock = NSLock()
    private var counters: [String: Count] = [:]

    private static func key(_ label: String, _ dimensions: [String: String]) -> String {
        label + dimensions.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
    }

    func value(_ label: String, _ dimensions: [String: String]) -> Int64 {
        lock.lock(); defer { lock.unlock() }
        return counters[Self.key(label, dimensions)].map { c in c.lock.lock(); defer { c.lock.unlock() }; return c.value } ?? 0
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        lock.lock(); defer { lock.unlock() }
        let k = Self.key(label, Dictionary(dimensions, uniquingKeysWith: { $1 }))
        if let c = counters[k] { return c }
        let c = Count()
        counters[k] = c
        return c
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        NOOPMetricsHandler.instance
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { NOOPMetricsHandler.instance }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}
