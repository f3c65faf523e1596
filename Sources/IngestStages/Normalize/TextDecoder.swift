import IngestCore

/// Turns the bytes of a dropped file into text, or says why it cannot.
///
/// Scrapers save pages in whatever encoding they met; most are UTF-8, some are in a legacy
/// encoding (Windows-1252, GBK, Shift_JIS, …, declared in the page or detected), and some are
/// UTF-8 with a few broken bytes from a truncated write. Binary files (images, archives)
/// dropped by mistake are refused with what they look like.
public enum TextDecoder {
    public enum InvalidUTF8Policy: String, Sendable { case repair, reject }

    public struct Decoded: Sendable, Equatable {
        /// The text as well-formed UTF-8. Bytes, not a String: the HTML path hands them to the
        /// parser as they are, and a clean UTF-8 input is not copied at all.
        public var utf8: [UInt8]
        /// "utf-8", "utf-8 (repaired)", or what CharsetDecoder found ("windows-1252", "gbk", …).
        public var encoding: String
        public var text: String { String(decoding: utf8, as: UTF8.self) }

        public init(utf8: [UInt8], encoding: String) {
            self.utf8 = utf8
            self.encoding = encoding
        }

        public init(text: String, encoding: String) { self.init(utf8: Array(text.utf8), encoding: encoding) }
    }

    private static let signatures: [(prefix: [UInt8], name: String)] = [
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "PNG image"),
        ([0x1F, 0x8B], "gzip archive"),
        ([0x25, 0x50, 0x44, 0x46, 0x2D], "PDF document"),
        ([0x50, 0x4B, 0x03, 0x04], "ZIP archive (or Office document)"),
        ([0xFF, 0xD8, 0xFF], "JPEG image"),
        ([0x47, 0x49, 0x46, 0x38], "GIF image"),
        ([0x7F, 0x45, 0x4C, 0x46], "ELF executable"),
        ([0x42, 0x5A, 0x68], "bzip2 archive"),
        ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz archive"),
        ([0x28, 0xB5, 0x2F, 0xFD], "zstd archive"),
        ([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], "7z archive"),
        (Array("SQLite format 3".utf8) + [0], "SQLite database"),
        ([0x00, 0x00, 0x01, 0x00], "ICO image"),
        (Array("OggS".utf8), "Ogg media"),
        (Array("ID3".utf8), "MP3 audio"),
    ]

    public static func decode(_ bytes: [UInt8], invalidUTF8: InvalidUTF8Policy, stage: String) throws -> Decoded {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw Rejection(.empty, bytes.isEmpty ? "the file is empty" : "the file holds only white space", stage: stage)
        }
        for (prefix, name) in signatures where bytes.starts(with: prefix) {
            throw Rejection(.binary, "binary content: looks like a \(name)", stage: stage)
        }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)) {
            throw Rejection(.binary, "binary content: looks like a RIFF media file", stage: stage)
        }
        let hasBOM = bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xEF, 0xBB, 0xBF])

        // Text has no NUL bytes and few control characters; look at the head only, so a huge
        // file costs no more than a small one to judge. (UTF-16 text, full of NULs, has a BOM.)
        if !hasBOM {
            let head = bytes.prefix(8192)
            var controls = 0
            for b in head {
                if b == 0 {
                    throw Rejection(.binary, "binary content: NUL bytes in the first 8 KiB", stage: stage)
                }
                if b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D && b != 0x0C { controls += 1 }
            }
            if controls * 20 > head.count {
                throw Rejection(.binary, "binary content: \(controls) control bytes in the first \(head.count)", stage: stage)
            }
            // Most documents are UTF-8: take the fast path when every byte agrees.
            let scan = CharsetDecoder.utf8Stats(bytes[...])
            let invalid = scan.invalid + (scan.truncatedAtEnd ? 1 : 0)
            if invalid == 0 {
                return Decoded(utf8: bytes, encoding: "utf-8")
            }
            // More well-formed multi-byte sequences than broken ones: UTF-8 damaged in places (a
            // truncated write, a bad splice), not a legacy encoding, where by chance such pairs
            // are rare.
            if scan.multibyte > 0, scan.multibyte >= invalid {
                if invalidUTF8 == .reject {
                    throw Rejection(.invalidEncoding,
                                    "\(invalid) invalid UTF-8 sequence(s); first at byte \(scan.firstInvalid ?? 0)",
                                    stage: stage)
                }
                return Decoded(utf8: Array(String(decoding: bytes, as: UTF8.self).utf8), encoding: "utf-8 (repaired)")
            }
        }
        // A byte-order mark, a declared charset (<meta charset>, an XML declaration) or, failing
        // those, detection among the legacy encodings; see CharsetDecoder.
        let result = CharsetDecoder.decode(bytes)
        if result.hadErrors, invalidUTF8 == .reject {
            throw Rejection(.invalidEncoding, "bytes that are not valid \(result.encoding)", stage: stage)
        }
        let name = result.encoding == "utf-8" && result.hadErrors ? "utf-8 (repaired)" : result.encoding
        return Decoded(utf8: Array(result.text.utf8), encoding: name)
    }
}
