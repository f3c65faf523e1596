/// Finds the element holding the article body, the way readability-style extractors do:
/// paragraphs score their ancestors by how much prose they hold, class/id names and tags
/// weigh in, link-heavy blocks are discounted, and the best candidate is taken with the
/// siblings that look like more of the same article.
struct ContentFinder {
    let tree: DOMTree
    /// Elements removed before scoring (navigation, comments, share bars, …).
    private(set) var pruned: [Bool]
    /// The part of `pruned` decided by tag, hidden state or role (before names were judged):
    /// the block model weighs the two kinds of pruning separately.
    private(set) var prunedByTag: [Bool] = []
    /// Characters of collapsed text under each node, and of that inside links.
    private(set) var textLength: [Int]
    private(set) var linkLength: [Int]
    private(set) var commas: [Int]
    /// Elements named like the article body itself (`itemprop=articleBody`, "article-body", …).
    private(set) var bodyContainer: [Bool]
    /// Whether each distinct class/id name of the page (see `DOMTree.names`) is furniture's,
    /// judged at most once per name, when an element with it is first asked about.
    private var furnitureName: [Bool?]

    init(tree: DOMTree) {
        self.tree = tree
        let bodyName = tree.names.map(Self.namedAsBody(names:))
        furnitureName = Array(repeating: nil, count: tree.names.count)
        bodyContainer = (0..<tree.count).map { i in
            guard !tree.isText(i) else { return false }
            if tree.attribute(.itemprop, of: i)?.lowercased() == "articlebody" { return true }
            let id = tree.nameID(i)
            return id >= 0 && bodyName[id]
        }
        pruned = Array(repeating: false, count: tree.count)
        textLength = Array(repeating: 0, count: tree.count)
        linkLength = Array(repeating: 0, count: tree.count)
        commas = Array(repeating: 0, count: tree.count)
        measureText()
        pruneByTag()
        prunedByTag = pruned
        measure()
        pruneByName()
        measure()
    }

    // MARK: Pruning

    /// Class or id words of page furniture (readability's "unlikely candidates", extended).
    static let unlikely = TokenMatcher([
        "banner", "breadcrumb", "breadcrumbs", "combx", "comment", "comments", "community", "disqus", "extra",
        "foot", "footer", "gdpr", "cookie", "cookies", "consent", "menu", "nav", "navbar", "navigation", "related",
        "remark", "replies", "rss", "shoutbox", "sidebar", "skyscraper", "social", "sponsor", "sponsored",
        "supplemental", "pagination", "pager", "popup", "modal", "share", "sharing", "sharebar", "newsletter",
        "subscribe", "subscription", "signup", "promo", "advert", "advertisement", "ad", "ads", "adsense", "outbrain",
        "taboola", "recommended", "recommendations", "trending", "popular", "most-read", "mostread", "widget",
        "toolbar", "tags", "tag-list", "byline", "author-bio", "bio", "caption", "credit", "masthead", "topbar",
        "read-more", "readmore", "more-stories", "also-read", "jump", "print", "hidden", "sr-only", "visually-hidden",
        "skip", "breaking-news-bar", "ticker", "login", "rating", "reactions", "toc",
    ])
    /// Words that make a furniture word harmless in the same name ("story-social-extra" is not
    /// dropped for "social")…
    static let maybe: Set<String> = ["and", "article", "articlebody", "body", "column", "content", "main", "shadow", "story", "entry", "post", "text"]
    /// …unless the furniture word names the whole block ("comment-body", "related-content") or
    /// the element inside it, BEM-style, as the last part ("article-footer", "story__byline").
    static let blockFurniture: Set<String> = [
        "comment", "comments", "related", "share", "sharing", "social", "newsletter", "promo", "ad", "ads", "advert",
        "sponsor", "sponsored", "outbrain", "taboola", "cookie", "consent", "recommended", "trending", "popular", "sidebar",
    ]

    /// Words of running prose: a name of four parts or more with one of them is a heading's
    /// slug ("sharing-with-a-single-developer", as documentation generators give sections),
    /// which names what the section is about, not what kind of box it is.
    static let slugWords: Set<String> = ["a", "an", "the", "with", "of", "to", "for", "in", "on", "from", "how", "what", "why", "is", "are", "your"]

