import Foundation
import XCTest
@testable import IngestCore

final class DocumentWireTests: XCTestCase {
    private func sample() -> Document {
        var origin = Origin(kind: .url, path: "https://example.org/a", size: 42, sha256: "ab12", encoding: "utf-8",
                            web: WebOrigin(url: "https://example.org/a", finalURL: "https://example.org/b", status: 200,
                                           fetchedAt: "2026-12-04T10:00:00.000Z", feed: "https://example.org/feed"))
        origin.canonicalURL = "https://example.org/canon"
        origin.pathBytes = [0x66, 0xFF]
        var doc = Document(id: "d1", origin: origin, raw: [])
        doc.text = "Talks resumed in Hanoi."
        doc.words = 4
        doc.title = "Talks"
        doc.byline = ["A. Writer"]
        doc.published = "2019-02-28"
        doc.site = "Example"
        doc.lang = "en"
        doc.editorsNote = "Updated."
        doc.authorInfo = "A. Writer covers Asia."
        doc.captions = ["A photo"]
        doc.sections = ["Opinion"]
        doc.format = "html"
        doc.dedupe = DedupeVerdict(status: .nearDuplicate, of: "d0", similarity: 0.9)
        doc.topics = [TopicLabel(name: "diplomacy", score: 2.5)]
        doc.genre = "opinion"
        doc.entities = [EntityLabel(name: "Hanoi", type: "place", count: 1)]
        doc.category = CategoryLabel(label: "politics", probability: 0.75)
        doc.extensions["house-tags"] = .object([("desk", .string("asia"))])
        doc.stagesRun = ["normalize", "house-tags"]
        return doc
    }

    func testAWholeDocumentSurvivesTheWireBothWays() throws {
        let doc = sample()
        let wire = DocumentWire.encode(doc)
        XCTAssertEqual(wire.member("schema"), .string("ingestd.document/1"))
        XCTAssertNil(wire.member("raw"), "raw bytes are only sent when asked for")
        // Through text too, as a plugin sees it.
        let back = try DocumentWire.decode(try JSONParser.parse(wire.serialized()))
        XCTAssertEqual(DocumentWire.encode(back), wire)
        XCTAssertEqual(back.origin, doc.origin)
        XCTAssertEqual(back.extensions, doc.extensions)
        XCTAssertEqual(back.category, doc.category)
        XCTAssertEqual(back.dedupe, doc.dedupe)
    }

    func testOnlyTheFieldsReadAreSentNestedAsInTheRecord() {
        let wire = DocumentWire.encode(sample(), reads: ["text", "labels.topics", "extensions.house-tags.desk", "raw"])
        XCTAssertEqual(wire, .object([
            ("schema", .string("ingestd.document/1")), ("id", .string("d1")),
            ("text", .string("Talks resumed in Hanoi.")),
            ("labels", .object([("topics", .array([.object([("name", .string("diplomacy")), ("score", .double(2.5))])]))])),
            ("extensions", .object([("house-tags", .object([("desk", .string("asia"))]))])),
            ("raw", .string("")),
        ]))
    }

