import IngestCore

/// One thing a case expects of a document's outcome.
public enum Expectation: Equatable {
    /// A record is written (the default when neither `dropped` nor `rejected` is expected).
    case recorded
    /// A stage dropped the document; `reason` (e.g. `duplicate`) when given.
    case dropped(reason: String?)
    case notDropped
    /// A stage rejected it; `code` (e.g. `no_content`) when given.
    case rejected(code: String?)
    /// The record's JSON at `path` equals `value`.
    case equals(path: String, value: JSONValue)
    /// The record's JSON at `path` holds `value`: a substring of a string, an element of a list
    /// (or an element whose `name` is `value`, as topics and entities have).
    case contains(path: String, value: JSONValue)
    case excludes(path: String, value: JSONValue)

    /// Whether this expectation is about the record's fields (and so needs a record).
    var needsRecord: Bool {
        switch self {
        case .equals, .contains, .excludes: true
        default: false
        }
    }
}

/// What happened to one document in a case.
public enum DocumentOutcome {
    case recorded(JSONValue)
    case dropped(stage: String, reason: String, of: String?)
    case rejected(Rejection)

    var summary: String {
        switch self {
        case .recorded: "recorded"
        case .dropped(let stage, let reason, let of): "dropped by \(stage) as \(reason)" + (of.map { " of \($0)" } ?? "")
        case .rejected(let r): "rejected by \(r.stage) as \(r.code.rawValue): \(r.message)"
        }
    }
}

/// A failed expectation: what was looked at, what was expected, what was found.
public struct Mismatch: Equatable {
    public var subject: String
    public var expected: String
    public var actual: String
}

extension Expectation {
    /// The mismatch, or nil when `outcome` meets the expectation.
    func check(_ outcome: DocumentOutcome) -> Mismatch? {
        switch (self, outcome) {
        case (.recorded, .recorded), (.notDropped, .recorded), (.notDropped, .rejected):
            return nil
        case (.recorded, _), (.notDropped, _):
            return Mismatch(subject: "outcome", expected: "recorded", actual: outcome.summary)
        case (.dropped(let want), .dropped(_, let reason, _)):
            guard let want, want != reason else { return nil }
            return Mismatch(subject: "dropped as", expected: want, actual: reason)
        case (.dropped(let want), _):
            return Mismatch(subject: "outcome", expected: "dropped" + (want.map { " as \($0)" } ?? ""), actual: outcome.summary)
        case (.rejected(let want), .rejected(let r)):
            guard let want, want != r.code.rawValue else { return nil }
            return Mismatch(subject: "rejected as", expected: want, actual: "\(r.code.rawValue) (\(r.message))")
        case (.rejected(let want), _):
            return Mismatch(subject: "outcome", expected: "rejected" + (want.map { " as \($0)" } ?? ""), actual: outcome.summary)
        case (_, .recorded(let record)):
            return checkField(record)
        case (.equals(let path, _), _), (.contains(let path, _), _), (.excludes(let path, _), _):
            return Mismatch(subject: path, expected: "a record", actual: outcome.summary)
        }
    }

    private func checkField(_ record: JSONValue) -> Mismatch? {
        switch self {
        case .equals(let path, let want):
            let got = RecordPath.value(path, in: record)
            return RecordPath.same(got, want) ? nil : Mismatch(subject: path, expected: want.serialized(), actual: got?.serialized() ?? "(no such field)")
        case .contains(let path, let want):
            let got = RecordPath.value(path, in: record)
            return RecordPath.holds(got, want) ? nil
                : Mismatch(subject: path, expected: "contains \(want.serialized())", actual: got.map(RecordPath.brief) ?? "(no such field)")
        case .excludes(let path, let want):
            let got = RecordPath.value(path, in: record)
            return !RecordPath.holds(got, want) ? nil
                : Mismatch(subject: path, expected: "does not contain \(want.serialized())", actual: got.map(RecordPath.brief) ?? "(no such field)")
        default:
            return nil
        }
    }
}
