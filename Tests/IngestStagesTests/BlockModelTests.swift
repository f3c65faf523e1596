import XCTest
import Foundation
import IngestCore
import IngestBuiltins
@testable import IngestStages

/// The block model: features of hand-written pages, the generated weights, and whole pages in
/// layouts the finder alone handles badly (text split by `<br>`, across sibling divs, in divs
/// without `<p>`, a tiny finder root), each with furniture that must go.
final class BlockModelTests: XCTestCase {
    private let prose = [
        "The harbour board voted on Tuesday to rebuild the northern breakwater, which was badly damaged by the storms of last winter, at a cost of about 12 million.",
        "Fishermen who use the harbour said they had waited two years for a decision, and that several boats had been lost or damaged while the wall stood open.",
        "The chairman of the board said the work would begin in the spring, once the contract had been signed and the stone had been ordered from the quarry.",
        "A temporary barrier of concrete blocks, put in place in March, will stay until the new wall is finished, which the engineers expect to take eighteen months.",
        "Local councillors welcomed the vote but asked the board to publish the full survey of the harbour walls, which has not been released to the public.",
    ]

    private let furniture = """
    <nav class="top"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav>
    """
    private let linkList = """
    <div class="more"><h3>More from the coast</h3><ul>
    <li><a href="/1">Lifeboat crew called out twice in one night</a></li>
    <li><a href="/2">Ferry timetable changes for the summer season</a></li>
    <li><a href="/3">Seafront cafe wins regional award for its chowder</a></li>
    </ul></div>
    """
    private let footer = """
    <footer><p>© 2024 Coast Gazette. All rights reserved.</p><p><a href="/privacy">Privacy</a> | <a href="/terms">Terms</a> | <a href="/contact">Contact</a></p></footer>
    """

    private func wrap(_ body: String) -> String {
        "<!DOCTYPE html><html><head><title>Breakwater to be rebuilt - Coast Gazette</title></head><body>\(furniture)\(body)\(linkList)\(footer)</body></html>"
    }

    private func blocks(_ html: String) -> (blocks: [PageBlock], rows: [[Double]]) {
        let parts = HTMLArticleExtractor.parse(utf8: Array(html.utf8))
        let blocks = PageBlocks.cut(parts.finder, roots: parts.roots)
        return (blocks, BlockFeatures.rows(blocks, title: parts.meta.title))
    }

    private func feature(_ name: String, _ row: [Double]) -> Double {
        row[BlockFeatures.names.firstIndex(of: name)!]
    }

    private func assertKeepsProseDropsFurniture(_ html: String, file: StaticString = #filePath, line: UInt = #line) {
        let text = HTMLArticleExtractor.extract(utf8: Array(html.utf8), body: .blockModel).paragraphs.joined(separator: "\n")
        for p in prose { XCTAssertTrue(text.contains(p), "missing: \(p.prefix(40))… in \(text)", file: file, line: line) }
        for junk in ["Lifeboat crew", "Ferry timetable", "All rights reserved", "Privacy", "Weather"] {
            XCTAssertFalse(text.contains(junk), "kept furniture \(junk): \(text)", file: file, line: line)
        }
    }

