/// Finds the element holding the article body, the way readability-style extractors do:
/// paragraphs score their ancestors by how much prose they hold, class/id names and tags
/// weigh in, link-heavy blocks are discounted, and the best candidate is taken with the
/// siblings that look like more of the same article.
struct ContentFinder {
    let tree: DOMTree
    /// Elements removed before scoring (navigation, comments, share bars, …).
    private(set) var pruned: [Bool]
    /// Characters of collapsed text under each node, and of that inside links.
    private(set) var textLength: [Int]
    private(set) var linkLength: [Int]
    private(set) var commas: [Int]
    /// Elements named like the article body itself (`itemprop=articleBody`, "article-body", …).
    private(set) var bodyContainer: [Bool]

    init(tree: DOMTree) {
        self.tree = tree
        bodyContainer = tree.nodes.map { Self.namedAsBody($0) }
        pruned = Array(repeating: false, count: tree.count)
        textLength = Array(repeating: 0, count: tree.count)
        linkLength = Array(repeating: 0, count: tree.count)
        commas = Array(repeating: 0, count: tree.count)
        pruneByTag()
        measure()
        pruneByName()
        measure()
    }

    // MARK: Pruning

    /// Elements that are never article text, whatever their content. (Not `form`: some sites
    /// wrap the whole page in one; small forms are dropped when the text is written.)
    static let junkTags: Set<String> = [
        "nav", "aside", "footer", "button", "select", "input", "textarea", "iframe", "noscript", "svg", "canvas",
        "object", "embed", "menu", "dialog", "header", "figcaption", "picture", "video", "audio", "map",
        "script", "style", "template", "head", "title", "meta", "link",
    ]

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

