/// What a plugin stage (an `exec` process or a `wasm` module) answered for one document.
///
/// Both kinds speak the same answer, documented in docs/plugins.md (`plugin/1`):
/// `{"id":ID,"set":{PATH:VALUE,...}}`, `{"id":ID,"drop":"reason"}` or `{"id":ID,"reject":"reason"}`.
public enum PluginAnswer: Sendable, Equatable {
    /// Fields to set, by dotted path (`extensions.house-tags`, `labels.topics`), in the order given.
    case set([FieldAssignment])
    /// No record; the input is acknowledged (like a built-in stage's drop).
    case drop(reason: String)
    /// No record; the input goes to `failed/` with the plugin's reason.
    case reject(reason: String)

    public struct FieldAssignment: Sendable, Equatable {
        public var path: String
        public var value: JSONValue
        public init(path: String, value: JSONValue) { self.path = path; self.value = value }
    }

    /// Reads one answer. `allowedWrites` are the stage's `writes:` paths: a key equal to one of
    /// them, or below one (`extensions.x.score` under `extensions.x`), is accepted; anything else
    /// is a protocol fault, since a plugin must not change what it did not declare.
    public static func parse(_ value: JSONValue, allowedWrites: [String]) throws(PluginProtocolFault) -> (id: String, answer: PluginAnswer) {
        guard value.isObject else { throw PluginProtocolFault("the answer is not a JSON object") }
        guard let id = value.member("id")?.stringValue else { throw PluginProtocolFault("the answer has no string \"id\"") }
        if let reason = value.member("drop") {
            guard let text = reason.stringValue else { throw PluginProtocolFault("\"drop\" must be a string reason") }
            return (id, .drop(reason: text))
        }
        if let reason = value.member("reject") {
            guard let text = reason.stringValue else { throw PluginProtocolFault("\"reject\" must be a string reason") }
            return (id, .reject(reason: text))
        }
        guard let set = value.member("set") else {
            throw PluginProtocolFault("the answer has none of \"set\", \"drop\", \"reject\"")
        }
        guard case let .object(members) = set else { throw PluginProtocolFault("\"set\" must be an object") }
        var out: [FieldAssignment] = []
        out.reserveCapacity(members.count)
        for (path, v) in members {
            guard allowedWrites.contains(where: { path == $0 || path.hasPrefix($0 + ".") }) else {
                throw PluginProtocolFault("the answer sets \"\(path)\", which is not in the stage's writes: \(allowedWrites)")
            }
            out.append(FieldAssignment(path: path, value: v))
        }
        return (id, .set(out))
    }
}

/// A plugin said something the protocol does not allow. `message` says what.
public struct PluginProtocolFault: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension PluginAnswer {
    /// Applies the answer to the document, the same way for every kind of plugin stage: `.set`
    /// fields go in, each checked for its shape (a wrong shape is the plugin's protocol fault,
    /// with the value as evidence); `.drop` is the stage's drop; `.reject` a rejection with the
    /// plugin's reason.
    public func apply(to doc: inout Document, stage: String) throws(Rejection) -> StageVerdict {
        switch self {
        case .set(let fields):
            for field in fields {
                do {
                    try DocumentField.set(field.path, to: field.value, in: &doc)
                } catch {
                    throw Rejection(.pluginProtocol, "the plugin's answer: \(error)", stage: stage,
                                    evidence: String(field.value.serialized().prefix(1024)))
                }
            }
            return .keep
        case .drop(let reason):
            return .drop(reason: reason, of: nil)
        case .reject(let reason):
            throw Rejection(.pluginRejected, reason, stage: stage)
        }
    }
}
