import CZlib
import CZstd
import Foundation
import IngestCore

/// How a closed records segment is stored: as written, gzip (zlib) or zstd (libzstd). Both are
/// streamed in pieces of `chunk` bytes, so a 256 MB segment never sits in memory whole, and
/// the output is what `gzip -d` / `zstd -d` read.
public enum SegmentCompression: String, Sendable, CaseIterable {
    case none, gzip, zstd

    /// Appended to the segment's name once compressed.
    public var suffix: String {
        switch self {
        case .none: ""
        case .gzip: ".gz"
        case .zstd: ".zst"
        }
    }

    static let chunk = 256 * 1024

    /// Compresses everything readable from `source` (from its current offset) into
    /// `destination`. Neither descriptor is synced or closed here.
    func compress(_ source: Int32, into destination: Int32, file: String) throws {
        switch self {
        case .none:
            try Self.readChunks(source, file: file) { try FileIO.writeAll(destination, $0) }
        case .gzip:
            try GzipStream.compress(source, into: destination, file: file)
        case .zstd:
            try ZstdStream.compress(source, into: destination, file: file)
        }
    }

    /// The stored file's content as written, handed over in pieces.
    func decompress(_ path: URL, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd = Glibc.open(path.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXFailure("open \(path.path)", errno) }
        defer { Glibc.close(fd) }
        switch self {
        case .none: try Self.readChunks(fd, file: path.path, body)
        case .gzip: try GzipStream.decompress(fd, file: path.path, body)
        case .zstd: try ZstdStream.decompress(fd, file: path.path, body)
        }
    }

    /// A whole file, gunzipped when its name ends in `.gz` (labelled data for the trainers).
    public static func contents(of path: URL) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let codec: SegmentCompression = path.pathExtension == "gz" ? .gzip : .none
        try codec.decompress(path) { bytes.append(contentsOf: $0.bindMemory(to: UInt8.self)) }
        return bytes
    }

    /// A records file or segment as stored: gunzipped for `.gz`, zstd-decompressed for `.zst`.
    public static func records(of path: URL) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let codec: SegmentCompression = switch path.pathExtension { case "gz": .gzip; case "zst": .zstd; default: .none }
        try codec.decompress(path) { bytes.append(contentsOf: $0.bindMemory(to: UInt8.self)) }
        return bytes
    }

    static func readChunks(_ fd: Int32, file: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, chunk)
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIXFailure("read \(file)", errno)
            }
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}

/// A compressed segment that cannot be written or read back: which file, which codec, why.
public struct CompressionFailure: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var codec: String
    public var reason: String
    public var description: String { "\(codec) \(file): \(reason)" }
}

