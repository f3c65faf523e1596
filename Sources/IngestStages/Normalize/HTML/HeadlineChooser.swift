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
    }

    static func choose(_ tree: DOMTree, meta: HTMLMetadata, roots: [Int]) -> String? {
        let sites = KnownSiteNames(meta)
        let stated = [meta.titles.jsonLD, meta.titles.openGraph, meta.titles.twitter, meta.titles.metaHeadline, meta.titles.dublinCore]
            .compactMap { $0.flatMap(clean) }.filter { !sites.isSite($0) }
        let titleTag = meta.titles.titleTag.flatMap(clean)
        let sources = stated + (titleTag.map { [$0] } ?? [])
        let headings = self.headings(tree)

        // 1. A heading another source states.
        let sourceKeys = sources.map(key)
        var best: (heading: Heading, support: Int)? = nil
        for h in headings {
            let hk = key(h.text)
            let support = sourceKeys.filter { agreesKeys(hk, $0) }.count
            guard support > 0, usable(h.text, sites: sites) else { continue }
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
        let opening = headings.filter {
            $0.rank == 1 && headlineShaped($0.text) && usable($0.text, sites: sites) && !isLinkOnly(tree, $0.node, textLength: $0.text.utf8.count)
        }
        if let first = roots.first, let h = bodyStartHeading(tree, opening, root: first) {
            return h.text
        }

        return nil
    }

    // MARK: - Candidates

    /// Headings in document order: `<h1>`–`<h3>` and elements whose class or id names a headline.
    static func headings(_ tree: DOMTree) -> [Heading] {
        var out: [Heading] = []
        // Judged once per distinct class/id name: a page has a few dozen over thousands of elements.
        var named = [Int8](repeating: -1, count: tree.names.count)
        var i = tree.body >= 0 ? tree.body : 0
        while i < tree.count {
            let tag = tree.tag(i)
            var rank = 0
            switch tag {
            case .h1: rank = 1
            case .h2, .h3: rank = 2
            case .text: break
            default:
                let id = tree.nameID(i)
                guard id >= 0, !tag.isJunk else { break }
                if named[id] < 0 { named[id] = namesHeadline(tree.names[id]) ? 1 : 0 }
                if named[id] == 1, !hasBlockChild(tree, i) { rank = 2 }
            }
            guard rank > 0 else { i += 1; continue }
            let text = tree.text(of: i)
            if !text.isEmpty, text.utf8.count <= 400 {
                out.append(Heading(text: text, node: i, rank: rank))
            }
            i = tree.end(i)
        }
        return out
    }

    /// "headline", "entry-title", "post_title", "story-title": a word `headline` or `title` in the
    /// class or id (not `subtitle`, `title-bar`'s siblings are still words of it: accepted as weak).
    static func namesHeadline(_ name: String) -> Bool {
        guard name.fastContains("title") || name.fastContains("headline") else { return false }
        // Words split at ' ', '-', '_', compared as bytes (names are lower-cased already).
        var word: [UInt8] = []
        for b in name.utf8 {
            if b == 0x20 || b == 0x2D || b == 0x5F {
                if word == headlineWord || word == titleWord { return true }
                word.removeAll(keepingCapacity: true)
            } else {
                word.append(b)
            }
        }
        return word == headlineWord || word == titleWord
    }

    static let headlineWord = Array("headline".utf8), titleWord = Array("title".utf8)

    static func hasBlockChild(_ tree: DOMTree, _ i: Int) -> Bool {
        for c in tree.children(i) where tree.tag(c).isBlock && tree.tag(c) != .h1 && tree.tag(c) != .h2 && tree.tag(c) != .h3 {
            return true
        }
        return false
    }

    /// All of its text is inside links: a menu or teaser label unless another source states it.
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
        // Byte checks first: every mark below holds one of these characters, and most titles none.
        var suspicious = false
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "}"): return true
            case UInt8(ascii: "("), UInt8(ascii: "="), UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "."), UInt8(ascii: "v"), UInt8(ascii: "V"):
                suspicious = true
            default: break
            }
        }
        guard suspicious else { return false }
        let lower = ScrapeText.asciiLower(s)
        for mark in ["function(", "function (", "=>", "();", "document.", "window.", "$(", "==", "&&", "||"] where lower.fastContains(mark) {
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
    static func agrees(heading: String, with source: String) -> Bool { agreesKeys(key(heading), key(source)) }

    /// `agrees` over `key`s already made.
    static func agreesKeys(_ h: String, _ s: String) -> Bool {
        let hn = h.utf8.count, sn = s.utf8.count
        guard hn > 0, sn > 0 else { return false }
        if hn == sn { return h == s }
        // A part of the source: long enough not to be a section word ("News: …").
        guard hn < sn, 5 * hn >= 2 * sn || h.utf8.lazy.filter({ $0 == 0x20 }).count >= 2 else { return false }
        // Each place the heading occurs (byte offsets), bounded on both sides by the source's
        // ends or by punctuation (a space before it allowed): "Site - HEADLINE (with photos) - Section".
        var from = 0
        while let off = s.fastFirstOffset(of: h, from: from) {
            let start = s.utf8.index(s.startIndex, offsetBy: off), end = s.utf8.index(start, offsetBy: hn)
            // A match inside a multi-byte character is not on a boundary.
            if let a = start.samePosition(in: s), let b = end.samePosition(in: s) {
                let before = s[..<a], after = s[b...]
                let openOK = before.isEmpty || isMark(before.last) || (before.last == " " && isMark(before.dropLast().last))
                let closeOK = after.isEmpty || isMark(after.first) || (after.first == " " && isMark(after.dropFirst().first))
                if openOK && closeOK { return true }
            }
            from = off + 1
        }
        return false
    }

    static func isMark(_ c: Character?) -> Bool { c.map { !$0.isLetter && !$0.isNumber && !$0.isWhitespace } ?? false }

    /// Compared form: case folded, quotes and dashes unified, white space collapsed, trailing
    /// dots cut.
    static func key(_ s: String) -> String { asciiKey(s) ?? scalarKey(s) }

    static func scalarKey(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var space = false
        for u in s.unicodeScalars {
            var u = u
            switch u.value {
            case 0x41...0x5A: u = Unicode.Scalar(u.value + 32)!
            case 0x20, 0x09, 0x0A, 0x0D, 0x0C, 0xA0: space = !out.isEmpty; continue
            case 0x2018, 0x2019, 0x201A, 0x2032, 0x60, 0xB4: u = "'"
            case 0x201C, 0x201D, 0x201E, 0xAB, 0xBB: u = "\""
            case 0x2010...0x2015, 0x2212: u = "-"
            case 0x80...:
                if u.properties.isWhitespace { space = !out.isEmpty; continue }
                if u.properties.changesWhenLowercased {
                    if space { out.append(" "); space = false }
                    out.append(contentsOf: u.properties.lowercaseMapping.unicodeScalars)
                    continue
                }
            default: break
            }
            if space { out.append(" "); space = false }
            out.append(u)
        }
        while out.last == "." { out.removeLast() }
        return String(out)
    }

    /// `key` of an ASCII text, byte by byte (most headings on a page; the scalar loop is the
    /// dearer part of choosing among hundreds of teaser headings). nil for any other text.
    static func asciiKey(_ s: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var space = false
        for byte in s.utf8 {
            var b = byte
            switch b {
            case 0x80...: return nil
            case 0x41...0x5A: b += 32
            case 0x20, 0x09, 0x0A, 0x0D, 0x0C: space = !out.isEmpty; continue
            case 0x60: b = 0x27
            default: break
            }
            if space { out.append(0x20); space = false }
            out.append(b)
        }
        while out.last == 0x2E { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }
}
