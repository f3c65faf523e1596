import Foundation
import IngestCore

/// The appending side of an index's log: entries framed as they are inserted, written and
/// made durable together in `sync()` (before the sink commits the records they belong to).
/// Kept inside the index's lock; a descriptor of -1 is an index without a state folder.
struct FramedLogWriter {
    private(set) var fd: Int32 = -1
    private var pending: [UInt8] = []
    /// The length of the file as far as it is known good: a failed write is cut back to it,
    /// so a partial frame never sits in front of the frames a retry appends (the next open
    /// would move every one of them aside as damage).
    private var end: off_t = 0

    init() {}

    /// The writer of a log `FramedLog.open` returned. It is first rewritten to hold only `live`
    /// (the header and the live entries: kept by the retention, not released) when it was in an
    /// older format, or when more than half of its frames are dead, so files do not grow without
    /// bound. An older framed version is rewritten even when it is all live: release frames must
    /// not be appended under a header that tells an older reader they cannot be there.
    init(opened fd: Int32, _ opening: FramedLog.Opening, live: [UInt8], liveEntries: Int) throws {
        var fd = fd
        if opening.legacy || opening.version < FramedLog.version || opening.entries > 2 * max(1, liveEntries) {
            fd = try LogCompaction.rewrite(opening.file, with: live, replacing: fd)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw POSIXFailure("fstat dedupe log", errno) }
        self.fd = fd
        end = st.st_size
    }

    mutating func append(_ encode: (inout [UInt8]) -> Void) {
        guard fd >= 0 else { return }
        FramedLog.appendFrame(to: &pending, encode)
    }

    mutating func sync(_ name: String) throws {
        guard fd >= 0, !pending.isEmpty else { return }
        do {
            try FileIO.writeAll(fd, pending)
        } catch {
            _ = ftruncate(fd, end)
            throw error
        }
        guard fdatasync(fd) == 0 else { throw POSIXFailure("fdatasync \(name)", errno) }
        end += off_t(pending.count)
        pending.removeAll(keepingCapacity: true)
    }

    mutating func close(_ name: String) {
        try? sync(name)
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }
}
