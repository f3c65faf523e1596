import Foundation
import XCTest
import IngestCore
@testable import IngestDaemon

final class ClaimTimeTests: XCTestCase {
    private func claim(_ claimName: String) -> Claim {
        Claim(name: "a.txt", claimName: claimName, path: URL(fileURLWithPath: "/p/" + claimName), originPath: "/in/a.txt", recovered: true)
    }

    func testTheStampOfAClaimNameBoundsWhenItsRecordCanHaveBeenWritten() throws {
        // 2026-12-04T00:00:00Z in nanoseconds, as ClaimStamps writes it: 16 hex digits.
        let nanos = UInt64(1_796_342_400) * 1_000_000_000
        let hex = String(nanos, radix: 16)
        let stamp = String(repeating: "0", count: 16 - hex.count) + hex
        let earliest = try XCTUnwrap(ClaimTime.earliestRecord(of: claim("\(stamp)-a.txt")))
        XCTAssertEqual(earliest.timeIntervalSince1970, 1_796_342_400 - ClaimTime.clockSlack, accuracy: 0.001)
        XCTAssertNil(ClaimTime.earliestRecord(of: claim("a.txt")))
        XCTAssertNil(ClaimTime.earliestRecord(of: claim("zzzzzzzzzzzzzzzz-a.txt")))
    }
}
