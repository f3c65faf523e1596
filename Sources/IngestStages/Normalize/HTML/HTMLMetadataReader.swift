import Foundation
import IngestCore

/// Page metadata, most reliable source first: JSON-LD (`NewsArticle`, `Article`, …), then
/// OpenGraph and Twitter cards, then `<meta name=…>`, `<time datetime>`, `<link rel=canonical>`,
/// `<html lang>`, and `<title>` with the site name cut off.
struct HTMLMetadata: Equatable {
    var title: String?
    var authors: [String] = []
    var published: String?
    var site: String?
    var lang: String?
    var canonicalURL: String?
    var section: String?
    var genreHint: String?
    /// Every title the page states, for `HeadlineChooser` to weigh against its headings.
    var titles = TitleSources()
    /// Every name the page gives its site, for cutting it out of a title.
    var siteNames = SiteNameSources()

    struct TitleSources: Equatable {
        var jsonLD: String?
        var openGraph: String?
        var twitter: String?
        var metaHeadline: String?
        var dublinCore: String?
        var titleTag: String?
    }

    struct SiteNameSources: Equatable {
        var publisher: String?
        var openGraph: String?
        var application: String?
    }
}

enum HTMLMetadataReader {
    static let articleTypes: Set<String> = [
        "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle", "blogposting",
        "backgroundnewsarticle", "reviewnewsarticle", "scholarlyarticle", "techarticle", "liveblogposting", "posting",
        "socialmediaposting", "report", "askpublicnewsarticle",
    ]

    /// The `<meta>` keys (`property`, `name` or `itemprop`, lower-cased) read below. The
    /// prefilter drops every other `<meta>` before parsing (see `StartTagRewriter`), so a key read
    /// here must be listed here; reading an unlisted one fails an assertion in debug builds.
    static let metaKeys: Set<String> = [
        "og:title", "twitter:title", "headline", "og:site_name", "author", "article:author", "dc.creator", "byl",
        "parsely-author", "sailthru.author", "article:published_time", "datepublished", "og:published_time", "publish-date",
        "pubdate", "date", "dc.date", "dc.date.issued", "sailthru.date", "parsely-pub-date", "application-name", "og:locale",
        "content-language", "og:url", "article:section", "dc.title", "dcterms.title", "dc:title", "dcterm:title", "parsely-title",
        "dc:creator", "dcterm:creator", "dcterms.creator",
    ]

    /// First `content` per key.
    struct MetaValues {
        var values: [String: String] = [:]
        subscript(key: String) -> String? {
            get {
                assert(HTMLMetadataReader.metaKeys.contains(key), "meta key \(key) is read but not in metaKeys")
                return values[key]
            }
            set { if values[key] == nil { values[key] = newValue } }
        }
    }

    /// Whether a `<meta>` with these key attributes and content is read at all.
    static func isRead(metaKeys keys: [String?], content: String?) -> Bool {
        guard let content, !content.isEmpty else { return false }
        return keys.contains { $0.map { !readKeys(in: $0).isEmpty } ?? false }
    }

    /// The listed keys an attribute names. RDFa's `property` is a space-separated list
    /// (`property="dc:creator twitter:site_name"`), so every token is a key.
    static func readKeys(in attribute: String) -> [String] {
        attribute.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .map(String.init).filter(metaKeys.contains)
    }

    /// Whether a `<link>` with this `rel` is read at all (the canonical URL).
    static func isRead(linkRel rel: String?) -> Bool {
        rel?.lowercased().split(separator: " ").contains("canonical") == true
    }

