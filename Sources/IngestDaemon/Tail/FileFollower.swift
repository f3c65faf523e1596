import Foundation
import Glibc
import IngestCore

/// Follows a file by name, as `tail -F` does, woken by inotify rather than a sleep loop: the lines
/// appended to it, and, when it is renamed or deleted and a new file takes its name (rotation,
/// logrotate), what remains of the old file and then the new file from its start. A truncated
/// file is read again from its start.
public final class FileFollower {
    public enum Failure: Error, CustomStringConvertible {
        case folderMissing(String)
        case system(POSIXFailure)

        public var description: String {
            switch self {
            case .folderMissing(let path): "the folder \(path) does not exist; nothing to follow there"
            case .system(let failure): "\(failure)"
            }
        }
    }

    /// One open file being read: where reading stopped, and the start of a line not ended yet.
    private struct Reader {
        let fd: Int32
        let device: UInt64
        let inode: UInt64
        var offset: off_t = 0
        var partial: [UInt8] = []
        /// Started at the end of a file whose last line was still being written: that line's
        /// rest is not a line of its own.
        var discardFirst = false
    }

    public let path: String
    private let inotify: Int32
    private var current: Reader?
    /// The file rotated away, read until the new file has its first line: the writer finishes
    /// its last batch in the old file before it starts the new one.
    private var previous: Reader?
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// - Parameter fromStart: read what the file already holds, rather than only what comes next.
    public init(path: String, fromStart: Bool) throws(Failure) {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard inotify >= 0 else { throw .system(POSIXFailure("inotify_init1", errno)) }
        // A folder watch also reports changes to the files in it, under their current names, so
        // one watch sees the writes, the rename away and the new file's creation.
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB)
        guard inotify_add_watch(inotify, folder, mask) >= 0 else {
            let e = errno
            close(inotify)
            if e == ENOENT || e == ENOTDIR { throw .folderMissing(folder) }
            throw .system(POSIXFailure("inotify_add_watch \(folder)", e))
        }
        if var reader = open() {
            if !fromStart {
                var st = stat()
                fstat(reader.fd, &st)
                reader.offset = st.st_size
                if st.st_size > 0 {
                    var last: UInt8 = 0
                    if pread(reader.fd, &last, 1, st.st_size - 1) == 1, last != UInt8(ascii: "\n") { reader.discardFirst = true }
                }
            }
            current = reader
        }
    }

    deinit {
        if let current { close(current.fd) }
        if let previous { close(previous.fd) }
        close(inotify)
    }

    /// The complete lines written since the last call, in the order they were written.
    public func poll() -> [String] {
        var lines: [String] = []
        if let fresh = open() {
            if fresh.device != current?.device || fresh.inode != current?.inode {
                // Another file has the name now; the one before the current one is read a last time.
                if var old = previous {
                    lines += drain(&old)
                    close(old.fd)
                }
                previous = current
                current = fresh
            } else {
                close(fresh.fd)
            }
        }
        if previous != nil { lines += drain(&previous!) }
        var newer: [String] = []
        if current != nil { newer = drain(&current!) }
        if let old = previous, let now = current, now.offset > 0 {
            // The new file has data, so the writer has left the old one: what it wrote there in
            // the meantime comes first, then the old file is let go.
            lines += drain(&previous!)
            close(old.fd)
            previous = nil
        }
        return lines + newer
    }

    /// Blocks until something changes in the file's folder (or `timeout` milliseconds pass; -1
    /// waits for ever). True when there was a change.
    @discardableResult
    public func wait(timeout: Int32 = -1) -> Bool {
        var pfd = pollfd(fd: inotify, events: Int16(POLLIN), revents: 0)
        let ready = Glibc.poll(&pfd, 1, timeout)
        guard ready > 0 else { return false }
        // The events only say "look again": poll() reads the files themselves.
        while buffer.withUnsafeMutableBytes({ read(inotify, $0.baseAddress, $0.count) }) > 0 {}
        return true
    }

    private func open() -> Reader? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            return nil
        }
        return Reader(fd: fd, device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    private func drain(_ reader: inout Reader) -> [String] {
        var st = stat()
        if fstat(reader.fd, &st) == 0, st.st_size < reader.offset {
            // Truncated under us (copytruncate): what it holds now was written after the cut.
            reader.offset = 0
            reader.partial = []
            reader.discardFirst = false
        }
        var lines: [String] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(reader.fd, $0.baseAddress, $0.count, reader.offset) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            reader.offset += off_t(n)
            var start = 0
            for i in 0..<n where buffer[i] == UInt8(ascii: "\n") {
                reader.partial.append(contentsOf: buffer[start..<i])
                if reader.discardFirst {
                    reader.discardFirst = false
                } else {
                    lines.append(String(decoding: reader.partial, as: UTF8.self))
                }
                reader.partial.removeAll(keepingCapacity: true)
                start = i + 1
            }
            reader.partial.append(contentsOf: buffer[start..<n])
        }
        return lines
    }
}
