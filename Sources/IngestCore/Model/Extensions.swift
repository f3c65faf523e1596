/// Fields of a document that ingestd does not know: `extensions.<stage name>.*`, written by
/// plugin stages and carried into the record as they were set (any JSON value), in the order
/// the stages set them.
public struct Extensions: Sendable, Equatable {
    public private(set) var members: [(String, JSONValue)] = []

    public init() {}

    public init(members: [(String, JSONValue)]) { self.members = members }

    public static func == (a: Extensions, b: Extensions) -> Bool { JSONValue.object(a.members) == JSONValue.object(b.members) }

    public var isEmpty: Bool { members.isEmpty }

    public subscript(name: String) -> JSONValue? {
        get { members.last { $0.0 == name }?.1 }
        set { set([name], to: newValue ?? .null) }
    }

    /// The value at `path` below `extensions` (`["house-tags", "score"]`), or nil.
    public func value(at path: [String]) -> JSONValue? {
        guard let first = path.first, var v = self[first] else { return nil }
        for key in path.dropFirst() {
            guard let next = v.member(key) else { return nil }
            v = next
        }
        return v
    }

    /// Sets the value at `path`, making objects on the way (a non-object on the way is replaced).
    public mutating func set(_ path: [String], to value: JSONValue) {
        guard let first = path.first else { return }
        var root = JSONValue.object(members)
        root = Self.setting(root, Array([first] + path.dropFirst()), to: value)
        if case .object(let m) = root { members = m }
    }

    private static func setting(_ node: JSONValue, _ path: [String], to value: JSONValue) -> JSONValue {
        guard let key = path.first else { return value }
        var members: [(String, JSONValue)] = []
        if case .object(let m) = node { members = m }
        if let i = members.lastIndex(where: { $0.0 == key }) {
            members[i].1 = setting(members[i].1, Array(path.dropFirst()), to: value)
        } else {
            members.append((key, setting(.null, Array(path.dropFirst()), to: value)))
        }
        return .object(members)
    }
}
