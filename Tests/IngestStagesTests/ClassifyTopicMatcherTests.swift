import IngestBuiltins
import Foundation
import IngestCore
import XCTest
@testable import IngestStages

final class ClassifyTopicMatcherTests: XCTestCase {
    private func matcher(_ topics: [Taxonomy.Topic], threshold: Double = 1) -> TopicMatcher {
        TopicMatcher(taxonomy: Taxonomy(topics: topics, threshold: threshold))
    }

    func testSingleOccurrenceScoresWeight() {
        let m = matcher([Taxonomy.Topic(name: "conflict", weightedTerms: [("war", 2)])])
        XCTAssertEqual(m.score(tokens: Tokenizer.words("The war began.")), [TopicScore(name: "conflict", score: 2)])
    }

    /// `score(title:text:)` reads the tokenizer's stream: phrases that span the title and the text,
    /// end at the last token, are cut off by the end, or are longer than the whole text.
    func testStreamedScoringCountsPhrasesAtTheEdges() {
        let m = matcher([Taxonomy.Topic(name: "t", weightedTerms: [("foreign minister", 1), ("weapons of mass destruction", 1), ("war", 1)])],
                        threshold: 0.1)
        XCTAssertEqual(m.score(title: "Foreign", text: "minister speaks"), [TopicScore(name: "t", score: 1)])
        XCTAssertEqual(m.score(title: nil, text: "weapons of mass destruction"), [TopicScore(name: "t", score: 1)])
        XCTAssertEqual(m.score(title: nil, text: "weapons of mass"), [])
        XCTAssertEqual(m.score(title: nil, text: "war"), [TopicScore(name: "t", score: 1)])
        XCTAssertEqual(m.score(title: "", text: ""), [])
        let text = "War, war: weapons of mass destruction, then war and a foreign minister"
        // war 3 → 1 + ln 3; the two phrases once each.
        XCTAssertEqual(m.score(title: nil, text: text), [TopicScore(name: "t", score: 4.099)])
        XCTAssertEqual(m.score(title: "Weapons of", text: "mass destruction"), m.score(tokens: Tokenizer.words("Weapons of mass destruction")))
    }

    func testRepeatedOccurrencesUseLogScale() {
        let m = matcher([Taxonomy.Topic(name: "conflict", weightedTerms: [("war", 2)])])
        // count 3 → 2 × (1 + ln 3) = 4.197
        let r = m.score(tokens: Tokenizer.words("war, war and more war"))
        XCTAssertEqual(r, [TopicScore(name: "conflict", score: 4.197)])
    }

    func testNoMatchInsideLongerWord() {
        let m = matcher([Taxonomy.Topic(name: "conflict", weightedTerms: [("war", 1)])], threshold: 0.1)
        XCTAssertEqual(m.score(tokens: Tokenizer.words("A warning about software and a warm award.")), [])
    }

    func testPhraseMatchesAcrossPunctuationAndCase() {
        let m = matcher([Taxonomy.Topic(name: "korea", weightedTerms: [("North Korea", 1.5), ("Kim Jong-un", 1)])])
        let r = m.score(tokens: Tokenizer.words("Talks with NORTH KOREA stalled; Kim Jong Un left."))
        XCTAssertEqual(r, [TopicScore(name: "korea", score: 2.5)])
    }

    func testPhraseRequiresConsecutiveTokens() {
        let m = matcher([Taxonomy.Topic(name: "korea", weightedTerms: [("north korea", 1)])], threshold: 0.1)
        XCTAssertEqual(m.score(tokens: Tokenizer.words("north of the border, korea waits")), [])
        XCTAssertEqual(m.score(tokens: Tokenizer.words("it lies to the north")), [])
    }

    func testInflections() {
        let m = matcher([
            Taxonomy.Topic(name: "a", weightedTerms: [("sanction", 1)]),
            Taxonomy.Topic(name: "b", weightedTerms: [("tax", 1)]),
            Taxonomy.Topic(name: "c", weightedTerms: [("talk", 1)]),
            Taxonomy.Topic(name: "d", weightedTerms: [("economy", 1)]),
            Taxonomy.Topic(name: "e", weightedTerms: [("trade", 1)]),
        ], threshold: 0.5)
        let r = m.score(tokens: Tokenizer.words("New sanctions, higher taxes; they talked about economies and trading."))
        XCTAssertEqual(r.map(\.name), ["a", "b", "c", "d", "e"])
        XCTAssertTrue(r.allSatisfy { $0.score == 1 })
        let r2 = m.score(tokens: Tokenizer.words("talking, sanctioned"))
        XCTAssertEqual(r2.map(\.name), ["a", "c"])
    }

    func testInflectionNotAppliedToPhrasesOrShortWords() {
        let m = matcher([
            Taxonomy.Topic(name: "phrase", weightedTerms: [("peace talk", 1)]),
            Taxonomy.Topic(name: "short", weightedTerms: [("us", 1)]),
        ], threshold: 0.5)
        XCTAssertEqual(m.score(tokens: Tokenizer.words("peace talks and more uses")), [])
    }