    static func isFurniture(_ names: String) -> Bool {
        for name in names.split(separator: " ") {
            if unlikely.words.contains(String(name)) { return true }
            let parts = name.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == ":" }).map(String.init)
            guard parts.count > 1 else { continue }
            if unlikely.words.contains(parts[parts.count - 1]) || blockFurniture.contains(parts[0]) { return true }
            // A middle part is a weak signal ("page-ad-margins"); only whole-word matches of
            // the other parts count, and not against words that make them harmless.
            let strongParts = parts.dropFirst().dropLast()
            if strongParts.contains(where: { unlikely.words.contains($0) && $0 != "ad" && $0 != "ads" }),
               !parts.contains(where: maybe.contains) { return true }
        }
        return false
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

    /// Elements that are furniture by what they are: their tag, hidden, or an ARIA landmark role.
    private mutating func pruneByTag() {
        for i in 0..<tree.count {
            let n = tree[i]
            guard !n.isText else { continue }
            if n.parent >= 0, pruned[n.parent] { pruned[i] = true; continue }
            if Self.junkTags.contains(n.tag) { pruned[i] = true; continue }
            if n.attributes["hidden"] != nil || n.attributes["aria-hidden"] == "true" { pruned[i] = true; continue }
            if let style = n.attributes["style"]?.lowercased().replacingOccurrences(of: " ", with: ""),
               style.contains("display:none") || style.contains("visibility:hidden") { pruned[i] = true; continue }
            if let role = n.attributes["role"]?.lowercased(),
               ["navigation", "complementary", "banner", "contentinfo", "dialog", "alert", "menu", "menubar", "search"].contains(role) {
                pruned[i] = true; continue
            }
        }
    }

    /// Elements that are furniture by their class or id. Names are a guess, so a named
    /// element is kept when it holds the article (an `<article>`, `<main>` or article-body
    /// container inside it) or most of the page's text: wrappers called "container-sidebar"
    /// or "page-ad-margins" often hold the whole page.
    private mutating func pruneByName() {
        var holdsArticle = [Bool](repeating: false, count: tree.count)
        for i in stride(from: tree.count - 1, through: 0, by: -1) where !tree[i].isText {
            let n = tree[i]
            if n.tag == "article" || n.tag == "main" || isBodyContainer(i) { holdsArticle[i] = true }
            if holdsArticle[i], n.parent >= 0 { holdsArticle[n.parent] = true }
        }
        let pageText = tree.body >= 0 ? textLength[tree.body] : (tree.root >= 0 ? textLength[tree.root] : 0)
        for i in 0..<tree.count {
            let n = tree[i]
            guard !n.isText, !pruned[i] else { continue }
            if n.parent >= 0, pruned[n.parent] { pruned[i] = true; continue }
            if i == tree.body || n.tag == "html" || n.tag == "body" || holdsArticle[i] { continue }
            if textLength[i] * 2 > pageText { continue }
            let names = n.classAndID
            if !names.isEmpty, Self.isFurniture(names) { pruned[i] = true }
        }
    }

    func isBodyContainer(_ i: Int) -> Bool { bodyContainer[i] }

    static func namedAsBody(_ n: DOMTree.Node) -> Bool {
        guard !n.isText else { return false }
        if n.attributes["itemprop"]?.lowercased() == "articlebody" { return true }
        guard !n.classAndID.isEmpty else { return false }
        // A name that is, or begins with, a body name ("article-body", "article-body__inner").
        let bytes = Array(n.classAndID.utf8)
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x20 { end += 1 }
            for body in bodyNameBytes where end - start >= body.count && bytes[start] == body[0] {
                var k = 1
                while k < body.count, bytes[start + k] == body[k] { k += 1 }
                if k == body.count { return true }
            }
            start = end + 1
        }
        return false
    }

    static let bodyNameBytes: [[UInt8]] = bodyNames.map { Array($0.utf8) }

    // MARK: Measuring

    private mutating func measure() {
        for i in 0..<tree.count { textLength[i] = 0; linkLength[i] = 0; commas[i] = 0 }
        // Children come after their parents in the array: one backwards pass sums subtrees.
        for i in stride(from: tree.count - 1, through: 0, by: -1) {
            let n = tree[i]
            if pruned[i] { continue }
            if n.isText {
                var length = 0, c = 0, inSpace = true
                for u in n.text.unicodeScalars {
                    let v = u.value
                    let space = v < 0x80 ? (v == 0x20 || (v >= 0x09 && v <= 0x0D)) : u.properties.isWhitespace
                    if space { if !inSpace { length += 1; inSpace = true } } else {
                        length += 1; inSpace = false
                        if v == 0x2C || v == 0xFF0C || v == 0x3001 { c += 1 }
                    }
                }
                textLength[i] = length
                commas[i] = c
            }
            if n.tag == "a" { linkLength[i] = textLength[i] }
            let p = n.parent
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

    static let paragraphTags: Set<String> = ["p", "pre", "td", "blockquote", "li", "h2", "h3", "dd"]
    static let blockTags: Set<String> = [
        "p", "div", "section", "article", "main", "pre", "table", "tr", "td", "ul", "ol", "li", "dl", "dd", "dt",
        "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "header", "footer", "form", "aside", "nav", "hr",
        "address", "center", "details", "summary",
    ]

    func classWeight(_ i: Int) -> Double {
        let names = tree[i].classAndID
        guard !names.isEmpty else { return 0 }
        var w = 0.0
        if Self.negative.matches(names) { w -= 25 }
        if Self.positive.matches(names) { w += 25 }
        if isBodyContainer(i) { w += 40 }
        return w
    }

    func tagWeight(_ tag: String) -> Double {
        switch tag {
        case "div", "article", "main", "section": return tag == "div" ? 5 : (tag == "section" ? 3 : 10)
        case "pre", "td", "blockquote": return 3
        case "address", "ol", "ul", "dl", "dd", "dt", "li", "form": return -3
        case "h1", "h2", "h3", "h4", "h5", "h6", "th": return -5
        default: return 0
        }
    }

    /// The element that holds the article, and the siblings that continue it.
    func best() -> [Int] {
        var score = [Double](repeating: 0, count: tree.count)
        var initialized = [Bool](repeating: false, count: tree.count)
        func initialize(_ i: Int) {
            if !initialized[i] {
                initialized[i] = true
                score[i] = tagWeight(tree[i].tag) + classWeight(i)
            }
        }
        for i in 0..<tree.count where !pruned[i] && !tree[i].isText {
            let n = tree[i]
            var ancestor = n.parent
            var level = 0
            var length = textLength[i], commaCount = commas[i]
            let blockChildren = hasBlockChild(i)
            if Self.paragraphTags.contains(n.tag) || (n.tag == "div" && !blockChildren) {
                // A paragraph: it scores its ancestors.
            } else if blockChildren, ["div", "section", "article", "main", "td"].contains(n.tag) {
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
                ancestor = tree[ancestor].parent
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

        // A top candidate that is the only child of its parent says nothing the parent would not.
        var chosen = top
        while tree[chosen].parent >= 0, tree[tree[chosen].parent].tag != "body",
              tree[tree[chosen].parent].children.filter({ !pruned[$0] && textLength[$0] > 0 }).count == 1 {
            chosen = tree[chosen].parent
        }

        let parent = tree[chosen].parent
        guard parent >= 0 else { return [chosen] }
        let threshold = max(10, topScore * 0.2)
        let topClass = tree[chosen].attributes["class"] ?? ""
        var result: [Int] = []
        for s in tree[parent].children where !pruned[s] && !tree[s].isText {
            if s == chosen { result.append(s); continue }
            var bonus = 0.0
            if !topClass.isEmpty, tree[s].attributes["class"] == topClass { bonus = topScore * 0.2 }
            if initialized[s], score[s] + bonus >= threshold { result.append(s); continue }
            if tree[s].tag == "p" {
                let ld = linkDensity(s)
                if textLength[s] > 80, ld < 0.25 { result.append(s); continue }
                if textLength[s] > 0, textLength[s] <= 80, ld == 0, tree.text(of: s).contains(". ") { result.append(s) }
            }
        }
        return result
    }

    /// Text length and commas of the text nodes and inline elements directly inside `i`.
    func directText(_ i: Int) -> (Int, Int) {
        var length = 0, c = 0
        for child in tree[i].children where !pruned[child] {
            let n = tree[child]
            if n.isText || !Self.blockTags.contains(n.tag) {
                length += textLength[child]
                c += commas[child]
            }
        }
        return (length, c)
    }

    func hasBlockChild(_ i: Int) -> Bool {
        tree[i].children.contains { !tree[$0].isText && Self.blockTags.contains(tree[$0].tag) }
    }
}

/// Whole-word matching of class/id names: "article-footer" holds the words "article" and
/// "footer" (and the compound), so "footer" matches it but not "footerless".
struct TokenMatcher {
    let words: Set<String>
    init(_ words: [String]) { self.words = Set(words) }

    func matches(_ names: String) -> Bool {
        for name in names.split(separator: " ") {
            if words.contains(String(name)) { return true }
            let parts = name.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == ":" })
            if parts.count > 1 {
                for p in parts where words.contains(String(p)) { return true }
                // Pairs catch compounds listed with a dash ("most-read").
                for k in 0..<(parts.count - 1) where words.contains("\(parts[k])-\(parts[k + 1])") { return true }
            }
        }
        return false
    }
}
