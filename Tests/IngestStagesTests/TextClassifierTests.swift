import Foundation
import XCTest
@testable import IngestStages

/// Fixtures written here: two small vocabularies, so the right answer is known.
private let harbour = ["ship", "harbour", "dock", "crane", "cargo", "port", "tide", "ferry", "quay", "berth"]
private let school = ["pupil", "teacher", "exam", "classroom", "lesson", "school", "grade", "homework", "term", "library"]
private let weather = ["rain", "storm", "wind", "cloud", "forecast", "snow", "frost", "sunshine", "thunder", "fog"]

private func example(_ words: [String], _ n: Int) -> String {
    var g = UInt64(n) &* 0x9E37_79B9_7F4A_7C15 &+ 1
    return (0..<30).map { _ -> String in
        g = MinHashSignature.splitmix(g)
        // Mostly topic words, some shared filler.
        return g % 4 == 0 ? ["the", "and", "council", "said", "today"][Int(g >> 8) % 5] : words[Int(g >> 16) % words.count]
    }.joined(separator: " ")
}

final class TextClassifierTests: XCTestCase {
    private func trained(punctuation: Bool = true, bigrams: LinearClassifier.Bigrams = .auto) -> LinearClassifier {
        var options = LinearClassifier.Options()
        options.punctuation = punctuation
        options.bigrams = bigrams
        let texts = (0..<40).map { example(harbour, $0) } + (0..<40).map { example(school, 100 + $0) }
        return LinearClassifier.train(texts: texts, labels: Array(repeating: "harbour", count: 40) + Array(repeating: "school", count: 40),
                                      options: options)
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
        XCTAssertEqual(back.kinds, [.punctuation], "a small set: no bigrams")
        XCTAssertEqual(back.terms, model.terms)
        XCTAssertEqual(back.weights, model.weights)
        XCTAssertEqual(back.predict("exam in the classroom"), model.predict("exam in the classroom"))

        let bad = dir.appendingPathComponent("bad.model")
        try Data("not a model".utf8).write(to: bad)
        XCTAssertThrowsError(try ModelFile.read(bad)) { XCTAssertTrue("\($0)".contains("not an ingestd model"), "\($0)") }
        let cut = dir.appendingPathComponent("cut.model")
        let whole = try Data(contentsOf: url)
        try Data(whole.prefix(whole.count / 2)).write(to: cut)
        XCTAssertThrowsError(try ModelFile.read(cut)) { XCTAssertTrue("\($0)".contains("wrong size") || "\($0)".contains("cut short"), "\($0)") }
    }

    func testThreeOrMoreClassesAndTheModelKeepsOnlySeenTerms() throws {
        let sets = [("harbour", harbour), ("school", school), ("weather", weather)]
        let texts = sets.flatMap { _, words in (0..<30).map { example(words, $0 + 7 * words.count) } }
        let labels = sets.flatMap { name, _ in Array(repeating: name, count: 30) }
        let model = LinearClassifier.train(texts: texts, labels: labels)
        XCTAssertEqual(model.labels, ["harbour", "school", "weather"])
        let truth = sets.flatMap { name, _ in Array(repeating: name, count: 10) }
        let unseen = sets.flatMap { _, words in (0..<10).map { example(words, 5_000 + $0) } }
        let evaluation = ClassifierEvaluation(truth: truth, predicted: model.predict(unseen).map(\.label))
        XCTAssertEqual(evaluation.accuracy, 1.0, evaluation.report)
        XCTAssertEqual(model.predict(unseen).map(\.label), unseen.map { model.predict($0).label }, "batch and one-by-one agree")
        // 35 words and no punctuation: exactly 35 terms, unigrams, on a set this small.
        XCTAssertEqual(model.terms.count, 35)
        XCTAssertEqual(model.weights.count, (model.terms.count + 1) * 3)
        var options = LinearClassifier.Options()
        options.bigrams = .on
        let pairs = LinearClassifier.train(texts: texts, labels: labels, options: options)
        XCTAssertEqual(pairs.kinds, [.punctuation, .bigrams])
        XCTAssertGreaterThan(pairs.terms.count, 35)
        XCTAssertLessThanOrEqual(pairs.terms.count, 35 + 35 * 35)
    }

