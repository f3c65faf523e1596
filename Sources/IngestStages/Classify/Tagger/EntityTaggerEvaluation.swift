/// How well a tagger finds the names of labelled sentences, CoNLL's way: a name counts when its
/// span and type are both right; precision, recall and F1 per type and over all four.
public struct EntityTaggerEvaluation: Sendable, CustomStringConvertible {
    public struct Counts: Sendable {
        public var found = 0, gold = 0, right = 0
        public var precision: Double { Double(right) / Double(max(found, 1)) }
        public var recall: Double { Double(right) / Double(max(gold, 1)) }
        public var f1: Double { precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0 }
    }

    public var byType: [Counts] = Array(repeating: Counts(), count: EntityTag.types.count)
    public var all = Counts()
    public var tokens = 0

    public init(tagger: EntityTagger, documents: [EntityTaggerTraining.Document]) {
        for doc in documents {
            let prepared = EntityDocument.prepare(words: doc.sentences.map { $0.map(\.word) }, gazetteer: Gazetteer())
            let predicted = tagger.tag(prepared.sentences, document: prepared.document)
            for (k, sentence) in doc.sentences.enumerated() {
                tokens += sentence.count
                let gold = Self.spans(sentence.map(\.tag)), guess = Self.spans(predicted[k])
                for s in gold { byType[s.type].gold += 1; all.gold += 1 }
                for s in guess {
                    byType[s.type].found += 1; all.found += 1
                    if gold.contains(s) { byType[s.type].right += 1; all.right += 1 }
                }
            }
        }
    }

    struct Span: Hashable { var start: Int; var end: Int; var type: Int }

    static func spans(_ tags: [EntityTag]) -> Set<Span> {
        Set(EntityTag.spans(tags).map { Span(start: $0.range.lowerBound, end: $0.range.upperBound, type: $0.type) })
    }

    public var description: String {
        func line(_ name: String, _ c: Counts) -> String {
            "\(name.padding(toLength: 5, withPad: " ", startingAt: 0)) P \(f(c.precision)) R \(f(c.recall)) F1 \(f(c.f1))  (\(c.gold) names)"
        }
        func f(_ x: Double) -> String { String(Double(Int((x * 1000).rounded())) / 1000) }
        return (zip(EntityTag.types, byType).map { line($0, $1) } + [line("all", all)]).joined(separator: "\n")
    }
}
