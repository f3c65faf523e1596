/// CRC-32C (Castagnoli), the checksum of each dedupe-log frame.
///
/// Castagnoli rather than the zlib polynomial because its error detection is better at the
/// short lengths of a log entry, and it is the checksum other storage formats (iSCSI, ext4,
/// LevelDB) use, so a frame can be checked with common tools. Computed in software a byte at a
/// time from a 256-entry table: an entry is a hundred or so bytes, so this costs well under a
/// microsecond per insert and a few tens of milliseconds over a 30 MB log at open.
enum CRC32C {
    /// The reflected form of the polynomial 0x1EDC6F41, for the bit order the table walks.
    static let polynomial: UInt32 = 0x82F6_3B78

    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ polynomial : c >> 1 }
        return c
    }

    /// The checksum of `bytes` continued from `crc` (the result of an earlier call over the
    /// bytes before them; 0 to start), so a frame's length and payload need not be joined.
    static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var c = ~crc
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return ~c
    }

    static func checksum(_ bytes: some Sequence<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        if let fast = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0), continuing: crc) }) { return fast }
        return checksum(Array(bytes), continuing: crc)
    }
}
