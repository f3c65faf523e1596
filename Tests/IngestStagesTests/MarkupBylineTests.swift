import XCTest
@testable import IngestStages

/// `byline` on the HTML path when the metadata names no author: the page's byline markup.
final class MarkupBylineTests: XCTestCase {
    private let story = """
        <p>The harbour board voted on Tuesday to rebuild the north pier, which storms damaged twice last winter,
        and to open it to ferries again by the spring of next year, the board's chair told reporters.</p>
        <p>Work starts next month. The board said the contractor, chosen from four bidders, would keep the
        south pier open throughout, so that the island service runs on its usual timetable.</p>
        """

    private func byline(_ top: String, after: String = "") -> [String] {
        let html = "<html><head><title>Pier to be rebuilt</title></head><body><article><h1>Pier to be rebuilt</h1>\(top)\(story)</article>\(after)</body></html>"
        return HTMLArticleExtractor.extract(utf8: Array(html.utf8)).byline
    }

    func testBylineClassWithBy() {
        XCTAssertEqual(byline(#"<p class="byline">By Ana Sandoiu</p>"#), ["Ana Sandoiu"])
        XCTAssertEqual(byline(#"<div class="c-byline">By <span>Jane Roe</span> and <span>John Doe</span> | March 4, 2019</div>"#), ["Jane Roe", "John Doe"])
    }

    func testRelAndItempropAuthor() {
        XCTAssertEqual(byline(#"<span>By <a rel="author" href="/jr">Jane Roe</a></span>"#), ["Jane Roe"])
        XCTAssertEqual(byline(#"<span itemprop="author">JOE HILDEBRAND</span>"#), ["JOE HILDEBRAND"])
    }

    func testInnermostBylineElementWins() {
        XCTAssertEqual(byline(#"<div class="byline">By <span class="author-name">Kelli Miller</span> Health News Weekly</div>"#), ["Kelli Miller"])
    }

    func testCommentersAfterTheArticleAndLabelsAreNotBylines() {
        XCTAssertEqual(byline("", after: #"<div class="comments"><span class="author">Pat Quinn</span><p>Great story, thanks.</p></div>"#), [])
        XCTAssertEqual(byline(#"<span class="author">J J</span>"#), [])
        XCTAssertEqual(MarkupByline.names(in: "By Joe Wee Monday"), ["Joe Wee"])
    }

    func testMetadataAuthorComesFirst() {
        let html = #"<html><head><meta name="author" content="Mara Lindqvist"></head><body><article><p class="byline">By Ana Sandoiu</p>"# + story + "</article></body></html>"
        XCTAssertEqual(HTMLArticleExtractor.extract(utf8: Array(html.utf8)).byline, ["Mara Lindqvist"])
    }

    private func metaByline(_ head: String) -> [String] {
        let html = "<html><head>\(head)</head><body><article>\(story)</article></body></html>"
        return HTMLArticleExtractor.extract(utf8: Array(html.utf8)).byline
    }

    func testDublinCoreCreatorComesBeforeTheAuthorMeta() {
        XCTAssertEqual(metaByline(#"<meta name="author" content="Newsroom CMS"><meta property="dc:creator" content="Mara Lindqvist">"#),
                       ["Mara Lindqvist"])
        XCTAssertEqual(metaByline(#"<meta name="author" content="Newsroom CMS"><meta name="DC.creator" content="Mara Lindqvist">"#),
                       ["Mara Lindqvist"])
    }

    func testEveryTokenOfASpaceSeparatedPropertyIsAKey() {
        // RDFa: `property` lists several properties for one value.
        XCTAssertEqual(metaByline(#"<meta property="x:name dc:creator" content="Mara Lindqvist">"#), ["Mara Lindqvist"])
        XCTAssertEqual(metaByline(#"<meta property="og:title  dc:title" content="Pier to be rebuilt"><meta property="twitter:site_name dc:creator" content="Ana Sandoiu">"#),
                       ["Ana Sandoiu"])
        XCTAssertEqual(metaByline(#"<meta property="dc:creatorx" content="Mara Lindqvist">"#), [])
    }
}
