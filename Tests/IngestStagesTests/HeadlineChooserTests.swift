import XCTest
@testable import IngestStages

/// The record's `title` on the HTML path (`HeadlineChooser`), through the whole extractor, on
/// small pages written for these tests.
final class HeadlineChooserTests: XCTestCase {
    private let body = """
        <p>The harbour board voted on Tuesday to rebuild the north pier, which storms damaged twice last winter,
        and to open it to ferries again by the spring of next year, the board's chair told reporters.</p>
        <p>Work starts next month. The board said the contractor, chosen from four bidders, would keep the
        south pier open throughout, so that the island service runs on its usual timetable.</p>
        """

    private func page(head: String, top: String = "", article: String? = nil) -> String {
        "<!DOCTYPE html><html><head>\(head)</head><body>\(top)<article>\(article ?? body)</article></body></html>"
    }

    private func title(_ html: String) -> String? { HTMLArticleExtractor.extract(utf8: Array(html.utf8)).title }

    func testSiteSuffixInTitleIsCutWithTheStatedSiteName() {
        let html = page(head: #"<title>Harbour board votes to rebuild north pier | The Island Courier</title><meta property="og:site_name" content="The Island Courier">"#)
        XCTAssertEqual(title(html), "Harbour board votes to rebuild north pier")
    }

    func testSiteSuffixIsCutWithoutAStatedName() {
        // Old markup: no metadata, the site's name after an unusual separator and before a section.
        let html = page(head: "<title>Courier Online :: Local :: Harbour board votes to rebuild north pier</title>")
        XCTAssertEqual(title(html), "Harbour board votes to rebuild north pier")
        let dated = page(head: "<title>Harbour board votes to rebuild north pier - Jan 5, 2008</title>")
        XCTAssertEqual(title(dated), "Harbour board votes to rebuild north pier")
    }

    func testHeadingThatTheTitleStatesWinsOverTheTitle() {
        let html = page(head: "<title>Courier - Harbour board votes to rebuild north pier (with photos) - Local</title>",
                        top: "<div class=masthead><h1><a href=/>Courier</a></h1></div>",
                        article: "<h1>Harbour board votes to rebuild north pier</h1>" + body)
        XCTAssertEqual(title(html), "Harbour board votes to rebuild north pier")
    }

    func testH1ThatDiffersFromOGTitleLosesToTheStatedHeadlineTheTitleConfirms() {
        // og:title and <title> agree; the h1 is a teaser elsewhere on the page.
        let html = page(head: #"<title>Harbour board votes to rebuild north pier | Courier</title><meta property="og:title" content="Harbour board votes to rebuild north pier">"#,
                        top: "<h1>Weekend weather: storms return to the coast</h1><p>Read the full forecast inside.</p>")
        XCTAssertEqual(title(html), "Harbour board votes to rebuild north pier")
    }

    func testH1AtTheStartOfTheBodyThatAgreesWithOGTitleIsTheHeadline() {
        // The og:title carries the site's name; the visible h1 is the clean headline.
        let html = page(head: #"<meta property="og:title" content="North pier to be rebuilt, harbour board decides - Courier">"#,
                        article: "<h1>North pier to be rebuilt, harbour board decides</h1>" + body)
        XCTAssertEqual(title(html), "North pier to be rebuilt, harbour board decides")
    }

    func testScriptFragmentInH1IsRefused() {
        let html = page(head: "<title>Harbour board votes to rebuild north pier - Courier</title>",
                        article: "<h1>var headline = {text: 'x'}; render(headline);</h1>" + body)
        XCTAssertEqual(title(html), "Harbour board votes to rebuild north pier")
    }

    func testScriptMarksAreNotTheLettersOfWords() {
        XCTAssertTrue(HeadlineChooser.isScript("var headline = 'x'"))
        XCTAssertTrue(HeadlineChooser.isScript("if (a) { render() }"))
        XCTAssertFalse(HeadlineChooser.isScript("Tite diz que errou ao levar taça da Libertadores a Lula em 2012"))
    }

    func testMenuLabelH1AndSiteNameH1AreRefused() {
        let html = page(head: #"<title>Harbour board votes to rebuild north pier</title><meta property="og:site_name" content="Island Courier">"#,
                        top: "<h1>Island Courier</h1><h1><a href=/local>Local news</a></h1>")
        XCTAssertEqual(title(html), "Harbour board votes to rebuild north pier")
    }

    func testNoH1UsesTheStatedTitle() {
        let html = page(head: #"<title>Island Courier</title><meta property="og:site_name" content="Island Courier"><meta name="twitter:title" content="Harbour board votes to rebuild north pier">"#)
        XCTAssertEqual(title(html), "Harbour board votes to rebuild north pier")
    }

    func testTitleThatIsOnlyTheSiteNameGivesWayToTheHeadingOverTheBody() {
        let html = page(head: #"<title>Island Courier</title><meta property="og:site_name" content="Island Courier">"#,
                        article: "<h1>Harbour board votes to rebuild north pier</h1>" + body)
        XCTAssertEqual(title(html), "Harbour board votes to rebuild north pier")
    }

    func testHeadlineIsNotRepeatedAsTheFirstParagraph() {
        let html = page(head: "<title>Harbour board votes to rebuild north pier | Courier</title>",
                        article: "<h1>Harbour board votes to rebuild north pier</h1>" + body)
        let article = HTMLArticleExtractor.extract(utf8: Array(html.utf8))
        XCTAssertEqual(article.title, "Harbour board votes to rebuild north pier")
        XCTAssertFalse(article.paragraphs.contains("Harbour board votes to rebuild north pier"))
        XCTAssertTrue(article.paragraphs.first?.hasPrefix("The harbour board voted") == true, "\(article.paragraphs)")
    }

    func testSelfClosingMetaElementsAreRead() {
        // `<meta … />` lost its attributes in the prefilter (its marker read as "12/").
        let html = page(head: #"<meta name="author" content="Jane Roe" /><meta property="og:title" content="Harbour board votes to rebuild north pier" /><meta property="article:published_time" content="2019-02-28T10:00:00Z"/>"#)
        let article = HTMLArticleExtractor.extract(utf8: Array(html.utf8))
        XCTAssertEqual(article.byline, ["Jane Roe"])
        XCTAssertEqual(article.title, "Harbour board votes to rebuild north pier")
        XCTAssertEqual(article.published, "2019-02-28")
    }

    func testSiteNamesFromHostAndSeparators() {
        let sites = KnownSiteNames(names: ["HeraldSun"], url: "http://www.heraldsun.com.au/news/x")
        XCTAssertTrue(sites.isSite("Herald Sun"))
        XCTAssertFalse(sites.isSite("Angry media won't buckle"))
        XCTAssertEqual(KnownSiteNames.strip("Angry media won’t buckle | Herald Sun", sites: sites, guessing: false), "Angry media won’t buckle")
        XCTAssertEqual(KnownSiteNames.strip("Silicon Exposed: Open Verilog flow", sites: KnownSiteNames(names: ["Silicon Exposed"]), guessing: false),
                       "Open Verilog flow")
        // A colon is the headline's own when no stated name precedes it.
        XCTAssertEqual(KnownSiteNames.strip("Xbox One X review: A console that keeps up", sites: KnownSiteNames(names: []), guessing: true),
                       "Xbox One X review: A console that keeps up")
        XCTAssertEqual(KnownSiteNames.strip("海外留学生看两会：出国前后关注点大不同_教育频道_中国青年网", sites: KnownSiteNames(names: []), guessing: true),
                       "海外留学生看两会：出国前后关注点大不同", "segments weighed by characters where words have no spaces")
    }

    func testAgreement() {
        XCTAssertTrue(HeadlineChooser.agrees(heading: "How to Build a Terrarium", with: "How to Build a Terrarium (with Pictures) | eHow"))
        XCTAssertTrue(HeadlineChooser.agrees(heading: "Open Verilog flow", with: "Silicon Exposed: Open Verilog flow"))

        XCTAssertFalse(HeadlineChooser.agrees(heading: "News", with: "News: harbour board votes to rebuild north pier"))
        XCTAssertFalse(HeadlineChooser.agrees(heading: "How to Build", with: "How to Build a Terrarium"))
        XCTAssertTrue(HeadlineChooser.agrees(heading: "Harbour board votes to rebuild", with: "Courier - Harbour board votes to rebuild (photos) - Local"))
        XCTAssertFalse(HeadlineChooser.agrees(heading: "Local News", with: "Harbour board votes to rebuild | Local News | Courier"),
                       "a section's name set off in the title is not the headline")
    }

    func testTheASCIIKeyIsTheScalarKey() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("aZ .`'-\t\n\r\u{0C}Q9!\"...".unicodeScalars)
        for _ in 0..<2_000 {
            let s = String(String.UnicodeScalarView((0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }))
            XCTAssertEqual(HeadlineChooser.asciiKey(s), HeadlineChooser.scalarKey(s), "\(s.debugDescription)")
        }
        XCTAssertEqual(HeadlineChooser.key("  The  Pier`s  NEW Ferry... "), "the pier's new ferry")
        XCTAssertNil(HeadlineChooser.asciiKey("Caf\u{E9}"))
        XCTAssertEqual(HeadlineChooser.key("Caf\u{C9} \u{2014} Ouvert."), "caf\u{E9} - ouvert")
    }
}
