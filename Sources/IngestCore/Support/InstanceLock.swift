import Foundation

/// An exclusive `flock` held for the life of the process: one daemon per state folder and per
/// drop folder. A second daemon on the same folders would steal the first's claims at its
/// start-up recovery and keep a dedupe index of its own.
///
/// The kernel drops the lock when the holder dies, however it dies, so a stale lock file never
/// blocks a start. A lock file holds its holder's PID for the message the second one prints; a
/// folder is locked on itself (no file appears in it) and its holder is found in /proc/locks.
public final class InstanceLock: Sendable {
    public let path: URL
    private let fd: Int32

    public struct Held: Error, CustomStringConvertible {
        public let path: URL
        public let holder: Int32?
        public var description: String {
            "another ingestd\(holder.map { " (pid \($0))" } ?? "") holds the lock on \(path.path); "
                + "only one daemon may use a data folder at a time"
        }
    }

    /// Every lock one daemon takes: `STATE/ingestd.lock` (with the PID, for people), and the
    /// state folder and each of `folders` themselves, so neither deleting the lock file nor a
    /// second pipeline file that shares only the inbox lets a second daemon in.
    public static func forDataFolders(state: URL, folders: [URL]) throws -> [InstanceLock] {
        var locks = [try InstanceLock(file: state.appendingPathComponent("ingestd.lock"))]
        var seen: Set<String> = []
        for folder in [state] + folders where seen.insert(folder.standardizedFileURL.path).inserted {
            locks.append(try InstanceLock(folder: folder))
        }
        return locks
    }

    /// Locks `file`, creating it (and its folder), and writes this process's PID into it.
    public convenience init(file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try self.init(file, flags: O_RDWR | O_CREAT | O_NOFOLLOW)
        let pid = Array("\(getpid())\n".utf8)
        guard ftruncate(fd, 0) == 0, pwrite(fd, pid, pid.count, 0) == pid.count else { throw POSIXFailure("write \(file.path)", errno) }
    }

    /// Locks the folder itself, creating it if missing.
    public convenience init(folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try self.init(folder, flags: O_RDONLY | O_DIRECTORY)
    }

    private init(_ path: URL, flags: Int32) throws {
        let fd = open(path.path, flags | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXFailure("open \(path.path)", errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let e = errno
            defer { close(fd) }
            guard e == EWOULDBLOCK else { throw POSIXFailure("flock \(path.path)", e) }
            throw Held(path: path, holder: Self.pidWritten(in: fd) ?? Self.pidHolding(fd))
        }
        self.fd = fd
        self.path = path
    }

    private static func pidWritten(in fd: Int32) -> Int32? {
        var buf = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buf, buf.count, 0)
        guard n > 0 else { return nil }
        return Int32(String(decoding: buf[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The PID of the flock on the same inode in /proc/locks
    /// (`1: FLOCK  ADVISORY  WRITE 4242 00:2e:131 0 EOF`).
    private static func pidHolding(_ fd: Int32) -> Int32? {
        var st = stat()
        guard fstat(fd, &st) == 0, let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        // MAJ:MIN in hex, as the kernel prints them (glibc's major()/minor() split of st_dev).
        let dev = UInt64(st.st_dev)
        let major = ((dev >> 8) & 0xFFF) | ((dev >> 32) & ~UInt64(0xFFF))
        let minor = (dev & 0xFF) | ((dev >> 12) & ~UInt64(0xFF))
        let file = "\(String(major, radix: 16, uppercase: false).leftPadded(2)):\(String(minor, radix: 16).leftPadded(2)):\(st.st_ino)"
        for line in table.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 6, f[1] == "FLOCK", f[5] == file else { continue }
            return Int32(f[4])
        }
        return nil
    }

    deinit { close(fd) }
}

private extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
