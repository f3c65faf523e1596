import Foundation
import XCTest
import IngestCore
@testable import IngestStages

/// The normalize stage end to end on bytes: encodings, HTML vs text, rejections.
final class NormalizeStageTests: XCTestCase {
    private func run(_ bytes: [UInt8], minWords: Int = 3, policy: TextDecoder.InvalidUTF8Policy = .repair) throws -> Document {
        var doc = Document(id: "d", origin: Origin(kind: .file, path: "/in/x", size: bytes.count, sha256: "x"), raw: bytes)
        _ = try NormalizeStage(minWords: minWords, invalidUTF8: policy).processSynchronously(&doc)
        return doc
    }

    private func rejection(_ bytes: [UInt8], minWords: Int = 3) -> Rejection? {
        do { _ = try run(bytes, minWords: minWords); return nil } catch { return error as? Rejection }
    }

    // A GB2312-declared page (bytes written with Python's gbk codec from a sentence made up for this test).
    static let gbkPage: [UInt8] = [60, 104, 116, 109, 108, 62, 60, 104, 101, 97, 100, 62, 60, 109, 101, 116, 97, 32, 99, 104, 97, 114, 115, 101, 116, 61, 34, 103, 98, 50, 51, 49, 50, 34, 62, 60, 116, 105, 116, 108, 101, 62, 186, 211, 193, 247, 185, 220, 192, 237, 190, 214, 197, 250, 215, 188, 183, 192, 186, 233, 198, 193, 213, 207, 60, 47, 116, 105, 116, 108, 101, 62, 60, 47, 104, 101, 97, 100, 62, 60, 98, 111, 100, 121, 62, 60, 97, 114, 116, 105, 99, 108, 101, 62, 60, 112, 62, 186, 211, 193, 247, 185, 220, 192, 237, 190, 214, 208, 199, 198, 218, 210, 187, 197, 250, 215, 188, 193, 203, 208, 194, 181, 196, 183, 192, 186, 233, 198, 193, 213, 207, 163, 172, 180, 203, 199, 176, 190, 173, 185, 253, 193, 203, 210, 187, 196, 234, 181, 196, 204, 253, 214, 164, 186, 205, 181, 247, 178, 233, 161, 163, 185, 164, 179, 204, 202, 166, 203, 181, 163, 172, 213, 226, 181, 192, 198, 193, 213, 207, 189, 171, 177, 163, 187, 164, 180, 243, 212, 188, 193, 189, 199, 167, 187, 167, 188, 210, 205, 165, 161, 163, 60, 47, 112, 62, 60, 47, 97, 114, 116, 105, 99, 108, 101, 62, 60, 47, 98, 111, 100, 121, 62, 60, 47, 104, 116, 109, 108, 62]
    // A Shift_JIS page declared with http-equiv.
    static let shiftJISPage: [UInt8] = [60, 104, 116, 109, 108, 62, 60, 104, 101, 97, 100, 62, 60, 109, 101, 116, 97, 32, 104, 116, 116, 112, 45, 101, 113, 117, 105, 118, 61, 34, 67, 111, 110, 116, 101, 110, 116, 45, 84, 121, 112, 101, 34, 32, 99, 111, 110, 116, 101, 110, 116, 61, 34, 116, 101, 120, 116, 47, 104, 116, 109, 108, 59, 32, 99, 104, 97, 114, 115, 101, 116, 61, 83, 104, 105, 102, 116, 95, 74, 73, 83, 34, 62, 60, 116, 105, 116, 108, 101, 62, 141, 94, 144, 133, 145, 206, 141, 244, 130, 204, 149, 199, 130, 170, 143, 179, 148, 70, 130, 179, 130, 234, 130, 233, 60, 47, 116, 105, 116, 108, 101, 62, 60, 47, 104, 101, 97, 100, 62, 60, 98, 111, 100, 121, 62, 60, 97, 114, 116, 105, 99, 108, 101, 62, 60, 112, 62, 137, 205, 144, 236, 138, 199, 151, 157, 139, 199, 130, 205, 140, 142, 151, 106, 147, 250, 129, 65, 136, 234, 148, 78, 138, 212, 130, 204, 140, 246, 146, 174, 137, 239, 130, 198, 146, 178, 141, 184, 130, 240, 140, 111, 130, 196, 129, 65, 144, 86, 130, 181, 130, 162, 141, 94, 144, 133, 145, 206, 141, 244, 130, 204, 149, 199, 130, 240, 143, 179, 148, 70, 130, 181, 130, 189, 129, 66, 139, 90, 143, 112, 142, 210, 130, 201, 130, 230, 130, 233, 130, 198, 129, 65, 130, 177, 130, 204, 149, 199, 130, 205, 150, 241, 147, 241, 144, 231, 140, 203, 130, 204, 143, 90, 145, 238, 130, 240, 142, 231, 130, 233, 130, 198, 130, 162, 130, 164, 129, 66, 60, 47, 112, 62, 60, 47, 97, 114, 116, 105, 99, 108, 101, 62, 60, 47, 98, 111, 100, 121, 62, 60, 47, 104, 116, 109, 108, 62]

    /// No later stage reads `raw`; kept, a large document would be held twice until its record is built.
    func testTheRawBytesAreReleasedOnceDecoded() throws {
        let text = Array("Harbor Daily\nHome > Opinion > Columns\nBy Jane Roe\n\nThe river authority approved the new flood barrier on Monday after a year of hearings.\n".utf8)
        let html = Array("<html><head><title>Barrier</title></head><body><article><p>The river authority approved the new flood barrier on Monday after a year of hearings.</p></article></body></html>".utf8)
        for bytes in [text, html] {
            let doc = try run(bytes)
            XCTAssertTrue(doc.raw.isEmpty)
            XCTAssertFalse(doc.text.isEmpty)
        }
        // The section hints, read from the first lines' bytes rather than from the whole text.
        XCTAssertEqual(try run(text).sections, ["Home", "Opinion", "Columns"])
    }

