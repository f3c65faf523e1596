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
/// `<meta>`, `<link>`, `<time>`, JSON-LD), captions (`<figcaption>`), the article markers that
/// keep ancestors from being pruned (`<article>`, `<main>`, article-body names, `itemprop=articleBody`)
/// or the document's own structure (`<html>`, `<head>`, `<body>`).
enum FurnitureSubtrees {
    static let containers: [[UInt8]] = ["nav", "header", "footer", "aside"].map { Array($0.utf8) }

    /// Tag names are compared by the FNV-1a hash of their lower-cased bytes (no array per tag).
    static func key(_ name: [UInt8]) -> UInt64 { name.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 } }
    static func keys(_ names: [String]) -> Set<UInt64> { Set(names.map { key(Array($0.utf8)) }) }

    /// Elements whose presence inside keeps the contents.
    static let kept = keys(["title", "meta", "link", "time", "figcaption", "article", "main", "html", "head", "body", "base",
                            "textarea", "xmp", "plaintext", "listing", "frameset", "frame"])
    /// Elements without an end tag (libxml2's empty elements and HTML's void ones).
    static let void = keys(["area", "base", "basefont", "br", "col", "embed", "frame", "hr", "img", "input", "isindex", "link",
                            "meta", "param", "source", "track", "wbr", "keygen"])
    /// Elements whose contents the prefilter drops anyway (`MarkupPrefilter.dropped`).
    static let skipped: [UInt64: [UInt8]] = Dictionary(uniqueKeysWithValues: ["script", "style", "svg", "template", "noscript"]
                                                           .map { (key(Array($0.utf8)), Array($0.utf8)) })

    /// The index of the `name` container's matching end tag (`</name`) when the contents from
    /// `from` (just past the start tag) up to it can be left out, else nil.
    static func droppableContentEnd(_ b: UnsafeBufferPointer<UInt8>, container: [UInt8], from: Int) -> Int? {
        let n = b.count
        let target = key(container)
        var open: [UInt64] = []
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
                    j = tagEnd(b, from: j)
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
            let end = tagEnd(b, from: j)
            guard end <= n, b[end - 1] == 0x3E else { return nil }  // cut off by the end of input
            if closing {
                if open.isEmpty { return name == target ? j : nil }
                guard open.last == name else { return nil }
                open.removeLast()
                j = end
                continue
            }
            if kept.contains(name) { return nil }
            // Attributes naming the article body, and JSON-LD (only tags with attributes can).
            if k < end - 1, namesArticleBody(b, from: k) { return nil }
            if let skippedName = skipped[name] {
                // Scripts (unless JSON-LD, refused above), styles, SVG: their contents are not markup.
                guard let close = closingTag(skippedName, b, from: end) else { return nil }
                j = tagEnd(b, from: close)
                continue
            }
            let selfClosing = end - 2 >= j && b[end - 2] == 0x2F
            if !selfClosing && !void.contains(name) { open.append(name) }
            j = end
        }
        return nil
    }

    static let classAttribute = Array("class".utf8), idAttribute = Array("id".utf8), itempropAttribute = Array("itemprop".utf8)
    static let typeAttribute = Array("type".utf8)

    /// Whether the tag's attributes, from just past its name, make it an article-body container
    /// for `ContentFinder` (a class or id word beginning with a body name, `itemprop=articleBody`)
    /// or a JSON-LD script (`type=application/ld+json`).
    static func namesArticleBody(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Bool {
        var i = from
        while case .attribute(let name, let value) = AttributeTokenizer.next(b, &i) {
            guard let value, !value.isEmpty else { continue }
            if StartTagRewriter.equalsLower(b, name, classAttribute) || StartTagRewriter.equalsLower(b, name, idAttribute) {
                var lowered = [UInt8](UnsafeBufferPointer(rebasing: b[value]))
                for k in lowered.indices where lowered[k] >= 0x41 && lowered[k] <= 0x5A { lowered[k] |= 0x20 }
                if ContentFinder.namedAsBody(names: String(decoding: lowered, as: UTF8.self)) { return true }
            } else if StartTagRewriter.equalsLower(b, name, itempropAttribute) || StartTagRewriter.equalsLower(b, name, typeAttribute) {
                if MarkupPrefilter.isJSONLD(b, from: value.lowerBound - 1, to: value.upperBound)
                    || String(decoding: UnsafeBufferPointer(rebasing: b[value]), as: UTF8.self).lowercased().contains("articlebody") {
                    return true
                }
            }
        }
        return false
    }

    /// Index just past the `>` that ends the tag at `from`, honouring quotes; `n` + 1 when none.
    static func tagEnd(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        var j = from
        var quote: UInt8 = 0
        while j < b.count {
            let c = b[j]
            if quote != 0 { if c == quote { quote = 0 } }
            else if c == 0x22 || c == 0x27 { quote = c }
            else if c == 0x3E { return j + 1 }
            j += 1
        }
        return b.count + 1
    }

    /// Start of `</name` (any case) after `from`, or nil.
    static func closingTag(_ name: [UInt8], _ b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        let n = b.count
        var j = from
        while j + 1 + name.count < n {
            guard let lt = memchr(b.baseAddress! + j, 0x3C, n - j) else { return nil }
            j = b.baseAddress!.distance(to: lt.assumingMemoryBound(to: UInt8.self))
            guard j + 1 + name.count < n else { return nil }
            if b[j + 1] == 0x2F {
                var ok = true
                for k in 0..<name.count where (b[j + 2 + k] | 0x20) != name[k] { ok = false; break }
                if ok { return j }
            }
            j += 1
        }
        return nil
    }
}

