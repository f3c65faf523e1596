import Foundation
import IngestCore

/// Reads a claimed file, refusing what is not a readable regular file or is too large
/// before reading it whole.
enum DocumentReader {
    static func read(_ url: URL, maxBytes: Int) throws -> [UInt8] {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let e = errno
            throw Rejection(.unreadable, "cannot open: \(String(cString: strerror(e)))", stage: "read")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw Rejection(.unreadable, "cannot stat: \(String(cString: strerror(errno)))", stage: "read")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw Rejection(.notRegularFile, "not a regular file (a folder, pipe or device)", stage: "read")
        }
        let size = Int(st.st_size)
        if size > maxBytes {
            throw Rejection(.tooLarge, "\(size) bytes is above max_document_bytes (\(maxBytes))", stage: "read")
        }
        // Read one byte past the limit so a file still growing after the claim is caught too.
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var total = 0
        while true {
            if total == bytes.count {
                if total > maxBytes { break }
                bytes.append(contentsOf: repeatElement(0, count: max(4096, total)))
            }
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, $0.count - total) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Rejection(.unreadable, "read failed: \(String(cString: strerror(errno)))", stage: "read")
            }
            if n == 0 { break }
            total += n
        }
        if total > maxBytes {
            throw Rejection(.tooLarge, "grew above max_document_bytes (\(maxBytes)) while being read", stage: "read")
        }
        bytes.removeSubrange(total...)
        return bytes
    }
}
