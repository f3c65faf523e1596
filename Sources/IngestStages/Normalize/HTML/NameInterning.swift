import Glibc

/// A direct-mapped cache from pointers to what they were found to mean: 256 slots indexed by
/// the pointer's bits, a miss computes and replaces. For names libxml2 interns in its parser
/// dictionary, which stay valid (and distinct) for one parse — a cache lives no longer.
struct PointerCache<Value> {
    private var keys = [UnsafeRawPointer?](repeating: nil, count: 256)
    private var values: [Value?] = Array(repeating: nil, count: 256)

    @inline(__always)
    mutating func value(for pointer: UnsafePointer<UInt8>, _ compute: () -> Value) -> Value {
        let key = UnsafeRawPointer(pointer)
        // Fibonacci hashing: dictionary strings sit close together in memory, and their low
        // bits alone would collide.
        let slot = Int(truncatingIfNeeded: (UInt64(UInt(bitPattern: key)) &* 0x9E37_79B9_7F4A_7C15) >> 56)
        if keys[slot] == key, let v = values[slot] { return v }
        let v = compute()
        keys[slot] = key
        values[slot] = v
        return v
    }
}

/// Interns byte strings (ASCII-lower-cased on the way in): the same bytes always get the same
/// small id, and each distinct string is made into a Swift String once. Open addressing over
/// FNV-1a hashes, so a lookup hashes and compares bytes without allocating.
struct ByteInterner {
    private(set) var strings: [String] = []
    private var arena: [UInt8] = []
    private var spans: [(start: Int, count: Int, hash: UInt64)] = []
    private var slots = [Int32](repeating: -1, count: 64)

    /// Lower-cases `bytes` in place (ASCII letters) and returns their id.
    mutating func intern(_ bytes: inout [UInt8]) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var ascii = true
        bytes.withUnsafeMutableBufferPointer { b in
            for k in 0..<b.count {
                var c = b[k]
                if c >= 0x80 { ascii = false } else if c >= 0x41 && c <= 0x5A { c |= 0x20; b[k] = c }
                hash = (hash ^ UInt64(c)) &* 0x100_0000_01b3
            }
        }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        let found: Int? = arena.withUnsafeBufferPointer { a in
            bytes.withUnsafeBufferPointer { b in
                while slots[slot] >= 0 {
                    let id = Int(slots[slot])
                    let span = spans[id]
                    if span.hash == hash, span.count == b.count,
                       b.count == 0 || memcmp(a.baseAddress! + span.start, b.baseAddress!, b.count) == 0 {
                        return id
                    }
                    slot = (slot + 1) & mask
                }
                return nil
            }
        }
        if let found { return found }
        let id = strings.count
        var string = String(decoding: bytes, as: UTF8.self)
        // Non-ASCII names are lower-cased by Unicode's rules, as String.lowercased() does.
        if !ascii { string = string.lowercased() }
        strings.append(string)
        spans.append((arena.count, bytes.count, hash))
        arena.append(contentsOf: bytes)
        slots[slot] = Int32(id)
        if strings.count * 2 > slots.count { grow() }
        return id
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (id, span) in spans.enumerated() {
            var slot = Int(truncatingIfNeeded: span.hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id)
        }
    }
}
