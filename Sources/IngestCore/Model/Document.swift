import Foundation

/// How a fetched document was fetched, as recorded in `origin`.
public struct WebOrigin: Sendable, Equatable, Codable {
    /// The URL requested: a configured page, or a link found in a feed.
    public var url: String
    /// Where the redirects, if any, led.
    public var finalURL: String
    public var status: Int
    /// RFC 3339, UTC.
    public var fetchedAt: String
    /// The feed the link came from, for feed items.
    public var feed: String?

    public init(url: String, finalURL: String, status: Int, fetchedAt: String, feed: String?) {
        self.url = url
        self.finalURL = finalURL
        self.status = status
        self.fetchedAt = fetchedAt
        self.feed = feed
    }
}

/// Where a document came from, as recorded in `origin`.
public struct Origin: Sendable, Equatable {
    public enum Kind: String, Sendable { case file, url }
    public var kind: Kind
    /// The path the user dropped the file at (inbox path), or the URL.
    public var path: String
    /// The path's exact bytes when they are not UTF-8 (`path` then shows U+FFFD for them).
    public var pathBytes: [UInt8]?
    public var size: Int
    public var sha256: String
    /// The character encoding the bytes were decoded from, once `normalize` has run.
    public var encoding: String?
    /// The page's canonical URL (`<link rel=canonical>`, `og:url`) when it states one.
    public var canonicalURL: String?
    /// For `kind: url`.
    public var web: WebOrigin?

    public init(kind: Kind, path: String, size: Int, sha256: String, encoding: String? = nil, web: WebOrigin? = nil) {
        self.web = web
        self.kind = kind
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.encoding = encoding
    }
}

public struct TopicLabel: Sendable, Equatable {
    public var name: String
    public var score: Double
    public init(name: String, score: Double) { self.name = name; self.score = score }
}

public struct EntityLabel: Sendable, Equatable {
    public var name: String
    public var type: String
    public var count: Int
    public init(name: String, type: String, count: Int) { self.name = name; self.type = type; self.count = count }
}

/// What a trained classifier (`classify: model:`) says the document is, and how sure it is.
public struct CategoryLabel: Sendable, Equatable {
    public var label: String
    public var probability: Double
    public init(label: String, probability: Double) { self.label = label; self.probability = probability }
}

public struct DedupeVerdict: Sendable, Equatable {
    public enum Status: String, Sendable { case unique, duplicate, nearDuplicate = "near_duplicate" }
    public var status: Status
    /// The id of the earliest record this one duplicates.
    public var of: String?
    public var similarity: Double?
    public init(status: Status, of: String? = nil, similarity: Double? = nil) {
        self.status = status
        self.of = of
        self.similarity = similarity
    }
}

/// One document on its way through the stages. Stages fill in fields; what no stage
/// established stays nil or empty, and the record says so.
public struct Document: Sendable {
    public let id: String
    public var origin: Origin
    /// The bytes as read. `normalize` empties it once it has decoded them: no later stage reads
    /// them, and a large document would otherwise be held twice until its record is built.
    public var raw: [UInt8]

    public var text: String = ""
    /// Words in `text`, once counted (normalize counts them for `min_words`).
    public var words: Int?
    public var title: String?
    public var byline: [String] = []
    public var published: String?
    public var site: String?
    public var lang: String?
    public var editorsNote: String?
    public var authorInfo: String?
    public var captions: [String] = []
    /// Section or breadcrumb words seen in the page ("Opinion"), a genre signal.
    public var sections: [String] = []
    public var format: String?

    public var dedupe: DedupeVerdict?
    public var topics: [TopicLabel] = []
    public var genre: String?
    public var entities: [EntityLabel] = []
    public var category: CategoryLabel?

    /// Fields set by stages ingestd does not know (plugins): `extensions.<stage name>`.
    public var extensions = Extensions()

    /// Names of the stages that have run, in order.
    public var stagesRun: [String] = []

    public init(id: String, origin: Origin, raw: [UInt8]) {
        self.id = id
        self.origin = origin
        self.raw = raw
    }

    /// Record ids are derived from what the document is and how it arrived, so a restart that
    /// re-processes a claimed file computes the same id and can tell whether its record already
    /// reached the sink. `claimName` carries the claim stamp, so dropping the same file twice
    /// yields two ids (the second is then a duplicate, not the same record).
    public static func makeID(claimName: String, contentSHA256: String) -> String {
        var d = SHA256Digest()
        d.update(claimName)
        d.update([0])
        d.update(contentSHA256)
        return String(d.finalizeHex().prefix(32))
    }
}
