import Foundation
import IngestCore

/// Key → id of the first record with that key (a content hash, a canonical URL), kept in
/// memory and, when a state folder is configured, in an append-only log there.
///
/// The log is one `KEY ID TIME` line per entry. A crash can leave a torn last line; it is cut
/// off at open, which loses at most an entry whose record was never acknowledged (the stage
/// makes the log durable in `sync()` before the sink commits). Entries beyond the retention
/// window stop matching and are left out when the log is rewritten at open.
final class ExactIndex: Sendable {
    private struct Entry {
        var id: String
        var time: UInt32
        var sequence: Int
    }
    private struct State {
        var entries: [String: Entry] = [:]
        /// Keys in insertion order with their sequence number, for eviction from the front.
        var order: [(key: String, sequence: Int)] = []
        var head = 0
        var sequence = 0
        var pending: [UInt8] = []
        var fd: Int32 = -1
    }
    private let state: Locked<State>
    let path: URL?
    let retention: Retention

    init(directory: URL?, fileName: String = "dedupe-exact.log", retention: Retention = .forever) throws {
        self.retention = retention
        var s = State()
        if let directory {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent(fileName)
            path = file
            var fd = open(file.path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw POSIXFailure("open \(file.path)", errno) }
            let data = try Data(contentsOf: file)
            var lines: [(key: String, id: String, time: UInt32)] = []
            var validEnd = 0
            var lineStart = 0
            let now = retention.clock()
            data.withUnsafeBytes { (buf: UnsafeRawBufferPointer) in
                for i in 0..<buf.count where buf[i] == 0x0A {
                    let parts = String(decoding: buf[lineStart..<i], as: UTF8.self).split(separator: " ")
                    if parts.count >= 2 {
                        lines.append((String(parts[0]), String(parts[1]), parts.count >= 3 ? UInt32(parts[2]) ?? UInt32(now) : UInt32(now)))
                    }
                    lineStart = i + 1
                    validEnd = i + 1
                }
            }
            if validEnd < data.count {
                guard ftruncate(fd, off_t(validEnd)) == 0 else { throw POSIXFailure("truncate \(file.path)", errno) }
            }
            var live: [UInt8] = []
            for (n, line) in lines.enumerated()
            where retention.keeps(time: line.time, newer: lines.count - 1 - n, now: now) && s.entries[line.key] == nil {
                Self.insert(line.key, id: line.id, time: line.time, into: &s)
                live.append(contentsOf: Array("\(line.key) \(line.id) \(line.time)\n".utf8))
            }
            if lines.count > 2 * max(1, s.entries.count) {
                fd = try LogCompaction.rewrite(file, with: live, replacing: fd)
            }
            s.fd = fd
        } else {
            path = nil
        }
        state = Locked(s)
    }

    private static func insert(_ key: String, id: String, time: UInt32, into s: inout State) {
        s.sequence += 1
        s.entries[key] = Entry(id: id, time: time, sequence: s.sequence)
        s.order.append((key, s.sequence))
    }

    /// Forgets what fell out of the retention window, oldest first.
    private func evict(_ s: inout State, now: Double) {
        while s.head < s.order.count {
            let (key, sequence) = s.order[s.head]
            guard let entry = s.entries[key], entry.sequence == sequence else { s.head += 1; continue }
            if retention.keeps(time: entry.time, newer: s.entries.count - 1, now: now) { break }
            s.entries[key] = nil
            s.head += 1
        }
        if s.head > 4096, s.head * 2 > s.order.count {
            s.order.removeFirst(s.head)
            s.head = 0
        }
    }

    /// Records `key` for `id` unless it is known; returns the id that owns the key.
    /// Check and insert are one step under the lock, so two equal documents on two queues
    /// cannot both come out unique.
    func claim(hash key: String, id: String) -> String {
        let now = retention.clock()
        return state.withLock { s in
            evict(&s, now: now)
            if let owner = s.entries[key] { return owner.id }
            let time = UInt32(clamping: Int(now))
            Self.insert(key, id: id, time: time, into: &s)
            evict(&s, now: now)
            if s.fd >= 0 { s.pending.append(contentsOf: Array("\(key) \(id) \(time)\n".utf8)) }
            return id
        }
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// Writes and fsyncs what was claimed since the last call.
    func sync() throws {
        try state.withLock { s in
            guard s.fd >= 0, !s.pending.isEmpty else { return }
            try FileIO.writeAll(s.fd, s.pending)
            guard fdatasync(s.fd) == 0 else { throw POSIXFailure("fdatasync dedupe index", errno) }
            s.pending.removeAll(keepingCapacity: true)
        }
    }

    func close() {
        try? sync()
        state.withLock { s in
            if s.fd >= 0 { Glibc.close(s.fd); s.fd = -1 }
        }
    }
}
