import XCTest
@testable import IngestStages

final class HTMLArticleExtractorTests: XCTestCase {
    private func extract(_ html: String) -> HTMLArticle { HTMLArticleExtractor.extract(utf8: Array(html.utf8)) }

    private let prose = [
        "The river authority approved the new flood barrier on Monday, after a year of hearings, surveys and public meetings in three towns.",
        "Engineers said the barrier, which will cost about 40 million, should protect some 2,000 homes from the kind of flooding seen last spring.",
        "Residents who spoke at the final hearing welcomed the decision, although several asked why the work would not begin until next autumn.",
        "The authority said the delay was needed to order steel, to move a pumping station, and to agree the route of a temporary road.",
    ]

    private func page(head: String = "", bodyBefore: String = "", article: String? = nil, bodyAfter: String = "") -> String {
        let paragraphs = article ?? prose.map { "<p>\($0)</p>" }.joined(separator: "\n")
        return """
        <!DOCTYPE html><html lang="en-GB"><head><title>Flood barrier approved | Valley Courier</title>\(head)</head>
        <body>
        <header class="site-header"><a href="/">Valley Courier</a><nav><a href="/news">News</a><a href="/sport">Sport</a></nav></header>
        \(bodyBefore)
        <div class="layout">
          <article class="story">
            <h1>Flood barrier approved</h1>
            <div class="story-meta">By <a href="/staff/kim">Kim Ortega</a></div>
            <div class="article-body">
            \(paragraphs)
            </div>
          </article>
          <aside class="sidebar"><h3>Most read</h3><ul><li><a href="/a">Council tax to rise by five percent next year, leaders say</a></li><li><a href="/b">Bridge closed for repairs over the whole summer holidays</a></li></ul></aside>
        </div>
        \(bodyAfter)
        <footer><p>Copyright 2024 Valley Courier. All rights reserved. Contact us at the newsroom for corrections.</p></footer>
        </body></html>
        """
    }

    func testArticleParagraphsAreKeptAndNavigationSidebarAndFooterAreNot() {
        let a = extract(page())
        XCTAssertEqual(a.paragraphs, prose)
    }

    func testTitleFallsBackToTheTitleTagWithoutTheSiteName() {
        XCTAssertEqual(extract(page()).title, "Flood barrier approved")
        XCTAssertEqual(extract(page()).lang, "en")
    }

