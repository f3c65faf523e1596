/// Byte-level substring tests on UTF-8. Foundation's `contains`/`range(of:)` go through CFString on Linux and
/// dominate the profile; the parser only ever matches ASCII patterns against lowercased text, where byte
/// comparison is exact.
extension StringProtocol {
    @inline(__always)
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = utf8.withContiguousStorageIfAvailable(body) { return r }
        let copy = Array(utf8)
        return copy.withUnsafeBufferPointer(body)
    }
}

extension String {

    func fastContains(_ needle: String) -> Bool {
        fastFirstOffset(of: needle) != nil
    }

    /// Byte offset of the first occurrence of `needle`, or nil.
    func fastFirstOffset(of needle: String, from start: Int = 0) -> Int? {
        withBytes { h in
            needle.withBytes { n in
                let hc = h.count, nc = n.count
                if nc == 0 { return start }
                if nc > hc - start { return nil }
                let first = n[0]
                var i = start
                let last = hc - nc
                while i <= last {
                    if h[i] == first {
                        var k = 1
                        while k < nc && h[i + k] == n[k] { k += 1 }
                        if k == nc { return i }
                    }
                    i += 1
                }
                return nil
            }
        }
    }

    /// Byte offset of the last occurrence of `needle`, or nil.
    func fastLastOffset(of needle: String) -> Int? {
        withBytes { h in
            needle.withBytes { n in
                let hc = h.count, nc = n.count
                if nc == 0 || nc > hc { return nil }
                var i = hc - nc
                while i >= 0 {
                    if h[i] == n[0] {
                        var k = 1
                        while k < nc && h[i + k] == n[k] { k += 1 }
                        if k == nc { return i }
                    }
                    i -= 1
                }
                return nil
            }
        }
    }

    func fastHasPrefix(_ needle: String) -> Bool {
        withBytes { h in
            needle.withBytes { n in
                if n.count > h.count { return false }
                var k = 0
                while k < n.count { if h[k] != n[k] { return false }; k += 1 }
                return true
            }
        }
    }

    func fastHasSuffix(_ needle: String) -> Bool {
        withBytes { h in
            needle.withBytes { n in
                if n.count > h.count { return false }
                let off = h.count - n.count
                var k = 0
                while k < n.count { if h[off + k] != n[k] { return false }; k += 1 }
                return true
            }
        }
    }

    /// The text after the first `count` UTF-8 bytes (count must fall on a scalar boundary).
    func dropFirstBytes(_ count: Int) -> String {
        let idx = utf8.index(utf8.startIndex, offsetBy: count, limitedBy: utf8.endIndex) ?? utf8.endIndex
        return String(self[idx...])
    }

    /// The first `count` UTF-8 bytes as text.
    func prefixBytes(_ count: Int) -> String {
        let idx = utf8.index(utf8.startIndex, offsetBy: count, limitedBy: utf8.endIndex) ?? utf8.endIndex
        return String(self[..<idx])
    }
}

/// A fixed set of ASCII patterns, bucketed by first byte, matched against UTF-8 bytes without allocating.
struct PatternSet: Sendable {
    private let bytes: [UInt8]
    private let starts: [Int]
    private let lengths: [Int]
    /// bucketStart[b]..<bucketStart[b+1] indexes `items` for patterns starting with byte b.
    private let bucketStart: [Int]
    private let items: [Int]
    /// Bit b0<<8|b1 is set when a pattern starts with the bytes b0 b1 (or is the one byte b0):
    /// most positions of a text start no pattern, and one bit test says so.
    private let bigrams: [UInt64]

