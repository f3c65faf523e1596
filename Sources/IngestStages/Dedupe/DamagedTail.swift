import Foundation
import IngestCore

/// What follows the last good entry of a dedupe log, set aside rather than loaded or lost: the
/// bytes are copied to `NAME.damaged-TIMESTAMP` beside the log, then the log is cut back to
/// its good entries, so the index starts from what it can trust and someone can still look
/// at (or hand-repair) what it could not. Copy before cut: a crash in between leaves the
/// damage in place to be found and copied again at the next open, never lost.
enum DamagedTail {
    /// Reported by the stage as a warning.
    struct Repair: Sendable, Equatable {
        /// Where the first bad entry starts.
        var offset: Int
        var entriesKept: Int
        var bytesMoved: Int
        var movedTo: URL
    }

    static func moveAside(_ fd: Int32, _ file: URL, from offset: Int, size: Int, entriesKept: Int) throws(DedupeLogError) -> Repair {
        let (out, aside) = try create(besides: file)
        do throws(DedupeLogError) {
            var position = offset
            while position < size {
                let buffer = try FramedLog.read(fd, file, at: position, count: min(FramedLog.chunk, size - position))
                if buffer.isEmpty { break }
                do { try FileIO.writeAll(out, buffer) } catch { throw DedupeLogError(aside, .io(error as? POSIXFailure ?? POSIXFailure("write", EIO))) }
                position += buffer.count
            }
            guard fsync(out) == 0 else { throw DedupeLogError(aside, .io(POSIXFailure("fsync", errno))) }
        } catch {
            Glibc.close(out)
            throw error
        }
        Glibc.close(out)
        FileIO.syncDirectory(file.deletingLastPathComponent())
        guard ftruncate(fd, off_t(offset)) == 0 else { throw DedupeLogError(file, .io(POSIXFailure("truncate to \(offset) bytes", errno))) }
        guard fsync(fd) == 0 else { throw DedupeLogError(file, .io(POSIXFailure("fsync", errno))) }
        return Repair(offset: offset, entriesKept: entriesKept, bytesMoved: size - offset, movedTo: aside)
    }

    /// A new file named after `file` and the time (UTC, to the second), with a counter when
    /// two repairs fall in the same second; never one that exists.
    private static func create(besides file: URL) throws(DedupeLogError) -> (Int32, URL) {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        let stamp = String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                           parts.tm_hour, parts.tm_min, parts.tm_sec)
        for attempt in 1...100 {
            let name = file.lastPathComponent + ".damaged-" + stamp + (attempt == 1 ? "" : "-\(attempt)")
            let url = file.deletingLastPathComponent().appendingPathComponent(name)
            let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 { return (fd, url) }
            if errno != EEXIST { throw DedupeLogError(url, .io(POSIXFailure("create", errno))) }
        }
        throw DedupeLogError(file, .io(POSIXFailure("create \(file.lastPathComponent).damaged-\(stamp)-*", EEXIST)))
    }
}
