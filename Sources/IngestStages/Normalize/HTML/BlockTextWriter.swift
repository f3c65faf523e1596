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
        // The line-breaking element that holds the paragraph being written, and the last written's.
        var block = -1, lastBlock = -1
        func flush() {
            guard !paragraph.isEmpty else { return }
            let p = paragraph.take()
            // Articles repeat lines on purpose (a heading per section of a menu, a refrain);
            // only the same block twice in a row is a template artefact — unless the two are
            // sibling blocks of one kind (`<p>` after `<p>` in the same parent): the article's
            // own paragraphs, repeated as written, not one block rendered twice by a template.
            if out.last != p || (block != lastBlock && block >= 0 && lastBlock >= 0
                && tree.parent(block) == tree.parent(lastBlock) && tree.tag(block) == tree.tag(lastBlock)) {
                out.append(p)
            }
            lastBlock = block
        }
        // The elements entered and not yet left, by where their subtree ends: leaving a
        // line-breaking element ends the paragraph it holds.
        var open: [(end: Int, breaks: Bool, element: Int)] = []
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
                    if paragraph.isEmpty { block = open.last(where: \.breaks)?.element ?? root }
                    tree.withText(i) { paragraph.append($0) }
                    i += 1
                    continue
                }
                if finder.pruned[i] || skip(i, finder) { i = tree.end(i); continue }
                let tag = tree.tag(i)
                let breaks = breaksLine(i, tree)
                if breaks { flush() } else if tag == .img || tag == .wbr || tag.isCell { paragraph.space() }
                open.append((tree.end(i), breaks, i))
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
        case .p:
            return density > 0.8 && text < 200 && !isBareURL(tree.text(of: i))
        case .li:
            // An item of links in a list of prose items (the list itself mostly unlinked, so
            // kept) is one of the article's points, not a list of links.
            let list = tree.parent(i)
            if list >= 0, tree.tag(list) == .ul || tree.tag(list) == .ol, finder.linkDensity(list) <= 0.5 { return false }
            return density > 0.8 && text < 200
        default:
            return false
        }
    }
}
