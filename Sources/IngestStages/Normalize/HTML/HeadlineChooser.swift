/// The record's `title` on the HTML path: the article's headline as the page shows it, not the
/// `<title>` with the site name glued on, a menu label, the site's logo heading or a script
/// fragment.
///
/// Several weak sources are weighed, so that old markup (no OpenGraph, no JSON-LD: only
/// `<title>` and headings) is served by the same rule as new:
/// 1. a visible heading (`<h1>`, else `<h2>`/`<h3>` or an element named `headline`/`title`)
///    that another source states — a metadata headline or the `<title>`, whole or as a segment
///    ("Site - Headline", "Headline (with Pictures) | Site") — is the headline, in the page's own
///    words; the one most sources state wins;
/// 2. otherwise the metadata headline (JSON-LD, OpenGraph, Twitter, `<meta name=headline>`,
///    Dublin Core) that most other sources agree with, site name cut off;
/// 3. otherwise `<title>` with its site and section segments cut off;
/// 4. otherwise (no `<title>`, or only the site's name in it) an `<h1>` that opens the article
///    body: little text between it and the content finder's first root.
enum HeadlineChooser {
    struct Heading {
        let text: String
        let node: Int
        /// 1 for `<h1>`, 2 for `<h2>`, `<h3>` and elements named like a headline.
        let rank: Int
        /// All of its text is inside links: a menu or teaser label unless another source states it.
        let linkOnly: Bool
    }

    static func choose(_ tree: DOMTree, meta: HTMLMetadata, roots: [Int]) -> String? {
        let sites = KnownSiteNames(meta)
        let stated = [meta.titles.jsonLD, meta.titles.openGraph, meta.titles.twitter, meta.titles.metaHeadline, meta.titles.dublinCore]
            .compactMap { $0.flatMap(clean) }.filter { !sites.isSite($0) }
        let titleTag = meta.titles.titleTag.flatMap(clean)
        let sources = stated + (titleTag.map { [$0] } ?? [])
        let headings = self.headings(tree).filter { usable($0.text, sites: sites) }

        // 1. A heading another source states.
        var best: (heading: Heading, support: Int)? = nil
        for h in headings {
            let support = sources.filter { agrees(heading: h.text, with: $0) }.count
            guard support > 0 else { continue }
            if best == nil || support > best!.support || (support == best!.support && h.rank < best!.heading.rank) {
                best = (h, support)
            }
        }
        if let best { return best.heading.text }

        // 2. The metadata headline most others agree with (first stated on a tie).
        var chosen: (text: String, support: Int)? = nil
        for s in stated {
            let support = sources.filter { $0 != s && agrees(heading: KnownSiteNames.strip(s, sites: sites, guessing: false), with: $0) }.count
            if chosen == nil || support > chosen!.support { chosen = (s, support) }
        }
        if let chosen {
            let stripped = KnownSiteNames.strip(chosen.text, sites: sites, guessing: false)
            if !stripped.isEmpty { return stripped }
        }

        // 3. `<title>`, less its site and section segments.
        if let t = titleTag, !sites.isSite(t) {
            let stripped = KnownSiteNames.strip(t, sites: sites, guessing: true)
            if !stripped.isEmpty { return stripped }
        }
        // 4. The heading that opens the body.
        if let first = roots.first, let h = bodyStartHeading(tree, headings.filter { $0.rank == 1 && !$0.linkOnly && headlineShaped($0.text) }, root: first) {
            return h.text
        }

        return nil
    }

    // MARK: - Candidates

    /// Headings in document order: `<h1>`–`<h3>` and elements whose class or id names a headline.
    static func headings(_ tree: DOMTree) -> [Heading] {
        var out: [Heading] = []
        var i = tree.body >= 0 ? tree.body : 0
        while i < tree.count {
            let tag = tree.tag(i)
            var rank = 0
            switch tag {
            case .h1: rank = 1
            case .h2, .h3: rank = 2
            case .text: break
            default:
                if !tag.isJunk, namesHeadline(tree.classAndID(i)), !hasBlockChild(tree, i) { rank = 2 }
            }
            guard rank > 0 else { i += 1; continue }
            let text = tree.text(of: i)
            if !text.isEmpty, text.utf8.count <= 400 {
                out.append(Heading(text: text, node: i, rank: rank, linkOnly: isLinkOnly(tree, i, textLength: text.utf8.count)))
            }
            i = tree.end(i)
        }
        return out
    }

    /// "headline", "entry-title", "post_title", "story-title": a word `headline` or `title` in the
    /// class or id (not `subtitle`, `title-bar`'s siblings are still words of it: accepted as weak).
    static func namesHeadline(_ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        var word = Substring()
        var start = name.startIndex
        for idx in name.indices {
            let c = name[idx]
            if c == " " || c == "-" || c == "_" {
                word = name[start..<idx]
                if word == "headline" || word == "title" { return true }
                start = name.index(after: idx)
            }
        }
        word = name[start...]
        return word == "headline" || word == "title"
    }

    static func hasBlockChild(_ tree: DOMTree, _ i: Int) -> Bool {
        for c in tree.children(i) where tree.tag(c).isBlock && tree.tag(c) != .h1 && tree.tag(c) != .h2 && tree.tag(c) != .h3 {
            return true
        }
        return false
    }

