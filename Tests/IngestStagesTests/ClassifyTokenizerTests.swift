import XCTest
@testable import IngestStages

final class ClassifyTokenizerTests: XCTestCase {
    func testLowercasesAndSplitsOnPunctuation() {
        XCTAssertEqual(Tokenizer.words("The Summit, in HANOI; ended (abruptly)!"),
                       ["the", "summit", "in", "hanoi", "ended", "abruptly"])
    }

    func testHyphensAndApostrophesSplit() {
        XCTAssertEqual(Tokenizer.words("Kim-Trump talks"), ["kim", "trump", "talks"])
        XCTAssertEqual(Tokenizer.words("Korea’s leader"), ["korea", "s", "leader"])
        XCTAssertEqual(Tokenizer.words("Korea's leader"), ["korea", "s", "leader"])
    }

    func testDigitsKeptAndDiacriticsKept() {
        XCTAssertEqual(Tokenizer.words("Café Zürich 2019 Ñandú"), ["café", "zürich", "2019", "ñandú"])
    }

    func testDecomposedDiacriticStaysInWord() {
        let decomposed = "Cafe\u{301} noir"
        let toks = Tokenizer.words(decomposed)
        XCTAssertEqual(toks.count, 2)
        XCTAssertEqual(toks[0], "café") // canonical equivalence
    }

    func testSoftHyphenDoesNotSplit() {
        XCTAssertEqual(Tokenizer.words("denu\u{AD}clearization"), ["denuclearization"])
    }

    func testEmptyAndPunctuationOnly() {
        XCTAssertEqual(Tokenizer.words(""), [])
        XCTAssertEqual(Tokenizer.words(" -- ... !!"), [])
    }

    func testNonLatinScripts() {
        XCTAssertEqual(Tokenizer.words("Привет, МИР"), ["привет", "мир"])
        XCTAssertEqual(Tokenizer.words("Ελλάδα και"), ["ελλάδα", "και"])
        XCTAssertEqual(Tokenizer.words("한국 정부는"), ["한국", "정부는"])
        // Han/kana: one token per character.
        XCTAssertEqual(Tokenizer.words("朝鲜半岛"), ["朝", "鲜", "半", "岛"])
    }
}