    /// The texts of both classes use the same words; only their quotation marks and dashes
    /// differ, as two outlets' house styles do. Punctuation features see it; words alone cannot.
    func testPunctuationRunsTellApartTextsThatShareTheirWords() {
        func styled(_ n: Int, curly: Bool) -> String {
            let body = example(harbour, n).split(separator: " ").prefix(6).joined(separator: " ")
            return curly ? "\u{201C}\(body)\u{201D} \u{2014} \(body)." : "\"\(body)\" -- \(body)."
        }
        let texts = (0..<40).map { styled($0, curly: true) } + (0..<40).map { styled(100 + $0, curly: false) }
        let labels = Array(repeating: "curly", count: 40) + Array(repeating: "straight", count: 40)
        let unseen = (0..<20).map { styled(1_000 + $0, curly: true) } + (0..<20).map { styled(2_000 + $0, curly: false) }
        let truth = Array(repeating: "curly", count: 20) + Array(repeating: "straight", count: 20)
        let withPunctuation = LinearClassifier.train(texts: texts, labels: labels)
        XCTAssertEqual(withPunctuation.kinds, [.punctuation])
        XCTAssertEqual(ClassifierEvaluation(truth: truth, predicted: withPunctuation.predict(unseen).map(\.label)).accuracy, 1.0)
        var options = LinearClassifier.Options()
        options.punctuation = false
        let wordsOnly = LinearClassifier.train(texts: texts, labels: labels, options: options)
        XCTAssertLessThan(ClassifierEvaluation(truth: truth, predicted: wordsOnly.predict(unseen).map(\.label)).accuracy, 0.8)
    }

    func testTrainingReportsItsPassesAndCalibration() {
        let sets = [("harbour", harbour), ("school", school), ("weather", weather)]
        let texts = sets.flatMap { _, words in (0..<60).map { example(words, $0 + 3 * words.count) } }
        let labels = sets.flatMap { name, _ in Array(repeating: name, count: 60) }
        let report = LinearClassifier.trainReporting(texts: texts, labels: labels).report
        XCTAssertTrue(report.converged)
        XCTAssertGreaterThan(report.passes, 1)
        XCTAssertGreaterThan(report.temperature, 1, "held-out examples all right: sharper than the raw scores")
        var options = LinearClassifier.Options()
        options.maxPasses = 1
        let cut = LinearClassifier.trainReporting(texts: texts, labels: labels, options: options).report
        XCTAssertFalse(cut.converged)
        XCTAssertEqual(cut.passes, 2, "one pass for the calibration fold, one for all")
    }

    /// A model as formats 1 to 3 held it: unigrams and bigrams folded into 2^18 slots. Built from
    /// a model trained with bigrams by folding its keys (the fixture's few hundred terms do not
    /// collide), so it must predict exactly as that model does.
    private func legacy() -> (trained: LinearClassifier, slots: [UInt64]) {
        let model = trained(punctuation: false, bigrams: .on)
        let slots = model.terms.map { $0 & HashedFeatures.legacyKeyMask }
        XCTAssertEqual(Set(slots).count, slots.count, "the fixture's terms fold without collisions")
        return (model, slots)
    }

    private func header(version: UInt32, labels: [String]) -> [UInt8] {
        var bytes = Array("INGESTDM".utf8)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        u32(version); u32(UInt32(HashedFeatures.legacySlots)); u32(UInt32(labels.count))
        for label in labels { u32(UInt32(label.utf8.count)); bytes.append(contentsOf: label.utf8) }
        return bytes
    }

    private func load(_ bytes: [UInt8]) throws -> LinearClassifier {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("legacy-\(UUID().uuidString).model")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(bytes).write(to: url)
        return try ModelFile.read(url)
    }

    private func assertPredictsAlike(_ back: LinearClassifier, _ model: LinearClassifier, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(back.kinds, .legacyWords, file: file, line: line)
        XCTAssertEqual(back.keyMask, HashedFeatures.legacyKeyMask, file: file, line: line)
        for text in ["exam in the classroom", "cargo at the quay", "the council said today", "unseen words only"] {
            XCTAssertEqual(back.predict(text), model.predict(text), text, file: file, line: line)
        }
    }