/// gzip through zlib's deflate with a gzip wrapper (`windowBits` 15 + 16).
enum GzipStream {
    static func compress(_ source: Int32, into destination: Int32, file: String) throws {
        var stream = z_stream()
        guard ingestd_deflate_init_gzip(&stream, 6) == Z_OK else {
            throw CompressionFailure(file: file, codec: "gzip", reason: "deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: SegmentCompression.chunk)
        defer { out.deallocate() }
        func pump(_ flush: Int32) throws {
            repeat {
                stream.next_out = out
                stream.avail_out = UInt32(SegmentCompression.chunk)
                let rc = deflate(&stream, flush)
                guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else {
                    throw CompressionFailure(file: file, codec: "gzip", reason: "deflate returned \(rc)")
                }
                let produced = SegmentCompression.chunk - Int(stream.avail_out)
                if produced > 0 { try FileIO.writeAll(destination, UnsafeRawBufferPointer(start: out, count: produced)) }
                if flush == Z_FINISH, rc == Z_STREAM_END { return }
            } while stream.avail_out == 0 || flush == Z_FINISH
        }
        try SegmentCompression.readChunks(source, file: file) { piece in
            stream.next_in = UnsafeMutablePointer(mutating: piece.bindMemory(to: UInt8.self).baseAddress)
            stream.avail_in = UInt32(piece.count)
            try pump(Z_NO_FLUSH)
        }
        stream.next_in = nil
        stream.avail_in = 0
        try pump(Z_FINISH)
    }

    /// Reads gzip members one after the other, as `gzip -d` does with concatenated files.
    static func decompress(_ fd: Int32, file: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var stream = z_stream()
        guard ingestd_inflate_init_auto(&stream) == Z_OK else {
            throw CompressionFailure(file: file, codec: "gzip", reason: "inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: SegmentCompression.chunk)
        defer { out.deallocate() }
        var ended = true  // no member begun yet: an empty file is an empty segment
        try SegmentCompression.readChunks(fd, file: file) { piece in
            stream.next_in = UnsafeMutablePointer(mutating: piece.bindMemory(to: UInt8.self).baseAddress)
            stream.avail_in = UInt32(piece.count)
            while stream.avail_in > 0 {
                if ended { ended = false }
                stream.next_out = out
                stream.avail_out = UInt32(SegmentCompression.chunk)
                let rc = inflate(&stream, Z_NO_FLUSH)
                guard rc == Z_OK || rc == Z_STREAM_END || (rc == Z_BUF_ERROR && stream.avail_in == 0) else {
                    throw CompressionFailure(file: file, codec: "gzip", reason: "inflate returned \(rc) (damaged data)")
                }
                let produced = SegmentCompression.chunk - Int(stream.avail_out)
                if produced > 0 { try body(UnsafeRawBufferPointer(start: out, count: produced)) }
                if rc == Z_STREAM_END {
                    ended = true
                    guard inflateReset(&stream) == Z_OK else {
                        throw CompressionFailure(file: file, codec: "gzip", reason: "inflateReset failed")
                    }
                }
            }
        }
        // Output still held inside zlib once the input is all in.
        while !ended {
            stream.next_out = out
            stream.avail_out = UInt32(SegmentCompression.chunk)
            let rc = inflate(&stream, Z_NO_FLUSH)
            let produced = SegmentCompression.chunk - Int(stream.avail_out)
            if produced > 0 { try body(UnsafeRawBufferPointer(start: out, count: produced)) }
            if rc == Z_STREAM_END { break }
            if produced == 0 {
                throw CompressionFailure(file: file, codec: "gzip", reason: "the data ends in the middle of a gzip member")
            }
        }
    }
}

/// zstd through libzstd's streaming API, level 3 with a content checksum (`zstd -t` checks it).
enum ZstdStream {
    static func check(_ rc: Int, _ file: String, _ what: String) throws -> Int {
        if ZSTD_isError(rc) != 0 {
            throw CompressionFailure(file: file, codec: "zstd", reason: "\(what): \(String(cString: ZSTD_getErrorName(rc)))")
        }
        return rc
    }

    static func compress(_ source: Int32, into destination: Int32, file: String) throws {
        guard let context = ZSTD_createCCtx() else { throw CompressionFailure(file: file, codec: "zstd", reason: "out of memory") }
        defer { ZSTD_freeCCtx(context) }
        _ = try check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, 3), file, "level")
        _ = try check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1), file, "checksum")
        let out = UnsafeMutableRawPointer.allocate(byteCount: SegmentCompression.chunk, alignment: 16)
        defer { out.deallocate() }
        func pump(_ input: inout ZSTD_inBuffer, _ mode: ZSTD_EndDirective) throws {
            while true {
                var output = ZSTD_outBuffer(dst: out, size: SegmentCompression.chunk, pos: 0)
                let remaining = try check(ZSTD_compressStream2(context, &output, &input, mode), file, "compress")
                if output.pos > 0 { try FileIO.writeAll(destination, UnsafeRawBufferPointer(start: out, count: output.pos)) }
                let done = mode == ZSTD_e_end ? remaining == 0 : input.pos == input.size
                if done { return }
            }
        }
        try SegmentCompression.readChunks(source, file: file) { piece in
            var input = ZSTD_inBuffer(src: piece.baseAddress, size: piece.count, pos: 0)
            try pump(&input, ZSTD_e_continue)
        }
        var empty = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        try pump(&empty, ZSTD_e_end)
    }

    static func decompress(_ fd: Int32, file: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let context = ZSTD_createDCtx() else { throw CompressionFailure(file: file, codec: "zstd", reason: "out of memory") }
        defer { ZSTD_freeDCtx(context) }
        let out = UnsafeMutableRawPointer.allocate(byteCount: SegmentCompression.chunk, alignment: 16)
        defer { out.deallocate() }
        // 0 once a frame is complete; a file that ends with a frame still open is cut short.
        var lastHint = 0
        try SegmentCompression.readChunks(fd, file: file) { piece in
            var input = ZSTD_inBuffer(src: piece.baseAddress, size: piece.count, pos: 0)
            while input.pos < input.size {
                var output = ZSTD_outBuffer(dst: out, size: SegmentCompression.chunk, pos: 0)
                lastHint = try check(ZSTD_decompressStream(context, &output, &input), file, "decompress")
                if output.pos > 0 { try body(UnsafeRawBufferPointer(start: out, count: output.pos)) }
            }
        }
        // Output may remain buffered once all input is consumed.
        while lastHint != 0 {
            var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
            var output = ZSTD_outBuffer(dst: out, size: SegmentCompression.chunk, pos: 0)
            lastHint = try check(ZSTD_decompressStream(context, &output, &input), file, "decompress")
            if output.pos > 0 { try body(UnsafeRawBufferPointer(start: out, count: output.pos)) }
            if output.pos == 0, lastHint != 0 {
                throw CompressionFailure(file: file, codec: "zstd", reason: "the data ends in the middle of a frame")
            }
        }
    }
}
