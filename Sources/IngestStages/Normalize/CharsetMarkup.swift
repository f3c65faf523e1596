// Finding the encoding a document declares about itself: a simplified version of the HTML
// standard's "prescan a byte stream to determine its encoding" (comments and other tags' attributes
// are skipped, so `<!-- <meta charset=x> -->` or `<a title="<meta charset=x>">` do not count), plus
// the XML declaration, which HTML ignores but XHTML and feed scrapes rely on.

extension CharsetDecoder {
    /// How far into the document a declaration is looked for.
    static let markupScanLimit = 4096

    /// Every label declared in the first 4 KiB, in document order, trimmed and lower-cased.
    static func markupLabels(_ bytes: [UInt8]) -> [String] {
        var scanner = MarkupScanner(bytes: bytes.prefix(markupScanLimit))
        return scanner.run()
    }

    struct MarkupScanner {
        let bytes: ArraySlice<UInt8>
        var i: Int
        let end: Int
        var labels: [String] = []

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            self.i = bytes.startIndex
            self.end = bytes.endIndex
        }

        static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D }
        static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
        static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

        /// Case-insensitive match of an ASCII lower-case literal at `at`.
        func matches(_ literal: String, at: Int) -> Bool {
            var k = at
            for c in literal.utf8 {
                if k >= end || Self.lower(bytes[k]) != c { return false }
                k += 1
            }
            return true
        }

        func find(_ literal: String, from: Int, to limit: Int? = nil) -> Int? {
            let stop = limit ?? end
            var k = from
            while k < stop {
                if matches(literal, at: k) { return k }
                k += 1
            }
            return nil
        }

        static func clean(_ raw: ArraySlice<UInt8>) -> String? {
            let s = String(decoding: raw, as: UTF8.self)
            let trimmed = CharsetDecoder.normalizedLabel(s)
            return trimmed.isEmpty ? nil : trimmed
        }

        mutating func run() -> [String] {
            if end - i >= 3, bytes[i] == 0xEF, bytes[i + 1] == 0xBB, bytes[i + 2] == 0xBF { i += 3 }
            while i < end {
                guard bytes[i] == 0x3C else { i += 1; continue } // '<'
                if matches("<!--", at: i) {
                    guard let close = find("-->", from: i + 2) else { return labels }
                    i = close + 3
                } else if matches("<?xml", at: i) {
                    xmlDeclaration()
                } else if matches("<meta", at: i), i + 5 < end, Self.isSpace(bytes[i + 5]) || bytes[i + 5] == 0x2F {
                    i += 5
                    meta()
                } else if i + 1 < end, Self.isLetter(bytes[i + 1])
                            || (bytes[i + 1] == 0x2F && i + 2 < end && Self.isLetter(bytes[i + 2])) {
                    // Another tag: skip its name and attributes, whose values may contain '<' or '>'.
                    i += 1
                    while i < end, !Self.isSpace(bytes[i]), bytes[i] != 0x3E { i += 1 }
                    while i < end, attribute() != nil {}
                    i += 1
                } else if matches("<!", at: i) || matches("</", at: i) || matches("<?", at: i) {
                    guard let close = find(">", from: i + 2) else { return labels }
                    i = close + 1
                } else {
                    i += 1
                }
            }
            return labels
        }

        /// `<?xml version="1.0" encoding="..."?>`
        mutating func xmlDeclaration() {
            let close = find("?>", from: i) ?? find(">", from: i) ?? end
            var k = i + 5
            while let at = find("encoding", from: k, to: close) {
                k = at + 8
                while k < close, Self.isSpace(bytes[k]) { k += 1 }
                guard k < close, bytes[k] == 0x3D else { continue } // '='
                k += 1
                while k < close, Self.isSpace(bytes[k]) { k += 1 }
                guard k < close, bytes[k] == 0x22 || bytes[k] == 0x27 else { continue }
                let quote = bytes[k]
                let start = k + 1
                var stop = start
                while stop < close, bytes[stop] != quote { stop += 1 }
                if stop < close, let label = Self.clean(bytes[start..<stop]) { labels.append(label) }
                break
            }
            i = min(end, close + 2)
        }

        /// After `<meta`: reads the attributes and records the declared charset, if any.
        mutating func meta() {
            var seen: Set<String> = []
            var gotPragma = false
            var needPragma: Bool?
            var charset: String?
            while let (name, value) = attribute() {
                guard seen.insert(name).inserted else { continue }
                switch name {
                case "http-equiv":
                    if CharsetDecoder.normalizedLabel(value) == "content-type" { gotPragma = true }
                case "content":
                    if charset == nil, let c = Self.charsetFromContent(Array(value.utf8)) {
                        charset = c
                        needPragma = true
                    }
                case "charset":
                    charset = Self.clean(ArraySlice(value.utf8))
                    needPragma = false
                default:
                    break
                }
            }
            i += 1 // past '>'
            guard let charset, needPragma != nil else { return }
            if needPragma == true && !gotPragma { return }
            labels.append(charset)
        }

        /// One attribute of a tag, or nil at the tag's end ('>' is left in place) or the input's end.
        mutating func attribute() -> (String, String)? {
            while i < end, Self.isSpace(bytes[i]) || bytes[i] == 0x2F { i += 1 }
            guard i < end, bytes[i] != 0x3E else { return nil }
            var name: [UInt8] = []
            // The first byte is part of the name even when it is '='.
            name.append(Self.lower(bytes[i]))
            i += 1
            while i < end, bytes[i] != 0x3D, bytes[i] != 0x2F, bytes[i] != 0x3E, !Self.isSpace(bytes[i]) {
                name.append(Self.lower(bytes[i]))
                i += 1
            }
            let attrName = String(decoding: name, as: UTF8.self)
            while i < end, Self.isSpace(bytes[i]) { i += 1 }
            guard i < end, bytes[i] == 0x3D else { return (attrName, "") }
            i += 1
            while i < end, Self.isSpace(bytes[i]) { i += 1 }
            guard i < end else { return (attrName, "") }
            var value: [UInt8] = []
            if bytes[i] == 0x22 || bytes[i] == 0x27 {
                let quote = bytes[i]
                i += 1
                while i < end, bytes[i] != quote { value.append(bytes[i]); i += 1 }
                guard i < end else { return nil } // the input ends inside the value: no attribute
                i += 1
            } else {
                while i < end, !Self.isSpace(bytes[i]), bytes[i] != 0x3E { value.append(bytes[i]); i += 1 }
            }
            return (attrName, String(decoding: value, as: UTF8.self))
        }

        /// The HTML standard's "extract a character encoding from a meta element" on a content value
        /// such as `text/html; charset=euc-jp`.
        static func charsetFromContent(_ s: [UInt8]) -> String? {
            var k = 0
            while k + 7 <= s.count {
                guard CharsetDecoder.normalizedLabel(String(decoding: s[k..<k + 7], as: UTF8.self)) == "charset" else { k += 1; continue }
                k += 7
                while k < s.count, isSpace(s[k]) { k += 1 }
                guard k < s.count, s[k] == 0x3D else { continue }
                k += 1
                while k < s.count, isSpace(s[k]) { k += 1 }
                guard k < s.count else { return nil }
                if s[k] == 0x22 || s[k] == 0x27 {
                    let quote = s[k]
                    guard let close = s[(k + 1)...].firstIndex(of: quote) else { return nil }
                    return clean(s[(k + 1)..<close])
                }
                var stop = k
                while stop < s.count, !isSpace(s[stop]), s[stop] != 0x3B { stop += 1 }
                return clean(s[k..<stop])
            }
            return nil
        }
    }
}
