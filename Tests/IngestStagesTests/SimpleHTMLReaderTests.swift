import XCTest
@testable import IngestStages

final class SimpleHTMLReaderTests: XCTestCase {
    let page = """
    <!DOCTYPE html>
    <html lang="en-GB"><head>
    <title>Harbour plan approved | The Coastal Courier</title>
    <meta property="og:title" content="Harbour plan approved">
    <meta property="og:site_name" content="The Coastal Courier">
    <meta name="author" content="Mira Stone">
    <meta property="article:published_time" content="2022-05-04T09:30:00+01:00">
    <script>var x = "<p>not text</p>";</script>
    <style>p { color: red }</style>
    </head><body>
    <nav><a href="/">Home</a> <a href="/news">News</a></nav>
    <article>
    <h1>Harbour plan approved</h1>
    <p>The council approved the harbour plan on Tuesday &amp; work starts in June.</p>
    <figure><img src="a.jpg"><figcaption>The harbour at dawn. Photo: Lee Park</figcaption></figure>
    <p>Opponents said the costs were&nbsp;too high &#8212; and promised to appeal.</p>
    <!-- <p>commented out</p> -->
    </article>
    <footer>Copyright 2022 The Coastal Courier</footer>
    </body></html>
    """

    func testDetection() {
        XCTAssertTrue(SimpleHTMLReader.looksLikeHTML(page))
        XCTAssertTrue(SimpleHTMLReader.looksLikeHTML("<div class=a><p>Hello</p></div>"))
        XCTAssertFalse(SimpleHTMLReader.looksLikeHTML("Plain text that mentions <b> once."))
        XCTAssertFalse(SimpleHTMLReader.looksLikeHTML("Headline\n\nBody text."))
    }

    func testTextLinesMetadataAndCaptions() {
        let p = SimpleHTMLReader.read(page)
        XCTAssertEqual(p.title, "Harbour plan approved | The Coastal Courier")
        XCTAssertEqual(p.metaTitle, "Harbour plan approved")
        XCTAssertEqual(p.siteName, "The Coastal Courier")
        XCTAssertEqual(p.author, "Mira Stone")
        XCTAssertEqual(p.published, "2022-05-04")
        XCTAssertEqual(p.lang, "en-GB")
        XCTAssertEqual(p.captions, ["The harbour at dawn. Photo: Lee Park"])
        XCTAssertEqual(p.lines, [
            "Harbour plan approved",
            "The council approved the harbour plan on Tuesday & work starts in June.",
            "Opponents said the costs were too high — and promised to appeal.",
        ])
    }

    func testBrokenMarkupNeverFailsAndStaysLinear() {
        let broken = "<html><body><p>Unclosed <b>bold <i>mixed</b> text<p>Second <a href='x>y'>link</a> & more <3"
        XCTAssertEqual(SimpleHTMLReader.read(broken).lines, ["Unclosed bold mixed text", "Second link & more <3"])
        let deep = String(repeating: "<div>", count: 100_000) + "deep text" + String(repeating: "</div>", count: 100_000)
        XCTAssertEqual(SimpleHTMLReader.read("<html>" + deep).lines, ["deep text"])
        XCTAssertEqual(SimpleHTMLReader.read("<html><script>never closed").lines, [])
    }

    func testEntities() {
        XCTAssertEqual(HTMLEntities.decode("a &amp; b &lt;c&gt; &#x41;&#66; &unknown; & done"), "a & b <c> AB &unknown; & done")
    }
}
