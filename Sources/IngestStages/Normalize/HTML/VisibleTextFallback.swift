/// The last resort before `no_content`: when the HTML path keeps almost nothing of a page that
/// shows prose, the plain-text scrape rules read the page's visible blocks as lines, the way
/// they read a copied page (they held up better than markup heuristics on old pages).
enum VisibleTextFallback {
    /// Below this many words the HTML path is taken to have missed the article.
    static let minimumWords = 30

    /// Every page asks, so this counts words only until there are enough.
    static func needed(_ found: [String]) -> Bool {
        var words = 0
        for paragraph in found {
            words += SpaceSeparatedWords.count(paragraph, upTo: minimumWords - words)
            if words >= minimumWords { return false }
        }
        return true
    }

    /// The fallback's paragraphs, or nil when the HTML path found enough or the fallback finds no more.
    static func paragraphs(_ blocks: [PageBlock], found: [String]) -> [String]? {
        let foundWords = found.reduce(0) { $0 + SpaceSeparatedWords.count($1) }
        guard foundWords < minimumWords else { return nil }
        // Furniture by tag (navigation, header, footer, hidden) is not the page's visible prose.
        let lines = blocks.filter { !$0.prunedByTag }.map(\.text)
        let scrape = PlainTextScrapeParser.parse(lines: lines)
        let words = scrape.paragraphs.reduce(0) { $0 + SpaceSeparatedWords.count($1) }
        return words > foundWords ? scrape.paragraphs : nil
    }
}
