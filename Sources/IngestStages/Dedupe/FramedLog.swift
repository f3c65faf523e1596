import Foundation
import IngestCore

/// The on-disk format of the dedupe logs (`dedupe-exact.log`, `dedupe-url.log`,
/// `dedupe-near.log`), shared by the exact and near-duplicate indexes:
///
///     header   8 bytes  magic 0x89 "DEDUPE" 0x0A
///              2 bytes  format version, little-endian (3; 2 is the same without release
///                       frames, read as it is and rewritten as 3 at open; the headerless logs
///                       before it are 1)
///              2 bytes  kind of entry, little-endian (1: key lines, 2: MinHash signatures)
///     frame    4 bytes  payload length n, little-endian, at most `maxPayload`
///              4 bytes  CRC-32C of the 4 length bytes and the payload, little-endian
///              n bytes  payload: the entry, in the layout the old headerless log had
///     frame    …
///
/// Version 3 adds release frames: a claim whose document was rejected or dropped after `dedupe`
/// passed it on (no record carries it) is released by a later frame, and the loader applies
/// claims and releases in log order. A release payload starts with byte 0, which no claim starts
/// with (a key line holds no control byte; a signature entry starts with its id's length, 1 to
/// 255). Version 2 readers would take a release for a claim (keys) or for damage that moves every
/// later entry aside (signatures), so the version was bumped: they refuse a version 3 log,
/// naming it, instead of misreading it.
///
/// The checksum covers the length as well as the payload, so a damaged length cannot frame a
/// wrong span that happens to check out. The magic starts with a non-ASCII byte so it never
/// reads as a line of an old key log; as an old signature log's first id length (137) it would
/// need an id starting "DEDUPE\n", and ids hold no control bytes.
///
/// At open, frames are read in bounded chunks up to the first bad one (cut short, a length
/// over the bound, a checksum mismatch, an entry that does not decode); what precedes it is
/// kept, and the rest is moved aside (`DamagedTail`), never loaded and never allocated whole.
enum FramedLog {
    enum Kind: UInt16, Sendable {
        case keys = 1
        case signatures = 2

        var legacy: LegacyLog {
            switch self {
            case .keys: .keyLines
            case .signatures: .signatureRecords
            }
        }
    }

    static let magic: [UInt8] = [0x89, 0x44, 0x45, 0x44, 0x55, 0x50, 0x45, 0x0A]
    static let version: UInt16 = 3
    /// The oldest framed version this build reads (and rewrites as `version` at open).
    static let oldestReadable: UInt16 = 2
    static let headerSize = 12
    static let frameOverhead = 8
    /// An entry is a key or URL and an id (exact), or an id and a signature (near): a few
    /// hundred bytes. A length past this is damage, and stops the read instead of being allocated.
    static let maxPayload = 1 << 20
    /// How much of the file is read at once when loading or moving a tail aside.
    static let chunk = 1 << 20

    static func header(_ kind: Kind) -> [UInt8] {
        magic + [UInt8(truncatingIfNeeded: version), UInt8(truncatingIfNeeded: version >> 8),
                 UInt8(truncatingIfNeeded: kind.rawValue), UInt8(truncatingIfNeeded: kind.rawValue >> 8)]
    }

