import Foundation
import IngestCore
import IngestPostgres
import LogCapture
import LoopbackHTTP
import PostgresServer
import XCTest
@testable import IngestInputs

/// Two nodes with the same URL list and one real PostgreSQL (`cluster.postgres`): each URL is
/// fetched by one node per interval, and a node that stops has its URLs taken over, with its
/// validators and seen items.
final class SharedFetchScheduleTests: XCTestCase {
    nonisolated(unsafe) static var server: PostgresServer?
    nonisolated(unsafe) static var startFailure = ""

    override class func setUp() {
        super.setUp()
        do { server = try PostgresServer() } catch { startFailure = "\(error)" }
    }

    override class func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("shared-urls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func database() throws -> String {
        guard let server = Self.server else {
            XCTFail("PostgreSQL 15 did not start (scripts/ensure-deps installs it): \(Self.startFailure)")
            throw XCTSkip("no server")
        }
        let name = "f_" + UUID().uuidString.prefix(8).lowercased()
        try PostgresConnection(server.conninfo()).execute("CREATE DATABASE \(name)")
        return server.conninfo(database: name)
    }

    /// A node: its own state folder, its user agent naming it, claims acknowledged as recorded.
    private final class Node: @unchecked Sendable {
        let source: URLSource
        let fetcher: HTTPFetcher
        private let lock = NSLock()
        private var claimed: [String] = []

        init(_ name: String, entries: [URLSourceSettings.Entry], conninfo: String, folder: URL) throws {
            var s = URLSourceSettings(entries: entries, stateFolder: folder.appendingPathComponent("\(name)/state"),
                                      failed: folder.appendingPathComponent("\(name)/failed"))
            s.minDelay = 0
            s.robots = false
            s.fetch.userAgent = "ingestd-\(name)"
            let client = PostgresClient(conninfo: conninfo, node: name, logger: CapturedLog().logger())
            _ = try client.prepare()
            fetcher = HTTPFetcher(settings: s.fetch)
            source = URLSource(settings: s, fetcher: fetcher, logger: CapturedLog().logger(), schedule: PostgresFetchSchedule(client: client))
            try source.start { [weak self] claim in
                guard let self else { return }
                self.lock.lock(); self.claimed.append(claim.web?.url ?? ""); self.lock.unlock()
                self.source.acknowledge(claim, outcome: .recorded(id: claim.claimName))
            }
            source.grant(16)
        }

        var urls: [String] { lock.lock(); defer { lock.unlock() }; return claimed }

        func stop() {
            source.stop()
            source.close()
        }
    }

    func testEachURLIsFetchedByOneNodePerIntervalAndTakenOverWithItsValidatorsAndSeenItems() throws {
        let conninfo = try database()
        let items = Locked(["/a", "/b", "/c"])
        let http = try LoopbackHTTPServer { request, reply in
            if request.path == "/feed.xml" {
                let body = RSSFeed.xml(items.withLock { $0 })
                let etag = "\"\(body.utf8.count)\""
                if request.headers["if-none-match"] == etag { reply.respond(304); return }
                reply.respond(200, [("Content-Type", "application/rss+xml"), ("ETag", etag)], text: body)
            } else if request.path == "/page" {
                if request.headers["if-none-match"] == "\"p1\"" { reply.respond(304); return }
                reply.respond(200, [("ETag", "\"p1\""), ("Content-Type", "text/html")], text: "<html><p>the page</p></html>")
            } else {
                reply.respond(200, [("Content-Type", "text/html")], text: "<html><title>\(request.path)</title><p>story \(request.path)</p></html>")
            }
        }
        defer { http.stop() }
        let every = 0.6
        let entries: [URLSourceSettings.Entry] = [.init(url: http.base + "/feed.xml", kind: .feed, every: every),
                                                  .init(url: http.base + "/page", kind: .page, every: every)]
        let a = try Node("desk-a", entries: entries, conninfo: conninfo, folder: folder)
        let b = try Node("desk-b", entries: entries, conninfo: conninfo, folder: folder)
        Thread.sleep(forTimeInterval: 3.2)

        // Each URL once per interval, whichever node: consecutive fetches of a URL are an interval apart.
        for path in ["/feed.xml", "/page"] {
            let times = http.served.filter { $0.path == path }.map(\.arrived).sorted()
            XCTAssertGreaterThanOrEqual(times.count, 3, "\(path) is fetched on its schedule")
            XCTAssertLessThanOrEqual(times.count, 7, "\(path): \(times.count) fetches in 3.2 s at one per \(every) s")
            for (x, y) in zip(times, times.dropFirst()) {
                XCTAssertGreaterThan(y.timeIntervalSince(x), every * 0.8, "\(path) fetched twice within one interval")
            }
        }
        // Every item and the page recorded once, across both nodes.
        let recorded = (a.urls + b.urls).sorted()
        XCTAssertEqual(recorded, ["/a", "/b", "/c", "/page"].map { http.base + $0 }.sorted())
        XCTAssertEqual(http.served.filter { ["/a", "/b", "/c"].contains($0.path) }.count, 3)

        // The node holding the feed stops; the other takes it over within one lease time, its
        // first request conditional on what the stopped node last saw, and re-records nothing.
        let feedRequests = http.served.filter { $0.path == "/feed.xml" }
        let holder = feedRequests.last!.headers["user-agent"] == "ingestd-desk-a" ? a : b
        let other = holder === a ? b : a
        let otherAgent = holder === a ? "ingestd-desk-b" : "ingestd-desk-a"
        holder.stop()
        let stoppedAt = Date()
        let before = other.urls.count
        Thread.sleep(forTimeInterval: every * 2.5)
        let takenOver = http.served.filter { $0.path == "/feed.xml" && $0.arrived > stoppedAt }
        XCTAssertFalse(takenOver.isEmpty, "the feed is fetched after its holder stopped")
        XCTAssertTrue(takenOver.allSatisfy { $0.headers["user-agent"] == otherAgent })
        if let first = takenOver.first {
            XCTAssertLessThanOrEqual(first.arrived.timeIntervalSince(stoppedAt), every + 0.5, "within one lease time")
            XCTAssertNotNil(first.headers["if-none-match"], "conditional GET with the stopped node's validator")
        }
        XCTAssertEqual(other.urls.count, before, "nothing recorded again")
        // A new item is taken by the remaining node, once.
        items.withLock { $0.insert("/d", at: 0) }
        Thread.sleep(forTimeInterval: every * 2.5)
        other.stop()
        XCTAssertEqual(other.urls.filter { $0.hasSuffix("/d") }.count, 1)
        XCTAssertEqual(http.served.filter { $0.path == "/d" }.count, 1)
    }
}
