import Foundation

/// The fields of a document, named by the dotted paths a record shows them at (`text`,
/// `labels.topics`, `origin.encoding`, `extensions.house-tags.score`). Stages declare what they
/// read and write by these names, plugins set them by these names, and the wire form and the
/// record spell each field one way: the way written here.
public enum DocumentField {
    /// Every fixed field, in wire order. `extensions.NAME…` paths come on top of these.
    public static let known: [String] = [
        "id", "origin", "raw", "text", "words", "title", "byline", "published", "site", "lang",
        "editors_note", "author_info", "captions", "sections", "format", "dedupe",
        "labels", "labels.topics", "labels.genre", "labels.category", "labels.entities",
        "origin.encoding", "origin.canonical_url", "extensions", "stages",
    ]

    /// What a source gives every document before any stage runs.
    public static let fromSource: [String] = ["id", "origin", "raw"]

    /// Fields nothing but ingestd itself sets: a plugin that could rewrite them could forge
    /// where a document came from, or its id.
    public static let readOnly: Set<String> = ["id", "origin", "raw", "words", "stages", "labels", "extensions"]

    /// Why `path` names no field, or nil when it names one.
    public static func problem(with path: String) -> String? {
        if known.contains(path) { return nil }
        if path.hasPrefix("extensions.") {
            let parts = path.split(separator: ".", omittingEmptySubsequences: false)
            if parts.dropFirst().contains(where: \.isEmpty) { return "'\(path)' has an empty part" }
            return nil
        }
        let hint = Suggestion.closest(to: path, in: known).map { " (did you mean '\($0)'?)" } ?? ""
        return "'\(path)' is not a document field\(hint); fields are \(known.joined(separator: ", ")), or extensions.NAME"
    }

    /// Why a stage may not write `path`, or nil when it may.
    public static func writeProblem(with path: String) -> String? {
        if let p = problem(with: path) { return p }
        if readOnly.contains(path) { return "'\(path)' is set by ingestd and cannot be written by a stage" }
        return nil
    }

    /// Whether a write of `written` makes `read` available: the same field, a field that holds
    /// it (`labels` holds `labels.topics`), or a field it holds (reading `labels` needs only
    /// some label).
    public static func covers(_ written: String, _ read: String) -> Bool {
        written == read || read.hasPrefix(written + ".") || written.hasPrefix(read + ".")
    }

    // MARK: values

    /// The value of `path` in `doc`, as the record and the wire form show it (null when unset).
    public static func value(_ path: String, in doc: Document) -> JSONValue {
        switch path {
        case "id": return .string(doc.id)
        case "origin": return origin(doc.origin)
        case "origin.encoding": return .string(doc.origin.encoding)
        case "origin.canonical_url": return .string(doc.origin.canonicalURL)
        case "raw": return .string(Data(doc.raw).base64EncodedString())
        case "text": return .string(doc.text)
        case "words": return .int(doc.words ?? WordCount.count(doc.text))
        case "title": return .string(doc.title)
        case "byline": return .array(doc.byline.map(JSONValue.string))
        case "published": return .string(doc.published)
        case "site": return .string(doc.site)
        case "lang": return .string(doc.lang)
        case "editors_note": return .string(doc.editorsNote)
        case "author_info": return .string(doc.authorInfo)
        case "captions": return .array(doc.captions.map(JSONValue.string))
        case "sections": return .array(doc.sections.map(JSONValue.string))
        case "format": return .string(doc.format)
        case "dedupe": return dedupe(doc.dedupe)
        case "labels":
            return .object(["topics", "genre", "category", "entities"].map { ($0, value("labels." + $0, in: doc)) })
        case "labels.topics":
            return .array(doc.topics.map { .object([("name", .string($0.name)), ("score", .double($0.score))]) })
        case "labels.genre": return .string(doc.genre)
        case "labels.category":
            return doc.category.map { .object([("label", .string($0.label)), ("probability", .double($0.probability))]) } ?? .null
        case "labels.entities":
            return .array(doc.entities.map { .object([("name", .string($0.name)), ("type", .string($0.type)), ("count", .int($0.count))]) })
        case "extensions": return .object(doc.extensions.members)
        case "stages": return .array(doc.stagesRun.map(JSONValue.string))
        default:
            if path.hasPrefix("extensions.") { return doc.extensions.value(at: Array(path.split(separator: ".").dropFirst().map(String.init))) ?? .null }
            return .null
        }
    }

