import Foundation
import XCTest
@testable import IngestInputs

final class FeedParserTests: XCTestCase {
    func testRSSItemsWithGuidsAndRelativeLinks() throws {
        let feed = try FeedParser.parse(Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0"><channel><title>Korea desk</title><link>https://news.test/</link>
          <item><title>Summit ends early</title><link>https://news.test/a</link><guid isPermaLink="false">tag:a</guid></item>
          <item><title>Relative</title><link>/b?x=1</link></item>
          <item><title>Only a permalink guid</title><guid>https://news.test/c</guid></item>
          <item><title>No link at all</title></item>
        </channel></rss>
        """.utf8), base: "https://news.test/feeds/rss.xml")
        XCTAssertEqual(feed.title, "Korea desk")
        XCTAssertEqual(feed.items, [
            .init(id: "tag:a", link: "https://news.test/a", title: "Summit ends early"),
            .init(id: "https://news.test/b?x=1", link: "https://news.test/b?x=1", title: "Relative"),
            .init(id: "https://news.test/c", link: "https://news.test/c", title: "Only a permalink guid"),
        ])
    }

    func testAtomEntriesUseTheAlternateLink() throws {
        let feed = try FeedParser.parse(Array("""
        <feed xmlns="http://www.w3.org/2005/Atom"><title>Atom desk</title>
          <entry><id>urn:1</id><title>One</title>
            <link rel="self" href="https://news.test/api/1"/><link rel="alternate" href="https://news.test/1"/></entry>
          <entry><id>urn:2</id><title>Two</title><link href="2.html"/></entry>
        </feed>
        """.utf8), base: "https://news.test/atom/")
        XCTAssertEqual(feed.title, "Atom desk")
        XCTAssertEqual(feed.items.map(\.link), ["https://news.test/1", "https://news.test/atom/2.html"])
        XCTAssertEqual(feed.items.map(\.id), ["urn:1", "urn:2"])
    }

    func testRSS1RDFItems() throws {
        let feed = try FeedParser.parse(Array("""
        <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
          <channel><title>RDF desk</title></channel>
          <item><title>A</title><link>https://news.test/rdf/a</link></item>
        </rdf:RDF>
        """.utf8), base: "https://news.test/")
        XCTAssertEqual(feed.items.map(\.link), ["https://news.test/rdf/a"])
    }

    func testWhatIsNotAFeedIsRefusedWithAReason() {
        XCTAssertThrowsError(try FeedParser.parse([], base: "https://x.test/")) { XCTAssertTrue("\($0)".contains("empty")) }
        XCTAssertThrowsError(try FeedParser.parse(Array("<rss><channel><item>".utf8), base: "https://x.test/")) {
            XCTAssertTrue("\($0)".contains("well-formed"), "\($0)")
        }
        XCTAssertThrowsError(try FeedParser.parse(Array("<html><body>hi</body></html>".utf8), base: "https://x.test/")) {
            XCTAssertTrue("\($0)".contains("<html>"), "\($0)")
        }
    }

    func testExternalEntitiesAreNotFetchedOrExpanded() throws {
        let feed = try FeedParser.parse(Array("""
        <?xml version="1.0"?>
        <!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
        <rss version="2.0"><channel><title>&secret;</title>
          <item><title>x</title><link>https://news.test/x</link></item></channel></rss>
        """.utf8), base: "https://news.test/")
        let secret = (try? String(contentsOfFile: "/etc/hostname", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if !secret.isEmpty { XCTAssertFalse(feed.title?.contains(secret) ?? false, "the file's content must not appear") }
        XCTAssertEqual(feed.items.count, 1)
    }
}