    static func isFurniture(_ names: String) -> Bool {
        NameWords.anyWord(of: names) { word, parts in
            if unlikely.words.contains(word.string) { return true }
            if parts.count >= 4, parts.contains(where: { slugWords.contains($0.string) }) { return false }
            // Compounds run together ("newsCaption", "imagecaption", lower-cased by then) that
            // end in "caption" name a caption as surely as the word alone.
            if let last = parts.last, last.string.hasSuffix("caption") { return true }
            guard parts.count > 1 else { return false }
            if unlikely.words.contains(parts[parts.count - 1].string) || blockFurniture.contains(parts[0].string) { return true }
            // A middle part is a weak signal ("page-ad-margins"); only whole-word matches of
            // the other parts count, and not against words that make them harmless.
            let strongParts = parts.dropFirst().dropLast()
            if strongParts.contains(where: { let p = $0.string; return unlikely.words.contains(p) && p != "ad" && p != "ads" }),
               !parts.contains(where: { maybe.contains($0.string) }) { return true }
            return false
        }
    }

    static let positive = TokenMatcher([
        "article", "articlebody", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text",
        "blog", "story", "prose", "rich-text", "richtext", "paragraph",
    ])
    static let negative = TokenMatcher([
        "hidden", "hid", "banner", "combx", "comment", "com", "contact", "foot", "footer", "footnote", "gdpr", "masthead",
        "media", "meta", "outbrain", "promo", "related", "scroll", "share", "shoutbox", "sidebar", "skyscraper",
        "sponsor", "shopping", "tags", "tool", "widget", "ad", "ads", "advert", "caption", "credit", "byline",
        "newsletter", "subscribe", "recommended", "teaser", "card", "list",
    ])
    /// Container names that publishers give the article body itself.
    static let bodyNames: [String] = [
        "articlebody", "article-body", "article__body", "article_body", "story-body", "storybody", "story__body",
        "entry-content", "post-content", "post-body", "postbody", "article-content", "article__content",
        "article-text", "articletext", "body-text", "bodytext", "story-content", "story-text", "content-body",
        "article__text", "c-article-body", "main-text", "news-text", "article-main", "single-post-content",
    ]

    static let furnitureRoles: Set<String> = ["navigation", "complementary", "banner", "contentinfo", "dialog", "alert", "menu", "menubar", "search"]

    /// Elements that are furniture by what they are: their tag, hidden, or an ARIA landmark role.
    private mutating func pruneByTag() {
        for i in 0..<tree.count where !tree.isText(i) {
            let p = tree.parent(i)
            if p >= 0, pruned[p] { pruned[i] = true; continue }
            if tree.tag(i).isJunk { pruned[i] = true; continue }
            if tree.hasAttribute(.hidden, of: i) || tree.attribute(.ariaHidden, of: i) == "true" { pruned[i] = true; continue }
            if let style = tree.attribute(.style, of: i), Self.hidesElement(style: style) { pruned[i] = true; continue }
            if let role = tree.attribute(.role, of: i)?.lowercased(), Self.furnitureRoles.contains(role) {
                pruned[i] = true; continue
            }
        }
    }

    /// `display:none` or `visibility:hidden` in a style attribute, spaces and case ignored.
    static func hidesElement(style: String) -> Bool {
        var squeezed: [UInt8] = []
        squeezed.reserveCapacity(style.utf8.count)
        for c in style.utf8 where c != 0x20 { squeezed.append(c >= 0x41 && c <= 0x5A ? c | 0x20 : c) }
        let text = String(decoding: squeezed, as: UTF8.self)
        return text.fastContains("display:none") || text.fastContains("visibility:hidden")
    }

    /// Elements that are furniture by their class or id. Names are a guess, so a named
    /// element is kept when it holds the article (an `<article>`, `<main>` or article-body
    /// container inside it) or most of the page's text: wrappers called "container-sidebar"
    /// or "page-ad-margins" often hold the whole page.
    private mutating func pruneByName() {
        var holdsArticle = [Bool](repeating: false, count: tree.count)
        for i in stride(from: tree.count - 1, through: 0, by: -1) where !tree.isText(i) {
            let tag = tree.tag(i)
            if tag == .article || tag == .main || isBodyContainer(i) { holdsArticle[i] = true }
            let p = tree.parent(i)
            if holdsArticle[i], p >= 0 { holdsArticle[p] = true }
        }
        let pageText = tree.body >= 0 ? textLength[tree.body] : (tree.root >= 0 ? textLength[tree.root] : 0)
        for i in 0..<tree.count where !tree.isText(i) && !pruned[i] {
            let p = tree.parent(i)
            if p >= 0, pruned[p] { pruned[i] = true; continue }
            let tag = tree.tag(i)
            if i == tree.body || tag == .html || tag == .body || holdsArticle[i] { continue }
            if textLength[i] * 2 > pageText { continue }
            let id = tree.nameID(i)
            guard id >= 0 else { continue }
            if furnitureName[id] == nil { furnitureName[id] = Self.isFurniture(tree.names[id]) }
            if furnitureName[id] == true, !continuesBody(i), !inRunningText(i) { pruned[i] = true }
        }
    }

