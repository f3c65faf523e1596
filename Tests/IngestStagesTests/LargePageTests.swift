import IngestCore
import XCTest
@testable import IngestStages

/// A large page's route through extraction (libxml2 reading through a callback, memory handed
/// back as each form of the page is made) and the dedupe hash taken in pieces: the same results
/// as the ordinary route.
final class LargePageTests: XCTestCase {
    /// A page with what extraction looks at: furniture, scripts, comments, entities, attributes,
    /// captions, multi-byte text, link lists; `repeats` articles' worth of paragraphs.
    private func page(repeats: Int) -> [UInt8] {
        var html = """
        \u{FEFF}<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Talks resume — after the summit</title>
        <meta name="author" content="Jane Roe"><link rel="canonical" href="https://example.org/a?x=1&amp;y=2">
        <script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2021-03-04"}</script>
        <style>p { color: red }</style></head><body><nav><a href="/">Home</a> &gt; <a href="/w">World</a></nav>
        <div class="page"><article class="story-body"><h1>Talks resume — after the summit</h1>
        <figure><img src="a.jpg"><figcaption>Delegates arrive, 4 March.</figcaption></figure>\n
        """
        for i in 0..<repeats {
            html += """
            <p class="para" data-x="\(i)">Paragraph \(i): talks resumed on Monday, envoys said, after the summit in Genève &amp; Zürich —
            « détente », 会谈 and more&nbsp;text, <b>bold</b> <a href="/l\(i)" onclick="f()">a link</a>.</p>
            <!-- comment \(i) --><script>var x = "<p>not text</p>";</script>
            <div class="share"><ul><li><a href="/s">Share</a></li><li><a href="/t">Tweet</a></li></ul></div>
            <p>Second   paragraph \(i),\twith  runs of   white space\n and a line break<br>inside it.</p>\n
            """
        }
        html += "</article><aside><ul><li><a href='/r'>Related</a></li></ul></aside></div><footer>© 2021</footer></body></html>\n"
        return Array(html.utf8)
    }

    func testLargePageRouteGivesTheSameArticle() {
        for repeats in [1, 40, 1_500] {
            let bytes = page(repeats: repeats)
            let ordinary = HTMLArticleExtractor.extract(utf8: bytes)
            XCTAssertFalse(ordinary.paragraphs.isEmpty)
            // A step far smaller than the page: every form of it is handed back many times over.
            for step in [4_096, 1 << 16, 1 << 24] {
                XCTAssertEqual(HTMLArticleExtractor.extract(utf8: bytes, discardEvery: step), ordinary, "\(repeats) × at step \(step)")
            }
        }
    }

    func testLargePageTreeIsTheSameTree() {
        let bytes = page(repeats: 200)
        let a = MarkupPrefilter.run(bytes)
        let b = MarkupPrefilter.run(bytes, discardEvery: 4_096)
        XCTAssertEqual(a.html, b.html)
        XCTAssertEqual(a.jsonLD, b.jsonLD)
        let ordinary = DOMTree.parse(a.html, attributes: a.attributes)
        let streamed = DOMTree.parse(b.html, attributes: b.attributes, discardEvery: 4_096)
        XCTAssertEqual(ordinary.count, streamed.count)
        XCTAssertEqual(ordinary.tags, streamed.tags)
        XCTAssertEqual((0..<ordinary.count).map { ordinary.end($0) }, (0..<streamed.count).map { streamed.end($0) })
        XCTAssertEqual(ordinary.text(of: 0), streamed.text(of: 0))
        XCTAssertEqual((0..<ordinary.count).map { ordinary.attribute(.classes, of: $0) },
                       (0..<streamed.count).map { streamed.attribute(.classes, of: $0) })
    }

    /// The fold as it was written before it went in pieces, for comparison.
    private func referenceFold(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var pendingSpace = false
        func space() { if !out.isEmpty { pendingSpace = true } }
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                if v == 0x20 || (v >= 0x09 && v <= 0x0D) { space(); continue }
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(v >= 0x41 && v <= 0x5A ? UInt8(v + 0x20) : UInt8(v))
            } else if scalar.properties.isWhitespace {
                space()
            } else {
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(contentsOf: scalar.properties.lowercaseMapping.utf8)
            }
        }
        return out
    }

    func testFoldInPiecesIsTheWholeFold() {
        // White space runs and multi-byte scalars (İ lower-cases to two scalars) fall across
        // the 64 KiB pieces at every offset.
        var text = "  \n"
        var k = 0
        while text.utf8.count < 300_000 {
            text += ["Word", " ", "\u{00A0}\u{2003} ", "İSTANBUL", "ß", "\t\n", "ÀÉÎ", "会谈", "  "][k % 9]
            if k % 7 == 0 { text += String(repeating: "x", count: k % 13) }
            k += 1
        }
        text += "  \n"
        let reference = referenceFold(text)
        XCTAssertEqual(DedupeStage.fold(text), reference)
        var pieces = 0
        var joined: [UInt8] = []
        DedupeStage.fold(text) { joined.append(contentsOf: $0); pieces += 1 }
        XCTAssertEqual(joined, reference)
        XCTAssertGreaterThan(pieces, 3)
        let streamed = SHA256Digest.hex { feed in DedupeStage.fold(text) { feed(UnsafeRawBufferPointer($0)) } }
        XCTAssertEqual(streamed, SHA256Digest.hex(of: reference))
        XCTAssertEqual(SHA256Digest.hex { _ in }, SHA256Digest.hex(of: [UInt8]()))
    }
}
