import Foundation
import IngestCore
import XCTest
@testable import IngestStages

/// The dedupe stage as the second line of defence behind the URL source's memory of feed items
/// (issue 15, item 12): a page fetched and recorded again is a duplicate by its URL, even when
/// its text changed in between and the page names no canonical URL.
final class DedupeRefetchTests: XCTestCase {
    private func stage() throws -> DedupeStage {
        DedupeStage(policy: .annotate, exact: try ExactIndex(directory: nil),
                    urls: try ExactIndex(directory: nil, fileName: "dedupe-url.log"),
                    near: try NearDuplicateIndex(directory: nil, bar: NearDuplicateIndex.bar(threshold: 0.8)), shingle: 5)
    }

    private func fetched(_ id: String, url: String, _ text: String) -> Document {
        let web = WebOrigin(url: url, finalURL: url, status: 200, fetchedAt: "2026-12-04T10:00:00Z", feed: "https://example.org/feed.xml")
        var d = Document(id: id, origin: Origin(kind: .url, path: url, size: 1, sha256: "x", web: web), raw: [])
        d.text = text
        return d
    }

    func testTheSamePageURLRecordedTwiceIsADuplicateByURL() throws {
        let s = try stage()
        var first = fetched("a", url: "https://example.org/news/harbour", "The harbour expansion was approved on Monday by the council.")
        var again = fetched("b", url: "https://example.org/news/harbour",
                            "Updated: rail workers walked out at dawn; trains stood still across the region all day.")
        var other = fetched("c", url: "https://example.org/news/school", "The school budget grew by four per cent this year.")
        XCTAssertEqual(try s.processSynchronously(&first), .keep)
        XCTAssertEqual(try s.processSynchronously(&again), .keep)
        XCTAssertEqual(try s.processSynchronously(&other), .keep)
        XCTAssertEqual(first.dedupe, DedupeVerdict(status: .unique))
        XCTAssertEqual(again.dedupe, DedupeVerdict(status: .duplicate, of: "a", similarity: nil), "by URL, not by text")
        XCTAssertEqual(other.dedupe?.status, .unique)
    }

    func testACanonicalURLStillWinsOverTheFetchedOne() throws {
        let s = try stage()
        var first = fetched("a", url: "https://example.org/news/harbour?from=feed", "The harbour expansion was approved on Monday.")
        first.origin.canonicalURL = "https://example.org/news/harbour"
        var mirror = fetched("b", url: "https://mirror.example.net/harbour", "Rail workers walked out at dawn across the region.")
        mirror.origin.canonicalURL = "https://example.org/news/harbour"
        _ = try s.processSynchronously(&first)
        _ = try s.processSynchronously(&mirror)
        XCTAssertEqual(mirror.dedupe, DedupeVerdict(status: .duplicate, of: "a", similarity: nil))
    }
}
