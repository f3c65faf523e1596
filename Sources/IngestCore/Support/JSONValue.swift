/// A JSON value that keeps object keys in the order they were written.
///
/// Records and log lines are read by people (`jq`, `less`) as often as by programs, so the
/// field order is part of the format: `id` first, `text` late. Foundation's encoder neither
/// guarantees key order across platforms nor writes explicit `null`s for absent optionals.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public static func string(_ value: String?) -> JSONValue {
        value.map(JSONValue.string) ?? .null
    }

    /// Serialized on one line, UTF-8, no trailing newline.
    public func serialized() -> String {
        var out = [UInt8]()
        out.reserveCapacity(256)
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d):
            if d.isFinite {
                if d == d.rounded(), abs(d) < 1e15 {
                    out.append(contentsOf: String(Int(d)).utf8)
                } else {
                    out.append(contentsOf: String(d).utf8)
                }
            } else {
                out.append(contentsOf: "null".utf8)
            }
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            JSONValue.writeMembers(fields[...], into: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Object members as `write` writes them between the braces, comma-separated; with
    /// `leadingComma` a comma comes before the first too (members that follow others).
    static func writeMembers(_ members: ArraySlice<(String, JSONValue)>, leadingComma: Bool = false, into out: inout [UInt8]) {
        for (i, (key, value)) in members.enumerated() {
            if i > 0 || leadingComma { out.append(UInt8(ascii: ",")) }
            writeString(key, into: &out)
            out.append(UInt8(ascii: ":"))
            value.write(into: &out)
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Escapes per RFC 8259. U+2028/U+2029 are escaped too so a record can be pasted into JavaScript.
    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var utf8 = s.utf8.makeIterator()
        while let byte = utf8.next() { escape(byte, &utf8, into: &out) }
        out.append(UInt8(ascii: "\""))
    }

    /// `writeString` for a string too large to be copied whole: the same bytes, quotes
    /// included, handed to `write` in pieces of about `chunkSize` bytes from one buffer, reused
    /// (so the string is never held twice). A piece may end inside a character: only the pieces
    /// joined are `writeString`'s bytes.
    public static func writeString(_ s: String, chunkSize: Int = 64 * 1024,
                                   to write: ([UInt8]) throws -> Void) rethrows {
        var out: [UInt8] = []
        out.reserveCapacity(chunkSize + 8)
        out.append(UInt8(ascii: "\""))
        var utf8 = s.utf8.makeIterator()
        while let byte = utf8.next() {
            escape(byte, &utf8, into: &out)
            if out.count >= chunkSize {
                try write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        out.append(UInt8(ascii: "\""))
        try write(out)
    }

    /// One byte of a string's UTF-8 as `writeString` writes it (U+2028/U+2029 take the two bytes
    /// after their first from `utf8`).
    @inline(__always)
    private static func escape(_ byte: UInt8, _ utf8: inout String.UTF8View.Iterator, into out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
        case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
        case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
        case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
        case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
        case 0x00..<0x20, 0x7F:
            out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        case 0xE2:
            // U+2028 / U+2029 are E2 80 A8 / E2 80 A9.
            guard let b2 = utf8.next() else { out.append(byte); return }
            guard let b3 = utf8.next() else { out.append(contentsOf: [byte, b2]); return }
            if b2 == 0x80 && (b3 == 0xA8 || b3 == 0xA9) {
                out.append(contentsOf: Array("\\u202".utf8))
                out.append(b3 == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"))
            } else {
                out.append(contentsOf: [byte, b2, b3])
            }
        default: out.append(byte)
        }
    }
}