    static func read(_ tree: DOMTree, jsonLD: [String]) -> HTMLMetadata {
        var meta = MetaValues()
        var titleTag: String?
        var canonical: String?
        var lang: String?
        var firstTime: String?
        for i in 0..<tree.count {
            switch tree.tag(i) {
            case .meta:
                guard let content = tree.attribute(.content, of: i), !content.isEmpty else { continue }
                for keyAttr in [HTMLAttribute.property, .name, .itemprop] {
                    for key in tree.attribute(keyAttr, of: i).map(readKeys(in:)) ?? [] { meta[key] = content }
                }
            case .title:
                if titleTag == nil { titleTag = collapse(tree.text(of: i)) }
            case .link:
                if canonical == nil, isRead(linkRel: tree.attribute(.rel, of: i)) {
                    canonical = tree.attribute(.href, of: i)
                }
            case .html:
                if lang == nil { lang = tree.attribute(.lang, of: i) }
            case .time:
                if firstTime == nil { firstTime = tree.attribute(.datetime, of: i) }
            default:
                break
            }
        }

        var m = HTMLMetadata()
        let ld = JSONLDArticle.find(in: jsonLD)
        m.title = nonEmpty(ld?.headline) ?? nonEmpty(meta["og:title"]) ?? nonEmpty(meta["twitter:title"])
            ?? nonEmpty(meta["headline"]) ?? titleTag.map { stripSiteName($0, site: ld?.publisher ?? meta["og:site_name"]) }
        m.titles = HTMLMetadata.TitleSources(
            jsonLD: nonEmpty(ld?.headline), openGraph: nonEmpty(meta["og:title"]), twitter: nonEmpty(meta["twitter:title"]),
            metaHeadline: nonEmpty(meta["headline"]) ?? nonEmpty(meta["parsely-title"]),
            dublinCore: nonEmpty(meta["dc.title"]) ?? nonEmpty(meta["dcterms.title"]) ?? nonEmpty(meta["dc:title"]) ?? nonEmpty(meta["dcterm:title"]),
            titleTag: titleTag.flatMap(nonEmpty))
        m.siteNames = HTMLMetadata.SiteNameSources(
            publisher: nonEmpty(ld?.publisher), openGraph: nonEmpty(meta["og:site_name"]), application: nonEmpty(meta["application-name"]))
        m.authors = ld?.authors ?? []
        if m.authors.isEmpty {
            // Dublin Core first, as Readability reads them: a page that states a creator that way
            // means it, where `author` is often the site's or the CMS account's name.
            for key in ["dc:creator", "dcterm:creator", "dc.creator", "dcterms.creator", "author", "article:author", "byl",
                        "parsely-author", "sailthru.author"] {
                if let v = nonEmpty(meta[key]), !v.hasPrefix("http"), !v.contains("@") {
                    m.authors = [v.lowercased().hasPrefix("by ") ? String(v.dropFirst(3)) : v]
                    break
                }
            }
        }
        let dateCandidates = [ld?.datePublished, meta["article:published_time"], meta["datepublished"], meta["og:published_time"],
                              meta["publish-date"], meta["pubdate"], meta["date"], meta["dc.date"], meta["dc.date.issued"],
                              meta["sailthru.date"], meta["parsely-pub-date"], firstTime]
        for candidate in dateCandidates {
            if let c = candidate, let iso = isoDate(c) { m.published = iso; break }
        }
        m.site = nonEmpty(ld?.publisher) ?? nonEmpty(meta["og:site_name"]) ?? nonEmpty(meta["application-name"])
        m.lang = nonEmpty(ld?.inLanguage) ?? lang.flatMap(nonEmpty) ?? nonEmpty(meta["og:locale"]) ?? nonEmpty(meta["content-language"])
        m.lang = m.lang.map { String($0.prefix(while: { $0 != "-" && $0 != "_" }).prefix(3)).lowercased() }
        m.canonicalURL = nonEmpty(canonical) ?? nonEmpty(meta["og:url"])
        m.section = nonEmpty(ld?.section) ?? nonEmpty(meta["article:section"])
        m.genreHint = ld?.genre
        return m
    }

    /// "Harbour plan approved | The Courier" → "Harbour plan approved", when the cut-off part
    /// is the site name or the shorter side of a separator.
    static func stripSiteName(_ title: String, site: String?) -> String {
        for sep in [" | ", " - ", " – ", " — ", " :: ", " « ", " » ", " · "] where title.contains(sep) {
            let parts = title.components(separatedBy: sep)
            if let site = site?.lowercased() {
                let kept = parts.filter { $0.lowercased() != site && !site.contains($0.lowercased()) }
                if !kept.isEmpty, kept.count < parts.count { return kept.joined(separator: sep) }
            }
            // Without a known site name, drop a short last part ("Harbour plan | Courier").
            if parts.count >= 2, let last = parts.last, last.split(separator: " ").count <= 4,
               parts.dropLast().joined(separator: sep).split(separator: " ").count >= 3 {
                return parts.dropLast().joined(separator: sep)
            }
        }
        return title
    }

