import XCTest
@testable import IngestStages

final class CRC32CTests: XCTestCase {
    func testKnownVectors() {
        // The check value of the CRC-32C catalogue entry, and RFC 3720's (iSCSI) B.4 vectors.
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }), 0x113F_DB5C)
    }

    func testAChecksumContinuesOverASecondPart() {
        let whole = Array("The regional water board voted on Thursday".utf8)
        XCTAssertEqual(CRC32C.checksum(whole[12...], continuing: CRC32C.checksum(whole[..<12])), CRC32C.checksum(whole))
    }
}
