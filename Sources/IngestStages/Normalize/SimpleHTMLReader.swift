/// A first, deliberately small HTML path: block structure to lines, text of navigation and
/// script elements dropped, page metadata from `<title>`, `<meta>` and `<html lang>`.
///
/// It is a tolerant tokenizer, not a parser: it never fails on broken markup and does work
/// linear in the input. The full article extractor (libxml2, content scoring) replaces it.
public struct HTMLPage: Sendable, Equatable {
    public var lines: [String] = []
    public var title: String?
    public var metaTitle: String?
    public var siteName: String?
    public var author: String?
    public var published: String?
    public var lang: String?
    public var captions: [String] = []
}

public enum SimpleHTMLReader {
    /// Elements whose whole content is page furniture or not text at all.
    static let skipped: Set<String> = [
        "script", "style", "noscript", "svg", "template", "iframe", "nav", "aside", "footer", "form",
        "button", "select", "object", "canvas",
    ]
    static let blocks: Set<String> = [
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section", "header", "main",
        "blockquote", "tr", "td", "th", "table", "dd", "dt", "dl", "pre", "hr", "figure", "address", "body",
    ]

    public static func looksLikeHTML(_ text: String) -> Bool {
        // Lower-cased ASCII bytes of the head: cheap to search, and markup is ASCII.
        let head = text.utf8.prefix(2048).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        let start = head.firstIndex { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF) } ?? head.endIndex
        let trimmed = head[start...]
        func hasPrefix(_ s: String) -> Bool { trimmed.starts(with: s.utf8) }
        func contains(_ s: String) -> Bool {
            let needle = Array(s.utf8)
            guard needle.count <= head.count else { return false }
            for i in 0...(head.count - needle.count) where head[i] == needle[0] {
                if head[i..<(i + needle.count)].elementsEqual(needle) { return true }
            }
            return false
        }
        if hasPrefix("<!doctype html") || hasPrefix("<html") { return true }
        if hasPrefix("<?xml"), contains("<html") { return true }
        guard hasPrefix("<") else { return false }
        var tags = 0
        for marker in ["<p>", "<p ", "<div", "<br", "<body", "<span", "<a href", "</p>", "</div>"] where contains(marker) { tags += 1 }
        return tags >= 2
    }

    public static func read(_ html: String) -> HTMLPage {
        var page = HTMLPage()
        let b = Array(html.utf8)
        let n = b.count
        var text: [UInt8] = []
        text.reserveCapacity(n / 2)
        var i = 0
        var meta: [String: String] = [:]

        func lowerName(_ from: Int) -> (String, Int) {
            var j = from
            var name: [UInt8] = []
            while j < n, (b[j] >= 0x61 && b[j] <= 0x7A) || (b[j] >= 0x41 && b[j] <= 0x5A) || (b[j] >= 0x30 && b[j] <= 0x39) || b[j] == 0x2D || b[j] == 0x3A {
                name.append(b[j] | (b[j] >= 0x41 && b[j] <= 0x5A ? 0x20 : 0))
                j += 1
            }
            return (String(decoding: name, as: UTF8.self), j)
        }
        /// Index just past the end of the tag starting at `from` (at '<'), honouring quotes.
        func tagEnd(_ from: Int) -> Int {
            var j = from
            var quote: UInt8 = 0
            while j < n {
                let c = b[j]
                if quote != 0 { if c == quote { quote = 0 } }
                else if c == 0x22 || c == 0x27 { quote = c }
                else if c == 0x3E { return j + 1 }
                j += 1
            }
            return n
        }
        /// Index of the next `</name` (case-insensitive) at or after `from`, or n.
        func closing(_ name: String, from: Int) -> Int {
            let needle = Array("</\(name)".utf8)
            var j = from
            while j + needle.count <= n {
                if b[j] == 0x3C, b[j + 1] == 0x2F {
                    var match = true
                    for k in 2..<needle.count where (b[j + k] | 0x20) != needle[k] { match = false; break }
                    if match { return j }
                }
                j += 1
            }
            return n
        }
        func attributes(_ from: Int, _ to: Int) -> [String: String] {
            var attrs: [String: String] = [:]
            var j = from
            while j < to {
                while j < to, b[j] == 0x20 || b[j] == 0x0A || b[j] == 0x09 || b[j] == 0x0D || b[j] == 0x2F { j += 1 }
                let (name, after) = lowerName(j)
                if name.isEmpty { j += 1; continue }
                j = after
                while j < to, b[j] == 0x20 { j += 1 }
                guard j < to, b[j] == 0x3D else { attrs[name] = ""; continue }
                j += 1
                while j < to, b[j] == 0x20 { j += 1 }
                var value: [UInt8] = []
                if j < to, b[j] == 0x22 || b[j] == 0x27 {
                    let q = b[j]; j += 1
                    while j < to, b[j] != q { value.append(b[j]); j += 1 }
                    j += 1
                } else {
                    while j < to, b[j] != 0x20, b[j] != 0x3E { value.append(b[j]); j += 1 }
                }
                attrs[name] = HTMLEntities.decode(String(decoding: value, as: UTF8.self))
            }
            return attrs
        }
        func innerText(_ from: Int, _ to: Int) -> String {
            var out: [UInt8] = []
            var j = from
            while j < to {
                if b[j] == 0x3C { j = min(tagEnd(j), to); out.append(0x20); continue }
                out.append(b[j] == 0x0A || b[j] == 0x09 || b[j] == 0x0D ? 0x20 : b[j])
                j += 1
            }
            return collapse(HTMLEntities.decode(String(decoding: out, as: UTF8.self)))
        }

        while i < n {
            let c = b[i]
            guard c == 0x3C else {
                text.append(c == 0x0A || c == 0x09 || c == 0x0D ? 0x20 : c)
                i += 1
                continue
            }
            if i + 3 < n, b[i + 1] == 0x21, b[i + 2] == 0x2D, b[i + 3] == 0x2D {
                var j = i + 4
                while j + 2 < n, !(b[j] == 0x2D && b[j + 1] == 0x2D && b[j + 2] == 0x3E) { j += 1 }
                i = min(n, j + 3)
                continue
            }
            let closingTag = i + 1 < n && b[i + 1] == 0x2F
            let nameStart = i + (closingTag ? 2 : 1)
            let startsWithLetter = nameStart < n && ((b[nameStart] | 0x20) >= 0x61 && (b[nameStart] | 0x20) <= 0x7A)
            let (name, afterName) = startsWithLetter ? lowerName(nameStart) : ("", nameStart)
            if name.isEmpty {
                // "<" that opens no tag ("a < b", "<!DOCTYPE", "<?xml"): a declaration is skipped, text kept.
                if i + 1 < n, b[i + 1] == 0x21 || b[i + 1] == 0x3F { i = tagEnd(i); continue }
                text.append(c); i += 1; continue
            }
            let end = tagEnd(i)
            if closingTag {
                if blocks.contains(name) { text.append(0x0A) }
                i = end
                continue
            }
            let selfClosing = end >= 2 && b[end - 2] == 0x2F
            switch name {
            case "title":
                let close = closing("title", from: end)
                if page.title == nil { page.title = nonEmpty(innerText(end, close)) }
                i = tagEnd(close)
            case "meta":
                let a = attributes(afterName, end - 1)
                if let key = (a["property"] ?? a["name"] ?? a["itemprop"])?.lowercased(), let content = a["content"] {
                    if meta[key] == nil { meta[key] = content }
                }
                i = end
            case "html":
                page.lang = attributes(afterName, end - 1)["lang"].flatMap(nonEmpty)
                i = end
            case "figcaption":
                let close = closing("figcaption", from: end)
                if let caption = nonEmpty(innerText(end, close)) { page.captions.append(caption) }
                i = tagEnd(close)
            default:
                if skipped.contains(name) && !selfClosing {
                    i = tagEnd(closing(name, from: end))
                } else {
                    if blocks.contains(name) { text.append(0x0A) }
                    i = end
                }
            }
        }

        page.lines = HTMLEntities.decode(String(decoding: text, as: UTF8.self))
            .split(separator: "\n").map { collapse(String($0)) }.filter { !$0.isEmpty }
        page.metaTitle = meta["og:title"].flatMap(nonEmpty) ?? meta["twitter:title"].flatMap(nonEmpty)
        page.siteName = meta["og:site_name"].flatMap(nonEmpty)
        page.author = (meta["author"] ?? meta["article:author"]).flatMap(nonEmpty).flatMap { $0.hasPrefix("http") ? nil : $0 }
        for key in ["article:published_time", "datepublished", "date", "pubdate", "publishdate", "dc.date"] {
            if let v = meta[key], let iso = isoDatePrefix(v) { page.published = iso; break }
        }
        return page
    }

    static func nonEmpty(_ s: String) -> String? {
        let t = collapse(s)
        return t.isEmpty ? nil : t
    }

    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0 == " " || $0 == "\u{00A0}" || $0 == "\t" }).joined(separator: " ")
    }

    /// "2019-02-28T10:00:00Z" → "2019-02-28"; anything else → nil.
    static func isoDatePrefix(_ s: String) -> String? {
        let d = Array(s.utf8.prefix(10))
        guard d.count == 10, d[4] == 0x2D, d[7] == 0x2D,
              d.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || ($0.element >= 0x30 && $0.element <= 0x39) })
        else { return nil }
        let s10 = String(decoding: d, as: UTF8.self)
        let month = Int(s10.dropFirst(5).prefix(2)) ?? 0, day = Int(s10.suffix(2)) ?? 0
        return (1...12).contains(month) && (1...31).contains(day) ? s10 : nil
    }
}

enum HTMLEntities {
    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ndash": "–", "mdash": "—",
        "hellip": "…", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "laquo": "«", "raquo": "»",
        "copy": "©", "reg": "®", "trade": "™", "middot": "·", "bull": "•", "eacute": "é", "egrave": "è",
        "aacute": "á", "agrave": "à", "iacute": "í", "oacute": "ó", "uacute": "ú", "ntilde": "ñ", "ccedil": "ç",
        "auml": "ä", "ouml": "ö", "uuml": "ü", "szlig": "ß", "euro": "€", "pound": "£", "deg": "°", "times": "×",
    ]

    static func decode(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var rest = s[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.prefix(12).firstIndex(of: ";") {
                let name = after[..<semi]
                var replacement: String?
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if name.hasPrefix("#") {
                    replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else {
                    replacement = named[String(name)]
                }
                if let replacement {
                    out += replacement
                    rest = after[after.index(after: semi)...]
                    continue
                }
            }
            out += "&"
            rest = after
        }
        out += rest
        return out
    }
}
