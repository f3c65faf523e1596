import Foundation
import IngestCore

/// Reads a claimed file, refusing what is not a readable regular file or is too large
/// before reading it whole.
enum DocumentReader {
    /// - Parameter followSymlinks: false for the drop folder: whoever may drop files must not
    ///   be able to make the daemon read a file through a link (`ingestd once` follows the
    ///   paths its user names).
    static func read(_ url: URL, maxBytes: Int, followSymlinks: Bool = false) throws -> [UInt8] {
        // O_NONBLOCK: opening a FIFO someone dropped must not hang a worker.
        let fd = open(url.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (followSymlinks ? 0 : O_NOFOLLOW))
        guard fd >= 0 else {
            let e = errno
            if e == ELOOP, !followSymlinks {
                throw Rejection(.symlink, "a symbolic link; links in the inbox are never followed (move the file itself in)",
                                stage: "read")
            }
            throw Rejection(.unreadable, "cannot open: \(String(cString: strerror(e)))", stage: "read")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw Rejection(.unreadable, "cannot stat: \(String(cString: strerror(errno)))", stage: "read")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw Rejection(.directory, "a folder; only files are processed (move the files inside into the inbox)", stage: "read")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw Rejection(.notRegularFile, "not a regular file (a pipe, socket or device)", stage: "read")
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
