/// Collapses white space over UTF-8 bytes: every run of spaces, tabs, line breaks and Unicode
/// spaces (no-break, thin, ideographic, …) becomes one ASCII space; leading ones are dropped.
/// Byte-level, because Character-based splitting costs a Unicode property lookup per letter.
struct WhitespaceFolder {
    private(set) var bytes: [UInt8] = []
    private var pendingSpace = false

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    var isEmpty: Bool { bytes.isEmpty }

    /// A separator between this text and the next, unless nothing was written yet.
    mutating func space() { if !bytes.isEmpty { pendingSpace = true } }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    mutating func append(_ b: UnsafeBufferPointer<UInt8>) {
        let n = b.count
        var i = 0
        while i < n {
            // A run of bytes that are not white space (nor the lead byte of a Unicode space)
            // goes over in one copy.
            var j = i
            while j < n {
                let c = b[j]
                if c == 0x20 || (c >= 0x09 && c <= 0x0D) || c == 0xC2 || c == 0xE2 || c == 0xE3 { break }
                j += 1
            }
            if j > i {
                if pendingSpace { bytes.append(0x20); pendingSpace = false }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j]))
                i = j
                continue
            }
            let c = b[i]
            if c == 0x20 || (c >= 0x09 && c <= 0x0D) { space(); i += 1; continue }
            if c == 0xC2, i + 1 < n, b[i + 1] == 0xA0 { space(); i += 2; continue }  // U+00A0
            if c == 0xE2, i + 2 < n, b[i + 1] == 0x80 {
                let d = b[i + 2]
                if (d >= 0x80 && d <= 0x8A) || d == 0xAF || d == 0xA8 || d == 0xA9 { space(); i += 3; continue }  // U+2000–200A, 202F, 2028/9
                if d == 0x8B { i += 3; continue }  // zero-width space
            }
            if c == 0xE3, i + 2 < n, b[i + 1] == 0x80, b[i + 2] == 0x80 { space(); i += 3; continue }  // U+3000
            // A lead byte that begins no space: an ordinary character.
            if pendingSpace { bytes.append(0x20); pendingSpace = false }
            bytes.append(c)
            i += 1
        }
    }

    /// The text so far, and a fresh start.
    mutating func take() -> String {
        let s = String(decoding: bytes, as: UTF8.self)
        bytes.removeAll(keepingCapacity: true)
        pendingSpace = false
        return s
    }
}