    func testJSONLDWinsOverOpenGraphWhichWinsOverMetaTags() {
        let head = """
        <meta property="og:title" content="OG headline"><meta property="og:site_name" content="Courier OG">
        <meta name="author" content="Meta Author"><meta property="article:published_time" content="2023-01-02T08:00:00Z">
        <link rel="canonical" href="https://courier.example/news/flood-barrier">
        <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"x"},
          {"@type":"NewsArticle","headline":"JSON-LD headline","datePublished":"2024-03-05T10:15:00+01:00",
           "author":[{"@type":"Person","name":"Kim Ortega"},{"@type":"Person","name":"Lee Park"}],
           "publisher":{"@type":"Organization","name":"Valley Courier"},"inLanguage":"en-GB"}]}</script>
        """
        let a = extract(page(head: head))
        // The page's <h1> that its <title> confirms is the headline (HeadlineChooser); between
        // metadata headlines that no other source states, JSON-LD comes first, then OpenGraph.
        XCTAssertEqual(a.title, "Flood barrier approved")
        let bare = "<body><article>" + prose.map { "<p>\($0)</p>" }.joined() + "</article></body></html>"
        XCTAssertEqual(extract("<!DOCTYPE html><html><head>" + head + "</head>" + bare).title, "JSON-LD headline")
        XCTAssertEqual(extract(#"<!DOCTYPE html><html><head><meta property="og:title" content="OG headline"><meta name="headline" content="Meta headline"></head>"# + bare).title, "OG headline")
        XCTAssertEqual(a.byline, ["Kim Ortega", "Lee Park"])
        XCTAssertEqual(a.published, "2024-03-05")
        XCTAssertEqual(a.site, "Valley Courier")
        XCTAssertEqual(a.canonicalURL, "https://courier.example/news/flood-barrier")

        let ogOnly = extract(page(head: """
        <meta property="og:title" content="OG headline"><meta property="og:site_name" content="Courier OG">
        <meta name="author" content="Meta Author"><meta name="date" content="March 5, 2024">
        """))
        XCTAssertEqual(ogOnly.title, "Flood barrier approved")
        XCTAssertEqual(ogOnly.site, "Courier OG")
        XCTAssertEqual(ogOnly.byline, ["Meta Author"])
        XCTAssertEqual(ogOnly.published, "2024-03-05")
    }

    func testCommentsShareBarsAndRelatedListsInsideTheArticleAreDropped() {
        let article = prose.prefix(2).map { "<p>\($0)</p>" }.joined()
            + #"<div class="share-tools"><a href="/s1">Share on Facebook</a> <a href="/s2">Share on X</a></div>"#
            + #"<ul class="related-links"><li><a href="/c">Related: barrier plans go on display at the town hall</a></li><li><a href="/d">Related: how the spring floods spread</a></li></ul>"#
            + prose.suffix(2).map { "<p>\($0)</p>" }.joined()
        let comments = #"<section id="comments"><h2>12 comments</h2><p>I think this is a waste of money and the council should have built it years ago, frankly.</p></section>"#
        let a = extract(page(article: article, bodyAfter: comments))
        XCTAssertEqual(a.paragraphs, prose)
    }

    func testHeadingsListItemsAndQuotesInsideTheArticleAreSeparateParagraphs() {
        let article = "<p>\(prose[0])</p><h2>What happens next</h2><ul><li>Steel is ordered in May.</li><li>Work starts in October.</li></ul>"
            + "<blockquote>“We have waited long enough,” said one resident.</blockquote><p>\(prose[1]) <b>Bold</b> and <a href='/x'>linked</a> words stay inline.</p>"
        let a = extract(page(article: article))
        XCTAssertEqual(a.paragraphs, [
            prose[0], "What happens next", "Steel is ordered in May.", "Work starts in October.",
            "“We have waited long enough,” said one resident.", prose[1] + " Bold and linked words stay inline.",
        ])
    }

    func testCaptionsGoToCaptionsNotText() {
        let article = "<p>\(prose[0])</p><figure><img src='a.jpg'><figcaption>The river at dawn. Photo: Lee Park</figcaption></figure><p>\(prose[1])</p>"
        let a = extract(page(article: article))
        XCTAssertEqual(a.paragraphs, [prose[0], prose[1]])
        XCTAssertEqual(a.captions, ["The river at dawn. Photo: Lee Park"])
    }

    func testTextWrittenStraightIntoADivWithLineBreaksIsFound() {
        let article = prose.joined(separator: "<br><br>\n") + "<div class='separator'><img src='x.jpg'></div>"
        let html = """
        <html><body><div class="post-body">\(article)</div>
        <div class="teasers"><a href="/1">One teaser headline here for you</a><a href="/2">Another teaser headline here</a></div></body></html>
        """
        XCTAssertEqual(extract(html).paragraphs, prose)
    }

    func testScriptsStylesAndCommentsNeverReachTheText() {
        let article = "<p>\(prose[0])</p><script>document.write('<p>injected text that is not article</p>')</script>"
            + "<style>p { color: red }</style><!-- <p>commented out paragraph of text</p> --><p>\(prose[1])</p>"
        XCTAssertEqual(extract(page(article: article)).paragraphs, [prose[0], prose[1]])
    }

    func testPathologicalMarkupIsBounded() {
        let deep = String(repeating: "<div>", count: 100_000) + "deep text" + String(repeating: "</div>", count: 100_000)
        let a = extract("<html><body>" + deep + "</body></html>")
        XCTAssertTrue(a.paragraphs.count <= 1)

        let oneLine = "<html><body><p>" + String(repeating: "word ", count: 2_000_000) + "</p></body></html>"
        let b = extract(oneLine)
        XCTAssertEqual(b.paragraphs.count, 1)
        XCTAssertEqual(b.paragraphs.first?.split(separator: " ").count, 2_000_000)

        XCTAssertEqual(extract("").paragraphs, [])
        XCTAssertEqual(extract("<html><script>never closed").paragraphs, [])
        XCTAssertEqual(extract("<<<>>><p <a href='x>").paragraphs.count, 0)
    }

    func testParagraphsRepeatedOnPurposeAreKeptButBackToBackRepeatsAreNot() {
        // The back-to-back repeat is one block rendered twice in two wrappers (a template's
        // artefact); the same text in two sibling `<p>`s is the article's own repeat
        // (HTMLReadabilityGapsTests.testAParagraphTheArticleRepeatsIsKeptEachTime).
        let article = "<p>\(prose[0])</p><h3>Morning</h3><p>Walk the dog along the river path.</p><h3>Evening</h3>"
            + "<p>Walk the dog along the river path.</p><div class=\"a\"><p>\(prose[1])</p></div><div class=\"b\"><p>\(prose[1])</p></div>"
        XCTAssertEqual(extract(page(article: article)).paragraphs, [
            prose[0], "Morning", "Walk the dog along the river path.", "Evening", "Walk the dog along the river path.", prose[1],
        ])
    }

    func testAPageWrappedInOneFormIsStillRead() {
        let html = "<html><body><form id='aspnetForm' action='/post'><div class='page'><article>"
            + prose.map { "<p>\($0)</p>" }.joined() + "</article></div>"
            + "<div class='newsletter-box'>Sign up for our newsletter <input type='email'></div></form></body></html>"
        XCTAssertEqual(extract(html).paragraphs, prose)
    }

    func testEmbedsInsideFiguresAreTextButTheirCaptionsAreCaptions() {
        let article = "<p>\(prose[0])</p><figure class='embed'><blockquote>The new barrier is the best news this town has had in years, one resident wrote.</blockquote>"
            + "<figcaption>A post shared on Monday</figcaption></figure><p>\(prose[1])</p>"
        let a = extract(page(article: article))
        XCTAssertEqual(a.paragraphs, [prose[0], "The new barrier is the best news this town has had in years, one resident wrote.", prose[1]])
        XCTAssertEqual(a.captions, ["A post shared on Monday"])
    }

    func testSniffingHTML() {
        XCTAssertTrue(HTMLArticleExtractor.looksLikeHTML(page()))
        XCTAssertTrue(HTMLArticleExtractor.looksLikeHTML("<div class=a><p>Hello</p></div>"))
        XCTAssertFalse(HTMLArticleExtractor.looksLikeHTML("Plain text that mentions <b> once."))
        XCTAssertFalse(HTMLArticleExtractor.looksLikeHTML("Headline\n\nBody text."))
        // A comment before the doctype, and more head markup than the sniffed 2 KB.
        let metas = String(repeating: "<meta name=\"x\" content=\"a long value for a meta tag\">\n", count: 60)
        let commented = "<!--?xml version=\"1.0\" encoding=\"UTF-8\" ?--> <!-- built by a CMS -->\n<!DOCTYPE html><html><head>\(metas)</head><body><p>Hi</p></body></html>"
        XCTAssertTrue(HTMLArticleExtractor.looksLikeHTML(commented))
        XCTAssertFalse(HTMLArticleExtractor.looksLikeHTML("<!-- a note --> Plain text after it."))
    }

    func testSniffingHTMLSkipsCommentsAndXMLDeclarationsBeforeTheDoctype() {
        // A CMS that writes its XML declaration as a comment, with a head of only meta tags and
        // scripts for the first kilobytes: it is still a page, not a plain-text scrape.
        let head = String(repeating: "<meta name=\"x\" content=\"y\">\n", count: 80)
        XCTAssertTrue(HTMLArticleExtractor.looksLikeHTML("<!--?xml version=\"1.0\" ?--><!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\"><html><head>\(head)"))
        XCTAssertTrue(HTMLArticleExtractor.looksLikeHTML("<?xml version=\"1.0\"?>\n<!-- built by x -->\n<html lang=en><head>\(head)"))
        XCTAssertFalse(HTMLArticleExtractor.looksLikeHTML("<!-- a note --> then plain text, no markup at all."))
        // The whole page through the extractor: a body, not the head's text.
        let page = "<!--?xml version=\"1.0\" ?--><!DOCTYPE html><html><head><title>Dam opens</title>\(head)</head><body><p>"
            + String(repeating: "The new barrier opened on Monday after four years of work on the river. ", count: 6) + "</p></body></html>"
        XCTAssertTrue(HTMLArticleExtractor.looksLikeHTML(page))
    }

    func testMarkupPrefilterKeepsJSONLDAndDropsScriptStyleSVGAndComments() {
        let out = MarkupPrefilter.run(Array("""
        <p>a</p><script type="application/ld+json">{"x":1}</script><SCRIPT>var y = "</p>";</SCRIPT><style>b{}</style>\
        <svg><text>no</text></svg><!-- c --><p>d</p><scripted>kept</scripted>
        """.utf8))
        XCTAssertEqual(String(decoding: out.html, as: UTF8.self), "<p>a</p><p>d</p><scripted>kept</scripted>")
        XCTAssertEqual(out.jsonLD, [#"{"x":1}"#])
    }

    func testFurnitureNames() {
        XCTAssertTrue(ContentFinder.isFurniture("article-footer"))
        XCTAssertTrue(ContentFinder.isFurniture("comment-body"))
        XCTAssertTrue(ContentFinder.isFurniture("sidebar"))
        XCTAssertFalse(ContentFinder.isFurniture("article-body"))
        XCTAssertFalse(ContentFinder.isFurniture("footerless"))
        XCTAssertFalse(ContentFinder.isFurniture("page-ad-margins"))
        XCTAssertTrue(ContentFinder.isFurniture("story-social-extra"), "the last part names the element: extra")
        XCTAssertFalse(ContentFinder.isFurniture("story-share-count-text"), "a furniture word in the middle of a name with a body word")
    }
}
