import Foundation
import IngestCore

/// Reads a claimed file, refusing what is not a readable regular file or is too large
/// before reading it whole.
enum DocumentReader {
    /// - Parameter namedByUser: true for `ingestd once`, whose user names the paths and may
    ///   follow links. False for the drop folder: whoever may drop files must not be able to
    ///   make the daemon read, through a symbolic or hard link, a file they may not read.
    static func read(_ url: URL, maxBytes: Int, namedByUser: Bool = false) throws -> [UInt8] {
        // O_NONBLOCK: opening a FIFO someone dropped must not hang a worker.
        let fd = open(url.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (namedByUser ? 0 : O_NOFOLLOW))
        guard fd >= 0 else {
            let e = errno
            if e == ELOOP, !namedByUser {
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
        if st.st_nlink > 1, !namedByUser {
            throw Rejection(.hardlink, "a hard link (the file has \(st.st_nlink) names); links in the inbox are never read "
                            + "(move or copy the file itself in)", stage: "read")
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
