/// One text block of a page's `<body>` as `BlockTextWriter` would cut it (one per block element
/// or line-breaking run), with where it sits: the inputs of the block model's features.
struct PageBlock {
    enum Kind: Int, CaseIterable {
        case paragraph, listItem, h1, heading, cell, pre, blockquote, definition, other
    }
    var text: String
    var kind: Kind
    /// UTF-8 bytes of the text, and of the part inside links.
    var bytes: Int
    var linkBytes: Int
    /// Elements above the block's first text.
    var depth: Int
    var inRoot: Bool
    var prunedByTag: Bool
    var prunedByName: Bool
    /// Under `<article>` or `<main>`, and under an element named like the article body.
    var inArticle: Bool
    var inBodyContainer: Bool
    /// Inside what `BlockTextWriter.skip` leaves out of the chosen roots (link lists, `<h1>`, forms).
    var writerSkips: Bool

    /// Whether `BlockTextWriter` writes this block from the finder's roots: the rules' answer,
    /// which the model starts from.
    var keptByWriter: Bool { inRoot && !writerSkips && !prunedByTag && !prunedByName && kind != .h1 }
}

/// Cuts the whole `<body>` into blocks in document order, pruned parts included (flagged):
/// the model, not the pruning, decides what is furniture, with the pruning as evidence.
enum PageBlocks {
    /// Never text a reader sees, so not even a candidate block.
    static func invisible(_ tag: HTMLTag) -> Bool {
        switch tag {
        case .script, .style, .template, .head, .title, .meta, .link, .select, .textarea, .svg, .canvas, .iframe, .object, .embed:
            return true
        default:
            return false
        }
    }

    static func cut(_ finder: ContentFinder, roots: [Int]) -> [PageBlock] {
        let tree = finder.tree
        let top = tree.body >= 0 ? tree.body : tree.root
        guard top >= 0 else { return [] }
        var rootSet = Set(roots)
        if roots.isEmpty { rootSet.insert(top) }
        var out: [PageBlock] = []
        var folder = WhitespaceFolder()
        // The open elements; leaving one undoes what it added to the counters below.
        struct Open { var end: Int; var breaks: Bool; var kind: PageBlock.Kind?; var flags: UInt8 }
        var open: [Open] = []
        // How many open elements set each flag: root, tag-pruned, name-pruned, article, body-named, skipped, link.
        var counts = [Int](repeating: 0, count: 7)
        // The finder may choose the body itself, or `<html>` above it.
        var up = top
        while up >= 0 {
            if rootSet.contains(up) { counts[0] = 1; break }
            up = tree.parent(up)
        }
        var current: PageBlock?
        func flush() {
            guard var block = current else { return }
            current = nil
            guard !folder.isEmpty else { return }
            block.text = folder.take()
            block.bytes = block.text.utf8.count
            block.linkBytes = min(block.linkBytes, block.bytes)
            out.append(block)
        }
        var i = top
        let stop = tree.end(top)
        while i < stop {
            while let last = open.last, last.end <= i {
                if last.breaks { flush() }
                for f in 0..<7 where last.flags & (1 << f) != 0 { counts[f] -= 1 }
                open.removeLast()
            }
            if tree.isText(i) {
                if current == nil {
                    let kind = open.last(where: { $0.kind != nil })?.kind ?? .other
                    current = PageBlock(text: "", kind: kind, bytes: 0, linkBytes: 0, depth: open.count,
                                        inRoot: counts[0] > 0, prunedByTag: counts[1] > 0, prunedByName: counts[2] > 0,
                                        inArticle: counts[3] > 0, inBodyContainer: counts[4] > 0, writerSkips: counts[5] > 0)
                }
                let before = folder.bytes.count
                tree.withText(i) { folder.append($0) }
                if counts[6] > 0 { current!.linkBytes += folder.bytes.count - before }
                i += 1
                continue
            }
            let tag = tree.tag(i)
            if invisible(tag) { i = tree.end(i); continue }
            var flags: UInt8 = 0
            if rootSet.contains(i) { flags |= 1 }
            if finder.prunedByTag[i] { flags |= 2 } else if finder.pruned[i] { flags |= 4 }
            if tag == .article || tag == .main { flags |= 8 }
            if finder.isBodyContainer(i) { flags |= 16 }
            if counts[0] > 0 || flags & 1 != 0, !finder.pruned[i], BlockTextWriter.skip(i, finder) { flags |= 32 }
            if tag == .a { flags |= 64 }
            for f in 0..<7 where flags & (1 << f) != 0 { counts[f] += 1 }
            let breaks = BlockTextWriter.breaksLine(i, tree)
            if breaks { flush() } else if tag == .img || tag == .wbr || tag.isCell { folder.space() }
            open.append(Open(end: tree.end(i), breaks: breaks, kind: kind(of: tag), flags: flags))
            i += 1
        }
        flush()
        return out
    }

    static func kind(of tag: HTMLTag) -> PageBlock.Kind? {
        switch tag {
        case .p: return .paragraph
        case .li: return .listItem
        case .h1: return .h1
        case .h2, .h3, .h4, .h5, .h6: return .heading
        case .td, .th: return .cell
        case .pre: return .pre
        case .blockquote: return .blockquote
        case .dd, .dt: return .definition
        case .div, .section, .article, .main, .center, .address, .details, .summary, .table, .ul, .ol, .dl: return .other
        default: return nil
        }
    }
}
