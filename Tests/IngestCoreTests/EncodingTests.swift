import Foundation
import XCTest
@testable import IngestCore

final class EncodingTests: XCTestCase {
    func testSHA256KnownVectors() {
        XCTAssertEqual(SHA256Digest.hex(of: Array("".utf8)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256Digest.hex(of: Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256Digest.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256Digest.hex(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testSHA256StreamingEqualsOneShot() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var d = SHA256Digest()
        d.update(data[0..<63]); d.update(data[63..<64]); d.update(data[64...])
        XCTAssertEqual(d.finalizeHex(), SHA256Digest.hex(of: data))
    }

    func testJSONEscapingRoundTripsThroughFoundation() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7} sep \u{2028} emoji 🎉 é"
        let line = JSONValue.object([("id", .string("x")), ("s", .string(tricky)), ("n", .null), ("d", .double(0.25)), ("i", .int(-3))]).serialized()
        XCTAssertFalse(line.contains("\n"))
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        XCTAssertEqual(parsed["s"] as? String, tricky)
        XCTAssertTrue(parsed["n"] is NSNull)
        XCTAssertEqual(parsed["d"] as? Double, 0.25)
        XCTAssertEqual(parsed["i"] as? Int, -3)
        XCTAssertTrue(line.hasPrefix(#"{"id":"x","s":"#))
    }

    func testRecordStartsWithIDAndIDCanBeReadFromTheLine() throws {
        var doc = Document(id: "abc123", origin: Origin(kind: .file, path: "/in/a.txt", size: 5, sha256: "ff"), raw: [])
        doc.text = "Two words"
        doc.title = "T"
        let line = RecordSchema.json(for: doc, ingestedAt: Date(timeIntervalSince1970: 0), pipeline: "p").serialized()
        XCTAssertEqual(RecordSchema.id(ofLine: Array(line.utf8)[...]), "abc123")
        let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        XCTAssertEqual(obj["schema"] as? String, "ingestd.record/1")
        XCTAssertEqual(obj["ingested_at"] as? String, "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(obj["words"] as? Int, 2)
        XCTAssertTrue(obj["published"] is NSNull)
        XCTAssertTrue(obj["dedupe"] is NSNull)
    }

    func testWordCount() {
        XCTAssertEqual(WordCount.count("The Kim-Trump summit, in 2019: it’s over."), 7)
        XCTAssertEqual(WordCount.count("   "), 0)
        XCTAssertEqual(WordCount.count("朝鲜半岛"), 4)
    }

    func testRecordIDDependsOnClaimAndContent() {
        let a = Document.makeID(claimName: "0001-a.txt", contentSHA256: "x")
        XCTAssertEqual(a, Document.makeID(claimName: "0001-a.txt", contentSHA256: "x"))
        XCTAssertNotEqual(a, Document.makeID(claimName: "0002-a.txt", contentSHA256: "x"))
        XCTAssertNotEqual(a, Document.makeID(claimName: "0001-a.txt", contentSHA256: "y"))
        XCTAssertEqual(a.count, 32)
    }
}
