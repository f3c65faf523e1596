import Foundation

/// The headerless dedupe logs written before the framed format (format version 1), read so an
/// upgrade keeps what they hold; the index then rewrites them framed. They have no magic, so
/// whether a file that lacks the new header is one of them, or something else that must not be
/// loaded or overwritten, is decided by its first entry alone: damage after a plausible first
/// entry is damage to one of ours, to load as the old reader did, not a reason to refuse.
///
/// - key lines (`dedupe-exact.log`, `dedupe-url.log`): `KEY ID` or `KEY ID TIME` lines. The first
///   line must end within `sniffBytes`, hold no control byte, and have 2 or 3 space-separated
///   fields, a third one a decimal UInt32. A file without a newline is a first line torn by a
///   crash when it is shorter than `sniffBytes` and passes the same test as far as it goes.
/// - signature records (`dedupe-near.log`): `[id length][id][time: UInt32][64 × UInt16]`. The first
///   record's id must be 1 to 255 bytes with no control byte (ids are hex digests or names), and
///   the 132 bytes after it must not all be printable ASCII: signature values are minimums of
///   16-bit hashes, so a real record has small values whose high bytes are control bytes, while
///   a line of text would pass the id test. A file shorter than one record is a first record
///   torn by a crash when its id passes.
///
/// Random bytes fail these tests almost surely (a control or high byte within the first few);
/// a text file fails unless its first line is long enough to pass for an entry and a newline
/// falls where a signature would be.
enum LegacyLog {
    case keyLines
    case signatureRecords

    static let sniffBytes = 64 * 1024
    static let signatureRecordTail = 4 + MinHashSignature.permutations * 2

    func looksLikeOurs(_ prefix: [UInt8], fileSize: Int) -> Bool {
        guard !prefix.isEmpty else { return false }
        switch self {
        case .keyLines:
            guard let newline = prefix.firstIndex(of: 0x0A) else {
                return fileSize == prefix.count && Self.plausibleLine(prefix[...], torn: true)
            }
            return Self.plausibleLine(prefix[..<newline], torn: false)
        case .signatureRecords:
            let idLength = Int(prefix[0])
            let idEnd = min(prefix.count, 1 + idLength)
            guard idLength > 0, !prefix[1..<idEnd].contains(where: Self.isControl) else { return false }
            let recordEnd = 1 + idLength + Self.signatureRecordTail
            guard recordEnd <= prefix.count else { return fileSize == prefix.count }
            return prefix[idEnd..<recordEnd].contains { $0 < 0x20 || $0 > 0x7E }
        }
    }

    private static func isControl(_ b: UInt8) -> Bool { b < 0x20 || b == 0x7F }

    private static func plausibleLine(_ line: ArraySlice<UInt8>, torn: Bool) -> Bool {
        guard !line.contains(where: isControl) else { return false }
        let fields = line.split(separator: 0x20)
        if torn { return fields.count <= 3 }
        guard fields.count == 2 || fields.count == 3 else { return false }
        return fields.count == 2 || (fields[2].allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && UInt32(String(decoding: fields[2], as: UTF8.self)) != nil)
    }

    /// Hands each entry to `entry` as the framed format's payload (the same bytes, less a key
    /// line's newline); returns where the last whole entry ends. A key line that does not
    /// decode is skipped, as the old reader did; the cut-off tail is a torn last write.
    func load(_ fd: Int32, _ file: URL, size: Int, entry: (UnsafeRawBufferPointer) -> Bool) throws(DedupeLogError) -> (end: Int, count: Int) {
        let data = try FramedLog.read(fd, file, at: 0, count: size)
        var end = 0, count = 0
        data.withUnsafeBytes { raw in
            switch self {
            case .keyLines:
                var lineStart = 0
                for i in 0..<raw.count where raw[i] == 0x0A {
                    if entry(UnsafeRawBufferPointer(rebasing: raw[lineStart..<i])) { count += 1 }
                    lineStart = i + 1
                }
                end = lineStart
            case .signatureRecords:
                while end < raw.count {
                    let recordEnd = end + 1 + Int(raw[end]) + Self.signatureRecordTail
                    guard recordEnd <= raw.count else { break }
                    if entry(UnsafeRawBufferPointer(rebasing: raw[end..<recordEnd])) { count += 1 }
                    end = recordEnd
                }
            }
        }
        return (end, count)
    }
}
