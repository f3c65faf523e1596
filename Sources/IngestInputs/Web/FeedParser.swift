import CLibXML2
import Foundation

/// RSS 2.0, RSS 1.0 (RDF) and Atom, read with libxml2's XML parser: the items' links, resolved
/// against the feed's URL, each with an identity that says whether it was seen before.
public enum FeedParser {
    public struct Item: Sendable, Equatable {
        /// `guid` (RSS) or `id` (Atom), else the link: what "seen before" is keyed on.
        public var id: String
        public var link: String
        public var title: String?
        /// `pubDate`, `published`, `updated` or `dc:date`, when one parses.
        public var published: Date? = nil
    }

    public struct Feed: Sendable, Equatable {
        public var title: String?
        public var items: [Item]
    }

    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// - Parameter base: the URL the feed was fetched from (after redirects), for relative links.
    public static func parse(_ bytes: some ContiguousBytes, base: String) throws -> Feed {
        try bytes.withUnsafeBytes { try parse(raw: $0, base: base) }
    }

    private static func parse(raw bytes: UnsafeRawBufferPointer, base: String) throws -> Feed {
        guard !bytes.isEmpty else { throw Failure(reason: "the feed is empty") }
        ingestd_xml_silence_errors()
        // No network, no entity substitution, no DTD loading: a feed cannot make the parser
        // fetch anything or expand entities into a memory bomb.
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
                            | XML_PARSE_NOCDATA.rawValue | XML_PARSE_NOBLANKS.rawValue)
        let doc = xmlReadMemory(bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(clamping: bytes.count), base, nil, options)
        guard let doc else { throw Failure(reason: "not well-formed XML") }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else { throw Failure(reason: "the XML has no root element") }
        let rootName = name(root)
        guard ["rss", "rdf", "feed"].contains(rootName) else {
            throw Failure(reason: "not an RSS or Atom feed (the root element is <\(rootName)>)")
        }
        let baseURL = URL(string: base)
        var feed = Feed(title: nil, items: [])
        walk(root) { node in
            let n = name(node)
            if n == "title", feed.title == nil, let parent = node.pointee.parent, ["channel", "feed"].contains(name(xmlNodePtr(parent))) {
                feed.title = text(node)
                return false
            }
            guard n == "item" || n == "entry" else { return true }
            if let item = item(node, base: baseURL) { feed.items.append(item) }
            return false
        }
        return feed
    }

    private static func item(_ node: xmlNodePtr, base: URL?) -> Item? {
        var link: String?, alternate: String?, guid: String?, title: String?, published: Date?
        var child = node.pointee.children
        while let c = child {
            defer { child = c.pointee.next }
            guard c.pointee.type == XML_ELEMENT_NODE else { continue }
            switch name(c) {
            case "link":
                if let href = attribute(c, "href") {
                    // Atom: rel="alternate" (or no rel) is the article itself.
                    let rel = attribute(c, "rel") ?? "alternate"
                    if rel == "alternate", alternate == nil { alternate = href }
                } else if link == nil, let t = text(c) {
                    link = t
                }
            case "guid", "id":
                if guid == nil { guid = text(c) }
            case "title":
                if title == nil { title = text(c) }
            case "pubdate", "published", "updated", "date":
                // Atom gives both published and updated: the later says when the item last changed.
                if let d = text(c).flatMap(FeedDate.parse) { published = max(published ?? d, d) }
            default:
                break
            }
        }
        // RSS: a guid that is a permalink stands in for a missing link.
        let chosen = alternate ?? link ?? (guid.flatMap { $0.hasPrefix("http") ? $0 : nil })
        guard let raw = chosen?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty,
              let resolved = URL(string: raw, relativeTo: base)?.absoluteURL.absoluteString else { return nil }
        return Item(id: guid ?? resolved, link: resolved, title: title, published: published)
    }

    /// Depth-first over elements; `visit` returns whether to go into the element's children.
    private static func walk(_ node: xmlNodePtr, _ visit: (xmlNodePtr) -> Bool) {
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE, visit(c) { walk(c, visit) }
            child = c.pointee.next
        }
    }

    /// The local name, lower-cased ("RDF" of rdf:RDF → "rdf").
    private static func name(_ node: xmlNodePtr) -> String {
        guard let n = node.pointee.name else { return "" }
        return String(cString: n).lowercased()
    }

    private static func text(_ node: xmlNodePtr) -> String? {
        guard let content = xmlNodeGetContent(node) else { return nil }
        defer { ingestd_xml_free(content) }
        let s = String(cString: content).trimmingCharacters(in: .whitespacesAndNewlines)
        return s.isEmpty ? nil : s
    }

    private static func attribute(_ node: xmlNodePtr, _ attr: String) -> String? {
        guard let v = xmlGetProp(node, attr) else { return nil }
        defer { ingestd_xml_free(v) }
        return String(cString: v)
    }
}
