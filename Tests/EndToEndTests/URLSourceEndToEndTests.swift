import Foundation
import LoopbackHTTP
import XCTest

/// `ingestd run` with a feed on a loopback server and the drop folder, side by side.
final class URLSourceEndToEndTests: XCTestCase {
    /// The news pipeline with one URL source beside its drop folder, fetched without delays or robots.txt.
    private func harness(url: String, kind: String) throws -> DaemonHarness {
        try DaemonHarness(edits: [("    on_success: move       # move | delete\n", """
                on_success: move       # move | delete
              urls:
                - url: \(url)
                  kind: \(kind)
                  every: 1h
              fetch:
                min_delay: 0s
                robots: false

            """)])
    }

    func testFeedItemsBecomeRecordsWithTheirOriginAndAreNotFetchedAgainAfterARestart() throws {
        let pages = ["/story/1": distinctArticle(101), "/story/2": distinctArticle(102)]
        let server = try LoopbackHTTPServer { request, reply in
            if request.path == "/feed.xml" {
                let items = pages.keys.sorted().map { "<item><title>\($0)</title><link>\($0)</link></item>" }.joined()
                reply.respond(200, [("Content-Type", "application/rss+xml"), ("ETag", "\"f1\"")],
                              text: "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Desk</title>\(items)</channel></rss>")
            } else if let text = pages[request.path] {
                let html = "<html><head><title>\(text.split(separator: "\n")[0])</title></head><body><article>"
                    + text.split(separator: "\n").dropFirst().map { "<p>\($0)</p>" }.joined() + "</article></body></html>"
                reply.respond(200, [("Content-Type", "text/html; charset=utf-8")], text: html)
            } else {
                reply.respond(404, text: "no")
            }
        }
        defer { server.stop() }
        let feed = server.base + "/feed.xml"
        let h = try harness(url: feed, kind: "feed")
        defer { h.cleanUp() }
        try h.start()
        try h.drop("local.txt", text: sampleArticle(7))
        try waitUntil("two fetched and one dropped document are recorded", timeout: 30) { ((try? h.recordLines()) ?? []).count == 3 }
        XCTAssertEqual(try h.stop(), 0)

        let records = try h.recordLines()
        let fetched = records.filter { ($0["origin"] as? [String: Any])?["kind"] as? String == "url" }
        XCTAssertEqual(fetched.count, 2)
        for record in fetched {
            let origin = try XCTUnwrap(record["origin"] as? [String: Any])
            XCTAssertEqual(origin["feed"] as? String, feed)
            XCTAssertEqual(origin["status"] as? Int, 200)
            XCTAssertEqual(origin["url"] as? String, origin["final_url"] as? String)
            XCTAssertTrue((origin["url"] as? String)?.hasPrefix(server.base + "/story/") ?? false)
            XCTAssertNotNil(origin["fetched_at"] as? String)
            XCTAssertTrue((record["text"] as? String ?? "").count > 200, "the article text came through normalize")
        }
        let local = try XCTUnwrap(records.first { ($0["origin"] as? [String: Any])?["kind"] as? String == "file" })
        XCTAssertNil((local["origin"] as? [String: Any])?["feed"], "file records carry no fetch fields")

        // Restart: the feed is fetched again (its validators were committed once both items were
        // recorded, so it is a conditional GET) and nothing new is recorded.
        let before = server.served.count
        try h.start()
        try waitUntil("the feed is fetched again", timeout: 20) { server.served.count > before }
        usleep(500_000)
        XCTAssertEqual(try h.stop(), 0)
        XCTAssertEqual(try h.recordLines().count, 3)
        XCTAssertEqual(server.served.last?.headers["if-none-match"], "\"f1\"")
        XCTAssertTrue(h.logLines().contains { $0["msg"] as? String == "ingestd started" && $0["urls"] != nil })
    }

    /// Issue 15 item 16: the log line of a rejected fetched document names its URL.
    func testARejectedFetchedDocumentIsLoggedWithItsURL() throws {
        let server = try LoopbackHTTPServer { _, reply in reply.respond(200, [("Content-Type", "text/html")], text: "") }
        defer { server.stop() }
        let page = server.base + "/empty.html"
        let h = try harness(url: page, kind: "page")
        defer { h.cleanUp() }
        try h.start()
        try waitUntil("the empty page is rejected", timeout: 30) { h.logLines().contains { $0["msg"] as? String == "document rejected" } }
        XCTAssertEqual(try h.stop(), 0)
        let line = try XCTUnwrap(h.logLines().first { $0["msg"] as? String == "document rejected" })
        XCTAssertEqual(line["url"] as? String, page, "\(line)")
    }
}