    /// Appends one frame holding what `encode` writes. An entry over `maxPayload` (only a key
    /// of more than a megabyte could be one) is left out: it is remembered until the next
    /// restart but not written, rather than written as a frame every later open would refuse.
    static func appendFrame(to out: inout [UInt8], _ encode: (inout [UInt8]) -> Void) {
        let start = out.count
        out.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
        encode(&out)
        let length = out.count - start - frameOverhead
        guard length <= maxPayload else { out.removeSubrange(start...); return }
        out.withUnsafeMutableBytes { buf in
            buf.storeBytes(of: UInt32(length).littleEndian, toByteOffset: start, as: UInt32.self)
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buf[start..<(start + 4)]))
            let sum = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buf[(start + frameOverhead)...]), continuing: crc)
            buf.storeBytes(of: sum.littleEndian, toByteOffset: start + 4, as: UInt32.self)
        }
    }

    /// What opening a log found, for the stage to report.
    struct Opening: Sendable {
        var file: URL
        /// Entries read back (before retention).
        var entries: Int
        /// The log was in the old headerless format; the index rewrites it in this one.
        var legacy: Bool
        /// The header's format version (1 for a headerless log); an older one is rewritten.
        var version: UInt16 = FramedLog.version
        var repair: DamagedTail.Repair?
    }

    /// Opens (creating it with a header when missing or empty) the log at `file` for appending,
    /// handing each entry's payload to `entry`, which returns false for one it cannot decode.
    /// Throws, touching nothing, when the file is not a dedupe log of this kind at all.
    static func open(_ file: URL, kind: Kind, entry: (UnsafeRawBufferPointer) -> Bool) throws(DedupeLogError) -> (fd: Int32, opening: Opening) {
        let fd = Glibc.open(file.path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DedupeLogError(file, .io(POSIXFailure("open", errno))) }
        do throws(DedupeLogError) {
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw DedupeLogError(file, .io(POSIXFailure("fstat", errno))) }
            let size = Int(st.st_size)
            let prefix = try read(fd, file, at: 0, count: min(size, LegacyLog.sniffBytes))
            var opening = Opening(file: file, entries: 0, legacy: false)
            let header = header(kind)
            if prefix.count < headerSize, prefix.elementsEqual(header.prefix(prefix.count)) {
                // Empty, or a header cut short when the file was being created: nothing was
                // ever written after it, so it is started again.
                try startEmpty(fd, file, header)
                return (fd, opening)
            }
            var end: Int
            if prefix.starts(with: magic) {
                opening.version = try checkHeader(prefix, file, kind)
                (end, opening.entries) = try scan(fd, file, size: size, entry: entry)
            } else if kind.legacy.looksLikeOurs(prefix, fileSize: size) {
                opening.legacy = true
                opening.version = 1
                (end, opening.entries) = try kind.legacy.load(fd, file, size: size, entry: entry)
            } else {
                throw DedupeLogError(file, .notADedupeLog(firstBytes: Array(prefix.prefix(16)), size: size))
            }
            if end < size {
                opening.repair = try DamagedTail.moveAside(fd, file, from: end, size: size, entriesKept: opening.entries)
            }
            return (fd, opening)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    private static func startEmpty(_ fd: Int32, _ file: URL, _ header: [UInt8]) throws(DedupeLogError) {
        guard ftruncate(fd, 0) == 0 else { throw DedupeLogError(file, .io(POSIXFailure("truncate", errno))) }
        do { try FileIO.writeAll(fd, header) } catch { throw DedupeLogError(file, .io(error as? POSIXFailure ?? POSIXFailure("write", EIO))) }
        guard fdatasync(fd) == 0 else { throw DedupeLogError(file, .io(POSIXFailure("fdatasync", errno))) }
        FileIO.syncDirectory(file.deletingLastPathComponent())
    }

    private static func checkHeader(_ prefix: [UInt8], _ file: URL, _ kind: Kind) throws(DedupeLogError) -> UInt16 {
        guard prefix.count >= headerSize else { throw DedupeLogError(file, .truncatedHeader) }
        let version = UInt16(prefix[8]) | UInt16(prefix[9]) << 8
        let found = UInt16(prefix[10]) | UInt16(prefix[11]) << 8
        guard (oldestReadable...Self.version).contains(version) else { throw DedupeLogError(file, .unknownVersion(version)) }
        guard found == kind.rawValue else { throw DedupeLogError(file, .wrongKind(found: found, expected: kind.rawValue)) }
        return version
    }

    /// Reads frames after the header in chunks of `chunk` bytes; returns where the good frames
    /// end (the file size when all are good) and how many there were.
    private static func scan(_ fd: Int32, _ file: URL, size: Int, entry: (UnsafeRawBufferPointer) -> Bool) throws(DedupeLogError) -> (end: Int, count: Int) {
        // Room for a whole chunk after the unread rest of the previous one, which is shorter
        // than a frame, so a frame of any allowed length always fits.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk + frameOverhead + maxPayload, alignment: 8)
        defer { buffer.deallocate() }
        var base = headerSize  // file offset of buffer[0]
        var position = 0, filled = 0, count = 0

        /// Makes at least `need` bytes available from `position`, if the file has them.
        func fill(_ need: Int) throws(DedupeLogError) -> Bool {
            if filled - position >= need { return true }
            if position > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + position, byteCount: filled - position)
                base += position
                filled -= position
                position = 0
            }
            let want = min(buffer.count - filled, size - (base + filled))
            if want > 0 {
                let got = try readFully(fd, file, into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<(filled + want)]), at: base + filled)
                filled += got
            }
            return filled - position >= need
        }

        while base + position < size {
            guard try fill(frameOverhead) else { break }
            let length = Int(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
            guard length <= maxPayload, try fill(frameOverhead + length) else { break }
            let stored = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: position + 4, as: UInt32.self))
            let lengthBytes = UnsafeRawBufferPointer(rebasing: buffer[position..<(position + 4)])
            let payload = UnsafeRawBufferPointer(rebasing: buffer[(position + frameOverhead)..<(position + frameOverhead + length)])
            guard CRC32C.checksum(payload, continuing: CRC32C.checksum(lengthBytes)) == stored, entry(payload) else { break }
            position += frameOverhead + length
            count += 1
        }
        return (base + position, count)
    }

    static func read(_ fd: Int32, _ file: URL, at offset: Int, count: Int) throws(DedupeLogError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var result: Result<Int, DedupeLogError> = .success(0)
        bytes.withUnsafeMutableBytes { buf in
            do throws(DedupeLogError) { result = .success(try readFully(fd, file, into: buf, at: offset)) } catch { result = .failure(error) }
        }
        bytes.removeSubrange(try result.get()...)
        return bytes
    }

    /// `FileIO.readFully`, its failure naming the log.
    static func readFully(_ fd: Int32, _ file: URL, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(DedupeLogError) -> Int {
        do { return try FileIO.readFully(fd, into: buffer, at: offset) } catch { throw DedupeLogError(file, .io(error)) }
    }
}
