/// Writes the chosen part of the page as paragraphs: one per block element (paragraph,
/// heading, list item, quote), inline markup flattened, white space collapsed. Pruned
/// furniture, the page title and link lists inside the article are left out.
enum BlockTextWriter {
    static let lineBreaking: Set<String> = [
        "p", "div", "section", "article", "main", "pre", "table", "tr", "td", "th", "ul", "ol", "li", "dl", "dd", "dt",
        "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br", "address", "center", "details", "summary",
        "caption", "tbody", "thead",
    ]

    static func paragraphs(_ finder: ContentFinder, roots: [Int]) -> [String] {
        let tree = finder.tree
        var out: [String] = []
        var paragraph = WhitespaceFolder()
        func flush() {
            guard !paragraph.isEmpty else { return }
            let p = paragraph.take()
            // Articles repeat lines on purpose (a heading per section of a menu, a refrain);
            // only the same block twice in a row is a template artefact.
            if out.last != p { out.append(p) }
        }
        // (node, entering) pairs: exits flush the paragraph a block element closes.
        var stack: [(Int, Bool)] = roots.reversed().map { ($0, true) }
        while let (i, entering) = stack.popLast() {
            let n = tree[i]
            if n.isText {
                paragraph.append(n.text)
                continue
            }
            let breaks = lineBreaking.contains(n.tag)
            if !entering {
                if breaks { flush() }
                continue
            }
            if finder.pruned[i] || skip(i, finder) { continue }
            if breaks { flush() } else if n.tag == "img" || n.tag == "wbr" { paragraph.space() }
            stack.append((i, false))
            for c in n.children.reversed() { stack.append((c, true)) }
        }
        flush()
        return out
    }

    /// Blocks inside the article that are still not article text: the headline (recorded as
    /// `title`), and lists or boxes made mostly of links (related stories, tag clouds).
    static func skip(_ i: Int, _ finder: ContentFinder) -> Bool {
        let n = finder.tree[i]
        if n.tag == "h1" { return true }
        let text = finder.textLength[i]
        if text == 0 { return n.tag != "br" && n.children.isEmpty == false && finder.tree[i].children.allSatisfy { finder.textLength[$0] == 0 } }
        let density = finder.linkDensity(i)
        switch n.tag {
        case "form":
            return text < 500
        case "ul", "ol", "table", "div", "section", "dl":
            return density > 0.5 && text < 1000
        case "p", "li":
            return density > 0.8 && text < 200
        default:
            return false
        }
    }
}
