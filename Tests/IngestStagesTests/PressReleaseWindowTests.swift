import XCTest
@testable import IngestStages

/// A large text is checked for press-release marks a window at a time; the answer must be the
/// whole-text check's, wherever the marks fall against the windows.
final class PressReleaseWindowTests: XCTestCase {
    func testTheWindowedCheckAgreesWithTheWholeTextCheck() {
        let pieces = ["For Immediate Release", "Media Contact:", "PR Newswire", "###", "- ends -", "Source: Acme",
                      "Forward-Looking Statements", "globenewswire", "word", "the", "\u{2019}s", "caf\u{E9}", "\u{65E5}\u{672C}",
                      "e\u{301}", "\r\n", "\n\n", ".", " ", " ", " ", "MEDIA", "contact", "-ends-"]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        var positives = 0
        for _ in 0..<3000 {
            var text = ""
            // Marks (the first eight pieces) are rarer than words, so both answers come up.
            for _ in 0..<(5 + next(120)) { text += pieces[next(30) == 0 ? next(8) : 8 + next(pieces.count - 8)] }
            let whole = GenreDetector.isPressReleaseWhole(text)
            if whole { positives += 1 }
            for window in [33, 40, 57, 100] {
                XCTAssertEqual(GenreDetector.isPressReleaseWindowed(text, window: window), whole, "window \(window): \(text.debugDescription)")
            }
        }
        XCTAssertGreaterThan(positives, 300, "the texts must exercise both answers")
        XCTAssertLessThan(positives, 2700)
    }
}
