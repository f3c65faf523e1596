import Foundation
import IngestCore
import IngestPostgres
import LoopbackHTTP
import PostgresServer
import XCTest

/// Real daemons sharing one real PostgreSQL: the fetch schedule across two nodes (one killed),
/// and a database that goes away under a running node.
final class ClusterFeedAndOutageTests: XCTestCase {

    private func clusterEdits(_ conninfo: String, node: String, extraSources: String = "") -> [(String, String)] {
        [("summary_interval: 60s", "summary_interval: 0"),
         ("\nstages:\n", "\ncluster:\n  postgres: \"\(conninfo)\"\n  node: \(node)\nstages:\n"),
         ("sink:\n  type: jsonl\n  path: records/records.jsonl\n", "sink:\n  type: postgres\n"),
         ("    on_success: move       # move | delete\n", "    on_success: move       # move | delete\n" + extraSources)]
    }

    /// Two nodes list the same feed (every 10 s): one fetches it per interval; the holder is
    /// killed with SIGKILL, and the other takes the feed over within one interval, with a
    /// conditional GET and without fetching again an item the killed node recorded.
    func testTwoNodesShareAFeedAndTheSurvivorTakesItOverAfterAKill9() throws {
        let server = try PostgresServer()
        defer { server.stop() }
        try PostgresConnection(server.conninfo()).execute("CREATE DATABASE feeds")
        let conninfo = server.conninfo(database: "feeds")
        let items = Locked(["/a", "/b", "/c"])
        let http = try LoopbackHTTPServer { request, reply in
            if request.path == "/feed.xml" {
                let body = RSSFeed.xml(items.withLock { $0 })
                let etag = "\"\(body.utf8.count)\""
                if request.headers["if-none-match"] == etag { reply.respond(304); return }
                reply.respond(200, [("Content-Type", "application/rss+xml"), ("ETag", etag)], text: body)
            } else {
                reply.respond(200, [("Content-Type", "text/html")],
                              text: "<html><head><title>Story \(request.path)</title></head><body><article><h1>Story \(request.path)</h1>"
                                + "<p>\(distinctArticle(request.path.utf8.reduce(7) { ($0 &* 31 &+ Int($1)) & 0xffff }, words: 80))</p></article></body></html>")
            }
        }
        defer { http.stop() }
        func sources(_ node: String) -> String {
            """
              urls:
                - url: \(http.base)/feed.xml
                  kind: feed
                  every: 10s
              fetch:
                min_delay: 0s
                robots: false
                user_agent: "ingestd/0.1 (\(node); +mailto:desk@example.org)"

            """
        }
        let nodes = try ["desk-a", "desk-b"].map { try DaemonHarness(edits: clusterEdits(conninfo, node: $0, extraSources: sources($0))) }
        defer { nodes.forEach { $0.cleanUp() } }
        for n in nodes { try n.start() }
        let db = try PostgresConnection(conninfo)
        func rows() -> Int { Int((try? db.execute("SELECT count(*) FROM ingestd_records").rows[0][0] ?? "0") ?? "0") ?? 0 }
        try waitUntil("the three items are recorded", timeout: 30) { rows() == 3 }
        let feedFetches = http.served.filter { $0.path == "/feed.xml" }
        XCTAssertEqual(feedFetches.count, 1, "one node fetched the feed in the first interval")
        let holderAgent = try XCTUnwrap(feedFetches.first?.headers["user-agent"])
        let holder = holderAgent.contains("desk-a") ? 0 : 1
        let lastFetch = feedFetches.last!.arrived

        // Let the holder publish what it recorded, then kill it and add an item to the feed.
        Thread.sleep(forTimeInterval: 1.0)
        try nodes[holder].kill9()
        items.withLock { $0.insert("/d", at: 0) }
        try waitUntil("the new item is recorded by the other node", timeout: 30) { rows() == 4 }
        let after = http.served.filter { $0.path == "/feed.xml" && $0.arrived > lastFetch }
        let first = try XCTUnwrap(after.first)
        XCTAssertFalse(first.headers["user-agent"]?.contains(holder == 0 ? "desk-a" : "desk-b") ?? true, "taken over by the survivor")
        XCTAssertLessThanOrEqual(first.arrived.timeIntervalSince(lastFetch), 10 + 3, "within one lease time of the last fetch")
        XCTAssertNotNil(first.headers["if-none-match"], "a conditional GET with the killed node's validator")
        for path in ["/a", "/b", "/c", "/d"] {
            XCTAssertEqual(http.served.filter { $0.path == path }.count, 1, "\(path) fetched once across both nodes")
        }
        let nodesOfRows = try db.execute("SELECT node, count(*) FROM ingestd_records GROUP BY node ORDER BY node").rows
        XCTAssertEqual(nodesOfRows.map { $0[1] ?? "" }.reduce(0) { $0 + (Int($1) ?? 0) }, 4, "\(nodesOfRows)")
        XCTAssertEqual(try nodes[1 - holder].stop(), 0)
    }

    /// The database stops under a running node: nothing is acknowledged while it is away, the
    /// outage is logged once, and everything is recorded, once, when it is back.
    func testADatabaseThatGoesAwayHoldsDocumentsAndLosesNothing() throws {
        let server = try PostgresServer()
        defer { server.stop() }
        try PostgresConnection(server.conninfo()).execute("CREATE DATABASE outage")
        let conninfo = server.conninfo(database: "outage")
        let node = try DaemonHarness(edits: clusterEdits(conninfo, node: "desk-a"))
        defer { node.cleanUp() }
        try node.start()
        for i in 0..<20 { try node.drop(String(format: "before-%02d.txt", i), text: distinctArticle(9000 + i)) }
        try waitUntil("the first 20 are done", timeout: 30) { node.names("done").count == 20 }

        try server.pause()
        for i in 0..<20 { try node.drop(String(format: "during-%02d.txt", i), text: distinctArticle(9100 + i)) }
        Thread.sleep(forTimeInterval: 3)
        XCTAssertEqual(node.names("done").count, 20, "nothing acknowledged while the database is away")
        XCTAssertEqual(node.names("failed"), [])
        try server.resume()
        try waitUntil("all 40 are done", timeout: 60) { node.names("done").count == 40 }
        XCTAssertEqual(try node.stop(), 0)

        let db = try PostgresConnection(conninfo)
        XCTAssertEqual(try db.execute("SELECT count(*), count(DISTINCT record->'origin'->>'path') FROM ingestd_records").rows[0], ["40", "40"])
        XCTAssertEqual(try db.execute("SELECT count(*) FROM ingestd_records WHERE dedupe_status <> 'unique'").rows[0][0], "0")
        let messages = node.logLines().compactMap { $0["msg"] as? String }
        let down = messages.filter { $0.hasPrefix("database unavailable") }.count
        let back = messages.filter { $0.hasPrefix("database available again") }.count
        XCTAssertTrue((1...2).contains(down), "logged once per component that met it (the dedupe stage, the sink): \(down)")
        XCTAssertEqual(back, down, "and its end once each")
    }
}
