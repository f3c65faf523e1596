import Foundation
import XCTest
@testable import IngestCore

/// A record streamed to the sink (prefix, text escaped in pieces, suffix) must be the line
/// `RecordSchema.line` builds, byte for byte, whatever the text holds and wherever the pieces end.
final class StreamedRecordTests: XCTestCase {
    private let date = Date(timeIntervalSince1970: 1_795_000_000.123)

    /// Every byte class the escaper tells apart: each ASCII byte (controls, DEL, quote, backslash),
    /// U+2028/U+2029 and other characters starting E2 (E2 80 94, E2 82 AC), and characters of
    /// two, three and four bytes, so that pieces end inside each kind.
    private static let everyClass: String = {
        var s = String((0..<0x80).map { Character(Unicode.Scalar(UInt8($0))) })
        s += "\u{2028}\u{2029}—€…é中😀\"\\\n\r\t\u{7F}\u{1F}"
        return s
    }()

    private func document(text: String) -> Document {
        var doc = Document(id: "0123456789abcdef0123456789abcdef",
                           origin: Origin(kind: .file, path: "/in/a \"b\".txt", size: 12, sha256: "ab"), raw: Array("raw".utf8))
        doc.text = text
        doc.words = 3
        doc.title = #"A title with ","text":"x" in it and \u2028"#
        doc.byline = ["Jane \"J\" Roe", "text"]
        doc.captions = [#""text":"#]
        doc.lang = "en"
        doc.extensions = Extensions(members: [("plugin", .object([("text", .string(#"","text":""#)), ("n", .int(1))]))])
        doc.stagesRun = ["normalize", "extract"]
        return doc
    }

    private func pieces(_ record: StreamedRecord, chunk: Int) -> (bytes: [UInt8], count: Int) {
        var bytes: [UInt8] = []
        var count = 0
        record.write(chunkSize: chunk) { bytes += $0; count += 1 }
        return (bytes, count)
    }

    func testTheStreamedRecordIsTheLineForEveryEscapeClassAndEveryChunkBoundary() throws {
        let text = String(repeating: Self.everyClass, count: 3)
        let doc = document(text: text)
        let line = RecordSchema.line(for: doc, ingestedAt: date, pipeline: "news")
        let record = RecordSchema.streamed(for: doc, ingestedAt: date, pipeline: "news")
        XCTAssertEqual(record.joined(), line)
        // Sizes 1 to 13 put the ends of the pieces at every offset inside the multi-byte
        // characters and the escapes.
        for chunk in 1...13 {
            let (bytes, count) = pieces(record, chunk: chunk)
            XCTAssertEqual(bytes, line, "chunk \(chunk)")
            XCTAssertGreaterThan(count, text.utf8.count / chunk / 2)
        }
        XCTAssertEqual(pieces(record, chunk: 64 * 1024).bytes, line)
        // The line is a record: it parses, and its text is the document's.
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        XCTAssertEqual(parsed["text"] as? String, text)
        XCTAssertEqual(parsed["title"] as? String, doc.title)
    }

    func testAnEmptyTextAndATextOfOnlyEscapesAreTheLineToo() {
        for text in ["", "\"", "\u{2028}", String(repeating: "\u{0}", count: 100), String(repeating: "😀", count: 50)] {
            let doc = document(text: text)
            let line = RecordSchema.line(for: doc, ingestedAt: date, pipeline: "p")
            let record = RecordSchema.streamed(for: doc, ingestedAt: date, pipeline: "p")
            XCTAssertEqual(record.joined(), line)
            for chunk in [1, 2, 3, 5, 7, 1024] { XCTAssertEqual(pieces(record, chunk: chunk).bytes, line) }
        }
    }

    /// The split is at the record's own `text` member, not at text that looks like it in the
    /// fields around it (title, captions, a plugin's `text`).
    func testTheSplitIsAtTheTextMember() {
        let doc = document(text: "BODY")
        let record = RecordSchema.streamed(for: doc, ingestedAt: date, pipeline: "p")
        XCTAssertEqual(String(decoding: record.prefix.suffix(8), as: UTF8.self), #","text":"#)
        XCTAssertTrue(String(decoding: record.suffix, as: UTF8.self).hasPrefix(#","words":3,"#))
        XCTAssertEqual(record.text, "BODY")
        // Recovery reads the id from the start of the line.
        XCTAssertEqual(RecordSchema.id(ofLine: record.prefix[...]), doc.id)
    }

    func testChunkedEscapingIsWriteString() {
        for s in [Self.everyClass, "", "plain", String(repeating: "a\u{2029}", count: 9)] {
            var whole: [UInt8] = []
            JSONValue.writeString(s, into: &whole)
            for chunk in 1...9 {
                var joined: [UInt8] = []
                JSONValue.writeString(s, chunkSize: chunk) { piece in
                    XCTAssertLessThan(piece.count, chunk + 8)
                    joined += piece
                }
                XCTAssertEqual(joined, whole)
            }
        }
    }
}