    /// Phrasing elements: a link or a span inside a sentence.
    static func isPhrasing(_ tag: HTMLTag) -> Bool {
        switch tag {
        case .a, .abbr, .b, .cite, .code, .em, .font, .i, .mark, .q, .s, .small, .span, .strong, .sub, .sup, .u, .time:
            return true
        default:
            return false
        }
    }

    /// A phrasing element set in running text (at least 80 characters of text beside it in its
    /// parent): a word of the sentence, whatever its class says ("popup" on a link to a note,
    /// "tooltip", "highlight-share"). Its name describes how the word behaves, not a box of
    /// furniture, and dropping it cuts words out of the sentence.
    private func inRunningText(_ i: Int) -> Bool {
        guard Self.isPhrasing(tree.tag(i)) else { return false }
        let p = tree.parent(i)
        guard p >= 0 else { return false }
        var beside = 0
        for c in tree.children(p) where tree.isText(c) {
            beside += textLength[c]
            if beside >= 80 { return true }
        }
        return false
    }

    /// A furniture-named box inside the article-body container that holds the article's own
    /// prose: pages hide the rest of the story behind a "read more" toggle, or wrap it in a
    /// "promo" or "extra" box, and a name alone should not drop paragraphs of the body.
    /// Teasers and share boxes are links; comments are not inside the article body.
    private func continuesBody(_ i: Int) -> Bool {
        guard textLength[i] >= 200, linkDensity(i) < 0.2 else { return false }
        var a = tree.parent(i)
        while a >= 0, !bodyContainer[a] { a = tree.parent(a) }
        guard a >= 0 else { return false }
        var k = i + 1
        while k < tree.end(i) {
            if !tree.isText(k), tree.tag(k) == .p, textLength[k] >= 150, linkDensity(k) < 0.2 { return true }
            k += 1
        }
        return false
    }

    func isBodyContainer(_ i: Int) -> Bool { bodyContainer[i] }

    /// A class/id name that is, or begins with, a body name ("article-body", "article-body__inner").
    static func namedAsBody(names: String) -> Bool {
        guard !names.isEmpty else { return false }
        var names = names
        return names.withUTF8 { namedAsBody($0, caseInsensitive: false) }
    }

