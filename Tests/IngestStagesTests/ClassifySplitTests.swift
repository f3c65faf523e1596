import IngestBuiltins
import Foundation
import XCTest
import IngestCore
@testable import IngestStages

/// `classify` is a shorthand for `topics`, `language`, `entities`, `category` and `genre`: the
/// separate stages, configured alike, label a document exactly as the shorthand does.
final class ClassifySplitTests: XCTestCase {
    private func stages(_ yaml: String) throws -> [any SynchronousStage] {
        let base = URL(fileURLWithPath: "/nonexistent-split")
        let config = try PipelineLoader.parse(yaml: yaml, file: base.appendingPathComponent("p.yaml"), displayName: "p.yaml",
                                              baseDirectory: base, registry: BuiltinComponents.registry)
        let context = StageContext(stateDirectory: nil, pipelineName: "t", logger: .init(label: "t"))
        return try config.stages.map { try $0.builder.build(context) as! any SynchronousStage }
    }

    private let topics = "    topics:\n      summit: {terms: {summit: 1, talks: 1, Hanoi: 2}}\n      trade: {terms: {tariff: 2, trade: 1}}\n"

    private let page = """
        Opinion

        Why the Hanoi summit failed

        By Jane Roe

        The summit in Hanoi between Donald Trump and Kim Jong Un ended early. The talks broke down over sanctions, \
        and neither side would move first. In my view the United States should have offered a smaller deal.
        """

    private func run(_ stages: [any SynchronousStage]) throws -> Document {
        var doc = Document(id: "t", origin: Origin(kind: .file, path: "/t.txt", size: page.utf8.count, sha256: "x"), raw: Array(page.utf8))
        for s in stages { _ = try s.processSynchronously(&doc) }
        return doc
    }

    func testTheSeparateStagesLabelADocumentAsTheShorthandDoes() throws {
        let normalize = "stages:\n  - use: normalize\n    min_words: 0\n"
        let shorthand = try run(stages(normalize + "  - use: classify\n" + topics))
        let split = try run(stages(normalize + "  - use: topics\n" + topics + "  - use: language\n  - use: entities\n  - use: genre\n"))
        XCTAssertFalse(shorthand.topics.isEmpty)
        XCTAssertFalse(shorthand.entities.isEmpty)
        XCTAssertEqual(shorthand.lang, "en")
        XCTAssertEqual(split.topics, shorthand.topics)
        XCTAssertEqual(split.lang, shorthand.lang)
        XCTAssertEqual(split.entities, shorthand.entities)
        XCTAssertEqual(split.genre, shorthand.genre)
    }

    func testEachStageAsksForWhatItCannotDoWithout() {
        func issues(_ yaml: String) -> [String] {
            do { _ = try stages(yaml); return [] } catch let e as ConfigError { return e.issues.map(\.message) } catch { return ["\(error)"] }
        }
        XCTAssertEqual(issues("stages:\n  - use: normalize\n  - use: topics\n"),
                       ["stages[1]: topics needs 'topics:' or 'taxonomy: FILE' with at least one topic"])
        XCTAssertEqual(issues("stages:\n  - use: normalize\n  - use: category\n"),
                       ["stages[1]: category needs 'model: FILE' (made by ingestd train)"])
        XCTAssertEqual(issues("stages:\n  - use: genre\n"),
                       ["stages[0].use: stage 'genre' reads 'text', which nothing before it writes ('normalize' writes it)"])
    }
}
