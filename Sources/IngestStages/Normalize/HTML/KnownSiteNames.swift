/// The names a page gives its own site — `og:site_name`, the JSON-LD publisher,
/// `application-name`, the distinctive label of its host ("theguardian" of
/// `www.theguardian.com`) — and how a title is cut at its separators to leave the site out.
struct KnownSiteNames {
    /// Lower-cased letters and digits of each stated name.
    private(set) var keys: [String] = []
    private(set) var hostLabel: String?

    init(_ meta: HTMLMetadata) {
        // A "site name" as long as a headline is a page filling the field with its title.
        for name in [meta.site, meta.siteNames.publisher, meta.siteNames.openGraph, meta.siteNames.application].compactMap({ $0 }) {
            let k = Self.key(name)
            guard k.count >= 2, name.split(separator: " ").count <= 6, !keys.contains(k) else { continue }
            keys.append(k)
        }
        hostLabel = meta.canonicalURL.flatMap(Self.hostLabel)
    }

    init(names: [String], url: String? = nil) {
        keys = names.map(Self.key).filter { $0.count >= 2 }
        hostLabel = url.flatMap(Self.hostLabel)
    }

    /// Whether this text names the site (a headline never is just the site's name).
    func isSite(_ text: String) -> Bool {
        let k = Self.key(text)
        guard !k.isEmpty else { return false }
        for site in keys {
            if k == site || (k.count >= 3 && site.contains(k)) || (site.count >= 4 && k.contains(site) && k.count <= site.count + 12) {
                return true
            }
        }
        if let host = hostLabel, host.count >= 3 {
            // "Herald Sun" for heraldsun.com.au, "BBC News" for bbc.co.uk, "CNN.com".
            if k == host || (k.count >= 4 && host.contains(k)) || (k.hasPrefix(host) && k.count <= host.count + 8) { return true }
        }
        return false
    }

    /// "Title | Site" → "Title", "Site - Title" → "Title", "Site: Title" → "Title". With
    /// `guessing` (a `<title>`, which usually carries more than the headline), short segments
    /// at either end that no stated name explains go too ("World | Africa | Headline of the day",
    /// "Headline of the day - Jan 5, 2008"), as long as at least three words are left.
    static func strip(_ title: String, sites: KnownSiteNames, guessing: Bool) -> String {
        // "Site: Headline" — a colon is a headline's own punctuation unless a stated name precedes it.
        if let colon = title.range(of: ": "), sites.isSite(String(title[..<colon.lowerBound])) {
            return strip(String(title[colon.upperBound...]), sites: sites, guessing: guessing)
        }
        var segments = split(title)
        guard segments.count > 1 else { return title }
        var changed = true
        while changed, segments.count > 1 {
            changed = false
            if sites.isSite(segments.last!.text) { segments.removeLast(); changed = true; continue }
            if sites.isSite(segments.first!.text) { segments.removeFirst(); changed = true; continue }
            if guessing {
                let words = segments.map { weight($0.text) }
                let total = words.reduce(0, +)
                let longest = words.max() ?? 0
                if PublicationDateParser.isoDate(in: segments.last!.text) != nil, words.last! <= 6 {
                    segments.removeLast(); changed = true; continue
                }
                let end = words.last! <= words.first! ? segments.count - 1 : 0
                if words[end] <= 4, words[end] < longest, total - words[end] >= 3 {
                    segments.remove(at: end)
                    changed = true
                }
            }
        }
        // The kept segments as the title wrote them, separators between them included.
        let from = segments.first!.range.lowerBound, to = segments.last!.range.upperBound
        return HTMLMetadataReader.collapse(String(title[from..<to]))
    }

    /// Words, or for scripts written without spaces (Chinese, Japanese) half the characters.
    static func weight(_ s: String) -> Int {
        let wide = s.unicodeScalars.filter { $0.value >= 0x2E80 && $0.properties.isAlphabetic }.count
        return max(s.split(separator: " ").count, wide / 2)
    }

    struct Segment {
        let text: String
        let range: Range<String.Index>
    }

    /// Segments between separators: a run of one to three marks between spaces (" | ", " - ",
    /// " :: ", " ✩ ", " » ") or "_" between words (Chinese portals).
    static func split(_ title: String) -> [Segment] {
        var out: [Segment] = []
        var start = title.startIndex
        var i = title.startIndex
        func add(_ end: String.Index) {
            let text = HTMLMetadataReader.collapse(String(title[start..<end]))
            if !text.isEmpty { out.append(Segment(text: text, range: start..<end)) }
        }
        while i < title.endIndex {
            let c = title[i]
            if c == " " {
                var j = title.index(after: i)
                var marks = 0
                while j < title.endIndex, marks <= 3, isSeparatorMark(title[j]) { j = title.index(after: j); marks += 1 }
                if marks >= 1, marks <= 3, j < title.endIndex, title[j] == " " {
                    add(i)
                    i = title.index(after: j)
                    start = i
                    continue
                }
            } else if c == "_" {
                let next = title.index(after: i)
                if i > title.startIndex, next < title.endIndex, title[next] != " ", title[title.index(before: i)] != " " {
                    add(i)
                    i = next
                    start = i
                    continue
                }
            }
            i = title.index(after: i)
        }
        add(title.endIndex)
        return out
    }

    static func isSeparatorMark(_ c: Character) -> Bool {
        if c.isLetter || c.isNumber || c.isWhitespace { return false }
        // Punctuation that belongs to a headline's own words.
        return !"\"'‘’“”()[],.!?&%$€£+#@*".contains(c)
    }

    static func key(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            switch u.value {
            case 0x30...0x39, 0x61...0x7A: out.append(u)
            case 0x41...0x5A: out.append(Unicode.Scalar(u.value + 32)!)
            case 0x80...:
                if u.properties.isAlphabetic || u.properties.numericType != nil { out.append(contentsOf: u.properties.lowercaseMapping.unicodeScalars) }
            default: break
            }
        }
        return String(out)
    }

    /// "https://www.heraldsun.com.au/news/…" → "heraldsun"; "bbc.co.uk" → "bbc".
    static func hostLabel(_ url: String) -> String? {
        var rest = Substring(url)
        if let r = rest.range(of: "://") { rest = rest[r.upperBound...] }
        let host = rest.prefix { $0 != "/" && $0 != ":" && $0 != "?" && $0 != "#" }.lowercased()
        let generic: Set<String> = ["www", "m", "mobile", "amp", "news", "com", "co", "org", "net", "gov", "edu", "ac", "info", "uk", "au", "in", "cn"]
        let labels = host.split(separator: ".").map(String.init)
        guard labels.count >= 2 else { return nil }
        // The last label that is not a generic or country part.
        return labels.dropLast().last { !generic.contains($0) && $0.count >= 2 }
    }
}