    static func isLinkOnly(_ tree: DOMTree, _ i: Int, textLength: Int) -> Bool {
        var inLinks = 0
        var k = i + 1
        while k < tree.end(i) {
            if tree.tag(k) == .a {
                inLinks += tree.text(of: k).utf8.count
                k = tree.end(k)
            } else {
                k += 1
            }
        }
        if tree.tag(i) == .a { return true }
        return inLinks > 0 && inLinks + 2 >= textLength
    }

    /// The last heading before the content root (or the first inside it) with little text
    /// between: the byline, the date and share buttons, not a teaser list.
    static func bodyStartHeading(_ tree: DOMTree, _ headings: [Heading], root: Int) -> Heading? {
        let inside = headings.filter { $0.node > root && $0.node < tree.end(root) }
        if let h = inside.first, textBytes(tree, from: root, to: h.node) <= 200 { return h }
        let before = headings.filter { $0.node < root && tree.end($0.node) <= root }
        guard let top = before.map(\.rank).min() else { return nil }
        guard let h = before.last(where: { $0.rank == top }) ?? before.last else { return nil }
        return textBytes(tree, from: tree.end(h.node), to: root) <= 400 ? h : nil
    }

    static func textBytes(_ tree: DOMTree, from: Int, to: Int) -> Int {
        var n = 0
        var k = from
        while k < to, n <= 1000 {
            if tree.isText(k) { n += tree.withText(k) { $0.count } }
            k += 1
        }
        return n
    }

    // MARK: - Judging a candidate

    /// Markup left in a stated title ("<title>Headline") removed, white space collapsed; nil when
    /// what is left is script, not words.
    static func clean(_ s: String) -> String? {
        var out = ""
        var inTag = false
        for c in s {
            if c == "<" { inTag = true; continue }
            if inTag { if c == ">" { inTag = false }; continue }
            out.append(c)
        }
        let t = HTMLMetadataReader.collapse(out)
        return t.isEmpty || isScript(t) ? nil : t
    }

    static func isScript(_ s: String) -> Bool {
        let lower = s.lowercased()
        for mark in ["{", "}", "function(", "function (", "=>", "();", "document.", "window.", "$(", "==", "&&", "||"]
        where lower.contains(mark) {
            return true
        }
        // "var x =" as a statement, not the letters of a word ("levar taça").
        var rest = lower[...]
        while let r = rest.range(of: "var ") {
            let before = rest[..<r.lowerBound].last
            if before == nil || before == " " || before == ";" || before == "(" { return true }
            rest = rest[r.upperBound...]
        }
        return false
    }

    static func usable(_ text: String, sites: KnownSiteNames) -> Bool {
        guard text.utf8.count >= 2, text.utf8.count <= 300, !isScript(text), !sites.isSite(text) else { return false }
        // "Read more", "Comments", "Advertisement": the line rules know page furniture (a long
        // heading is a headline whatever words it holds).
        guard text.split(separator: " ").count <= 5 else { return true }
        switch LineClassifier.classify(ScrapeLine(text)) {
        case .text, .duplicate: return true
        default: return false
        }
    }

    /// A heading that can stand as a headline on its own: a few words, not a label ending in ':'.
    static func headlineShaped(_ text: String) -> Bool {
        let words = text.split(separator: " ").count
        if text.hasSuffix(":") { return false }
        // Scripts without spaces (Chinese, Japanese) state a headline in one "word".
        let ascii = text.utf8.allSatisfy { $0 < 0x80 }
        return ascii ? words >= 3 && words <= 40 : text.count >= 6
    }

    /// The heading is the source's text, or a part of it set off by punctuation ("Site - Headline",
    /// "Headline | Section | Site", "Headline (with Pictures)", "Headline. A subtitle").
    static func agrees(heading: String, with source: String) -> Bool {
        let h = key(heading), s = key(source)
        guard !h.isEmpty, !s.isEmpty else { return false }
        if h == s { return true }
        // A part of the source: long enough not to be a section word ("News: …").
        guard h.count < s.count, h.split(separator: " ").count >= 3 || 5 * h.count >= 2 * s.count else { return false }
        func isMark(_ c: Character?) -> Bool { c.map { !$0.isLetter && !$0.isNumber && !$0.isWhitespace } ?? false }
        // Each place the heading occurs, bounded on both sides by the source's ends or by
        // punctuation (a space before it allowed): "Site - HEADLINE (with photos) - Section".
        var from = s.startIndex
        while let r = s.range(of: h, range: from..<s.endIndex) {
            let before = s[..<r.lowerBound], after = s[r.upperBound...]
            let openOK = before.isEmpty || isMark(before.last) || (before.last == " " && isMark(before.dropLast().last))
            let closeOK = after.isEmpty || isMark(after.first) || (after.first == " " && isMark(after.dropFirst().first))
            if openOK && closeOK { return true }
            from = s.index(after: r.lowerBound)
        }
        return false
    }

    /// Compared form: case folded, quotes and dashes unified, white space collapsed, trailing
    /// dots cut.
    static func key(_ s: String) -> String {
        var out = ""
        var space = false
        for c in s.lowercased() {
            var c = c
            switch c {
            case "\u{2018}", "\u{2019}", "\u{201A}", "\u{2032}", "`", "\u{00B4}": c = "'"
            case "\u{201C}", "\u{201D}", "\u{201E}", "\u{00AB}", "\u{00BB}": c = "\""
            case "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}", "\u{2212}": c = "-"
            default: break
            }
            if c.isWhitespace { space = !out.isEmpty; continue }
            if space { out.append(" "); space = false }
            out.append(c)
        }
        while out.hasSuffix(".") { out.removeLast() }
        return out
    }
}
