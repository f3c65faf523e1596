/// The tagger's labels: BIO over the CoNLL-2003 types. `B-X` opens a name of type X, `I-X`
/// goes on with it, `O` is outside any name. Raw values are the row of a feature's weights.
public enum EntityTag: Int, CaseIterable, Sendable {
    case outside = 0
    case beginPerson, insidePerson, beginOrganization, insideOrganization, beginLocation, insideLocation, beginMisc, insideMisc

    static let count = allCases.count

    /// The CoNLL types, in the order of the B/I pairs above.
    static let types = ["PER", "ORG", "LOC", "MISC"]

    /// `O`, `B-PER`, `I-LOC`, … as CoNLL files write them (IOB1's bare `I-` included: the reader
    /// turns it into IOB2 first).
    public init?(conll: String) {
        if conll == "O" { self = .outside; return }
        let parts = conll.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, let t = Self.types.firstIndex(of: String(parts[1])) else { return nil }
        switch parts[0] {
        case "B": self.init(rawValue: 1 + 2 * t)!
        case "I": self.init(rawValue: 2 + 2 * t)!
        default: return nil
        }
    }

    public var conll: String {
        self == .outside ? "O" : (isBegin ? "B-" : "I-") + Self.types[typeIndex!]
    }

    /// 0 PER, 1 ORG, 2 LOC, 3 MISC; nil for `O`.
    var typeIndex: Int? { self == .outside ? nil : (rawValue - 1) / 2 }
    var isBegin: Bool { self != .outside && rawValue % 2 == 1 }

    /// `I-X` may only follow `B-X` or `I-X`: the decoder never proposes an `I-` that opens a name.
    func mayFollow(_ previous: EntityTag) -> Bool {
        guard self != .outside, !isBegin else { return true }
        return previous.typeIndex == typeIndex
    }

    /// The names in a sentence's tags, in order: each token range and its type index (an `I-X`
    /// run goes on while the type stays X and no `B-` opens another name).
    static func spans(_ tags: [EntityTag]) -> [(range: Range<Int>, type: Int)] {
        var out: [(range: Range<Int>, type: Int)] = []
        var i = 0
        while i < tags.count {
            guard let type = tags[i].typeIndex else { i += 1; continue }
            var end = i + 1
            while end < tags.count, !tags[end].isBegin, tags[end].typeIndex == type { end += 1 }
            out.append((i..<end, type))
            i = end
        }
        return out
    }
}