    func testVariantThatIsAlsoATermCountsOnce() {
        let m = matcher([Taxonomy.Topic(name: "s", weightedTerms: [("sanction", 1), ("sanctions", 2)])], threshold: 0.5)
        XCTAssertEqual(m.score(tokens: Tokenizer.words("sanctions")), [TopicScore(name: "s", score: 2)])
    }

    func testThresholdFiltersAndIsInclusive() {
        let m = matcher([
            Taxonomy.Topic(name: "low", weightedTerms: [("rain", 0.5)]),
            Taxonomy.Topic(name: "exact", weightedTerms: [("snow", 1)]),
        ], threshold: 1)
        XCTAssertEqual(m.score(tokens: Tokenizer.words("rain and snow")), [TopicScore(name: "exact", score: 1)])
    }

    func testPerTopicThresholdOverridesGlobal() {
        let m = matcher([
            Taxonomy.Topic(name: "lenient", weightedTerms: [("rain", 0.5)], threshold: 0.4),
            Taxonomy.Topic(name: "strict", weightedTerms: [("snow", 2)], threshold: 5),
        ], threshold: 1)
        XCTAssertEqual(m.score(tokens: Tokenizer.words("rain and snow")), [TopicScore(name: "lenient", score: 0.5)])
    }

    func testSortedByScoreThenName() {
        let m = matcher([
            Taxonomy.Topic(name: "zeta", weightedTerms: [("alpha", 1)]),
            Taxonomy.Topic(name: "beta", weightedTerms: [("alpha", 1)]),
            Taxonomy.Topic(name: "gamma", weightedTerms: [("alpha", 3)]),
        ], threshold: 0.5)
        XCTAssertEqual(m.score(tokens: ["alpha"]).map(\.name), ["gamma", "beta", "zeta"])
    }

    func testRoundingToThreeDecimals() {
        let m = matcher([Taxonomy.Topic(name: "t", weightedTerms: [("one", 1), ("two", 1.23456)])], threshold: 0)
        // 1 + 1.23456 × (1 + ln 2) = 3.090270… → 3.09
        XCTAssertEqual(m.score(tokens: ["one", "two", "two"]).first?.score, 3.09)
    }

    func testEmptyInputs() {
        let m = matcher([Taxonomy.Topic(name: "t", weightedTerms: [("x", 1)])], threshold: 0)
        XCTAssertEqual(m.score(tokens: []), [])
        XCTAssertEqual(TopicMatcher(taxonomy: Taxonomy(topics: [], threshold: 0)).score(tokens: ["x"]), [])
    }

    func testTaxonomyEquatable() {
        let a = Taxonomy(topics: [Taxonomy.Topic(name: "t", terms: [Taxonomy.Term(phrase: "x", weight: 1)])], threshold: 1)
        var b = a
        XCTAssertEqual(a, b)
        b.topics[0].terms[0].weight = 2
        XCTAssertNotEqual(a, b)
    }
}

final class TopicConditionTests: XCTestCase {
    private let taxonomy = Taxonomy(topics: [
        Taxonomy.Topic(name: "sanctions", terms: [.init(phrase: "sanction", weight: 2)], exclude: ["football"]),
        Taxonomy.Topic(name: "inter-korean", terms: [.init(phrase: "reunification", weight: 2)], require: ["seoul", "south korea"]),
    ], threshold: 1)

    func testExcludeTermsKeepATopicOut() {
        let m = TopicMatcher(taxonomy: taxonomy)
        XCTAssertEqual(m.score(text: "New sanctions were announced.").map(\.name), ["sanctions"])
        XCTAssertEqual(m.score(text: "The football club faces sanctions.").map(\.name), [])
    }

    func testRequireTermsMustOccur() {
        let m = TopicMatcher(taxonomy: taxonomy)
        XCTAssertEqual(m.score(text: "Talk of reunification grew.").map(\.name), [])
        XCTAssertEqual(m.score(text: "In South Korea, talk of reunification grew.").map(\.name), ["inter-korean"])
        XCTAssertEqual(m.score(text: "Seoul's view of reunification").first?.score, 2, "conditions add nothing to the score")
    }

    func testATaxonomyFileIsReadAndItsProblemsLocated() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tax-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let pipeline = "name: t\nstages:\n  - use: normalize\n  - use: classify\n    taxonomy: topics.yaml\n"
        try pipeline.write(to: dir.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        try "threshold: 1\ntopics:\n  trade:\n    terms: {tariff: 2}\n    require: [china]\n".write(
            to: dir.appendingPathComponent("topics.yaml"), atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try PipelineLoader.load(file: dir.appendingPathComponent("p.yaml"), registry: BuiltinComponents.registry))
        try "topics:\n  trade:\n    terms: {tariff: heavy}\n".write(to: dir.appendingPathComponent("topics.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PipelineLoader.load(file: dir.appendingPathComponent("p.yaml"), registry: BuiltinComponents.registry)) {
            XCTAssertTrue("\($0)".contains(dir.appendingPathComponent("topics.yaml").path + ":3:"), "\($0)")
        }
    }
}
