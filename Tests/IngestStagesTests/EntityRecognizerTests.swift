import IngestBuiltins
import Foundation
import XCTest
@testable import IngestCore
@testable import IngestStages

final class EntityRecognizerTests: XCTestCase {
    private func gazetteer() -> Gazetteer {
        var g = Gazetteer()
        g.add(name: "North Korea", type: "country", aliases: ["DPRK", "Democratic People's Republic of Korea"])
        g.add(name: "United States", type: "country", aliases: ["US", "U.S."])
        g.add(name: "Kim Jong Un", type: "person", aliases: ["Kim Jong-un", "Kim"])
        g.add(name: "Kim Yo Jong", type: "person", aliases: [])
        g.add(name: "United Nations", type: "organization", aliases: ["UN"])
        return g
    }

    private func entities(_ text: String, title: String? = nil, unknown: Bool = true) -> [String] {
        EntityRecognizer(gazetteer: gazetteer(), unknown: unknown, limit: 25)
            .recognize(title: title, text: text).map { "\($0.name)|\($0.type)|\($0.count)" }
    }

    func testAliasesResolveToOneCanonicalName() {
        let text = "The DPRK said on Monday that North Korea would talk. Officials of the Democratic People's Republic of Korea agreed."
        XCTAssertEqual(entities(text, unknown: false), ["North Korea|country|3"])
        XCTAssertEqual(entities("Kim Jong Un met envoys. Later Kim Jong-un spoke, and Kim smiled.", unknown: false),
                       ["Kim Jong Un|person|3"])
    }

    func testTheLongestAliasWins() {
        XCTAssertEqual(entities("Her brother's aide, Kim Yo Jong, travelled with Kim.", unknown: false),
                       ["Kim Jong Un|person|1", "Kim Yo Jong|person|1"])
    }

    func testCapitalsAliasesNeedCapitalsAndNamesNeedACapital() {
        XCTAssertEqual(entities("Let us go to the US embassy; the U.S. envoy agreed.", unknown: false), ["United States|country|2"])
        XCTAssertEqual(entities("the un-named source said north korea was quiet.", unknown: false), [])
    }

    func testANameDoesNotRunAcrossPunctuation() {
        // "Korea, Kim" must not be read as one sequence, nor "North. Korea" as North Korea.
        XCTAssertEqual(entities("He said North. Korea is far.", unknown: false), [])
    }

    func testUnknownProperNounsAreRunsOfCapitalizedWords() {
        let text = "Envoy Stephen Biegun met Andrey Denisov in Hanoi on Feb 27. Talks went on. The People's Liberation Army watched."
        let found = entities(text)
        XCTAssertTrue(found.contains("Envoy Stephen Biegun|unknown|1") || found.contains("Stephen Biegun|unknown|1"), "\(found)")
        XCTAssertTrue(found.contains("Andrey Denisov|unknown|1"), "\(found)")
        XCTAssertTrue(found.contains("Hanoi|unknown|1"), "\(found)")
        XCTAssertTrue(found.contains("People's Liberation Army|unknown|1"), "\(found)")
        XCTAssertFalse(found.contains { $0.hasPrefix("Talks|") }, "a capitalized word opening a sentence is not a name")
        XCTAssertFalse(found.contains { $0.hasPrefix("Feb") }, "calendar words are not names")
    }

    func testCountsOrderTheListAndTheLimitCuts() {
        let text = "UN officials met. The UN said so. Kim answered the UN."
        let all = EntityRecognizer(gazetteer: gazetteer(), unknown: true, limit: 25).recognize(title: "UN meets Kim", text: text)
        XCTAssertEqual(all.first, EntityLabel(name: "United Nations", type: "organization", count: 4))
        XCTAssertEqual(all.count, 2)
        XCTAssertEqual(EntityRecognizer(gazetteer: gazetteer(), unknown: true, limit: 1).recognize(title: nil, text: text).count, 1)
    }

    func testTheShippedGazetteerLoadsThroughThePipeline() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try PipelineLoader.load(file: repo.appendingPathComponent("pipelines/news.yaml"), registry: BuiltinComponents.registry)
        XCTAssertTrue(config.stages.contains { $0.name == "classify" })
    }

    func testGazetteerFileProblemsAreReportedAtTheirLineInThatFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gaz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        - {name: Seoul, type: place}
        - {name: Busan, type: city}
        - {type: person}
        - {name: Incheon, type: place, aliases: [Seoul]}
        - {name: Ulsan, type: place, colour: red}
        """.write(to: dir.appendingPathComponent("g.yaml"), atomically: true, encoding: .utf8)
        let pipeline = """
        name: t
        stages:
          - use: normalize
          - use: classify
            gazetteer: [g.yaml, missing.yaml]
        """
        try pipeline.write(to: dir.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PipelineLoader.load(file: dir.appendingPathComponent("p.yaml"), registry: BuiltinComponents.registry)) { error in
            let text = (error as? ConfigError)?.description ?? "\(error)"
            let g = dir.appendingPathComponent("g.yaml").path
            XCTAssertTrue(text.contains("\(g):2:"), text)
            XCTAssertTrue(text.contains("'city'"), text)
            XCTAssertTrue(text.contains("\(g):3:") && text.contains("needs a 'name'"), text)
            XCTAssertTrue(text.contains("\(g):4:") && text.contains("already names 'Seoul'"), text)
            XCTAssertTrue(text.contains("\(g):5:") && text.contains("colour"), text)
            XCTAssertTrue(text.contains("p.yaml:5:") && text.contains("cannot read the gazetteer file"), text)
        }
    }

    func testTaggerProblemsAreRefusedAtTheirLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tagger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "not a model".write(to: dir.appendingPathComponent("junk.model"), atomically: true, encoding: .utf8)
        try """
        name: t
        stages:
          - use: normalize
          - use: entities
            tagger: junk.model
          - use: classify
            tagger: none
          - use: entities
            unknown_entities: true
          - use: entities
            tagger: missing.model
        """.write(to: dir.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PipelineLoader.load(file: dir.appendingPathComponent("p.yaml"), registry: BuiltinComponents.registry)) { error in
            let text = (error as? ConfigError)?.description ?? "\(error)"
            XCTAssertTrue(text.contains("p.yaml:5:") && text.contains("not an ingestd entity model"), text)
            XCTAssertTrue(text.contains("p.yaml:9:") && text.contains("unknown_entities has no effect with a tagger"), text)
            XCTAssertTrue(text.contains("p.yaml:11:") && text.contains("cannot read the entity model file"), text)
            XCTAssertFalse(text.contains("p.yaml:7:"), "tagger: none is accepted: \(text)")
        }
    }
}
