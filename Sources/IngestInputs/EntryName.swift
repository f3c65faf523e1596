import Foundation
import Glibc

/// A name in a folder exactly as the kernel gives it. Linux names are bytes, not text: a name
/// that is not UTF-8 must still be claimed, moved and reported, never decoded and re-encoded
/// into a different name (which would then not exist).
struct EntryName: Hashable, Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(_ string: String) { self.bytes = Array(string.utf8) }

    /// For messages and records: bytes that are not UTF-8 show as U+FFFD.
    var display: String { String(decoding: bytes, as: UTF8.self) }
    var isUTF8: Bool { String(validating: bytes, as: UTF8.self) != nil }

    /// Names that are still being written by convention: ignored until renamed.
    var isIgnored: Bool {
        bytes.first == UInt8(ascii: ".") || hasSuffix(".tmp") || hasSuffix(".part") || hasSuffix(".crdownload")
    }

    private func hasSuffix(_ s: String) -> Bool { bytes.count >= s.utf8.count && bytes.suffix(s.utf8.count).elementsEqual(s.utf8) }

    /// `folder/name` as a NUL-terminated path for system calls.
    func path(in folder: URL) -> [CChar] {
        var path = Array(folder.path.utf8)
        path.append(UInt8(ascii: "/"))
        path.append(contentsOf: bytes)
        path.append(0)
        return path.map { CChar(bitPattern: $0) }
    }

    /// The name of a `readdir` entry.
    init(direntName entry: UnsafePointer<dirent>) {
        bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
    }
}

/// The longest name ingestd gives a file it claims or settles: NAME_MAX (255) less the 11
/// bytes of `.error.json`, so the reason file beside any name in `failed/` fits too.
let maxSettledNameBytes = 255 - ".error.json".utf8.count