    /// Models written before format 2 held every slot of every class; they still load and predict alike.
    func testFormatOneModelFilesStillLoad() throws {
        let (model, slots) = legacy()
        let d = HashedFeatures.legacySlots, k = model.labels.count
        var bytes = header(version: 1, labels: model.labels)
        var idf = [Float](repeating: model.unseenIDF, count: d)
        var rows = [Float](repeating: 0, count: k * d + k)
        for (f, j) in slots.enumerated() {
            idf[Int(j)] = model.idf[f]
            for c in 0..<k { rows[c * d + Int(j)] = model.weights[f * k + c] }
        }
        for c in 0..<k { rows[k * d + c] = model.weights[slots.count * k + c] }
        for v in idf + rows { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        assertPredictsAlike(try load(bytes), model)
    }

    /// Formats 2 and 3: the slots training saw, 32 bits each; format 3 adds the kinds after the labels.
    func testFormatTwoAndThreeModelFilesStillLoad() throws {
        let (model, slots) = legacy()
        for version: UInt32 in [2, 3] {
            var bytes = header(version: version, labels: model.labels)
            func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
            if version == 3 { u32(0) }
            u32(model.unseenIDF.bitPattern)
            u32(UInt32(slots.count))
            for j in slots { u32(UInt32(j)) }
            for v in model.idf + model.weights { u32(v.bitPattern) }
            let back = try load(bytes)
            XCTAssertEqual(back.weights, model.weights)
            assertPredictsAlike(back, model)
            // A legacy model written again keeps its folding (format 4, 18-bit keys).
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("again-\(UUID().uuidString).model")
            defer { try? FileManager.default.removeItem(at: url) }
            try ModelFile.write(back, to: url)
            assertPredictsAlike(try ModelFile.read(url), model)
            if version == 3 {
                var unknown = bytes
                let at = 20 + model.labels.reduce(0) { $0 + 4 + $1.utf8.count }
                unknown[at] = 7
                XCTAssertThrowsError(try load(unknown)) { XCTAssertTrue("\($0)".contains("kinds 7"), "\($0)") }
                XCTAssertThrowsError(try load(header(version: 3, labels: model.labels) + Array(bytes[(at + 4)...])),
                                     "format 3 without its kinds field is the wrong size")
            }
        }
    }

    /// A word pair from one training text only is no feature (it could only fit that text);
    /// its words are, and pairs that recur are.
    func testWordPairsOfOneTextAloneAreNotFeatures() {
        var texts = (0..<30).map { example(harbour, $0) } + (0..<30).map { example(school, 100 + $0) }
        texts[3] += " zebra quokka"
        texts[4] += " ferry crane ferry crane"
        texts[5] += " ferry crane"
        var options = LinearClassifier.Options()
        options.bigrams = .on
        let model = LinearClassifier.train(texts: texts, labels: Array(repeating: "harbour", count: 30) + Array(repeating: "school", count: 30),
                                           options: options)
        let terms = Set(model.terms)
        func keys(_ text: String) -> (words: [UInt64], pairs: [UInt64]) {
            let all = HashedFeatures.counts(text, kinds: [.bigrams]).keys
            return (all.filter { $0 & HashedFeatures.bigramBit == 0 }, all.filter { $0 & HashedFeatures.bigramBit != 0 })
        }
        let rare = keys("zebra quokka"), recurring = keys("ferry crane")
        XCTAssertEqual(rare.pairs.count, 1)
        XCTAssertTrue(rare.words.allSatisfy(terms.contains), "the words of a one-text pair are features")
        XCTAssertFalse(terms.contains(rare.pairs[0]))
        XCTAssertTrue(terms.contains(recurring.pairs[0]), "a pair in two texts is")
    }

    /// The bigram trial: where word order carries the class, bigrams win on the held-out fifth
    /// and are kept; where single words do, the smaller model without them is kept.
    func testBigramsAreKeptOnlyWhenTheHeldOutFifthSaysTheyHelp() {
        var options = LinearClassifier.Options()
        options.bigramTrialMinimum = 100
        // The same six words in every text; "dock crane" (one class) or "crane dock" (the other)
        // somewhere in it, the rest shuffled so no other pair gives the class away.
        func ordered(_ n: Int, forward: Bool) -> String {
            var g = UInt64(n) &* 0x9E37_79B9_7F4A_7C15 &+ 7
            var words = ["ship", "tide", "ferry", "quay", "cargo", "berth"]
            for i in words.indices.reversed() {
                g = MinHashSignature.splitmix(g)
                words.swapAt(i, Int(g % UInt64(i + 1)))
            }
            g = MinHashSignature.splitmix(g)
            words.insert(forward ? "dock crane" : "crane dock", at: Int(g % 7))
            return words.joined(separator: " ")
        }
        let texts = (0..<100).map { ordered($0, forward: true) } + (0..<100).map { ordered(500 + $0, forward: false) }
        let labels = Array(repeating: "forward", count: 100) + Array(repeating: "backward", count: 100)
        let (pairs, pairReport) = LinearClassifier.trainReporting(texts: texts, labels: labels, options: options)
        let trial = try? XCTUnwrap(pairReport.bigramTrial)
        XCTAssertEqual(pairs.kinds, [.punctuation, .bigrams])
        XCTAssertGreaterThan(trial?.with ?? 0, 0.9)
        XCTAssertLessThan(trial?.without ?? 1, 0.8)
        XCTAssertEqual(pairs.predict(ordered(9_999, forward: false)).label, "backward")

        let topics = (0..<70).map { example(harbour, $0) } + (0..<70).map { example(school, 300 + $0) }
        let (words, wordReport) = LinearClassifier.trainReporting(
            texts: topics, labels: Array(repeating: "harbour", count: 70) + Array(repeating: "school", count: 70), options: options)
        XCTAssertEqual(wordReport.bigramTrial?.without, 1.0)
        XCTAssertEqual(words.kinds, [.punctuation], "no better with bigrams: the smaller model")

        options.bigramTrialMinimum = 1_000
        XCTAssertNil(LinearClassifier.trainReporting(texts: texts, labels: labels, options: options).report.bigramTrial,
                     "below the minimum, no trial")
    }

    func testLabelsLoseLeadingAndTrailingSpacesOnly() {
        XCTAssertEqual(LabelledData.trimmingSpaces(" \tsport\u{00A0}"), "sport")
        XCTAssertEqual(LabelledData.trimmingSpaces("world news"), "world news")
        XCTAssertEqual(LabelledData.trimmingSpaces("\u{3000}政治 "), "政治")
        XCTAssertEqual(LabelledData.trimmingSpaces(" \t "), "")
        XCTAssertEqual(LabelledData.trimmingSpaces("line\n"), "line\n", "line breaks are not spaces")
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

        // Unquoted runs: a stray quote inside one is kept, an empty last field counts, CR LF ends a row.
        XCTAssertEqual(CSVRows.parse("a,b\"c,\n\"q\"\"x\",y\r\nlast").map(\.fields), [["a", "b\"c", ""], ["q\"x", "y"], ["last"]])
        XCTAssertEqual(CSVRows.parse("x,y\n\nz").map(\.line), [1, 2, 3])

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

    func testCalibrationError() {
        // Bin 0.9: probability 0.9, 1 of 2 right (gap 0.4); bin 0.6: 0.6 and 0.6, both right (gap 0.4).
        let e = CalibrationError(probabilities: [0.9, 0.9, 0.6, 0.6], correct: [true, false, true, true])
        XCTAssertEqual(e.meanProbability, 0.75, accuracy: 1e-9)
        XCTAssertEqual(e.accuracy, 0.75, accuracy: 1e-9)
        XCTAssertEqual(e.expected, 0.4, accuracy: 1e-9, "the means agree; the bins do not")
        XCTAssertEqual(CalibrationError(probabilities: [1, 1], correct: [true, true]).expected, 0, accuracy: 1e-9)
        XCTAssertTrue(e.report.contains("expected calibration error 0.4000"), e.report)
    }

    /// On held-out texts, the calibrated probabilities are near the hit rate.
    func testProbabilitiesAreCalibratedOnUnseenTexts() {
        // Overlapping vocabularies, so the classes are not cleanly separable.
        let mixed = [harbour + Array(school.prefix(6)), school + Array(weather.prefix(6)), weather + Array(harbour.prefix(6))]
        let names = ["harbour", "school", "weather"]
        func short(_ words: [String], _ n: Int) -> String { example(words, n).split(separator: " ").prefix(6).joined(separator: " ") }
        let texts = (0..<3).flatMap { c in (0..<150).map { short(mixed[c], 10_000 * c + $0) } }
        let labels = (0..<3).flatMap { c in Array(repeating: names[c], count: 150) }
        let model = LinearClassifier.train(texts: texts, labels: labels)
        let unseen = (0..<3).flatMap { c in (0..<200).map { short(mixed[c], 500_000 + 10_000 * c + $0) } }
        let truth = (0..<3).flatMap { c in Array(repeating: names[c], count: 200) }
        let p = model.predict(unseen)
        let e = CalibrationError(probabilities: p.map(\.probability), correct: zip(p, truth).map { $0.label == $1 })
        XCTAssertLessThan(e.accuracy, 0.99, "a task with errors in it: \(e.report)")
        // Raw SVM scores through a softmax give a mean probability near 0.6 here; probabilities of 1
        // would be off by the error rate, 0.04.
        XCTAssertLessThan(e.expected, 0.03, e.report)
        XCTAssertEqual(e.meanProbability, e.accuracy, accuracy: 0.02, e.report)
    }
}