    func testAGBKPageComesOutAsUTF8() throws {
        let doc = try run(Self.gbkPage)
        XCTAssertEqual(doc.origin.encoding, "gbk")
        XCTAssertEqual(doc.format, "html")
        XCTAssertEqual(doc.title, "河流管理局批准防洪屏障")
        XCTAssertEqual(doc.text, "河流管理局星期一批准了新的防洪屏障，此前经过了一年的听证和调查。工程师说，这道屏障将保护大约两千户家庭。")
    }

    func testAShiftJISPageComesOutAsUTF8() throws {
        let doc = try run(Self.shiftJISPage)
        XCTAssertEqual(doc.origin.encoding, "shift_jis")
        XCTAssertEqual(doc.title, "洪水対策の壁が承認される")
        XCTAssertTrue(doc.text.hasPrefix("河川管理局は月曜日、"), doc.text)
    }

    func testAPageThatDeclaresOneCharsetAndUsesAnotherIsReadAsWhatItUses() throws {
        let html = "<html><head><meta charset=\"iso-8859-1\"><title>Café culture</title></head><body><article><p>Crème brûlée and café au lait are served all day at the new place, which opened on Friday.</p></article></body></html>"
        let doc = try run(Array(html.utf8))
        XCTAssertEqual(doc.origin.encoding, "utf-8")
        XCTAssertEqual(doc.title, "Café culture")
        XCTAssertTrue(doc.text.hasPrefix("Crème brûlée and café au lait"), doc.text)
    }

    func testPlainTextIsParsedAsAScrape() throws {
        let doc = try run(Array("Harbour plan approved\nBy Mira Stone\nMay 4, 2022\n\nThe council approved the harbour plan on Tuesday and work starts in June, officials said.\n".utf8))
        XCTAssertEqual(doc.format, "text")
        XCTAssertEqual(doc.title, "Harbour plan approved")
        XCTAssertEqual(doc.byline, ["Mira Stone"])
        XCTAssertEqual(doc.published, "2022-05-04")
    }

    func testAPageWithNoArticleTextIsRejectedAsNoContent() {
        let html = "<html><body><nav><a href='/'>Home</a><a href='/b'>Business</a></nav><footer>Copyright</footer></body></html>"
        let r = rejection(Array(html.utf8), minWords: 10)
        XCTAssertEqual(r?.code, .noContent)
        XCTAssertEqual(r?.stage, "normalize")
    }

    func testNULBytesAreRefusedAsBinary() {
        XCTAssertEqual(rejection(Array("<html><body><p>text".utf8) + [0, 0, 0] + Array("</p></body></html>".utf8))?.code, .binary)
    }

    func testATenMegabyteSingleLineHasABoundedResult() throws {
        let line = String(repeating: "The barrier protects homes. ", count: 370_000)
        let doc = try run(Array(line.utf8))
        XCTAssertEqual(doc.format, "text")
        XCTAssertEqual(doc.words, 370_000 * 4)
    }

    /// A large scrape's split hands back the pages it has passed: the lines must be those of the
    /// ordinary split, CRLF, mojibake-suspect and no-break-space lines across page edges included.
    func testTheDiscardingSplitGivesTheSameLines() {
        var text = ""
        for i in 0..<3_000 {
            text += i % 7 == 0 ? "It\u{00E2}\u{20AC}\u{2122}s line \(i)\r\n" : "Line \(i)\u{00A0} of  the scrape, with words.\n"
            if i % 11 == 0 { text += "\n\n" }
        }
        let bytes = Array(text.utf8)
        XCTAssertEqual(ScrapeText.lines(discarding: bytes, step: 4096), ScrapeText.lines(utf8: bytes))
        XCTAssertEqual(bytes, Array(text.utf8), "a shared buffer is copied, not zero-filled")
    }

    func testTheReleasingJoinGivesTheSameText() {
        let paragraphs = (0..<500).map { "Paragraph \($0) " + String(repeating: "w", count: $0) }
        var a = paragraphs, b = paragraphs
        XCTAssertEqual(NormalizeStage.join(&a, releasingFrom: 1_000), paragraphs.joined(separator: "\n\n"))
        XCTAssertEqual(NormalizeStage.join(&b), paragraphs.joined(separator: "\n\n"))
        XCTAssertTrue(a.isEmpty && b.isEmpty)
    }

    /// Exact repeats are found without keeping lowered copies, by String equality as before.
    func testFirstOccurrencesFollowStringEquality() {
        // Long enough (over 14 words) that their lowered copies are let go.
        let tail = " and a line long enough to have its lowered copy let go after it was classified"
        let texts = ["Share this", "SHARE THIS", "Caf\u{00E9}", "Cafe\u{0301}", "Other", "share this"].map { $0 + tail }
        var lines: [ScrapeLine] = []
        var seen = FirstOccurrences(capacity: 8)
        var firsts: [Int?] = []
        for (i, t) in texts.enumerated() {
            var line = ScrapeLine(t)
            firsts.append(seen.first(of: line.lower, at: i, in: lines))
            line.releaseLower()
            lines.append(line)
        }
        XCTAssertEqual(firsts, [nil, 0, nil, 2, nil, 0])
    }
}
