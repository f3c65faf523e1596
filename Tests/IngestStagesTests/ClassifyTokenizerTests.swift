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

    private struct Runs: Tokenizer.Sink {
        static var wantsPunctuation: Bool { true }
        var words: [String] = [], runs: [String] = []
        mutating func token(_ bytes: UnsafeBufferPointer<UInt8>) { words.append(String(decoding: bytes, as: UTF8.self)) }
        mutating func punctuation(_ bytes: UnsafeBufferPointer<UInt8>) { runs.append(String(decoding: bytes, as: UTF8.self)) }
    }

    func testPunctuationRunsForSinksThatAskForThem() {
        var sink = Runs()
        let text = "MOSCOW, May 9. /TASS/. He said: \u{201C}No\u{2014}never.\u{201D} (Reuters)\u{00A0}\u{2026}Kim\u{300C}a\u{300D} --"
        Tokenizer.scan(text, into: &sink)
        XCTAssertEqual(sink.runs, [",", ".", "/", "/.", ":", "\u{201C}", "\u{2014}", ".\u{201D}", "(", ")", "\u{2026}", "\u{300C}", "\u{300D}", "--"])
        XCTAssertEqual(sink.words, Tokenizer.words(text), "the words are the same either way")
        var plain = Runs()
        Tokenizer.scan("no punctuation here", into: &plain)
        XCTAssertEqual(plain.runs, [])
    }

    /// Runs of ASCII letters and digits have a loop of their own: where they meet upper case,
    /// non-ASCII letters, soft hyphens, marks, punctuation and the end of the text.
    func testASCIIRunsMeetEverythingElse() {
        XCTAssertEqual(Tokenizer.words("ABC9x Café CAFÉ naïve co\u{AD}op Kim-Trump's 2019年 e\u{301}x end"),
                       ["abc9x", "café", "café", "naïve", "coop", "kim", "trump", "s", "2019", "年", "e\u{301}x", "end"])
        XCTAssertEqual(Tokenizer.words("Z"), ["z"])
        XCTAssertEqual(Tokenizer.words("a"), ["a"])
        XCTAssertEqual(Tokenizer.words("@[`{"), [], "the bytes next to the letter ranges are no letters")
    }
}