    func testBlocksFollowTheWritersCutsAndCarryTheirTagLinksAndPlace() {
        let html = wrap("""
        <div style="display: none"><p>Sign up for our morning alerts</p></div>
        <div class="sidebar-box"><p>Tide tables for the week ahead</p></div>
        <article><h1>Breakwater to be rebuilt</h1><div class="article-body"><p>\(prose[0])</p><p>\(prose[1]) See <a href="/x">the survey</a>.</p></div></article>
        """)
        let (blocks, rows) = blocks(html)
        let texts = blocks.map(\.text)
        // The parser leaves `<nav>` out of the tree: not even a candidate.
        XCTAssertFalse(texts.contains("Home"))
        let hidden = texts.firstIndex(of: "Sign up for our morning alerts")!
        XCTAssertTrue(blocks[hidden].prunedByTag)
        XCTAssertEqual(feature("pruned_by_tag", rows[hidden]), 1)
        let side = texts.firstIndex(of: "Tide tables for the week ahead")!
        XCTAssertTrue(blocks[side].prunedByName && !blocks[side].prunedByTag)
        let first = texts.firstIndex(of: prose[0])!
        XCTAssertEqual(texts[first - 1], "Breakwater to be rebuilt")
        XCTAssertEqual(blocks[first - 1].kind, .h1)
        XCTAssertFalse(blocks[first - 1].keptByWriter, "the writer leaves the headline to `title`")
        XCTAssertEqual(blocks[first].kind, .paragraph)
        XCTAssertTrue(blocks[first].inArticle && blocks[first].inBodyContainer && blocks[first].inRoot && blocks[first].keptByWriter)
        // " the survey": the link's text and the space before it.
        XCTAssertEqual(blocks[first + 1].linkBytes, 11)
        let row = rows[first]
        let words = Double(prose[0].split(separator: " ").count)
        XCTAssertEqual(row.count, BlockFeatures.names.count)
        XCTAssertEqual(feature("log_words", row), log1p(words), accuracy: 1e-9)
        XCTAssertEqual(feature("link_density", row), 0)
        XCTAssertEqual(feature("sentence_ends_per_word", row), 1 / words, accuracy: 1e-9)
        XCTAssertEqual(feature("commas_per_word", row), 2 / words, accuracy: 1e-9)
        XCTAssertEqual(feature("ends_with_punct", row), 1)
        XCTAssertEqual(feature("kind_paragraph", row), 1)
        XCTAssertEqual(feature("writer_keeps", row), 1)
        XCTAssertEqual(feature("next_in_root", row), 1)
        XCTAssertEqual(feature("next_log_words", row), log1p(Double(blocks[first + 1].text.split(separator: " ").count)), accuracy: 1e-9)
        XCTAssertEqual(feature("equals_title", rows[first - 1]), 1, "the headline, once the site name is cut from <title>")
        XCTAssertEqual(feature("in_root", rows[hidden]), 0)
        XCTAssertEqual(feature("prev_exists", rows[0]), 0)
        XCTAssertEqual(feature("rel_position", rows[0]), 0)
        XCTAssertEqual(feature("link_density", rows[first + 1]), 11 / Double(blocks[first + 1].bytes), accuracy: 1e-9)
        XCTAssertEqual(feature("link_density", rows[texts.count - 1]), 1, "the footer's last line is all links")
    }

    func testGeneratedWeightsMatchTheFeaturesTheyWereTrainedOn() {
        XCTAssertEqual(BlockModelWeights.featureNames, BlockFeatures.names)
        XCTAssertEqual(BlockModelWeights.weights.count, BlockFeatures.names.count)
        XCTAssertTrue(BlockModelWeights.weights.allSatisfy(\.isFinite))
        XCTAssertTrue(BlockModelWeights.seedThreshold >= 0 && BlockModelWeights.seedThreshold < BlockModelWeights.growThreshold)
        XCTAssertLessThan(BlockModelWeights.growThreshold, 1)
    }

    func testDecodingVetoesOnlyNearCertainFinderBlocksAndGrowsIntoNeighbours() {
        let writer = [false, false, true, true, false, false, false]
        let p = [0.95, 0.2, 0.05, 0.8, 0.95, 0.95, 0.3]
        // Block 0 is likely prose but not next to the article: no island. Block 2 is vetoed.
        XCTAssertEqual(BlockModel.decode(p, writerKeeps: writer, seed: 0.1, grow: 0.9), [false, false, false, true, true, true, false])
        // With no veto and a lower bar, growth runs both ways until a block below it.
        XCTAssertEqual(BlockModel.decode(p, writerKeeps: writer, seed: 0, grow: 0.1), [true, true, true, true, true, true, true])
        // Nothing from the finder: the model's own choice.
        XCTAssertEqual(BlockModel.decode(p, writerKeeps: Array(repeating: false, count: 7), seed: 0, grow: 0.9), p.map { $0 > 0.9 })
    }

    func testParagraphsInOneArticle() {
        assertKeepsProseDropsFurniture(wrap("<article><h1>Breakwater to be rebuilt</h1>\(prose.map { "<p>\($0)</p>" }.joined())</article>"))
    }

    func testTextSeparatedByLineBreaks() {
        assertKeepsProseDropsFurniture(wrap("<div id=\"main\"><h2>Breakwater to be rebuilt</h2>\(prose.joined(separator: "<br><br>\n"))</div>"))
    }

    func testArticleSplitAcrossSiblingDivs() {
        let body = """
        <div class="page"><div class="col-a"><p>\(prose[0])</p><p>\(prose[1])</p></div>
        <div class="ad-slot"></div>
        <div class="col-b"><p>\(prose[2])</p></div><div class="col-c"><p>\(prose[3])</p><p>\(prose[4])</p></div></div>
        """
        assertKeepsProseDropsFurniture(wrap(body))
    }

