import XCTest
@testable import IngestStages

/// Pages where the content finder used to keep only part of the article: the body cut into
/// boxes, the rest of the story behind a furniture-named toggle, a page read as plain text.
final class HTMLBodyRecallTests: XCTestCase {
    private func extract(_ html: String) -> HTMLArticle { HTMLArticleExtractor.extract(utf8: Array(html.utf8)) }

    /// Ten sentences of about the same length and shape, so that no box outscores the others by much.
    private let sentences = (1...10).map { n in
        "Step \(n) of the plan asks the volunteers, who meet on Saturdays, to check the pumps, clear the drains and log what they find by noon."
    }

    func testAnArticleCutIntoBoxesIsReadWhole() {
        // Each step sits in its own wrapper with an image and a credit line, as how-to pages do:
        // the best box is one step, and its siblings are figures, not more steps.
        let steps = stride(from: 0, to: sentences.count, by: 2).map { k in
            """
            <span><span><div class="mod step"><div class="step-content">
            <p>\(sentences[k])</p><p>\(sentences[k + 1])</p>
            </div><figure class="thumb"><img src="s\(k).jpg"></figure><div class="pic-source">Photo: Getty Images</div></div></span></span>
            """
        }.joined(separator: "\n")
        let html = """
        <!DOCTYPE html><html><head><title>Flood plan</title></head><body>
        <header><nav><a href="/">Home</a> <a href="/guides">Guides</a></nav></header>
        <div class="col-main"><article>\(steps)</article></div>
        <footer><p>Copyright 2024 Valley Guides. All rights reserved.</p></footer>
        </body></html>
        """
        let a = extract(html)
        XCTAssertEqual(a.paragraphs, sentences)
        XCTAssertEqual(a.captions, ["Photo: Getty Images"])
    }

    func testAFurnitureNamedBoxInsideTheArticleBodyThatHoldsItsProseIsKept() {
        let prose = [
            "The council voted on Tuesday to keep the library open on Sundays, after a petition signed by more than four thousand residents.",
            "Opening hours had been cut last year to save money, and the library's staff said visits had fallen by a third since then.",
            "The extra hours will cost about 60,000 a year, which the council said it would find by renting out rooms in the town hall to clubs, choirs and the weekend market.",
            "Residents who had campaigned for the change said they were pleased, although several asked whether the hours would last beyond the trial year that the council has agreed.",
        ]
        let html = """
        <!DOCTYPE html><html><head><title>Library stays open</title></head><body>
        <div class="story-body">
          <p>\(prose[0])</p><p>\(prose[1])</p>
          <div id="read-more"><div class="read-more-link"><a href="#">Read more</a></div>
            <div class="read-more-content"><p>\(prose[2])</p><p>\(prose[3])</p></div>
          </div>
        </div>
        <div class="read-more"><ul><li><a href="/a">More from the council this week and last week</a></li><li><a href="/b">All library stories from the last five years</a></li></ul></div>
        </body></html>
        """
        let a = extract(html)
        XCTAssertEqual(a.paragraphs.filter { $0 != "Read more" }, prose)
        XCTAssertFalse(a.paragraphs.contains { $0.contains("More from the council") }, "a 'read more' box of links outside the body is still furniture")
    }

    func testAPageWithACommentBeforeItsDoctypeIsReadAsHTML() {
        let metas = String(repeating: "<meta name=\"keywords\" content=\"council, library, opening hours, Sunday\">\n", count: 40)
        let html = """
        <!--?xml version="1.0" encoding="UTF-8" ?--><!DOCTYPE html><html><head><title>Library stays open</title>
        \(metas)</head><body><div class="story-body"><p>\(sentences[0])</p><p>\(sentences[1])</p></div></body></html>
        """
        let a = extract(html)
        XCTAssertEqual(a.paragraphs, [sentences[0], sentences[1]])
        XCTAssertEqual(a.title, "Library stays open")
    }

