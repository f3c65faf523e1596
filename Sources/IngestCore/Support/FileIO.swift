import Foundation

/// A failed system call with its errno, for error messages that say what and why.
public struct POSIXFailure: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var code: Int32
    public init(_ operation: String, _ code: Int32) { self.operation = operation; self.code = code }
    public var description: String { "\(operation): \(String(cString: strerror(code)))" }
}

public enum FileIO {
    /// write(2) until every byte is out, retrying on EINTR and short writes.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try writeAll(fd, $0) } }

    public static func writeAll(_ fd: Int32, _ buf: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < buf.count {
            let n = write(fd, buf.baseAddress! + offset, buf.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIXFailure("write", errno)
            }
            offset += n
        }
    }

    /// A file that does not change while it is read, whole, into one array of its size (no
    /// `Data` in between, which would be a second copy).
    public static func read(_ file: URL) throws -> [UInt8] {
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXFailure("open \(file.path)", errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw POSIXFailure("fstat \(file.path)", errno) }
        return try [UInt8](unsafeUninitializedCapacity: Int(st.st_size)) { buf, count in
            count = try readFully(fd, into: UnsafeMutableRawBufferPointer(buf), at: 0)
        }
    }

    /// pread(2) until `buffer` is full or the file ends, retrying on EINTR; returns the bytes read.
    public static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(POSIXFailure) -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIXFailure("read at offset \(offset + done)", errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Writes `bytes` to a file at `path`, created or emptied, never through a symbolic link
    /// there (a link planted in a folder others may write must not redirect the write).
    public static func writeFile(_ bytes: [UInt8], at path: UnsafePointer<CChar>, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw POSIXFailure("open \(String(cString: path))", errno) }
        defer { close(fd) }
        try writeAll(fd, bytes)
    }

    /// Replaces `file` with `bytes` so that a crash leaves the old content or the new, whole: a
    /// temporary file (`file` + `.suffix`), fsynced, renamed over `file`, the folder fsynced.
    /// Without `durable` nothing is fsynced: a process crash still leaves old or new, but a power
    /// cut may leave the new name with missing content, which the caller must be able to detect.
    public static func replaceAtomically(_ file: URL, with bytes: [UInt8], temporarySuffix: String = "tmp", durable: Bool = true) throws {
        try bytes.withUnsafeBytes { try replaceAtomically(file, with: $0, temporarySuffix: temporarySuffix, durable: durable) }
    }

    /// The same for bytes in memory the caller owns (a fetched body), written from where they are.
    public static func replaceAtomically(_ file: URL, with bytes: UnsafeRawBufferPointer, temporarySuffix: String = "tmp",
                                         durable: Bool = true) throws {
        let tmp = file.appendingPathExtension(temporarySuffix)
        let out = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard out >= 0 else { throw POSIXFailure("open \(tmp.path)", errno) }
        do {
            try writeAll(out, bytes)
            guard !durable || fsync(out) == 0 else { throw POSIXFailure("fsync \(tmp.path)", errno) }
        } catch {
            close(out)
            throw error
        }
        close(out)
        guard rename(tmp.path, file.path) == 0 else { throw POSIXFailure("rename \(tmp.path)", errno) }
        if durable { syncDirectory(file.deletingLastPathComponent()) }
    }

    /// fsync a directory so a rename or create inside it survives a power cut.
    public static func syncDirectory(_ url: URL) {
        let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