    func testADocumentOfAnotherSchemaOrWithoutOriginIsRefused() throws {
        XCTAssertThrowsError(try DocumentWire.decode(try JSONParser.parse(#"{"schema":"ingestd.document/9","id":"x"}"#)))
        XCTAssertThrowsError(try DocumentWire.decode(try JSONParser.parse(#"{"schema":"ingestd.document/1","id":"x","origin":{}}"#))) {
            XCTAssertTrue("\($0)".contains("origin needs"), "\($0)")
        }
    }

    func testSettingAFieldChecksItsShape() throws {
        var doc = sample()
        try DocumentField.set("labels.topics", to: .array([.object([("name", .string("trade")), ("score", .int(3))])]), in: &doc)
        XCTAssertEqual(doc.topics, [TopicLabel(name: "trade", score: 3)])
        try DocumentField.set("text", to: .string("one two"), in: &doc)
        XCTAssertEqual(DocumentField.value("words", in: doc), .int(2), "words are counted again from a new text")
        try DocumentField.set("extensions.x.score", to: .double(0.5), in: &doc)
        XCTAssertEqual(doc.extensions["x"], .object([("score", .double(0.5))]))
        XCTAssertThrowsError(try DocumentField.set("labels.topics", to: .string("trade"), in: &doc)) {
            XCTAssertEqual("\($0)", #"'labels.topics' must be a list of {"name": string, "score": number}"#)
        }
        XCTAssertThrowsError(try DocumentField.set("byline", to: .array([.int(1)]), in: &doc))
        XCTAssertThrowsError(try DocumentField.set("dedupe", to: .object([("status", .string("maybe"))]), in: &doc))
    }

    func testFieldNamesAreCheckedAndTheSourcesFieldsCannotBeWritten() {
        XCTAssertNil(DocumentField.problem(with: "labels.topics"))
        XCTAssertNil(DocumentField.problem(with: "extensions.house-tags.score"))
        XCTAssertEqual(DocumentField.problem(with: "extensions.a..b"), "'extensions.a..b' has an empty part")
        XCTAssertTrue(DocumentField.problem(with: "titel")?.contains("did you mean 'title'?") == true)
        XCTAssertNotNil(DocumentField.writeProblem(with: "origin"))
        XCTAssertNotNil(DocumentField.writeProblem(with: "id"))
        XCTAssertNil(DocumentField.writeProblem(with: "labels.genre"))
    }

    func testTheRecordCarriesExtensionsBetweenLabelsAndPipeline() throws {
        let line = RecordSchema.line(for: sample(), ingestedAt: Date(timeIntervalSince1970: 0), pipeline: "p")
        guard case .object(let members) = try JSONParser.parse(line) else { return XCTFail("not an object") }
        let keys = members.map(\.0)
        XCTAssertEqual(Array(keys.suffix(3)), ["labels", "extensions", "pipeline"])
        XCTAssertEqual(members.first { $0.0 == "extensions" }?.1, .object([("house-tags", .object([("desk", .string("asia"))]))]))
        XCTAssertEqual(members.first { $0.0 == "schema" }?.1, .string("ingestd.record/1"))
    }
}

final class PluginAnswerTests: XCTestCase {
    func testAnAnswerSetsOnlyDeclaredFieldsOfTheRightShape() throws {
        let answer = try JSONParser.parse(#"{"id":"d","set":{"extensions.tags":{"n":1},"labels.genre":"opinion"}}"#)
        let (id, parsed) = try PluginAnswer.parse(answer, allowedWrites: ["extensions.tags", "labels.genre"])
        XCTAssertEqual(id, "d")
        var doc = Document(id: "d", origin: Origin(kind: .file, path: "/x", size: 0, sha256: ""), raw: [])
        XCTAssertEqual(try parsed.apply(to: &doc, stage: "tags"), .keep)
        XCTAssertEqual(doc.genre, "opinion")
        XCTAssertEqual(doc.extensions["tags"], .object([("n", .int(1))]))

        XCTAssertThrowsError(try PluginAnswer.parse(answer, allowedWrites: ["extensions.tags"])) {
            XCTAssertTrue("\($0)".contains("\"labels.genre\", which is not in the stage's writes"), "\($0)")
        }
        let badShape = try PluginAnswer.parse(try JSONParser.parse(#"{"id":"d","set":{"labels.genre":[1]}}"#),
                                              allowedWrites: ["labels.genre"]).answer
        XCTAssertThrowsError(try badShape.apply(to: &doc, stage: "tags")) {
            let r = $0 as? Rejection
            XCTAssertEqual(r?.code, .pluginProtocol)
            XCTAssertEqual(r?.evidence, "[1]")
        }
        let reject = try PluginAnswer.parse(try JSONParser.parse(#"{"id":"d","reject":"wire copy"}"#), allowedWrites: []).answer
        XCTAssertThrowsError(try reject.apply(to: &doc, stage: "tags")) {
            XCTAssertEqual(($0 as? Rejection)?.code, .pluginRejected)
        }
        XCTAssertEqual(try PluginAnswer.parse(try JSONParser.parse(#"{"id":"d","drop":"wire"}"#), allowedWrites: []).answer
                        .apply(to: &doc, stage: "tags"), .drop(reason: "wire", of: nil))
    }
}
