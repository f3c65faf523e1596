import XCTest
@testable import IngestStages

/// The compact tree and the prefilter that feeds it: structure, attributes, white space.
final class HTMLTreeTests: XCTestCase {
    private func parse(_ html: String) -> DOMTree {
        let filtered = MarkupPrefilter.run(Array(html.utf8))
        return DOMTree.parse(filtered.html, attributes: filtered.attributes)
    }

    func testNodesAreInDocumentOrderWithSubtreeRanges() {
        let t = parse("<html><body><div id=a><p>one <b>two</b></p><p>three</p></div><p>four</p></body></html>")
        let tags = (0..<t.count).map { t.tag($0) }
        XCTAssertEqual(tags, [.html, .body, .div, .p, .text, .b, .text, .p, .text, .p, .text])
        XCTAssertEqual(t.end(2), 9, "the div's subtree is its two paragraphs")
        XCTAssertEqual(Array(t.children(2)), [3, 7])
        XCTAssertEqual(Array(t.children(1)), [2, 9])
        XCTAssertEqual(t.parent(5), 3)
        XCTAssertEqual(t.text(of: 2), "one two three")
        XCTAssertEqual(t.body, 1)
    }

    func testUnclosedElementsEndWithTheDocument() {
        let t = parse("<html><body><div><p>cut off here")
        XCTAssertEqual(t.end(0), t.count)
        XCTAssertEqual(t.text(of: 0), "cut off here")
    }

    func testAttributesGoThroughTheSideTableAsLibxml2WouldReportThem() {
        // Parsed twice: once as written (libxml2 tokenizes and decodes the attributes), once
        // through the prefilter (attributes in the side table, decoded by AttributeValue).
        let html = """
        <html lang="en"><body><DIV CLASS="Story Body" id=main data-x="1 > 2" style='display: none'>
        <a href="/x?a=1&amp;b=2" class=link>x</a>
        <meta name="author" content="Tom &amp Jerry &unknown; &#39;quoted&#39; &#x263A; &lt;b&gt;">
        <link rel="canonical" href="https://example.com/a?x=1&amp;y=2">
        <p class="a" class="b" hidden>dup</p><br/><img src=x alt="y"/>
        <span title="&#0;gone" itemprop="articleBody&#0;tail">z</span>
        </DIV></body></html>
        """
        let direct = DOMTree.parse(Array(html.utf8))
        let filtered = parse(html)
        let elements = { (t: DOMTree) in (0..<t.count).filter { !t.isText($0) } }
        XCTAssertEqual(elements(direct).map(direct.tag), elements(filtered).map(filtered.tag))
        for (i, j) in zip(elements(direct), elements(filtered)) {
            for attribute in HTMLAttribute.allCases where attribute != .href || direct.tag(i) == .link {
                if attribute == .content && direct.tag(i) != .meta { continue }
                XCTAssertEqual(direct.attribute(attribute, of: i), filtered.attribute(attribute, of: j),
                               "\(attribute.rawValue) of <\(direct.tag(i).rawValue)>")
            }
            XCTAssertEqual(direct.classAndID(i), filtered.classAndID(j))
        }
        let meta = elements(filtered).first { filtered.tag($0) == .meta }!
        XCTAssertEqual(filtered.attribute(.content, of: meta), "Tom &amp Jerry &unknown; 'quoted' ☺ <b>")
        let div = elements(filtered).first { filtered.tag($0) == .div }!
        XCTAssertEqual(filtered.classAndID(div), "story body main")
        XCTAssertEqual(filtered.attribute(.style, of: div), "display: none")
        let p = elements(filtered).first { filtered.tag($0) == .p }!
        XCTAssertEqual(filtered.attribute(.classes, of: p), "a", "the first of a repeated attribute counts")
        XCTAssertTrue(filtered.hasAttribute(.hidden, of: p))
    }

