import XCTest
import IngestCore
@testable import IngestStages

final class TextDecoderTests: XCTestCase {
    private func decode(_ bytes: [UInt8], _ policy: TextDecoder.InvalidUTF8Policy = .repair) throws -> TextDecoder.Decoded {
        try TextDecoder.decode(bytes, invalidUTF8: policy, stage: "normalize")
    }

    private func rejection(_ bytes: [UInt8], _ policy: TextDecoder.InvalidUTF8Policy = .repair) -> Rejection? {
        do { _ = try decode(bytes, policy); return nil } catch { return error as? Rejection }
    }

    func testEmptyAndBlankAreRejected() {
        XCTAssertEqual(rejection([])?.code, .empty)
        XCTAssertEqual(rejection(Array(" \n\t\r\n".utf8))?.code, .empty)
    }

    func testBinaryFormatsAreRecognizedByTheirSignature() {
        XCTAssertEqual(rejection([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2])?.message, "binary content: looks like a PNG image")
        XCTAssertEqual(rejection([0x1F, 0x8B, 8, 0])?.message, "binary content: looks like a gzip archive")
        XCTAssertEqual(rejection(Array("%PDF-1.7\n".utf8))?.code, .binary)
        XCTAssertEqual(rejection([0x50, 0x4B, 0x03, 0x04, 0, 0])?.code, .binary)
    }

    func testNULBytesOrManyControlBytesMeanBinary() {
        XCTAssertEqual(rejection(Array("text".utf8) + [0] + Array("more".utf8))?.code, .binary)
        XCTAssertEqual(rejection((0..<200).map { UInt8($0 % 8 + 1) })?.code, .binary)
    }

    func testUTF8WithAndWithoutBOM() throws {
        XCTAssertEqual(try decode(Array("Café “quoted”".utf8)), .init(text: "Café “quoted”", encoding: "utf-8"))
        XCTAssertEqual(try decode([0xEF, 0xBB, 0xBF] + Array("Hi".utf8)), .init(text: "Hi", encoding: "utf-8"))
    }

    func testUTF16WithBOM() throws {
        let le: [UInt8] = [0xFF, 0xFE] + Array("Hé".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        XCTAssertEqual(try decode(le), .init(text: "Hé", encoding: "utf-16le"))
        let be: [UInt8] = [0xFE, 0xFF] + Array("Hé".utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        XCTAssertEqual(try decode(be), .init(text: "Hé", encoding: "utf-16be"))
    }

    func testLegacySingleByteTextIsReadAsWindows1252() throws {
        // "Café – “ok”" in Windows-1252: no valid UTF-8 multi-byte sequence at all.
        let bytes: [UInt8] = Array("Caf".utf8) + [0xE9, 0x20, 0x96, 0x20, 0x93] + Array("ok".utf8) + [0x94]
        XCTAssertEqual(try decode(bytes), .init(text: "Café – “ok”", encoding: "windows-1252"))
    }

    func testMostlyUTF8WithABrokenByteIsRepairedOrRejectedByPolicy() throws {
        let bytes = Array("Grüße".utf8) + [0xC3, 0x28] + Array(" und mehr".utf8)
        let repaired = try decode(bytes)
        XCTAssertEqual(repaired.encoding, "utf-8 (repaired)")
        XCTAssertEqual(repaired.text, "Grüße\u{FFFD}( und mehr")
        let r = rejection(bytes, .reject)
        XCTAssertEqual(r?.code, .invalidEncoding)
        XCTAssertEqual(r?.message, "1 invalid UTF-8 sequence(s); first at byte 7")
    }

    func testOverlongAndSurrogateEncodingsAreInvalid() {
        XCTAssertEqual(CharsetDecoder.utf8Stats(([0xC0, 0xAF] as [UInt8])[...]).invalid, 2)
        XCTAssertEqual(CharsetDecoder.utf8Stats(([0xED, 0xA0, 0x80] as [UInt8])[...]).invalid, 3)
        XCTAssertEqual(CharsetDecoder.utf8Stats(Array("日本".utf8)[...]).multibyte, 2)
        XCTAssertEqual(CharsetDecoder.utf8Stats(Array("ab".utf8)[...] + [0xE6, 0x97]).truncatedAtEnd, true)
    }
}
