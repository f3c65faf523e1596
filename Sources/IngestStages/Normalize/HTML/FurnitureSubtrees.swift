import Glibc

/// The contents of `<nav>`, `<header>`, `<footer>` and `<aside>` elements, which the content
/// finder prunes whole (see `HTMLTag.isJunk`), left out before the parser sees them: on news
/// pages they hold about a third of the elements (menus, link lists), and libxml2 spends
/// thousands of instructions on each element whatever becomes of it.
///
/// Only when leaving them out cannot change anything else: the element itself stays (as an
/// empty element, so text around it is still separated), and its contents are dropped only if
/// they are well nested up to the matching end tag (so libxml2 would close the element exactly
/// there) and hold nothing that is read from pruned parts of a page: metadata (`<title>`,
/// `<meta>`, `<link>`, `<time>`, JSON-LD), headlines (`<h1>`), captions (`<figcaption>`), the article markers that
/// keep ancestors from being pruned (`<article>`, `<main>`, article-body names, `itemprop=articleBody`)
/// or the document's own structure (`<html>`, `<head>`, `<body>`).
enum FurnitureSubtrees {
    static let containers: [[UInt8]] = ["nav", "header", "footer", "aside"].map { Array($0.utf8) }

    /// Tag names are compared by the FNV-1a hash of their lower-cased bytes (no array per tag).
    static func key(_ name: [UInt8]) -> UInt64 { name.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 } }

    enum Kind {
        /// Its presence inside keeps the contents.
        case kept
        /// Metadata read wherever it is (`<meta>`, `<link>`, `<time>`): it is kept, with what it
        /// holds, and the rest around it dropped.
        case metadata
        /// No end tag (libxml2's empty elements and HTML's void ones).
        case void
        /// The prefilter drops its contents anyway (`MarkupPrefilter.dropped`): skip to its end tag.
        case skipped([UInt8])
    }

    static let kinds: [UInt64: Kind] = {
        var kinds: [UInt64: Kind] = [:]
        for name in ["area", "basefont", "br", "col", "embed", "hr", "img", "input", "isindex", "param", "source", "track",
                     "wbr", "keygen"] { kinds[key(Array(name.utf8))] = .void }
        for name in ["script", "style", "svg", "template", "noscript"] { kinds[key(Array(name.utf8))] = .skipped(Array(name.utf8)) }
        for name in ["meta", "link", "time"] { kinds[key(Array(name.utf8))] = .metadata }
        // `h1`: an article's header (`<header><h1>Headline</h1>…`) is where its headline is.
        for name in ["title", "figcaption", "article", "main", "html", "head", "body", "base", "h1",
                     "textarea", "xmp", "plaintext", "listing", "frameset", "frame"] { kinds[key(Array(name.utf8))] = .kept }
        return kinds
    }()

    struct Drop {
        /// Where the container's end tag (`</name`) starts.
        var end: Int
        /// The metadata elements inside, in order, each from its start tag to just past its end.
        var kept: [Range<Int>]
    }

    /// The `name` container's contents from `from` (just past its start tag) to its matching
    /// end tag, when all but the metadata elements in them can be left out, else nil.
    static func droppableContents(_ b: UnsafeBufferPointer<UInt8>, container: [UInt8], from: Int) -> Drop? {
        let n = b.count
        let target = key(container)
        var open: [UInt64] = []
        var kept: [Range<Int>] = []
        /// The `<time>` being kept (its start and its depth in `open`), while inside it.
        var keptTime: (start: Int, depth: Int)?
        var j = from
        while j < n {
            guard let lt = memchr(b.baseAddress! + j, 0x3C, n - j) else { return nil }
            j = b.baseAddress!.distance(to: lt.assumingMemoryBound(to: UInt8.self))
            guard j + 1 < n else { return nil }
            let next = b[j + 1]
            if next == 0x21 {  // "<!": a comment, or a declaration: skip to its end
                if j + 3 < n, b[j + 2] == 0x2D, b[j + 3] == 0x2D {
                    var k = j + 4
                    while k + 2 < n, !(b[k] == 0x2D && b[k + 1] == 0x2D && b[k + 2] == 0x3E) { k += 1 }
                    guard k + 2 < n else { return nil }
                    j = k + 3
                } else {
                    guard let gt = memchr(b.baseAddress! + j, 0x3E, n - j) else { return nil }
                    j = b.baseAddress!.distance(to: gt.assumingMemoryBound(to: UInt8.self)) + 1
                }
                continue
            }
            let closing = next == 0x2F
            let nameStart = closing ? j + 2 : j + 1
            guard nameStart < n, MarkupPrefilter.isASCIILetter(b[nameStart]) else { j += 1; continue }
            var k = nameStart
            var name: UInt64 = 0xcbf2_9ce4_8422_2325
            while k < n, !StartTagRewriter.isSpace(b[k]), b[k] != 0x3E, b[k] != 0x2F {
                name = (name ^ UInt64(b[k] >= 0x41 && b[k] <= 0x5A ? b[k] | 0x20 : b[k])) &* 0x100_0000_01b3
                k += 1
            }
            if closing {
                // An end tag runs to the next '>', as libxml2 reads it.
                guard let gt = memchr(b.baseAddress! + k, 0x3E, n - k) else { return nil }
                if open.isEmpty { return name == target ? Drop(end: j, kept: kept) : nil }
                guard open.last == name else { return nil }
                open.removeLast()
                j = b.baseAddress!.distance(to: gt.assumingMemoryBound(to: UInt8.self)) + 1
                if let time = keptTime, open.count == time.depth {
                    kept.append(time.start..<j)
                    keptTime = nil
                }
                continue
            }
            let kind = kinds[name]
            if case .kept = kind { return nil }
            // The attributes: to find the tag's end, and any that names the article body or JSON-LD.
            var i = k
            var selfClosing = false
            scan: while true {
                switch AttributeTokenizer.next(b, &i) {
                case .attribute(let attribute, let value):
                    if let value, marksArticle(b, attribute, value) { return nil }
                case .end(let closed):
                    selfClosing = closed
                    break scan
                case .cutOff:
                    return nil
                }
            }
            switch kind {
            case .metadata where keptTime == nil:
                // A void <meta>/<link> (or a self-closed one) is kept whole; a <time> up to its end tag.
                if name == timeKey && !selfClosing {
                    keptTime = (j, open.count)
                    open.append(name)
                } else {
                    kept.append(j..<i)
                }
            case .metadata:
                // Inside a kept <time>: part of it already.
                if name == timeKey && !selfClosing { open.append(name) }
            case .skipped(let skippedName):
                // Scripts (unless JSON-LD, refused above), styles, SVG: their contents are not markup.
                let close = MarkupPrefilter.closingTag(skippedName, b, from: i)
                guard close < n, let gt = memchr(b.baseAddress! + close, 0x3E, n - close) else { return nil }
                j = b.baseAddress!.distance(to: gt.assumingMemoryBound(to: UInt8.self)) + 1
                continue
            case .void:
                break
            default:
                if !selfClosing { open.append(name) }
            }
            j = i
        }
        return nil
    }

    static let timeKey = key(Array("time".utf8))

    static let classAttribute = Array("class".utf8), idAttribute = Array("id".utf8), itempropAttribute = Array("itemprop".utf8)
    static let typeAttribute = Array("type".utf8), articleBody = Array("articlebody".utf8)

    /// Whether an attribute makes its element an article-body container for `ContentFinder` (a
    /// class or id word beginning with a body name, `itemprop=articleBody`) or a JSON-LD script.
    static func marksArticle(_ b: UnsafeBufferPointer<UInt8>, _ name: Range<Int>, _ value: Range<Int>) -> Bool {
        guard !value.isEmpty else { return false }
        if StartTagRewriter.equalsLower(b, name, classAttribute) || StartTagRewriter.equalsLower(b, name, idAttribute) {
            return ContentFinder.namedAsBody(UnsafeBufferPointer(rebasing: b[value]), caseInsensitive: true)
        }
        if StartTagRewriter.equalsLower(b, name, itempropAttribute) {
            return StartTagRewriter.equalsLower(b, value, articleBody)
        }
        if StartTagRewriter.equalsLower(b, name, typeAttribute) {
            return MarkupPrefilter.isJSONLD(b, from: value.lowerBound - 1, to: value.upperBound)
        }
        return false
    }

}