    func testProseInDivsWithoutParagraphs() {
        assertKeepsProseDropsFurniture(wrap("<div class=\"wrap\">\(prose.map { "<div>\($0)</div>" }.joined(separator: "\n"))</div>"))
    }

    func testPageWhoseFinderRootIsTinyFallsBackToTheVisibleText() {
        // A short standfirst with many commas in its own body-named box outweighs the story,
        // which sits in unnamed table cells: the finder keeps ten words, and the fallback reads
        // the page's visible blocks with the plain-text rules instead.
        let body = """
        <div class="article-content"><p>Boats, nets, walls, stone, money, time, councils, storms, winters, harbours.</p></div>
        <table><tr><td>\(prose[0])<br><br>\(prose[1])<br><br>\(prose[2])</td></tr><tr><td>\(prose[3])<br><br>\(prose[4])</td></tr></table>
        """
        let html = wrap(body)
        let parts = HTMLArticleExtractor.parse(utf8: Array(html.utf8))
        let roots = parts.roots.map { parts.finder.tree.tag($0) }
        XCTAssertFalse(roots.contains(.table) || roots.contains(.td) || roots.contains(.body), "the fixture must fool the finder: \(roots)")
        let text = HTMLArticleExtractor.extract(utf8: Array(html.utf8)).paragraphs.joined(separator: "\n")
        for p in prose { XCTAssertTrue(text.contains(p), "missing: \(p.prefix(40))… in \(text)") }
        XCTAssertFalse(text.contains("All rights reserved"))
    }

    func testFallbackReadsVisibleBlocksWhenTheModelKeepsTooLittle() {
        // Everything sits in elements named like furniture, so the HTML path keeps nothing of
        // the story; the page still shows it, and the plain-text rules find it.
        let body = "<div class=\"sidebar-wrap\">\(prose.map { "<p>\($0)</p>" }.joined())</div><div class=\"sidebar\"><p>Nothing.</p></div>"
        let html = "<!DOCTYPE html><html><head><title>Breakwater</title></head><body><nav><a href=\"/\">Home</a></nav>\(body)</body></html>"
        let parts = HTMLArticleExtractor.parse(utf8: Array(html.utf8))
        let blocks = PageBlocks.cut(parts.finder, roots: parts.roots)
        let fallback = VisibleTextFallback.paragraphs(blocks, found: [])
        XCTAssertNotNil(fallback)
        XCTAssertEqual(fallback?.filter { prose.contains($0) }.count, prose.count)
        XCTAssertFalse(fallback?.contains("Home") ?? true, "a <nav> is not visible prose")
        XCTAssertNil(VisibleTextFallback.paragraphs(blocks, found: prose), "enough words found: no fallback")
        let text = HTMLArticleExtractor.extract(utf8: Array(html.utf8)).paragraphs.joined(separator: " ")
        XCTAssertGreaterThanOrEqual(WordCount.count(text), 100)
    }

    func testHTMLBodyOptionChoosesThePathAndAnUnknownValueIsRefusedWithItsPlace() throws {
        func load(_ value: String) throws -> any SynchronousStage {
            let base = URL(fileURLWithPath: "/nonexistent-block-model")
            let config = try PipelineLoader.parse(yaml: "name: t\nstages:\n  - use: normalize\n    html_body: \(value)\n",
                                                  file: base.appendingPathComponent("p.yaml"), displayName: "p.yaml",
                                                  baseDirectory: base, registry: BuiltinComponents.registry)
            return try config.stages[0].builder.build(StageContext(stateDirectory: nil, pipelineName: "t", logger: .init(label: "t")))
                as! any SynchronousStage
        }
        XCTAssertEqual((try load("block-model") as? NormalizeStage)?.htmlBody, .blockModel)
        XCTAssertEqual((try load("finder") as? NormalizeStage)?.htmlBody, .finder)
        XCTAssertThrowsError(try load("magic")) { error in
            let issues = (error as? ConfigError)?.issues.map(\.description) ?? []
            XCTAssertTrue(issues.contains { $0.hasPrefix("p.yaml:4:16: stages[0].html_body: 'magic' is not one of finder, block-model") }, "\(issues)")
        }
    }
}