    /// ISO 8601 date from "2019-02-28T10:00:00Z", "2019-02-28", or other stated forms.
    static func isoDate(_ s: String) -> String? {
        let t = s.trimmingCharacters(in: .whitespaces)
        let d = Array(t.utf8.prefix(10))
        if d.count == 10, d[4] == 0x2D, d[7] == 0x2D,
           d.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || ($0.element >= 0x30 && $0.element <= 0x39) }) {
            let iso = String(decoding: d, as: UTF8.self)
            let month = Int(iso.dropFirst(5).prefix(2)) ?? 0, day = Int(iso.suffix(2)) ?? 0
            return (1...12).contains(month) && (1...31).contains(day) ? iso : nil
        }
        return PublicationDateParser.isoDate(in: t)
    }

    static func nonEmpty(_ s: String?) -> String? {
        guard let s else { return nil }
        let c = collapse(s)
        return c.isEmpty ? nil : c
    }

    /// White space (Unicode's White_Space) trimmed and every run of it made one space.
    static func collapse(_ s: String) -> String {
        var s = s
        return s.withUTF8 { b in
            var out: [UInt8] = []
            out.reserveCapacity(b.count)
            var i = 0, pending = false
            while i < b.count {
                let width = CollapsedText.whiteSpaceWidth(b, at: i)
                if width > 0 { pending = !out.isEmpty; i += width; continue }
                if pending { out.append(0x20); pending = false }
                out.append(b[i])
                i += 1
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

/// The article object of a page's JSON-LD, wherever it sits (top level, an array, `@graph`).
struct JSONLDArticle {
    var headline: String?
    var authors: [String] = []
    var datePublished: String?
    var publisher: String?
    var inLanguage: String?
    var section: String?
    var genre: String?

    static func find(in scripts: [String]) -> JSONLDArticle? {
        for script in scripts {
            guard let json = try? JSONParser.parse(script) else { continue }
            var queue: [JSONValue] = [json]
            var head = 0
            while head < queue.count, head < 500 {
                let item = queue[head]
                head += 1
                if let array = item.arrayValue { queue.append(contentsOf: array); continue }
                guard item.isObject else { continue }
                if let graph = item.member("@graph") { queue.append(graph) }
                if isArticle(item.member("@type")) { return JSONLDArticle(item) }
                if let main = item.member("mainEntity") ?? item.member("mainEntityOfPage") { queue.append(main) }
            }
        }
        return nil
    }

    static func isArticle(_ type: JSONValue?) -> Bool {
        if let t = type?.stringValue { return HTMLMetadataReader.articleTypes.contains(t.lowercased()) }
        if let ts = type?.arrayValue { return ts.contains { isArticle($0) } }
        return false
    }

    init(_ o: JSONValue) {
        headline = Self.string(o.member("headline")) ?? Self.string(o.member("name"))
        let stated = Self.names(o.member("author"))
        authors = stated.isEmpty ? Self.names(o.member("creator")) : stated
        datePublished = Self.string(o.member("datePublished")) ?? Self.string(o.member("dateCreated"))
        publisher = Self.names(o.member("publisher")).first
        inLanguage = Self.string(o.member("inLanguage"))
        section = Self.string(o.member("articleSection")) ?? o.member("articleSection")?.arrayValue?.compactMap(Self.string).first
        genre = Self.string(o.member("genre"))
    }

    static func string(_ v: JSONValue?) -> String? {
        guard let v else { return nil }
        if let s = v.stringValue { return HTMLMetadataReader.nonEmpty(HTMLEntities.decode(s)) }
        if v.isObject { return string(v.member("name")) ?? string(v.member("@value")) }
        return nil
    }

    /// Names of people or organizations: a string, an object with `name`, or a list of either.
    static func names(_ v: JSONValue?) -> [String] {
        guard let v else { return [] }
        var out: [String] = []
        if let s = v.stringValue {
            if let n = HTMLMetadataReader.nonEmpty(s), !n.hasPrefix("http") { out.append(n) }
        } else if v.isObject {
            if let n = string(v.member("name")), !n.hasPrefix("http") { out.append(n) }
        } else if let a = v.arrayValue {
            for item in a { out.append(contentsOf: names(item)) }
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }
}
