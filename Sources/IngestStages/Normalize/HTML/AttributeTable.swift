import CLibXML2
import Glibc

/// The kept attributes of a page's start tags, read by the prefilter and handed to the tree
/// builder beside the markup. The prefilter writes each start tag as `<name _a=K>`, K being the
/// tag's row here, so libxml2 tokenizes a few bytes per tag instead of every attribute value
/// (the costliest part of its HTML parser, a character at a time), while it still decides the
/// structure: which element opens, closes or is dropped.
struct AttributeTable {
    /// The marker attribute's name; libxml2 reports it lower-case, as `_a`.
    static let marker: [UInt8] = Array("_a".utf8)

    private(set) var names: [HTMLAttribute] = []
    private(set) var valueStart: [Int32] = []
    private(set) var valueEnd: [Int32] = []
    private(set) var bytes: [UInt8] = []
    /// Row k holds attributes rowStart[k]..<rowStart[k + 1].
    private var rowStart: [Int32] = [0]

    var rowCount: Int { rowStart.count - 1 }
    func attributes(ofRow k: Int) -> Range<Int> { Int(rowStart[k])..<Int(rowStart[k + 1]) }

    init() {}

    init(capacity: Int) {
        bytes.reserveCapacity(capacity / 4)
        rowStart.reserveCapacity(capacity / 64)
    }

    /// Adds one attribute to the row being written: the value as libxml2 would report it (see
    /// `AttributeValue.decode`). A repeated attribute is dropped, as libxml2 and browsers do.
    mutating func add(_ name: HTMLAttribute, rawValue: UnsafeBufferPointer<UInt8>?) {
        let first = Int(rowStart[rowStart.count - 1])
        if names[first...].contains(name) { return }
        names.append(name)
        valueStart.append(Int32(bytes.count))
        if let rawValue { AttributeValue.decode(rawValue, into: &bytes) }
        valueEnd.append(Int32(bytes.count))
    }

    /// Ends the row being written; returns its index, or nil when it holds no attribute (then
    /// the next tag reuses it).
    mutating func endRow() -> Int? {
        guard Int(rowStart[rowStart.count - 1]) < names.count else { return nil }
        rowStart.append(Int32(names.count))
        return rowStart.count - 2
    }

    /// The value of an attribute of the row being written, if it has it.
    func pendingValue(_ name: HTMLAttribute) -> String? {
        for k in Int(rowStart[rowStart.count - 1])..<names.count where names[k] == name {
            return String(decoding: bytes[Int(valueStart[k])..<Int(valueEnd[k])], as: UTF8.self)
        }
        return nil
    }

    /// Drops what was added to the row being written.
    mutating func discardRow() {
        let first = Int(rowStart[rowStart.count - 1])
        guard first < names.count else { return }
        bytes.removeSubrange(Int(valueStart[first])...)
        names.removeSubrange(first...)
        valueStart.removeSubrange(first...)
        valueEnd.removeSubrange(first...)
    }
}

/// Attribute values decoded exactly as libxml2's HTML parser (2.9) decodes them, so that moving
/// attributes out of its way changes nothing: `&name;` for a known HTML entity and `&#N;`/`&#xH;`
/// character references are replaced; any other `&` stays as written; a character reference to
/// something that is no XML character ends the value there (libxml2 writes a NUL).
enum AttributeValue {
    static func decode(_ v: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let n = v.count
        var i = 0
        var name: [UInt8] = []
        while i < n {
            let c = v[i]
            guard c == 0x26 else {  // '&'
                // Copy up to the next '&' in one go.
                var j = n
                if let amp = memchr(v.baseAddress! + i, 0x26, n - i) { j = v.baseAddress!.distance(to: amp.assumingMemoryBound(to: UInt8.self)) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: v[i..<j]))
                i = j
                continue
            }
            if i + 1 < n, v[i + 1] == 0x23 {  // "&#"
                var j = i + 2
                var value: UInt32 = 0
                let hex = j < n && (v[j] == 0x78 || v[j] == 0x58)
                if hex { j += 1 }
                while j < n {
                    let d = v[j]
                    var digit: UInt32
                    switch d {
                    case 0x30...0x39: digit = UInt32(d - 0x30)
                    case 0x61...0x66 where hex: digit = UInt32(d - 0x61 + 10)
                    case 0x41...0x46 where hex: digit = UInt32(d - 0x41 + 10)
                    default: digit = 99
                    }
                    guard digit != 99 else { break }
                    value = min(0x110000, value * (hex ? 16 : 10) + digit)
                    j += 1
                }
                if j < n, v[j] == 0x3B { j += 1 }
                guard isXMLChar(value), let scalar = Unicode.Scalar(value) else { return }
                appendUTF8(scalar, into: &out)
                i = j
                continue
            }
            // "&name;" with a known name; otherwise the '&' and the name stay.
            var j = i + 1
            if j < n, isNameStart(v[j]) {
                while j < n, isNameChar(v[j]) { j += 1 }
                if j < n, v[j] == 0x3B {
                    name.removeAll(keepingCapacity: true)
                    name.append(contentsOf: UnsafeBufferPointer(rebasing: v[(i + 1)..<j]))
                    name.append(0)
                    if let entity = name.withUnsafeBufferPointer({ htmlEntityLookup($0.baseAddress!) }),
                       let scalar = Unicode.Scalar(entity.pointee.value) {
                        appendUTF8(scalar, into: &out)
                        i = j + 1
                        continue
                    }
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: v[i..<j]))
            i = j
        }
    }

    static func isXMLChar(_ c: UInt32) -> Bool {
        c == 0x9 || c == 0xA || c == 0xD || (0x20...0xD7FF).contains(c) || (0xE000...0xFFFD).contains(c) || (0x10000...0x10FFFF).contains(c)
    }

    static func isNameStart(_ c: UInt8) -> Bool { MarkupPrefilter.isASCIILetter(c) || c == 0x5F || c == 0x3A || c >= 0x80 }
    static func isNameChar(_ c: UInt8) -> Bool {
        isNameStart(c) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E
    }

    static func appendUTF8(_ s: Unicode.Scalar, into out: inout [UInt8]) {
        var buffer: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        let count = withUnsafeMutableBytes(of: &buffer) { raw -> Int in
            var k = 0
            UTF8.encode(s) { raw[k] = $0; k += 1 }
            return k
        }
        withUnsafeBytes(of: &buffer) { out.append(contentsOf: $0.prefix(count)) }
    }
}
