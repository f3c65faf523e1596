import COpenSSL

/// SHA-256 through OpenSSL's libcrypto, which uses the CPU's SHA extensions where present.
/// Every dropped file is hashed whole (`origin.sha256`), so this sits on the hot path.
public struct SHA256Digest: Sendable {
    /// Bytes fed so far; callers hash small keys in parts (record ids), big inputs in one go.
    private var pending: [UInt8] = []

    public init() {}

    public mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 { pending.append(contentsOf: bytes) }
    public mutating func update(_ string: String) { pending.append(contentsOf: string.utf8) }

    public mutating func finalize() -> [UInt8] {
        defer { pending.removeAll() }
        return Self.digest(pending)
    }

    public mutating func finalizeHex() -> String { Self.hex(finalize()) }

    public static func hex(of bytes: [UInt8]) -> String { hex(digest(bytes)) }

    public static func hex<S: Sequence>(of bytes: S) -> String where S.Element == UInt8 { hex(digest(Array(bytes))) }

    /// Bytes in memory the caller owns (a fetched body), hashed where they are.
    public static func hex(of bytes: UnsafeRawBufferPointer) -> String { hex(digest(bytes)) }

    /// The digest of bytes handed over in pieces: `produce` calls its argument with each piece,
    /// in order. The same digest as of the pieces joined, without joining them.
    public static func hex(streaming produce: ((UnsafeRawBufferPointer) -> Void) -> Void) -> String {
        guard let context = ingestd_sha256_begin() else { preconditionFailure("libcrypto SHA-256 failed") }
        var ok: Int32 = 1
        produce { piece in
            if ingestd_sha256_update(context, piece.baseAddress, piece.count) != 1 { ok = 0 }
        }
        var out = [UInt8](repeating: 0, count: 32)
        let ended = out.withUnsafeMutableBufferPointer { ingestd_sha256_end(context, $0.baseAddress) }
        precondition(ok == 1 && ended == 1, "libcrypto SHA-256 failed")
        return hex(out)
    }

    public static func digest(_ bytes: [UInt8]) -> [UInt8] { bytes.withUnsafeBytes { digest($0) } }

    public static func digest(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = out.withUnsafeMutableBufferPointer { ingestd_sha256(data.baseAddress, data.count, $0.baseAddress) }
        precondition(ok == 1, "libcrypto SHA-256 failed")
        return out
    }

    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
