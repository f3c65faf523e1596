import Foundation
import Glibc

/// Whether a file found by the start-up scan or a rescan after an inotify overflow is finished:
/// no "closed after writing" event says so. Claiming it while a writer is still at work would
/// record half a document.
///
/// The kernel knows whether a file is open for writing: a read lease (F_SETLEASE) is refused
/// with EAGAIN exactly then. Leases need the file's owner or CAP_LEASE, so when the daemon
/// may not take one, the file must instead have kept its size and time for `settleTime`: seen
/// old enough at the first look, or unchanged between two looks `settleTime` apart (a clock that
/// ran ahead of ours must not hold a file back for ever).
struct SettleCheck {
    struct Look: Equatable {
        var isRegular: Bool
        var size: Int
        var modified: Int  // nanoseconds since the epoch
        var inode: UInt
        var links: Int
    }

    enum Writers { case none, some, unknown }

    let settleTime: Double

    static func look(_ path: [CChar]) -> Look? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return Look(isRegular: (st.st_mode & S_IFMT) == S_IFREG, size: Int(st.st_size),
                    modified: Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec), inode: UInt(st.st_ino),
                    links: Int(st.st_nlink))
    }

    static func writers(_ path: [CChar]) -> Writers {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .unknown }
        defer { close(fd) }
        // F_SETLEASE (F_LINUX_SPECIFIC_BASE + 0): glibc declares it only under _GNU_SOURCE.
        let setLease: Int32 = 1024
        if fcntl(fd, setLease, Int32(F_RDLCK)) == 0 {
            _ = fcntl(fd, setLease, Int32(F_UNLCK))
            return .none
        }
        return errno == EAGAIN ? .some : .unknown
    }

    /// - Parameters:
    ///   - now: nanoseconds since the epoch.
    ///   - before: the look at the previous check, nil at the first.
    func isSettled(_ look: Look, before: Look?, writers: Writers, now: Int) -> Bool {
        guard look.isRegular else { return true }  // links, folders, FIFOs: refused at once, nothing to wait for
        switch writers {
        case .some: return false
        case .none: return true
        case .unknown:
            if let before { return before == look }
            let age = Double(now - look.modified) / 1e9
            return age >= settleTime
        }
    }

    static func now() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int(ts.tv_sec) * 1_000_000_000 + Int(ts.tv_nsec)
    }
}
