@testable import IngestStages
import XCTest

final class ScalarClassesTests: XCTestCase {
    /// The table builds copy one answer across each uniform block; prove, on this toolchain's
    /// Unicode data, that every code point in those blocks really has that answer.
    func testUniformBlocksAreUniformForEveryTableProperty() {
        for block in ScalarClasses.uniformBlocks {
            let first = block.lowerBound
            let alphabetic = Unicode.Scalar(first)?.properties.isAlphabetic ?? false
            let tokenClass = ScalarClasses.tokenClassByLookup(first)
            for v in block {
                XCTAssertEqual(Unicode.Scalar(v)?.properties.isAlphabetic ?? false, alphabetic, "U+\(String(v, radix: 16))")
                XCTAssertEqual(ScalarClasses.tokenClassByLookup(v), tokenClass, "U+\(String(v, radix: 16))")
            }
        }
    }

    func testTablesAgreeWithTheFullLookupOnEveryBMPCodePoint() {
        let alphabetic = ScalarClasses.alphabeticBMP
        for v in UInt32(0)..<0x10000 {
            let expected = Unicode.Scalar(v)?.properties.isAlphabetic ?? false
            XCTAssertEqual(ScalarClasses.isAlphabetic(v, in: alphabetic), expected, "U+\(String(v, radix: 16))")
            XCTAssertEqual(ScalarClasses.tokenClass(v), ScalarClasses.tokenClassByLookup(v), "U+\(String(v, radix: 16))")
        }
        XCTAssertEqual(ScalarClasses.tokenClass(0x4E2D), .word) // 中
        XCTAssertEqual(ScalarClasses.tokenClass(0xD55C), .word) // 한
        XCTAssertEqual(ScalarClasses.tokenClass(0xE000), .separator)
        XCTAssertEqual(ScalarClasses.tokenClass(0x00C9), .upperWord) // É
    }
}