    /// The same test over bytes; with `caseInsensitive`, ASCII capitals count as lower case.
    static func namedAsBody(_ bytes: UnsafeBufferPointer<UInt8>, caseInsensitive: Bool) -> Bool {
        @inline(__always) func at(_ k: Int) -> UInt8 {
            let c = bytes[k]
            return caseInsensitive && c >= 0x41 && c <= 0x5A ? c | 0x20 : c
        }
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x20 { end += 1 }
            if end > start, bodyNameFirstBytes[Int(at(start))] {
                for body in bodyNameBytes where end - start >= body.count && at(start) == body[0] {
                    var k = 1
                    while k < body.count, at(start + k) == body[k] { k += 1 }
                    if k == body.count { return true }
                }
            }
            start = end + 1
        }
        return false
    }

    static let bodyNameFirstBytes: [Bool] = (0..<256).map { b in bodyNames.contains { $0.utf8.first == UInt8(b) } }
    static let bodyNameBytes: [[UInt8]] = bodyNames.map { Array($0.utf8) }

    // MARK: Measuring

    /// Text nodes are never pruned, so their own length and commas are measured once; the
    /// passes after each pruning only sum them again into the elements.
    private mutating func measureText() {
        for i in 0..<tree.count where tree.isText(i) {
            (textLength[i], commas[i]) = tree.withText(i, CollapsedText.measure)
        }
    }

    private mutating func measure() {
        for i in 0..<tree.count where !tree.isText(i) { textLength[i] = 0; linkLength[i] = 0; commas[i] = 0 }
        // Children come after their parents in the array: one backwards pass sums subtrees.
        for i in stride(from: tree.count - 1, through: 0, by: -1) {
            if pruned[i] { continue }
            if tree.tag(i) == .a { linkLength[i] = textLength[i] }
            let p = tree.parent(i)
            if p >= 0, !pruned[p] {
                textLength[p] += textLength[i]
                linkLength[p] += linkLength[i]
                commas[p] += commas[i]
            }
        }
    }

    func linkDensity(_ i: Int) -> Double {
        textLength[i] == 0 ? 0 : Double(linkLength[i]) / Double(textLength[i])
    }

    // MARK: Scoring

    /// The weight class and id names give an element: furniture words against content words.
    static func nameWeight(_ names: String) -> Double {
        (negative.matches(names) ? -25 : 0) + (positive.matches(names) ? 25 : 0)
    }

    func tagWeight(_ tag: HTMLTag) -> Double {
        switch tag {
        case .div: return 5
        case .article, .main: return 10
        case .section, .pre, .td, .blockquote: return 3
        case .address, .ol, .ul, .dl, .dd, .dt, .li, .form: return -3
        case .h1, .h2, .h3, .h4, .h5, .h6, .th: return -5
        default: return 0
        }
    }

    /// The element that holds the article, and the siblings that continue it.
    func best() -> [Int] {
        var score = [Double](repeating: 0, count: tree.count)
        var initialized = [Bool](repeating: false, count: tree.count)
        // The class/id part of the weight, per distinct name of the page.
        var nameWeight = [Double?](repeating: nil, count: tree.names.count)
        func initialize(_ i: Int) {
            if !initialized[i] {
                initialized[i] = true
                let id = tree.nameID(i)
                var weight = 0.0
                if id >= 0 {
                    if nameWeight[id] == nil { nameWeight[id] = Self.nameWeight(tree.names[id]) }
                    weight = nameWeight[id]! + (isBodyContainer(i) ? 40 : 0)
                }
                score[i] = tagWeight(tree.tag(i)) + weight
            }
        }
        for i in 0..<tree.count where !pruned[i] && !tree.isText(i) {
            let tag = tree.tag(i)
            var ancestor = tree.parent(i)
            var level = 0
            var length = textLength[i], commaCount = commas[i]
            let blockChildren = hasBlockChild(i)
            if tag == .li, blockChildren {
                // A list item holding paragraphs (a teaser: heading, blurb, credit) scores its
                // list through them; its own text counts only what is written straight into it.
                (length, commaCount) = directText(i)
            } else if tag.isParagraph || (tag == .div && !blockChildren) {
                // A paragraph: it scores its ancestors.
            } else if blockChildren, tag == .div || tag == .section || tag == .article || tag == .main || tag == .td {
                // Text written straight into a container between its blocks ("text<br>text<div>…")
                // is an implicit paragraph of that container, as readability wraps it in a <p>.
                (length, commaCount) = directText(i)
                ancestor = i
            } else {
                continue
            }
            guard length >= 25 else { continue }
            let contentScore = 1 + Double(commaCount) + min(Double(length) / 100, 3)
            while ancestor >= 0, level < 5 {
                if pruned[ancestor] { break }
                initialize(ancestor)
                let divider = level == 0 ? 1.0 : (level == 1 ? 2.0 : Double(level) * 3)
                score[ancestor] += contentScore / divider
                ancestor = tree.parent(ancestor)
                level += 1
            }
        }
        var top = -1
        var topScore = -Double.infinity
        for i in 0..<tree.count where initialized[i] {
            score[i] *= (1 - linkDensity(i))
            if score[i] > topScore { topScore = score[i]; top = i }
        }
        guard top >= 0 else { return tree.body >= 0 ? [tree.body] : [] }

        var chosen = widened(top, score: score, initialized: initialized)
        let chosenScore = score[chosen]
        // A top candidate that is the only child of its parent says nothing the parent would not.
        while tree.parent(chosen) >= 0, tree.tag(tree.parent(chosen)) != .body,
              tree.children(tree.parent(chosen)).lazy.filter({ !self.pruned[$0] && self.textLength[$0] > 0 }).count == 1 {
            chosen = tree.parent(chosen)
        }

        let parent = tree.parent(chosen)
        guard parent >= 0 else { return [chosen] }
        let threshold = max(10, chosenScore * 0.2)
        let topClass = tree.attribute(.classes, of: chosen) ?? ""
        var result: [Int] = []
        for s in tree.children(parent) where !pruned[s] && !tree.isText(s) {
            if s == chosen { result.append(s); continue }
            var bonus = 0.0
            if !topClass.isEmpty, tree.attribute(.classes, of: s) == topClass { bonus = chosenScore * 0.2 }
            // A box of teasers (linked headlines over a line of blurb each) scores like prose
            // when it is long enough; readability's link-density bound for sibling paragraphs
            // keeps it out.
            if initialized[s], score[s] + bonus >= threshold, linkDensity(s) <= 0.25 { result.append(s); continue }
            // The chosen element may stand for a deeper candidate (an only child climbed to its
            // wrappers); a sibling wrapping a candidate as strong is more of the same article.
            if chosen != top, (s + 1..<tree.end(s)).contains(where: { initialized[$0] && score[$0] >= max(threshold, chosenScore * 0.5) }) {
                result.append(s); continue
            }
            if tree.tag(s) == .p {
                let ld = linkDensity(s)
                if textLength[s] > 80, ld < 0.25 { result.append(s); continue }
                if textLength[s] > 0, textLength[s] <= 80, ld == 0, tree.text(of: s).contains(". ") { result.append(s) }
            }
        }
        // The article neither starts nor ends with a stub: a short sibling without a sentence
        // end at either edge is the story's stamp, byline or a "browse all posts" link, joined
        // for its name or its class.
        while let first = result.first, isStub(first, chosen: chosen) { result.removeFirst() }
        while let last = result.last, isStub(last, chosen: chosen) { result.removeLast() }
        return result
    }

    /// A joined sibling of under 150 characters whose text does not end like a sentence.
    func isStub(_ s: Int, chosen: Int) -> Bool {
        guard s != chosen, textLength[s] < 150 else { return false }
        guard let last = tree.text(of: s).unicodeScalars.last else { return true }
        return !(last == "." || last == "!" || last == "?" || last == "\u{201D}" || last == "\"" || last == "\u{2026}")
    }

    /// The best candidate, or an ancestor that holds more of the same article: an article cut
    /// into several boxes (steps, sections, a lead box and the rest) scores each box on its own,
    /// and the best box is then only a part. Readability's two ways out: an ancestor shared by
    /// several other candidates that score nearly as well, and an ancestor whose own score
    /// (the halves and thirds its descendants gave it) rises above the candidate's.
    func widened(_ top: Int, score: [Double], initialized: [Bool]) -> Int {
        let topScore = score[top]
        let isTop: (Int) -> Bool = { $0 == tree.body || tree.tag($0) == .body || tree.tag($0) == .html }
        // Near rivals: of the next four candidates, those scoring at least three quarters of the best.
        var runnersUp: [Int] = []
        for i in 0..<tree.count where initialized[i] && i != top {
            let at = runnersUp.firstIndex { score[$0] < score[i] } ?? runnersUp.count
            if at < 4 { runnersUp.insert(i, at: at); if runnersUp.count > 4 { runnersUp.removeLast() } }
        }
        let rivals = runnersUp.filter { score[$0] >= topScore * 0.75 }
        var chosen = top
        if rivals.count >= 3 {
            var a = tree.parent(top)
            while a >= 0, !isTop(a) {
                // Three rivals under one ancestor with the best: the ancestor is the article.
                if rivals.filter({ $0 > a && $0 < tree.end(a) }).count >= 3 { chosen = a; break }
                a = tree.parent(a)
            }
        }
        // Climbing while the ancestors' scores hold up: one that scores more than the element
        // below it gathers content from elsewhere too.
        var lastScore = score[chosen]
        let floor = lastScore / 3
        var a = tree.parent(chosen)
        while a >= 0, !isTop(a) {
            if initialized[a] {
                if score[a] < floor { break }
                if score[a] > lastScore { chosen = a; break }
                lastScore = score[a]
            }
            a = tree.parent(a)
        }
        return chosen
    }

    /// Text length and commas of the text nodes and inline elements directly inside `i`.
    func directText(_ i: Int) -> (Int, Int) {
        var length = 0, c = 0
        for child in tree.children(i) where !pruned[child] {
            if tree.isText(child) || !tree.tag(child).isBlock {
                length += textLength[child]
                c += commas[child]
            }
        }
        return (length, c)
    }

    func hasBlockChild(_ i: Int) -> Bool {
        tree.children(i).contains { tree.tag($0).isBlock }
    }
}

