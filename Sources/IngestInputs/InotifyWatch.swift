import Dispatch
import Glibc
import IngestCore

/// One inotify watch on one folder, delivering names that are ready (closed after writing, or
/// moved in) or merely created on `queue`. Confined to that queue.
final class InotifyWatch: @unchecked Sendable {
    enum Event: Equatable {
        /// Closed after writing, or moved in whole (a file, a folder or a link).
        case ready(EntryName)
        /// Created in place: a file still to be written (its close comes later), or a link,
        /// folder, FIFO or hard link, which no close event will ever announce.
        case created(EntryName)
        /// The kernel queue overflowed: events were lost, the folder must be rescanned.
        case overflow
        /// The watched folder itself was deleted or moved away.
        case folderGone
    }

    private let fd: Int32
    private let source: DispatchSourceRead
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(folder: String, queue: DispatchQueue, handler: @escaping (Event) -> Void) throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw POSIXFailure("inotify_init1", errno) }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
        guard inotify_add_watch(fd, folder, mask) >= 0 else {
            let e = errno
            close(fd)
            throw POSIXFailure("inotify_add_watch \(folder)", e)
        }
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        let fd = self.fd
        source.setEventHandler { [unowned self] in
            for event in self.drain() { handler(event) }
        }
        source.setCancelHandler { close(fd) }
        source.resume()
    }

    /// Reads every event available now. Several events arrive per read, each a 16-byte header
    /// followed by a NUL-padded name of `len` bytes.
    private func drain() -> [Event] {
        var events: [Event] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            var offset = 0
            buffer.withUnsafeBytes { raw in
                while offset + MemoryLayout<inotify_event>.size <= n {
                    let header = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    let nameLength = Int(header.len)
                    if header.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                        events.append(.overflow)
                    } else if header.mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 {
                        events.append(.folderGone)
                    } else if nameLength > 0 {
                        let name = EntryName(Array(raw[nameStart..<min(n, nameStart + nameLength)].prefix { $0 != 0 }))
                        events.append(header.mask & UInt32(IN_CREATE) != 0 ? .created(name) : .ready(name))
                    }
                    offset = nameStart + nameLength
                }
            }
        }
        return events
    }

    func cancel() { source.cancel() }
}