    static func origin(_ o: Origin) -> JSONValue {
        var fields: [(String, JSONValue)] = [("kind", .string(o.kind.rawValue)), ("path", .string(o.path))]
        if let bytes = o.pathBytes { fields.append(("path_base64", .string(Data(bytes).base64EncodedString()))) }
        if let web = o.web {
            fields += [
                ("url", .string(web.url)), ("final_url", .string(web.finalURL)), ("status", .int(web.status)),
                ("fetched_at", .string(web.fetchedAt)), ("feed", .string(web.feed)),
            ]
        }
        fields += [
            ("size", .int(o.size)), ("sha256", .string(o.sha256)),
            ("encoding", .string(o.encoding)), ("canonical_url", .string(o.canonicalURL)),
        ]
        return .object(fields)
    }

    static func dedupe(_ d: DedupeVerdict?) -> JSONValue {
        guard let d else { return .null }
        return .object([("status", .string(d.status.rawValue)), ("of", .string(d.of)),
                        ("similarity", d.similarity.map(JSONValue.double) ?? .null)])
    }

    // MARK: setting

    /// A value of the wrong shape for its field.
    public struct Mismatch: Error, Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var expected: String
        public var description: String { "'\(path)' must be \(expected)" }
    }

    /// Sets `path` in `doc` from a wire value. Only writable fields (see `writeProblem`) and
    /// `origin.encoding`/`origin.canonical_url`; the caller checks permission first.
    public static func set(_ path: String, to value: JSONValue, in doc: inout Document) throws(Mismatch) {
        func string() throws(Mismatch) -> String? {
            switch value {
            case .null: return nil
            case .string(let s): return s
            default: throw Mismatch(path: path, expected: "a string or null")
            }
        }
        func strings() throws(Mismatch) -> [String] {
            if case .null = value { return [] }
            guard let items = value.arrayValue else { throw Mismatch(path: path, expected: "a list of strings") }
            var out: [String] = []
            for item in items {
                guard let s = item.stringValue else { throw Mismatch(path: path, expected: "a list of strings") }
                out.append(s)
            }
            return out
        }
        func number(_ v: JSONValue?) -> Double? {
            switch v {
            case .int(let i)?: return Double(i)
            case .double(let d)? where d.isFinite: return d
            default: return nil
            }
        }
        func objects(_ what: String) throws(Mismatch) -> [JSONValue] {
            if case .null = value { return [] }
            guard let items = value.arrayValue, items.allSatisfy(\.isObject) else { throw Mismatch(path: path, expected: what) }
            return items
        }
        switch path {
        case "text":
            doc.text = try string() ?? ""
            doc.words = nil  // counted again from the new text
        case "title": doc.title = try string()
        case "byline": doc.byline = try strings()
        case "published": doc.published = try string()
        case "site": doc.site = try string()
        case "lang": doc.lang = try string()
        case "editors_note": doc.editorsNote = try string()
        case "author_info": doc.authorInfo = try string()
        case "captions": doc.captions = try strings()
        case "sections": doc.sections = try strings()
        case "format": doc.format = try string()
        case "origin.encoding": doc.origin.encoding = try string()
        case "origin.canonical_url": doc.origin.canonicalURL = try string()
        case "labels.genre": doc.genre = try string()
        case "labels.topics":
            let what = "a list of {\"name\": string, \"score\": number}"
            var topics: [TopicLabel] = []
            for item in try objects(what) {
                guard let name = item.member("name")?.stringValue, let score = number(item.member("score")) else {
                    throw Mismatch(path: path, expected: what)
                }
                topics.append(TopicLabel(name: name, score: score))
            }
            doc.topics = topics
        case "labels.entities":
            let what = "a list of {\"name\": string, \"type\": string, \"count\": integer}"
            var entities: [EntityLabel] = []
            for item in try objects(what) {
                guard let name = item.member("name")?.stringValue, let type = item.member("type")?.stringValue,
                      case .int(let count)? = item.member("count") else { throw Mismatch(path: path, expected: what) }
                entities.append(EntityLabel(name: name, type: type, count: count))
            }
            doc.entities = entities
        case "labels.category":
            if case .null = value { doc.category = nil; return }
            guard let label = value.member("label")?.stringValue, let p = number(value.member("probability")) else {
                throw Mismatch(path: path, expected: "{\"label\": string, \"probability\": number} or null")
            }
            doc.category = CategoryLabel(label: label, probability: p)
        case "dedupe":
            if case .null = value { doc.dedupe = nil; return }
            let what = "{\"status\": \"unique\"|\"duplicate\"|\"near_duplicate\", \"of\": string|null, \"similarity\": number|null}"
            guard let status = value.member("status")?.stringValue.flatMap(DedupeVerdict.Status.init(rawValue:)) else {
                throw Mismatch(path: path, expected: what)
            }
            doc.dedupe = DedupeVerdict(status: status, of: value.member("of")?.stringValue, similarity: number(value.member("similarity")))
        default:
            guard path.hasPrefix("extensions.") else { throw Mismatch(path: path, expected: "a writable field") }
            doc.extensions.set(Array(path.split(separator: ".").dropFirst().map(String.init)), to: value)
        }
    }
}
