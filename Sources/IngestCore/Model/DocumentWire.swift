import Foundation

/// The document as it crosses a process or sandbox boundary: `schema: "ingestd.document/1"`,
/// one JSON object whose fields are named and shaped as in the record (docs/plugins.md).
/// Plugins receive it and ingestd reads it back; additive changes only within a version.
public enum DocumentWire {
    public static let version = "ingestd.document/1"

    /// Every field a plugin may receive, in the order sent. `raw` only when asked for by name.
    static let order: [String] = [
        "origin", "title", "byline", "published", "site", "lang", "editors_note", "author_info",
        "captions", "sections", "format", "text", "words", "dedupe", "labels", "extensions", "stages",
    ]

    /// The document with only the fields in `reads` (nil: every field but `raw`), plus `schema`
    /// and `id`, which are always sent.
    public static func encode(_ doc: Document, reads: [String]? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("schema", .string(version)), ("id", .string(doc.id))]
        guard let reads else {
            for f in order { members.append((f, DocumentField.value(f, in: doc))) }
            return .object(members)
        }
        // Sub-fields (labels.topics, extensions.x.y) are sent nested under their parent, as in
        // the record, so a plugin reads one shape whatever it asked for.
        var tree = Extensions()
        for path in reads where path != "id" && path != "schema" {
            tree.set(path.split(separator: ".").map(String.init), to: DocumentField.value(path, in: doc))
        }
        for (key, value) in tree.members { members.append((key, value)) }
        return .object(members)
    }

    /// A problem found reading a wire document.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Reads a whole wire document back (what `encode` with every field wrote).
    public static func decode(_ value: JSONValue) throws(Failure) -> Document {
        guard value.member("schema")?.stringValue == version else {
            throw Failure(message: "not an \(version) document (schema is \(value.member("schema")?.serialized() ?? "missing"))")
        }
        guard let id = value.member("id")?.stringValue else { throw Failure(message: "the document has no string id") }
        let o = value.member("origin") ?? .null
        guard let kind = o.member("kind")?.stringValue.flatMap(Origin.Kind.init(rawValue:)),
              let path = o.member("path")?.stringValue, case .int(let size)? = o.member("size"),
              let sha = o.member("sha256")?.stringValue else {
            throw Failure(message: "origin needs kind (file|url), path, size and sha256")
        }
        var web: WebOrigin?
        if let url = o.member("url")?.stringValue {
            guard let final = o.member("final_url")?.stringValue, case .int(let status)? = o.member("status"),
                  let at = o.member("fetched_at")?.stringValue else {
                throw Failure(message: "origin.url needs final_url, status and fetched_at")
            }
            web = WebOrigin(url: url, finalURL: final, status: status, fetchedAt: at, feed: o.member("feed")?.stringValue)
        }
        var origin = Origin(kind: kind, path: path, size: size, sha256: sha, encoding: o.member("encoding")?.stringValue, web: web)
        origin.canonicalURL = o.member("canonical_url")?.stringValue
        if let b64 = o.member("path_base64")?.stringValue {
            guard let data = Data(base64Encoded: b64) else { throw Failure(message: "origin.path_base64 is not base64") }
            origin.pathBytes = Array(data)
        }
        var raw: [UInt8] = []
        if let b64 = value.member("raw")?.stringValue {
            guard let data = Data(base64Encoded: b64) else { throw Failure(message: "raw is not base64") }
            raw = Array(data)
        }
        var doc = Document(id: id, origin: origin, raw: raw)
        do {
            for path in ["title", "byline", "published", "site", "lang", "editors_note", "author_info", "captions",
                         "sections", "format", "text", "dedupe"] {
                if let v = value.member(path) { try DocumentField.set(path, to: v, in: &doc) }
            }
            if let labels = value.member("labels") {
                for key in ["topics", "genre", "category", "entities"] {
                    if let v = labels.member(key) { try DocumentField.set("labels." + key, to: v, in: &doc) }
                }
            }
        } catch {
            throw Failure(message: error.description)
        }
        if case .int(let words)? = value.member("words") { doc.words = words }
        if case .object(let members)? = value.member("extensions") { doc.extensions = Extensions(members: members) }
        if let stages = value.member("stages")?.arrayValue { doc.stagesRun = stages.compactMap(\.stringValue) }
        return doc
    }
}