extension CollapsedText {
    /// The length in bytes of the White_Space character at `i`, or 0.
    @inline(__always)
    static func whiteSpaceWidth(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let c = b[i]
        if c < 0x80 { return c == 0x20 || (c >= 0x09 && c <= 0x0D) ? 1 : 0 }
        let n = b.count
        let c1: UInt8 = i + 1 < n ? b[i + 1] : 0, c2: UInt8 = i + 2 < n ? b[i + 2] : 0
        switch c {
        case 0xC2: return c1 == 0x85 || c1 == 0xA0 ? 2 : 0
        case 0xE1: return c1 == 0x9A && c2 == 0x80 ? 3 : 0
        case 0xE2:
            return (c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF))
                || (c1 == 0x81 && c2 == 0x9F) ? 3 : 0
        case 0xE3: return c1 == 0x80 && c2 == 0x80 ? 3 : 0
        default: return 0
        }
    }
}

/// Length of text as it reads once white space is collapsed, in Unicode scalars, and its commas,
/// counted over the UTF-8 bytes: runs of white space (Unicode's White_Space) count as one.
enum CollapsedText {
    static func measure(_ b: UnsafeBufferPointer<UInt8>) -> (length: Int, commas: Int) {
        var length = 0, commas = 0, inSpace = true
        let n = b.count
        var i = 0
        while i < n {
            let c = b[i]
            var width = 1
            var space = false
            if c < 0x80 {
                space = c == 0x20 || (c >= 0x09 && c <= 0x0D)
                if c == 0x2C, !space { commas += 1 }
            } else {
                width = c >= 0xF0 ? 4 : (c >= 0xE0 ? 3 : (c >= 0xC0 ? 2 : 1))
                let c1: UInt8 = i + 1 < n ? b[i + 1] : 0, c2: UInt8 = i + 2 < n ? b[i + 2] : 0
                switch c {
                case 0xC2: space = c1 == 0x85 || c1 == 0xA0
                case 0xE1: space = c1 == 0x9A && c2 == 0x80
                case 0xE2:
                    space = (c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF))
                        || (c1 == 0x81 && c2 == 0x9F)
                case 0xE3:
                    space = c1 == 0x80 && c2 == 0x80
                    if c1 == 0x80 && c2 == 0x81 { commas += 1 }  // U+3001 ideographic comma
                case 0xEF:
                    if c1 == 0xBC && c2 == 0x8C { commas += 1 }  // U+FF0C fullwidth comma
                default: break
                }
            }
            if space {
                if !inSpace { length += 1; inSpace = true }
            } else {
                length += 1
                inSpace = false
            }
            i += width
        }
        return (length, commas)
    }
}

