import Foundation
import IngestCore
import Logging
import LoopbackHTTP
import XCTest
import LogCapture
@testable import IngestInputs

/// The URL source against real HTTP servers on loopback, with a stand-in for the runner that
/// collects claims and acknowledges them as recorded.
final class URLSourceTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("urls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Collects claims (their bytes read at once) and acknowledges them as recorded, unless told not to.
    private final class Runner: @unchecked Sendable {
        let lock = NSLock()
        var claims: [(claim: Claim, body: String)] = []
        var acknowledge = true
        /// What the stages say of each claim: recorded unless this says otherwise.
        var outcome: @Sendable (Claim) -> Outcome = { .recorded(id: $0.claimName) }
        weak var source: URLSource?

        func take(_ claim: Claim) {
            let body = (try? String(contentsOf: claim.path, encoding: .utf8)) ?? ""
            lock.lock(); claims.append((claim, body)); let ack = acknowledge; lock.unlock()
            if ack { source?.acknowledge(claim, outcome: outcome(claim)) }
        }

        var all: [(claim: Claim, body: String)] { lock.lock(); defer { lock.unlock() }; return claims }

        func wait(for count: Int, timeout: Double = 15) -> Bool {
            let end = Date().addingTimeInterval(timeout)
            while Date() < end {
                if all.count >= count { return true }
                usleep(20_000)
            }
            return false
        }
    }

    private func settings(_ entries: [URLSourceSettings.Entry], _ tune: (inout URLSourceSettings) -> Void = { _ in })
        -> URLSourceSettings {
        var s = URLSourceSettings(entries: entries, stateFolder: folder.appendingPathComponent("state"),
                                          failed: folder.appendingPathComponent("failed"))
        s.minDelay = 0
        s.robots = false
        tune(&s)
        return s
    }

    private func run(_ settings: URLSourceSettings, acknowledge: Bool = true, logs: CapturedLog? = nil, credits: Int = 8,
                     outcome: (@Sendable (Claim) -> Outcome)? = nil) throws -> (URLSource, Runner, HTTPFetcher) {
        let fetcher = HTTPFetcher(settings: settings.fetch)
        let logger = logs?.logger() ?? Logger(label: "test")
        let source = URLSource(settings: settings, fetcher: fetcher, logger: logger)
        let runner = Runner()
        runner.acknowledge = acknowledge
        if let outcome { runner.outcome = outcome }
        runner.source = source
        try source.start { runner.take($0) }
        source.grant(credits)
        return (source, runner, fetcher)
    }

    func testFeedItemsAreFetchedOnceAcrossRestarts() throws {
        let items = Locked(["/a", "/b", "/c"])
        let server = try LoopbackHTTPServer { request, reply in
            if request.path == "/feed.xml" {
                reply.respond(200, [("Content-Type", "application/rss+xml")], text: RSSFeed.xml(items.withLock { $0 }))
            } else {
                reply.respond(200, [("Content-Type", "text/html")], text: "<html><title>\(request.path)</title><p>story \(request.path)</p></html>")
            }
        }
        defer { server.stop() }
        let feed = server.base + "/feed.xml"
        let config = settings([.init(url: feed, kind: .feed, every: 3600)])

        let (first, runner, fetcher) = try run(config)
        XCTAssertTrue(runner.wait(for: 3))
        usleep(200_000)
        first.stop()
        fetcher.stop()
        XCTAssertEqual(runner.all.compactMap(\.claim.web?.url).sorted(), [server.base + "/a", server.base + "/b", server.base + "/c"])
        XCTAssertEqual(runner.all.map(\.claim.web?.feed), [feed, feed, feed])
        XCTAssertEqual(runner.all.map(\.claim.web?.status), [200, 200, 200])
        XCTAssertTrue(runner.all.contains { $0.body.contains("story /b") })

        // A restart: the feed now lists one more item; only it is fetched.
        items.withLock { $0.insert("/d", at: 0) }
        let (second, again, fetcher2) = try run(config)
        XCTAssertTrue(again.wait(for: 1))
        usleep(300_000)
        second.stop()
        fetcher2.stop()
        XCTAssertEqual(again.all.map(\.claim.web?.url), [server.base + "/d"])
    }

    /// Issue 15 item 12: only the last 10,000 ids of a feed were remembered, so a longer feed's
    /// oldest items looked new, and were recorded again, at every poll. Here the number of ids
    /// kept is 4 and the feed lists 6: none may be recorded twice however often it is polled.
    func testAFeedLongerThanTheIdsKeptIsNeverRecordedTwice() throws {
        let links = (1...6).map { "/story/\($0)" }
        let server = try LoopbackHTTPServer { request, reply in
            reply.respond(200, text: request.path == "/feed.xml" ? RSSFeed.xml(links) : "<p>\(request.path)</p>")
        }
        defer { server.stop() }
        let config = settings([.init(url: server.base + "/feed.xml", kind: .feed, every: 0.2)]) { $0.seenItems = 4 }
        let runner = try collect(config, 6, settle: 1.5)
        XCTAssertGreaterThanOrEqual(server.served.filter { $0.path == "/feed.xml" }.count, 4, "polled again and again")
        XCTAssertEqual(runner.all.compactMap(\.claim.web?.url).sorted(), links.map { server.base + $0 }.sorted())
    }

    /// Issue 15 item 12: one poll takes at most max_items_per_poll new items, the first listed
    /// (newest) first; the rest are logged as skipped and taken by the next polls, each once.
    func testOnePollTakesAtMostMaxItemsPerPollAndTheRestLater() throws {
        let links = (1...7).map { "/story/\($0)" }
        let server = try LoopbackHTTPServer { request, reply in
            guard request.path == "/feed.xml" else { reply.respond(200, text: "<p>\(request.path)</p>"); return }
            // An unchanged feed: a 304 to a conditional GET would hide the skipped items.
            if request.headers["if-none-match"] == "\"f\"" { reply.respond(304); return }
            reply.respond(200, [("ETag", "\"f\"")], text: RSSFeed.xml(links))
        }
        defer { server.stop() }
        let logs = CapturedLog()
        let config = settings([.init(url: server.base + "/feed.xml", kind: .feed, every: 0.3)]) { $0.maxItemsPerPoll = 3 }
        let runner = try collect(config, 7, settle: 0.8, logs: logs)
        let urls = runner.all.compactMap(\.claim.web?.url)
        XCTAssertEqual(urls.sorted(), links.map { server.base + $0 }.sorted(), "each item once")
        XCTAssertEqual(Set(urls.prefix(3)), Set(links.prefix(3).map { server.base + $0 }), "the first listed first")
        let skips = logs.lines.filter { $0.message.hasPrefix("more new items than max_items_per_poll") }
        XCTAssertEqual(skips.first?.fields["skipped"], "4", "\(logs.lines)")
        XCTAssertEqual(logs.lines.first { $0.message == "feed read" }?.fields["taken"], "3")
    }

    func testSeenIdsAreKeptWhileListedAndForgottenByAgeOrCountOnceNoLongerListed() {
        var state = URLSourceState()
        let feed = "http://127.0.0.1/feed.xml"
        let day = 86_400.0
        let t0 = Date(timeIntervalSince1970: 1_000_000_000)
        let ids = (0..<10_301).map { "item-\($0)" }
        for id in ids { state.markSeen(id, in: feed, at: t0) }
        let keep = URLSourceState.Retention(count: 5, age: 30 * day)
        // The feed still lists every id: none is forgotten, however many and however old.
        state.feedListed(Set(ids), in: feed, at: t0.addingTimeInterval(100 * day), keeping: keep)
        XCTAssertTrue(ids.allSatisfy { state.hasSeen($0, in: feed) })
        // Ten ids fall out of the feed: the count keeps the five last listed...
        let listedNow = Set(ids.dropFirst(10))
        state.feedListed(listedNow, in: feed, at: t0.addingTimeInterval(101 * day), keeping: keep)
        XCTAssertEqual(state.seen[feed]?.count, 10_291 + 5)
        // ...and age forgets those once they have been out of the feed for 30 days.
        state.feedListed(listedNow, in: feed, at: t0.addingTimeInterval(131 * day), keeping: .init(count: 100, age: 30 * day))
        XCTAssertEqual(state.seen[feed]?.count, 10_291)
        XCTAssertTrue(listedNow.allSatisfy { state.hasSeen($0, in: feed) })
    }

    func testAVersion1StateIsReadWithItsIdsCountedAsListedNow() throws {
        let file = folder.appendingPathComponent("state.json")
        try Data(#"{"version":1,"pages":{"http://a/":{"etag":"\"1\""}},"seen":{"http://a/feed":["x","y"]}}"#.utf8).write(to: file)
        let state = try URLSourceState.load(file)
        XCTAssertEqual(state.pages["http://a/"]?.etag, "\"1\"")
        XCTAssertEqual(Set(state.seen["http://a/feed"]?.keys ?? [:].keys), ["x", "y"])
        XCTAssertEqual(Double(state.seen["http://a/feed"]?["x"] ?? 0), Date().timeIntervalSince1970, accuracy: 60)
        try state.save(file)
        XCTAssertEqual(try URLSourceState.load(file), state)
    }

    func testAConditionalGetThat304sDeliversNothing() throws {
        let server = try LoopbackHTTPServer { request, reply in
            if request.headers["if-none-match"] == "\"7\"" { reply.respond(304); return }
            reply.respond(200, [("ETag", "\"7\""), ("Content-Type", "text/html")], text: "<html><p>same page</p></html>")
        }
        defer { server.stop() }
        let (source, runner, fetcher) = try run(settings([.init(url: server.base + "/page", kind: .page, every: 0.3)]))
        XCTAssertTrue(runner.wait(for: 1))
        // Let a few more scheduled fetches happen.
        let end = Date().addingTimeInterval(1.5)
        while Date() < end, server.served.count < 3 { usleep(50_000) }
        source.stop()
        fetcher.stop()
        XCTAssertGreaterThanOrEqual(server.served.count, 2)
        XCTAssertEqual(server.served.dropFirst().map { $0.headers["if-none-match"] }, Array(repeating: "\"7\"", count: server.served.count - 1))
        XCTAssertEqual(runner.all.count, 1, "a 304 costs nothing downstream")
    }

    /// Runs a source until `count` claims arrived (and `settle` seconds more), then stops it.
    private func collect(_ config: URLSourceSettings, _ count: Int, settle: Double = 0, logs: CapturedLog? = nil) throws -> Runner {
        let (source, runner, fetcher) = try run(config, logs: logs)
        XCTAssertTrue(runner.wait(for: count), "\(runner.all.count) of \(count) claims arrived")
        if settle > 0 { usleep(UInt32(settle * 1_000_000)) }
        source.stop()
        fetcher.stop()
        return runner
    }

    /// A server that gives the Nth request the Nth answer (the last one from then on).
    private func answering(_ answers: [(status: Int, headers: [(String, String)], text: String)]) throws -> LoopbackHTTPServer {
        let count = Locked(0)
        return try LoopbackHTTPServer { _, reply in
            let n = count.withLock { $0 += 1; return $0 }
            let a = answers[min(n, answers.count) - 1]
            reply.respond(a.status, a.headers, text: a.text)
        }
    }

    func testA503WithRetryAfterIsRetriedNoSoonerThanAsked() throws {
        let server = try answering([(503, [("Retry-After", "1")], "busy"), (200, [], "<p>finally</p>")])
        defer { server.stop() }
        _ = try collect(settings([.init(url: server.base + "/busy", kind: .page, every: 3600)]), 1)
        let times = server.served.map(\.arrived)
        XCTAssertEqual(times.count, 2)
        XCTAssertGreaterThanOrEqual(times[1].timeIntervalSince(times[0]), 0.95)
    }

    func testFailuresAreRetriedWithGrowingBackoffAndTheLogsSayWhenAndHowOften() throws {
        let server = try answering([(500, [], "no"), (429, [], "no"), (200, [], "<p>third time</p>")])
        defer { server.stop() }
        let logs = CapturedLog()
        _ = try collect(settings([.init(url: server.base + "/flaky", kind: .page, every: 3600)]), 1, logs: logs)
        let t = server.served.map(\.arrived)
        XCTAssertEqual(t.count, 3)
        // 1 s then 2 s, each times a random factor of 0.5 to 1.
        XCTAssertGreaterThanOrEqual(t[1].timeIntervalSince(t[0]), 0.45)
        XCTAssertGreaterThanOrEqual(t[2].timeIntervalSince(t[1]), 0.95)
        let retries = logs.lines.filter { $0.message == "fetch failed; will retry" }
        XCTAssertEqual(retries.map { $0.fields["reason"] }, ["HTTP 500", "HTTP 429"])
        XCTAssertEqual(retries.map { $0.fields["error_count"] }, ["1", "2"])
        XCTAssertEqual(retries.map { $0.fields["attempt"] }, ["1", "2"])
        XCTAssertTrue(retries.allSatisfy { ($0.fields["next_attempt"] ?? "").hasSuffix("Z") })
    }

    func testARefusedConnectionIsANetworkErrorThatIsRetriedThenGivenUpUntilTheNextSchedule() throws {
        // A port on loopback where nothing listens.
        let probe = try LoopbackHTTPServer { _, reply in reply.respond(200) }
        let closedPort = probe.port
        probe.stop()
        let logs = CapturedLog()
        let config = settings([.init(url: "http://127.0.0.1:\(closedPort)/x", kind: .page, every: 3600)]) { $0.retries = 1 }
        let (source, _, fetcher) = try run(config, logs: logs)
        let end = Date().addingTimeInterval(5)
        while Date() < end, !logs.lines.contains(where: { $0.message.hasPrefix("fetch failed; giving up") }) { usleep(50_000) }
        source.stop()
        fetcher.stop()
        let lines = logs.lines.filter { $0.message.hasPrefix("fetch failed") }
        XCTAssertEqual(lines.map(\.message), ["fetch failed; will retry", "fetch failed; giving up until the next scheduled fetch"])
        XCTAssertTrue(lines[0].fields["reason"]?.hasPrefix("network error 7") ?? false, "\(lines[0].fields)") // CURLE_COULDNT_CONNECT
        XCTAssertEqual(lines[1].fields["error_count"], "2")
    }

    func testA404IsNotRetried() throws {
        let server = try LoopbackHTTPServer { _, reply in reply.respond(404, text: "gone") }
        defer { server.stop() }
        let (source, runner, fetcher) = try run(settings([.init(url: server.base + "/gone", kind: .page, every: 3600)]))
        usleep(1_500_000)
        source.stop()
        fetcher.stop()
        XCTAssertEqual(server.served.count, 1)
        XCTAssertTrue(runner.all.isEmpty)
    }

    func testAFeedItemOnAnotherLoopbackAddressIsRefusedByDefaultAndFetchedWhenAllowed() throws {
        let other = try LoopbackHTTPServer(address: "127.0.0.2") { _, reply in reply.respond(200, text: "<p>internal</p>") }
        defer { other.stop() }
        let server = try LoopbackHTTPServer { request, reply in
            reply.respond(200, text: RSSFeed.xml([other.base + "/secret", "/fine"]))
        }
        defer { server.stop() }
        let entry = URLSourceSettings.Entry(url: server.base + "/feed.xml", kind: .feed, every: 3600)

        let logs = CapturedLog()
        let strictRunner = try collect(settings([entry]) { $0.robots = true }, 1, settle: 0.3, logs: logs)
        XCTAssertEqual(strictRunner.all.map(\.claim.web?.url), [server.base + "/fine"])
        XCTAssertTrue(other.served.isEmpty)
        // The log names the refusal, not robots.txt.
        let refusal = logs.lines.first { $0.fields["url"] == other.base + "/secret" }
        XCTAssertEqual(refusal?.message, "fetch failed")
        XCTAssertTrue(refusal?.fields["reason"]?.contains("refused to connect to 127.0.0.2") ?? false, "\(logs.lines)")
        XCTAssertFalse(logs.lines.contains { $0.message.contains("robots") }, "\(logs.lines)")

        try FileManager.default.removeItem(at: folder.appendingPathComponent("state"))
        let (open, opened, fetcher2) = try run(settings([entry]) { $0.fetch.allowPrivateNetworks = true })
        XCTAssertTrue(opened.wait(for: 2))
        open.stop()
        fetcher2.stop()
        XCTAssertEqual(Set(opened.all.compactMap(\.claim.web?.url)), [other.base + "/secret", server.base + "/fine"])
    }

    func testRobotsTxtIsObeyedAndRequestsToOneHostAreSpaced() throws {
        let server = try LoopbackHTTPServer { request, reply in
            if request.path == "/robots.txt" { reply.respond(200, text: "User-agent: *\nDisallow: /private\n"); return }
            reply.respond(200, text: "<p>\(request.path)</p>")
        }
        defer { server.stop() }
        let config = settings([.init(url: server.base + "/private/x", kind: .page, every: 3600),
                               .init(url: server.base + "/public/1", kind: .page, every: 3600),
                               .init(url: server.base + "/public/2", kind: .page, every: 3600)]) {
            $0.robots = true
            $0.minDelay = 0.4
        }
        let (source, runner, fetcher) = try run(config)
        XCTAssertTrue(runner.wait(for: 2))
        usleep(500_000)
        source.stop()
        fetcher.stop()
        let paths = server.served.map(\.path)
        XCTAssertEqual(paths.first, "/robots.txt")
        XCTAssertFalse(paths.contains("/private/x"))
        XCTAssertEqual(Set(runner.all.compactMap(\.claim.web?.url)), [server.base + "/public/1", server.base + "/public/2"])
        let times = server.served.map(\.arrived)
        for (a, b) in zip(times, times.dropFirst()) { XCTAssertGreaterThanOrEqual(b.timeIntervalSince(a), 0.35, "min_delay between requests to one host") }
    }

    /// Issue 15 item 13: the robots.txt URL of an IPv6 literal was built as http://[[::1]]:PORT.
    func testAnIPv6LiteralPageIsFetchedWithRobotsTxtOn() throws {
        let server = try LoopbackHTTPServer(address: "::1") { request, reply in
            if request.path == "/robots.txt" { reply.respond(200, text: "User-agent: *\nDisallow: /private\n"); return }
            reply.respond(200, text: "<p>\(request.path)</p>")
        }
        defer { server.stop() }
        let logs = CapturedLog()
        let config = settings([.init(url: server.base + "/news", kind: .page, every: 3600),
                               .init(url: server.base + "/private/x", kind: .page, every: 3600)]) { $0.robots = true }
        let runner = try collect(config, 1, settle: 0.3, logs: logs)
        XCTAssertEqual(runner.all.map(\.claim.web?.url), [server.base + "/news"])
        XCTAssertEqual(server.served.map(\.path).sorted(), ["/news", "/robots.txt"])
        XCTAssertEqual(logs.lines.first { $0.fields["url"] == server.base + "/private/x" }?.message, "not fetched: robots.txt disallows it")
        XCTAssertEqual(URLSource.hostKey("http://[::1]:8000/a"), "http://[::1]:8000")
        XCTAssertEqual(URLSource.hostKey("https://[2001:DB8::1]/a"), "https://[2001:db8::1]")
    }

    /// Issue 15 item 14: a feed link whose robots.txt request the address policy refused made
    /// "allow everything" the host's robots answer for a minute, for every other feed too.
    func testARefusedRobotsRequestIsNotTakenAsTheHostsRobotsAnswer() throws {
        // 127.0.0.2 serves robots.txt and two pages, one of them disallowed.
        let site = try LoopbackHTTPServer(address: "127.0.0.2") { request, reply in
            if request.path == "/robots.txt" { reply.respond(200, text: "User-agent: *\nDisallow: /private/\n"); return }
            reply.respond(200, text: "<p>\(request.path)</p>")
        }
        defer { site.stop() }
        // Feed A, on 127.0.0.1, links to the site: its links may not reach 127.0.0.2.
        let feedA = try LoopbackHTTPServer { _, reply in reply.respond(200, text: RSSFeed.xml([site.base + "/public/from-a.html"])) }
        defer { feedA.stop() }
        // Feed B, on 127.0.0.2 itself (another port, so another host to robots.txt): its links may
        // reach the site. It answers late, so feed A's link asks for the site's robots.txt first.
        let feedB = try LoopbackHTTPServer(address: "127.0.0.2") { request, reply in
            if request.path == "/robots.txt" { reply.respond(404); return }
            usleep(700_000)
            reply.respond(200, text: RSSFeed.xml([site.base + "/private/b.html", site.base + "/public/a.html"]))
        }
        defer { feedB.stop() }
        let logs = CapturedLog()
        let config = settings([.init(url: feedA.base + "/feed.xml", kind: .feed, every: 3600),
                               .init(url: feedB.base + "/feed.xml", kind: .feed, every: 3600)]) { $0.robots = true }
        let runner = try collect(config, 1, settle: 0.5, logs: logs)
        XCTAssertEqual(runner.all.map(\.claim.web?.url), [site.base + "/public/a.html"])
        XCTAssertFalse(site.served.map(\.path).contains("/private/b.html"), "robots.txt disallows it: \(site.served.map(\.path))")
        XCTAssertEqual(logs.lines.first { $0.fields["url"] == site.base + "/private/b.html" }?.message, "not fetched: robots.txt disallows it")
        let refusal = logs.lines.first { $0.fields["url"] == site.base + "/public/from-a.html" }
        XCTAssertEqual(refusal?.message, "fetch failed")
        XCTAssertTrue(refusal?.fields["reason"]?.hasPrefix("robots.txt: refused to connect to 127.0.0.2") ?? false, "\(logs.lines)")
    }

    /// Issue 15 item 16: a link that is not http or https is refused for that reason, not blamed
    /// on a robots.txt that was never there.
    func testAFeedLinkThatIsNotHTTPIsRefusedForItsScheme() throws {
        let server = try LoopbackHTTPServer { request, reply in
            if request.path == "/robots.txt" { reply.respond(404); return }
            reply.respond(200, text: RSSFeed.xml(["file:///etc/passwd", "gopher://127.0.0.1/1", "/fine"]))
        }
        defer { server.stop() }
        let logs = CapturedLog()
        let runner = try collect(settings([.init(url: server.base + "/feed.xml", kind: .feed, every: 3600)]) { $0.robots = true },
                                 1, settle: 0.3, logs: logs)
        XCTAssertEqual(runner.all.map(\.claim.web?.url), [server.base + "/fine"])
        for url in ["file:///etc/passwd", "gopher://127.0.0.1/1"] {
            let line = logs.lines.first { $0.fields["url"] == url }
            XCTAssertEqual(line?.message, "fetch failed", url)
            XCTAssertTrue(line?.fields["reason"]?.hasPrefix("only http and https URLs are fetched") ?? false, "\(String(describing: line))")
        }
        XCTAssertFalse(logs.lines.contains { $0.message.contains("robots") }, "\(logs.lines)")
    }

    /// Issue 15 item 16: a cut body is retried, and the whole one is what gets delivered.
    func testABodyCutShortOfItsContentLengthIsRetried() throws {
        let count = Locked(0)
        let server = try LoopbackHTTPServer { _, reply in
            let n = count.withLock { $0 += 1; return $0 }
            let body = Array("<p>the whole story, every word of it</p>".utf8)
            reply.write(Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8))
            reply.write(n == 1 ? Array(body.prefix(10)) : body)
        }
        defer { server.stop() }
        let runner = try collect(settings([.init(url: server.base + "/p", kind: .page, every: 3600)]), 1)
        XCTAssertEqual(count.withLock { $0 }, 2)
        XCTAssertEqual(runner.all.map(\.body), ["<p>the whole story, every word of it</p>"])
    }

    func testAFetchedDocumentNotYetAcknowledgedIsDeliveredAgainAfterARestart() throws {
        let server = try LoopbackHTTPServer { _, reply in reply.respond(200, [("ETag", "\"1\"")], text: "<p>kept</p>") }
        defer { server.stop() }
        let config = settings([.init(url: server.base + "/p", kind: .page, every: 3600)])
        let (first, runner, fetcher) = try run(config, acknowledge: false)
        XCTAssertTrue(runner.wait(for: 1))
        first.stop() // stops before the record is durable: nothing committed
        fetcher.stop()

        let (second, again, fetcher2) = try run(config)
        XCTAssertTrue(again.wait(for: 1))
        usleep(300_000)
        second.stop()
        fetcher2.stop()
        XCTAssertEqual(again.all.first?.claim.recovered, true)
        XCTAssertEqual(again.all.first?.body, "<p>kept</p>")
        XCTAssertEqual(again.all.count, 1, "recovered from the spool; the validators were not committed, but the body is the same")
    }

    func testRecoveredDocumentsStayWithinTheCreditsGranted() throws {
        let server = try LoopbackHTTPServer { request, reply in reply.respond(200, text: "<p>\(request.path)</p>") }
        defer { server.stop() }
        let config = settings((1...5).map { .init(url: server.base + "/p\($0)", kind: .page, every: 3600) })
        let (first, runner, fetcher) = try run(config, acknowledge: false)
        XCTAssertTrue(runner.wait(for: 5))
        first.stop()
        fetcher.stop()

        let (second, again, fetcher2) = try run(config, acknowledge: false, credits: 2)
        XCTAssertTrue(again.wait(for: 2))
        usleep(500_000)
        XCTAssertEqual(again.all.count, 2, "five wait in the spool, two credits were granted")
        XCTAssertTrue(again.all.allSatisfy(\.claim.recovered))
        XCTAssertEqual(second.backlog, 3)
        second.stop()
        fetcher2.stop()
    }

    func testASpoolEntryCutShortByACrashIsDroppedAndFetchedAgain() throws {
        let server = try LoopbackHTTPServer { _, reply in reply.respond(200, text: "<p>fresh</p>") }
        defer { server.stop() }
        let config = settings([.init(url: server.base + "/p", kind: .page, every: 3600)])
        let (first, runner, fetcher) = try run(config, acknowledge: false)
        XCTAssertTrue(runner.wait(for: 1))
        first.stop()
        fetcher.stop()
        // A power cut after the rename but before the data reached the disk: the body is empty.
        try Data().write(to: runner.all[0].claim.path)

        let (second, again, fetcher2) = try run(config)
        XCTAssertTrue(again.wait(for: 1))
        usleep(300_000)
        second.stop()
        fetcher2.stop()
        XCTAssertEqual(again.all.map(\.claim.recovered), [false], "fetched anew, not recovered")
        XCTAssertEqual(again.all.first?.body, "<p>fresh</p>")
    }

    func testARejectedFetchedDocumentGoesToFailedWithItsURLAndIsNotFetchedAgainUnchanged() throws {
        let server = try LoopbackHTTPServer { request, reply in
            XCTAssertEqual(request.headers["accept-language"], "en")
            reply.respond(200, text: "")
        }
        defer { server.stop() }
        let url = server.base + "/empty"
        let config = settings([.init(url: url, kind: .page, every: 0.3, headers: ["Accept-Language": "en"])])
        let (source, runner, fetcher) = try run(config) { _ in .rejected(Rejection(.empty, "0 bytes", stage: "normalize")) }
        XCTAssertTrue(runner.wait(for: 1))
        let end = Date().addingTimeInterval(1.2)
        while Date() < end, server.served.count < 3 { usleep(50_000) }
        source.stop()
        fetcher.stop()
        XCTAssertGreaterThanOrEqual(server.served.count, 2, "fetched on its schedule")
        XCTAssertEqual(runner.all.count, 1, "the same (empty) body is not delivered twice")
        let failed = folder.appendingPathComponent("failed")
        let names = try FileManager.default.contentsOfDirectory(atPath: failed.path).sorted()
        XCTAssertEqual(names.count, 2, "\(names)")
        let sidecar = try XCTUnwrap(names.first { $0.hasSuffix(".error.json") })
        let json = try String(contentsOf: failed.appendingPathComponent(sidecar), encoding: .utf8)
        XCTAssertTrue(json.contains("\"reason\":\"empty\""), json)
        XCTAssertTrue(json.contains(url), json)
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("state/spool").path).isEmpty)
    }

    func testADamagedStateFileRefusesTheStartWithWhatToDo() throws {
        let state = folder.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: state.appendingPathComponent("state.json"))
        let config = settings([.init(url: "http://127.0.0.1:9/never", kind: .page, every: 3600)])
        let fetcher = HTTPFetcher(settings: config.fetch)
        defer { fetcher.stop() }
        let source = URLSource(settings: config, fetcher: fetcher, logger: Logger(label: "test"))
        XCTAssertThrowsError(try source.start { _ in }) {
            XCTAssertTrue("\($0)".contains("state.json is damaged"), "\($0)")
            XCTAssertTrue("\($0)".contains("move it aside"), "\($0)")
        }
    }

    func testRetryAfterInSecondsOrAsADate() {
        XCTAssertEqual(URLSource.retryAfter("120"), 120)
        let inAMinute = Date().addingTimeInterval(60)
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        XCTAssertEqual(URLSource.retryAfter(f.string(from: inAMinute)) ?? 0, 60, accuracy: 2)
        XCTAssertNil(URLSource.retryAfter("soon"))
    }
}
