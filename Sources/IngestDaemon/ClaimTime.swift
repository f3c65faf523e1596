import Foundation
import IngestCore

/// When a claim was made, read back from its claim name (`STAMP-name`, STAMP 16 hex digits of
/// wall-clock nanoseconds): a record of the claim can only have been written after it.
enum ClaimTime {
    /// Margin for the wall clock being stepped back between the claim and the write (NTP
    /// corrections are far smaller): the lower bound stays a lower bound.
    static let clockSlack: TimeInterval = 600

    /// The earliest time a record of `claim` may have been written, or nil when its name
    /// carries no stamp.
    static func earliestRecord(of claim: Claim) -> Date? {
        let bytes = Array(claim.claimName.utf8)
        guard bytes.count > 17, bytes[16] == UInt8(ascii: "-"),
              let nanos = UInt64(String(decoding: bytes[0..<16], as: UTF8.self), radix: 16) else { return nil }
        return Date(timeIntervalSince1970: Double(nanos) / 1e9 - clockSlack)
    }
}