/// Whole-word matching of class/id names: "article-footer" holds the words "article" and
/// "footer" (and the compound), so "footer" matches it but not "footerless".
struct TokenMatcher {
    let words: Set<String>
    init(_ words: [String]) { self.words = Set(words) }

    func matches(_ names: String) -> Bool {
        NameWords.anyWord(of: names) { word, parts in
            if words.contains(word.string) { return true }
            guard parts.count > 1 else { return false }
            for p in parts where words.contains(p.string) { return true }
            // Pairs catch compounds listed with a dash ("most-read").
            for k in 0..<(parts.count - 1) where words.contains(parts[k].string + "-" + parts[k + 1].string) { return true }
            return false
        }
    }
}

/// The words of a class/id name (split at spaces) and the parts of each word (split at '-',
/// '_' and ':'), walked over the UTF-8 bytes without building arrays of strings.
enum NameWords {
    struct Piece {
        let bytes: UnsafeBufferPointer<UInt8>
        var string: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// Whether `test` holds for a word of `names`; it gets the word and its non-empty parts.
    static func anyWord(of names: String, _ test: (Piece, [Piece]) -> Bool) -> Bool {
        var names = names
        return names.withUTF8 { b in
            var parts: [Piece] = []
            var start = 0
            let n = b.count
            while start < n {
                var end = start
                while end < n, b[end] != 0x20 { end += 1 }
                if end > start {
                    parts.removeAll(keepingCapacity: true)
                    var p = start
                    while p < end {
                        var q = p
                        while q < end, b[q] != 0x2D, b[q] != 0x5F, b[q] != 0x3A { q += 1 }
                        if q > p { parts.append(Piece(bytes: UnsafeBufferPointer(rebasing: b[p..<q]))) }
                        p = q + 1
                    }
                    if test(Piece(bytes: UnsafeBufferPointer(rebasing: b[start..<end])), parts) { return true }
                }
                start = end + 1
            }
            return false
        }
    }
}