    func testShortBlocksThatRestateTheBylineOrTheStampAreNotBody() {
        var article = HTMLArticle()
        article.byline = ["Kim Ortega", "Lee Park"]
        article.published = "2019-11-20"
        let filter = HTMLArticleExtractor.ParagraphFilter.self
        XCTAssertTrue(filter.restatesMetadata("By Kim Ortega and Lee Park", article))
        XCTAssertTrue(filter.restatesMetadata("Kim Ortega", article))
        XCTAssertTrue(filter.restatesMetadata("Nov. 20, 2019, 9:28 AM UTC", article))
        XCTAssertTrue(filter.restatesMetadata("Wednesday 20 November 2019 10:15 GMT", article))
        XCTAssertFalse(filter.restatesMetadata("By Tuesday the flood had reached the town hall.", article))
        XCTAssertFalse(filter.restatesMetadata("Kim Ortega contributed reporting from the valley.", article))
        XCTAssertFalse(filter.restatesMetadata("— The Valley Senate (@ValleySenate) November 20, 2019", article), "a quoted post's attribution")
        XCTAssertFalse(filter.restatesMetadata("(Published Wednesday, Nov. 20, 2019)", article))
        XCTAssertFalse(filter.restatesMetadata("Nov. 21, 2019, 9:28 AM UTC", article), "another day's stamp is not the record's")
    }

    func testCompoundCaptionNamesAreFurniture() {
        XCTAssertTrue(ContentFinder.isFurniture("newscaption"))
        XCTAssertTrue(ContentFinder.isFurniture("photo-imagecaption"))
        XCTAssertFalse(ContentFinder.isFurniture("captioned-video"))
    }
}

extension HTMLBodyRecallTests {
    func testHeadingSlugsAreNotFurnitureNames() {
        XCTAssertFalse(ContentFinder.isFurniture("section sharing-with-a-single-developer"))
        XCTAssertFalse(ContentFinder.isFurniture("how-to-share-your-screen"))
        XCTAssertTrue(ContentFinder.isFurniture("sharing-tools"), "a component name is still judged")
        XCTAssertTrue(ContentFinder.isFurniture("social-share-buttons-container"))
    }
}

extension HTMLBodyRecallTests {
    func testCodeListingsInTheArticleAreText() {
        let intro = "The fetch function takes a URL and returns a promise that resolves to the response, as the listing below shows in full."
        let after = "The response object carries the status, the headers and the body, which can be read as text, as JSON or as a stream."
        let code = #"fetch("/data.json").then(function(res) { if (res.ok) { res.json().then(function(data) { console.log(data.entries); }); } });"#
        let html = """
        <!DOCTYPE html><html><head><title>Fetch</title></head><body><div class="entry-content">
        <p>\(intro)</p>
        <div class="wp_syntax"><table><tr><td class="code"><pre class="javascript">\(code.replacingOccurrences(of: "{ ", with: "{\n  "))</pre></td></tr></table></div>
        <p>\(after)</p></div></body></html>
        """
        let a = extract(html)
        XCTAssertEqual(a.paragraphs.count, 3)
        XCTAssertEqual(a.paragraphs.first, intro)
        XCTAssertEqual(a.paragraphs.last, after)
        XCTAssertEqual(a.paragraphs[1].split(separator: " ").joined(separator: " "), code)
    }
}

extension HTMLBodyRecallTests {
    func testASectionOfTheArticleInItsOwnWrapperIsJoined() {
        // Full-width figures cut the article into wrapped sections; the best candidate is the
        // longest section, climbed up to its wrapper, and the wrapper beside it holds a
        // shorter section of the same article deep inside.
        // The wrappers' classes differ (no same-class bonus), as a lead section's often does.
        func section(_ lines: ArraySlice<String>, kind: String) -> String {
            #"<section class="outer outer--\#(kind)"><div class="acf"><div class="post-section"><div class="post-content">"#
                + lines.map { "<p>\($0)</p>" }.joined() + "</div></div></div></section>"
        }
        let html = """
        <!DOCTYPE html><html><head><title>Flood plan</title></head><body><div class="page">
        \(section(sentences[0..<2], kind: "lead"))
        <section class="outer"><figure><img src="wide.jpg"><figcaption>The pumping station at dusk.</figcaption></figure></section>
        \(section(sentences[2..<8], kind: "content"))
        </div><footer><p>Copyright 2024 Valley Guides. All rights reserved.</p></footer></body></html>
        """
        XCTAssertEqual(extract(html).paragraphs, Array(sentences[0..<8]))
    }
}