    func testThePrefilterDropsUnreadAttributesAndKeepsLinkTargetsOnlyOnLink() {
        let out = MarkupPrefilter.run(Array(#"<div data-big="xxxxxxxx" onclick="f()"><a href="/a">a</a><link rel=canonical href="/c"><br/></div>"#.utf8))
        let html = String(decoding: out.html, as: UTF8.self)
        XCTAssertEqual(html, #"<div><a>a</a><link _a=0><br/></div>"#)
        XCTAssertEqual(out.attributes.rowCount, 1)
        let row = out.attributes.attributes(ofRow: 0)
        XCTAssertEqual(row.map { out.attributes.names[$0] }, [.rel, .href])
    }

    func testATagCutOffByTheEndOfInputIsLeftToTheParser() {
        for cut in [#"<p>x</p><div class="a"#, "<p>x</p><div class=a /", "<p>x</p><div ", "<div a=\"", "<a b c /"] {
            let out = MarkupPrefilter.run(Array(cut.utf8))
            XCTAssertTrue(String(decoding: out.html, as: UTF8.self).hasSuffix(cut.split(separator: "<").last.map { "<" + $0 } ?? ""),
                          "\(cut) → \(String(decoding: out.html, as: UTF8.self))")
            XCTAssertEqual(out.attributes.rowCount, 0)
            _ = DOMTree.parse(out.html, attributes: out.attributes)
        }
    }

    func testWhiteSpaceRunsOutsideTagsAreCutButAttributeValuesAreNot() {
        let out = MarkupPrefilter.run(Array("<p>a \n\n   b</p>\n\n\n<p  class=\"x   y\">c  d</p>".utf8))
        XCTAssertEqual(String(decoding: out.html, as: UTF8.self), "<p>a b</p>\n<p _a=0>c d</p>")
        let t = parse("<p title='t'>a \n\n   b</p>")
        XCTAssertEqual(t.text(of: 0), "a b")
    }

    func testCollapsedLengthCountsScalarsAndWhiteSpaceRunsAsOne() {
        for sample in ["  one  two\t\nthree ", "a\u{00A0}\u{00A0}b", "中文，字、", "x\u{3000}y\u{2009}z", "é,è , ê", ""] {
            let bytes = Array(sample.utf8)
            let measured = bytes.withUnsafeBufferPointer(CollapsedText.measure)
            // Reference: collapse with Unicode's White_Space, count scalars and commas.
            var length = 0, commas = 0, inSpace = true
            for u in sample.unicodeScalars {
                if u.properties.isWhitespace { if !inSpace { length += 1; inSpace = true } } else {
                    length += 1; inSpace = false
                    if u == "," || u == "\u{FF0C}" || u == "\u{3001}" { commas += 1 }
                }
            }
            XCTAssertEqual(measured.length, length, sample)
            XCTAssertEqual(measured.commas, commas, sample)
        }
    }

    func testMetadataWhiteSpaceCollapse() {
        XCTAssertEqual(HTMLMetadataReader.collapse("  Harbour\u{00A0}\u{2003}plan \n approved  "), "Harbour plan approved")
        XCTAssertEqual(HTMLMetadataReader.collapse(" \t "), "")
    }

    func testInternedWordsAreSharedAndLowerCased() {
        var interner = ByteInterner()
        var a = Array("Story-Body".utf8), b = Array("story-body".utf8), c = Array("other".utf8)
        let ia = interner.intern(&a), ib = interner.intern(&b), ic = interner.intern(&c)
        XCTAssertEqual(ia, ib)
        XCTAssertNotEqual(ia, ic)
        XCTAssertEqual(interner.strings, ["story-body", "other"])
        for k in 0..<200 { var w = Array("w\(k)".utf8); XCTAssertEqual(interner.intern(&w), k + 2) }
        var again = Array("w150".utf8)
        XCTAssertEqual(interner.intern(&again), 152, "ids survive the table growing")
    }
}

/// Leaving out the contents of navigation, headers, footers and asides before parsing.
final class FurnitureSubtreeTests: XCTestCase {
    private func filtered(_ html: String) -> String {
        String(decoding: MarkupPrefilter.run(Array(html.utf8)).html, as: UTF8.self)
    }

    func testWellNestedFurnitureLosesItsContentsButStays() {
        let html = #"<body><p>a</p><nav class="menu"><ul><li><a href="/x">X</a></li><li>Y<br><img src=i></li></ul><!-- c --></nav><p>b</p></body>"#
        XCTAssertEqual(filtered(html), #"<body><p>a</p><nav _a=0></nav><p>b</p></body>"#)
        XCTAssertEqual(filtered("<div><header><div><span>Site</span></div><svg><path d='1'/></svg></header>x</div>"),
                       "<div><header></header>x</div>")
        XCTAssertEqual(filtered("<NAV><Nav>inner</Nav></nav>after"), "<NAV></nav>after", "nested containers of the same name")
    }

    func testContentsThatAreReadElsewhereAreKept() {
        let kept = [
            "<header><time datetime=\"2020-01-02\">Jan 2</time></header>",
            "<aside><figure><img src=a><figcaption>Caption</figcaption></figure></aside>",
            "<footer><script type=\"application/ld+json\">{\"@type\":\"NewsArticle\"}</script></footer>",
            "<header><div class=\"article-body\">text</div></header>",
            "<header><div itemprop=\"articleBody\">text</div></header>",
            "<nav><article>story</article></nav>",
            "<header><meta name=author content=x></header>",
            "<nav><ul><li>one<li>two</ul></nav>",       // an end tag left out: libxml2 closes it, not us
            "<nav><div>unclosed</nav>",                   // libxml2 would ignore this </nav>
            "<nav><p>cut off by the end",
        ]
        for html in kept where !html.contains("<script") {
            let out = filtered(html)
            XCTAssertTrue(out.count > html.count / 3, "\(html) → \(out)")
        }
        XCTAssertEqual(MarkupPrefilter.run(Array(kept[2].utf8)).jsonLD, [#"{"@type":"NewsArticle"}"#], "JSON-LD in a footer is still read")
        XCTAssertTrue(filtered(kept[0]).contains("<time"))
        XCTAssertTrue(filtered(kept[1]).contains("Caption"))
        XCTAssertTrue(filtered(kept[3]).contains("text"))
        XCTAssertTrue(filtered(kept[7]).contains("two"))
    }

    func testMetadataInsideFurnitureIsKeptAndTheRestDropped() {
        let html = #"<nav><ul><li>menu</li></ul><meta itemprop="datePublished" content="2020-01-01"><div><time datetime="2020-01-01"><b>Jan 1</b></time></div><p>more menu</p></nav>"#
        XCTAssertEqual(filtered(html), #"<nav><meta _a=0><time _a=1><b>Jan 1</b></time></nav>"#)
        let page = "<html><body><header><ul><li><a href=/>Home</a></li></ul><span>By <time datetime=\"2021-03-04T10:00:00Z\">March 4</time></span></header>"
            + "<article><p>" + String(repeating: "The council met and decided on the plan after a long debate. ", count: 4) + "</p></article></body></html>"
        XCTAssertEqual(HTMLArticleExtractor.extract(utf8: Array(page.utf8)).published, "2021-03-04")
    }

    func testSelfClosedContainerKeepsWhatFollows() {
        XCTAssertEqual(filtered("<nav/><p>x</p></nav>"), "<nav/><p>x</p></nav>")
    }

    func testTheArticleIsTheSameWithFurnitureContentsLeftOut() {
        let prose = (1...4).map { "Paragraph \($0) of the story says what happened, where, when and to whom, in enough words to count." }
        let html = """
        <html><head><title>Harbour plan | Courier</title></head><body>
        <header class="top"><nav><ul><li><a href="/">Home</a></li><li><a href="/n">News</a></li></ul></nav><h2>Courier</h2></header>
        <article><h1>Harbour plan</h1>\(prose.map { "<p>\($0)</p>" }.joined())</article>
        <aside class="sidebar"><h3>Most read</h3><ul><li><a href="/a">Another story entirely about something else</a></li></ul></aside>
        <footer><p>Copyright 2024 Courier</p></footer></body></html>
        """
        XCTAssertFalse(filtered(html).contains("Most read"))
        XCTAssertFalse(filtered(html).contains("Home"))
        XCTAssertEqual(HTMLArticleExtractor.extract(utf8: Array(html.utf8)).paragraphs, prose)
    }
}

final class UnreadMetadataTests: XCTestCase {
    func testMetaAndLinkElementsTheReaderNeverLooksAtAreDropped() {
        let html = #"<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta property="OG:Title" content="T">"#
            + #"<meta name="author" content=""><link rel="preload" href="/f.woff"><link rel="Canonical" href="/a"></head>"#
        let out = MarkupPrefilter.run(Array(html.utf8))
        XCTAssertEqual(String(decoding: out.html, as: UTF8.self), "<head><meta _a=0><link _a=1></head>")
        XCTAssertEqual(out.attributes.rowCount, 2)
    }

    func testEveryMetaKeyTheReaderReadsIsListed() {
        // A page without metadata makes the reader try every key it knows; an unlisted one fails
        // MetaValues' assertion (debug builds, as the tests are).
        _ = HTMLArticleExtractor.extract(utf8: Array("<html><head><title>A title here | Site</title></head><body><p>text</p></body></html>".utf8))
        let page = "<html><head>" + HTMLMetadataReader.metaKeys.sorted().map { "<meta name=\"\($0)\" content=\"v \($0)\">" }.joined()
            + "</head><body><p>text</p></body></html>"
        let filtered = MarkupPrefilter.run(Array(page.utf8))
        XCTAssertEqual(filtered.attributes.rowCount, HTMLMetadataReader.metaKeys.count, "no listed key is dropped")
    }
}
