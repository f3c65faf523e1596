import Foundation
import XCTest
@testable import IngestStages

/// Fixtures written here: two small vocabularies, so the right answer is known.
private let harbour = ["ship", "harbour", "dock", "crane", "cargo", "port", "tide", "ferry", "quay", "berth"]
private let school = ["pupil", "teacher", "exam", "classroom", "lesson", "school", "grade", "homework", "term", "library"]

private func example(_ words: [String], _ n: Int) -> String {
    var g = UInt64(n) &* 0x9E37_79B9_7F4A_7C15 &+ 1
    return (0..<30).map { _ -> String in
        g = MinHashSignature.splitmix(g)
        // Mostly topic words, some shared filler.
        return g % 4 == 0 ? ["the", "and", "council", "said", "today"][Int(g >> 8) % 5] : words[Int(g >> 16) % words.count]
    }.joined(separator: " ")
}

final class TextClassifierTests: XCTestCase {
    private func trained() -> LinearClassifier {
        let texts = (0..<40).map { example(harbour, $0) } + (0..<40).map { example(school, 100 + $0) }
        return LinearClassifier.train(texts: texts, labels: Array(repeating: "harbour", count: 40) + Array(repeating: "school", count: 40))
    }

    func testLearnsToTellTheTopicsApartOnUnseenTexts() {
        let model = trained()
        let truth = Array(repeating: "harbour", count: 20) + Array(repeating: "school", count: 20)
        let texts = (0..<20).map { example(harbour, 1_000 + $0) } + (0..<20).map { example(school, 2_000 + $0) }
        let evaluation = ClassifierEvaluation(truth: truth, predicted: texts.map { model.predict($0).label })
        XCTAssertEqual(evaluation.accuracy, 1.0, evaluation.report)
        let p = model.predict("the ferry left the harbour with cargo")
        XCTAssertEqual(p.label, "harbour")
        XCTAssertGreaterThan(p.probability, 0.5)
        XCTAssertLessThanOrEqual(p.probability, 1.0)
    }

    func testTrainingIsDeterministic() {
        XCTAssertEqual(trained().weights, trained().weights)
    }

    func testTheModelFileRoundTripsAndRefusesOtherFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = trained()
        let url = dir.appendingPathComponent("m.model")
        try ModelFile.write(model, to: url)
        let back = try ModelFile.read(url)
        XCTAssertEqual(back.labels, ["harbour", "school"])
        XCTAssertEqual(back.weights, model.weights)
        XCTAssertEqual(back.predict("exam in the classroom"), model.predict("exam in the classroom"))

        let bad = dir.appendingPathComponent("bad.model")
        try Data("not a model".utf8).write(to: bad)
        XCTAssertThrowsError(try ModelFile.read(bad)) { XCTAssertTrue("\($0)".contains("not an ingestd model"), "\($0)") }
        let cut = dir.appendingPathComponent("cut.model")
        try Data(try Data(contentsOf: url).prefix(100_000)).write(to: cut)
        XCTAssertThrowsError(try ModelFile.read(cut)) { XCTAssertTrue("\($0)".contains("wrong size") || "\($0)".contains("cut short"), "\($0)") }
    }

    func testCSVAndJSONLinesExamples() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("d.csv")
        try "category,text\nharbour,\"ships, \"\"cranes\"\" and\ntides\"\nschool,exams\r\n".write(to: csv, atomically: true, encoding: .utf8)
        let d = try LabelledData.read(csv)
        XCTAssertEqual(d.labels, ["harbour", "school"])
        XCTAssertEqual(d.texts, ["ships, \"cranes\" and\ntides", "exams"])

        let jsonl = dir.appendingPathComponent("d.jsonl")
        try #"{"title":"T","text":"body","labels":{"genre":"opinion"}}"# .appending("\n").write(to: jsonl, atomically: true, encoding: .utf8)
        let j = try LabelledData.read(jsonl, labelField: "labels.genre")
        XCTAssertEqual(j.labels, ["opinion"])
        XCTAssertEqual(j.texts, ["T\n\nbody"])
        XCTAssertThrowsError(try LabelledData.read(jsonl, labelField: "label")) { XCTAssertTrue("\($0)".contains(":1:"), "\($0)") }

        let ragged = dir.appendingPathComponent("r.csv")
        try "category,text\nharbour,a,b\n".write(to: ragged, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try LabelledData.read(ragged)) { XCTAssertTrue("\($0)".contains(":2:"), "\($0)") }
    }

    func testEvaluationFigures() {
        let e = ClassifierEvaluation(truth: ["a", "a", "a", "b"], predicted: ["a", "a", "b", "b"])
        XCTAssertEqual(e.accuracy, 0.75)
        XCTAssertEqual(e.precision(0), 1.0)
        XCTAssertEqual(e.recall(0), 2.0 / 3.0, accuracy: 1e-9)
        XCTAssertEqual(e.precision(1), 0.5)
        XCTAssertEqual(e.confusion, [[2, 1], [0, 1]])
        XCTAssertEqual(e.macroF1, (0.8 + 2.0 / 3.0) / 2, accuracy: 1e-9)
        XCTAssertTrue(e.report.contains("accuracy 0.7500"))
    }
}