    init(_ patterns: [String]) {
        var bytes: [UInt8] = []
        var starts: [Int] = []
        var lengths: [Int] = []
        var buckets = [[Int]](repeating: [], count: 256)
        for (k, p) in patterns.enumerated() {
            let u = Array(p.utf8)
            starts.append(bytes.count)
            lengths.append(u.count)
            bytes.append(contentsOf: u)
            if let f = u.first { buckets[Int(f)].append(k) }
        }
        var bigrams = [UInt64](repeating: 0, count: 65536 / 64)
        for p in patterns {
            let u = Array(p.utf8)
            guard let f = u.first else { continue }
            if u.count == 1 {
                for second in 0..<256 { let bit = Int(f) << 8 | second; bigrams[bit >> 6] |= 1 << UInt64(bit & 63) }
            } else {
                let bit = Int(f) << 8 | Int(u[1])
                bigrams[bit >> 6] |= 1 << UInt64(bit & 63)
            }
        }
        self.bigrams = bigrams
        var bucketStart = [0]
        var items: [Int] = []
        for b in buckets { items.append(contentsOf: b); bucketStart.append(items.count) }
        self.bytes = bytes
        self.starts = starts
        self.lengths = lengths
        self.bucketStart = bucketStart
        self.items = items
    }

    @inline(__always)
    private func matches(_ h: UnsafeBufferPointer<UInt8>, at i: Int, pattern k: Int, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let len = lengths[k]
        if i + len > h.count { return false }
        let s = starts[k]
        var j = 0
        while j < len { if h[i + j] != p[s + j] { return false }; j += 1 }
        return true
    }

    /// Whether the bytes at `i` may start a pattern (its bigram bit is set; the last byte always may).
    @inline(__always)
    private static func mayStart(_ h: UnsafeBufferPointer<UInt8>, at i: Int, _ g: UnsafeBufferPointer<UInt64>) -> Bool {
        guard i + 1 < h.count else { return true }
        let bit = Int(h[i]) << 8 | Int(h[i + 1])
        return g[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }

    /// Index of a pattern that occurs in `h` starting at byte `i`, or nil.
    @inline(__always)
    private func match(_ h: UnsafeBufferPointer<UInt8>, at i: Int, _ p: UnsafeBufferPointer<UInt8>) -> Int? {
        let b = Int(h[i])
        // The last byte of a text can only start a one-byte pattern (its bigram with 0 is set then).
        let bit = b << 8 | (i + 1 < h.count ? Int(h[i + 1]) : 0)
        if bigrams[bit >> 6] & (1 << UInt64(bit & 63)) == 0, i + 1 < h.count { return nil }
        var q = bucketStart[b]
        let end = bucketStart[b + 1]
        while q < end {
            let k = items[q]
            if matches(h, at: i, pattern: k, p) { return k }
            q += 1
        }
        return nil
    }

    func firstPrefix(of text: String) -> Int? {
        text.withBytes { h in
            if h.isEmpty { return nil }
            return bytes.withUnsafeBufferPointer { p in match(h, at: 0, p) }
        }
    }

    func hasPrefix(_ text: String) -> Bool { firstPrefix(of: text) != nil }

    func hasSuffix(_ text: String) -> Bool {
        text.withBytes { h in
            bytes.withUnsafeBufferPointer { p in
                for k in 0..<lengths.count {
                    let len = lengths[k]
                    if len <= h.count && matches(h, at: h.count - len, pattern: k, p) { return true }
                }
                return false
            }
        }
    }

    /// (pattern index, byte offset) of the last occurrence of any pattern, scanning from the end; nil if none.
    func lastOccurrence(in text: String) -> (Int, Int)? {
        text.withBytes { h in
            bytes.withUnsafeBufferPointer { p in
                bigrams.withUnsafeBufferPointer { g in
                    var i = h.count - 1
                    while i >= 0 {
                        if Self.mayStart(h, at: i, g), let k = match(h, at: i, p) { return (k, i) }
                        i -= 1
                    }
                    return nil
                }
            }
        }
    }

    func firstOccurrence<S: StringProtocol>(in text: S) -> (Int, Int)? {
        text.withBytes { h in
            bytes.withUnsafeBufferPointer { p in
                bigrams.withUnsafeBufferPointer { g in
                    var i = 0
                    while i < h.count {
                        if Self.mayStart(h, at: i, g), let k = match(h, at: i, p) { return (k, i) }
                        i += 1
                    }
                    return nil
                }
            }
        }
    }

    func occurs(in text: String) -> Bool { firstOccurrence(in: text) != nil }

    func length(_ k: Int) -> Int { lengths[k] }
}
