/// Writes the chosen part of the page as paragraphs: one per block element (paragraph,
/// heading, list item, quote), inline markup flattened, white space collapsed. Pruned
/// furniture, the page title and link lists inside the article are left out.
enum BlockTextWriter {
    ///
    /// With `discardEvery` (a large page whose tree nothing reads afterwards), the tree's text
    /// already written is handed back to the kernel every that many bytes (see
    /// `DOMTree.discardText`): the roots are siblings in document order, so the text is read
    /// once, in order.
    static func paragraphs(_ finder: ContentFinder, roots: [Int], discardEvery step: Int? = nil) -> [String] {
        let tree = finder.tree
        var discarded = 0
        var out: [String] = []
        var paragraph = WhitespaceFolder()
        func flush() {
            guard !paragraph.isEmpty else { return }
            let p = paragraph.take()
            // Articles repeat lines on purpose (a heading per section of a menu, a refrain);
            // only the same block twice in a row is a template artefact.
            if out.last != p { out.append(p) }
        }
        // The elements entered and not yet left, by where their subtree ends: leaving a
        // line-breaking element ends the paragraph it holds.
        var open: [(end: Int, breaks: Bool)] = []
        for root in roots {
            var i = root
            let stop = tree.end(root)
            while i < stop {
                while let last = open.last, last.end <= i {
                    if last.breaks { flush() }
                    open.removeLast()
                }
                if tree.isText(i) {
                    if let step, tree.textStart(i) - discarded >= step {
                        tree.discardText(from: discarded, to: tree.textStart(i))
                        discarded = tree.textStart(i)
                    }
                    tree.withText(i) { paragraph.append($0) }
                    i += 1
                    continue
                }
                if finder.pruned[i] || skip(i, finder) { i = tree.end(i); continue }
                let tag = tree.tag(i)
                let breaks = breaksLine(i, tree)
                if breaks { flush() } else if tag == .img || tag == .wbr || tag.isCell { paragraph.space() }
                open.append((tree.end(i), breaks))
                i += 1
            }
            while let last = open.popLast() { if last.breaks { flush() } }
        }
        flush()
        return out
    }

    /// Whether element `i` ends the line before it and starts a new one. A table cell that
    /// holds only inline content does not: a row of data ("1 Kyle Busch 5040 5 1 17 27") is
    /// one line, as a reader sees it, and its numbers are not left alone on lines that read as
    /// page furniture. A cell holding paragraphs or boxes (a layout table) breaks as before.
    static func breaksLine(_ i: Int, _ tree: DOMTree) -> Bool {
        let tag = tree.tag(i)
        if tag.isCell { return tree.children(i).contains { tree.tag($0).isBlock } }
        return tag.breaksLine
    }

    /// A link whose text is its own address ("http://example.org/2011/09/report/"): a cited
    /// source written out, not a teaser headline.
    static func isBareURL(_ text: String) -> Bool {
        (text.hasPrefix("http://") || text.hasPrefix("https://") || text.hasPrefix("www.")) && !text.contains(" ")
    }

    /// Blocks inside the article that are still not article text: the headline (recorded as
    /// `title`), and lists or boxes made mostly of links (related stories, tag clouds).
    static func skip(_ i: Int, _ finder: ContentFinder) -> Bool {
        let tree = finder.tree
        let tag = tree.tag(i)
        if tag == .h1 { return true }
        let text = finder.textLength[i]
        if text == 0 {
            // Empty boxes (ad slots, image wrappers), but not a lone <br> or <img>.
            return tag != .br && tree.end(i) > i + 1 && tree.children(i).allSatisfy { finder.textLength[$0] == 0 }
        }
        let density = finder.linkDensity(i)
        switch tag {
        case .form:
            return text < 500
        case .ul, .ol, .table, .div, .section, .dl:
            return density > 0.5 && text < 1000
        case .p, .li:
            return density > 0.8 && text < 200 && !(tag == .p && isBareURL(tree.text(of: i)))
        default:
            return false
        }
    }
}
