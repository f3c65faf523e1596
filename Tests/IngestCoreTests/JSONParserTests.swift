import XCTest
@testable import IngestCore

final class JSONParserTests: XCTestCase {
    func testValuesOfEveryKind() throws {
        let v = try JSONParser.parse(#" {"a": [1, -2.5e1, true, false, null], "b": {"c": "d"}, "e": ""} "#)
        XCTAssertEqual(v, .object([
            ("a", .array([.int(1), .double(-25), .bool(true), .bool(false), .null])),
            ("b", .object([("c", .string("d"))])),
            ("e", .string("")),
        ]))
    }

    func testEscapesAndSurrogatePairs() throws {
        let v = try JSONParser.parse(#"["q\"b\\s\/ \n\t", "\u00e9\u4e2d", "\ud83d\ude00", "\ud800x"]"#)
        XCTAssertEqual(v, .array([.string("q\"b\\s/ \n\t"), .string("é中"), .string("😀"), .string("\u{FFFD}x")]))
    }

    func testRawControlCharactersInStringsAreKept() throws {
        // JSON-LD written by hand often has raw line breaks inside strings.
        XCTAssertEqual(try JSONParser.parse("{\"headline\": \"two\nlines\"}").member("headline")?.stringValue, "two\nlines")
    }

    func testTheLastOfARepeatedMemberCounts() throws {
        XCTAssertEqual(try JSONParser.parse(#"{"a": 1, "a": 2}"#).member("a"), .int(2))
    }

    func testMalformedInputIsAnErrorWithAnOffset() {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"open", "[1] 2", "01x", "{\"a\":}", "-", "1.", "1e"] {
            XCTAssertThrowsError(try JSONParser.parse(bad), "accepted \(bad.debugDescription)") { error in
                XCTAssertTrue(error is JSONParser.Failure)
            }
        }
    }

    func testDeepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try JSONParser.parse(deep)) { error in
            XCTAssertTrue((error as? JSONParser.Failure)?.reason.contains("nested") == true)
        }
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        XCTAssertNoThrow(try JSONParser.parse(ok))
    }
}
