import Foundation
import XCTest
@testable import IngestStages

final class TrainingExamplesTests: XCTestCase {
    func testSparseRowsKeepEveryEntryAcrossGrowth() {
        let rows = SparseRows(rows: 1, entries: 1)
        for i in 0..<300 {
            for j in 0..<(i % 4) { rows.append(Int32(i * 10 + j), Float(i) + Float(j) / 10) }
            rows.endRow()
        }
        XCTAssertEqual(rows.count, 300)
        XCTAssertEqual(rows.entryCount, (0..<300).reduce(0) { $0 + $1 % 4 })
        for i in 0..<300 {
            let range = rows.range(of: i)
            XCTAssertEqual(range.count, i % 4)
            for (j, e) in range.enumerated() {
                XCTAssertEqual(rows.entries[e].column, Int32(i * 10 + j))
                XCTAssertEqual(rows.entries[e].value, Float(i) + Float(j) / 10)
            }
        }
    }

    /// Four texts, worked by hand: "red fish" is the one word pair in two texts, so the one pair
    /// feature; the other pairs count in their texts' lengths only.
    func testRowsAreTFIDFWithWordsFirstAndAWordsOnlyView() {
        let texts = ["red fish red", "red boat", "blue fish", "red fish"]
        let examples = TrainingExamples(HashedFeatures.vocabulary(texts, kinds: [.bigrams]))
        func key(_ text: String) -> UInt64 { HashedFeatures.counts(text, kinds: [.bigrams]).keys.first { $0 & HashedFeatures.bigramBit != 0 }! }
        func word(_ text: String) -> UInt64 { HashedFeatures.counts(text, kinds: []).keys[0] }
        // Words by falling document frequency, ties in order of first sighting, then the pair.
        XCTAssertEqual(examples.terms, [word("red"), word("fish"), word("boat"), word("blue"), key("red fish")])
        XCTAssertEqual(examples.words, 4)
        func idf(_ df: Float) -> Float { logf(5 / (1 + df)) + 1 }
        XCTAssertEqual(examples.idf, [idf(3), idf(3), idf(1), idf(1), idf(2)])

        let red = (1 + logf(2)) * idf(3), fish = idf(3), redFish = idf(2), fishRed = idf(1)
        let norm = (red * red + fish * fish + redFish * redFish + fishRed * fishRed).squareRoot()
        let row = examples.rows.range(of: 0)
        XCTAssertEqual(row.map { examples.rows.entries[$0].column }, [0, 1, 4])
        let values = row.map { examples.rows.entries[$0].value }
        for (got, want) in zip(values, [red / norm, fish / norm, redFish / norm]) { XCTAssertEqual(got, want, accuracy: 1e-6) }
        // The words-only view: the word part, scaled to unit length on its own.
        XCTAssertEqual(examples.wordsPart.end[0], row.lowerBound + 2)
        let scale = examples.wordsPart.scale[0]
        XCTAssertEqual(scale * values[0], red / (red * red + fish * fish).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(scale * values[1], fish / (red * red + fish * fish).squareRoot(), accuracy: 1e-6)

        // "red boat": its pair is in one text only, so the row has words alone, shorter than 1.
        let second = examples.rows.range(of: 1).map { examples.rows.entries[$0] }
        XCTAssertEqual(second.map(\.column), [0, 2])
        XCTAssertLessThan(second.reduce(0) { $0 + $1.value * $1.value }, 0.99)
        XCTAssertEqual(examples.wordsPart.end[1], examples.rows.range(of: 1).upperBound)
    }

    func testWithoutPairsEveryRowIsWordsOfUnitLength() {
        let texts = ["ships and cranes", "the tide, the tide", "exams"]
        let examples = TrainingExamples(HashedFeatures.vocabulary(texts, kinds: [.punctuation]))
        XCTAssertEqual(examples.words, examples.terms.count)
        for i in 0..<3 {
            let range = examples.rows.range(of: i)
            XCTAssertEqual(range.reduce(0) { $0 + examples.rows.entries[$1].value * examples.rows.entries[$1].value }, 1, accuracy: 1e-5)
            XCTAssertEqual(examples.wordsPart.end[i], range.upperBound)
            XCTAssertEqual(examples.wordsPart.scale[i], 1, accuracy: 1e-6)
            let columns = range.map { examples.rows.entries[$0].column }
            XCTAssertEqual(Set(columns).count, columns.count, "each feature once in a row")
        }
    }
}
