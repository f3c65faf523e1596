import Foundation
import IngestCore

/// Key → id of the first record with that key (a content hash, a canonical URL), kept in
/// memory and, when a state folder is configured, in an append-only log there.
///
/// The log (`FramedLog`, kind `keys`) holds one `KEY ID TIME` entry per claim, checksummed; the
/// headerless logs of earlier versions, the same entries as newline-ended lines, are read
/// and rewritten framed at open. A torn or damaged tail is moved aside at open, which loses
/// at most an entry whose record was never acknowledged when a crash tore it (the stage makes
/// the log durable in `sync()` before the sink commits). Entries beyond the retention window
/// stop matching and are left out when the log is rewritten at open.
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
        var log = FramedLogWriter()
    }
    private let state: Locked<State>
    let path: URL?
    let retention: Retention
    /// What opening the log found (nil without a state folder), for the stage to report.
    let opening: FramedLog.Opening?

    init(directory: URL?, fileName: String = "dedupe-exact.log", retention: Retention = .forever) throws {
        self.retention = retention
        var s = State()
        if let directory {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent(fileName)
            path = file
            var lines: [(key: String, id: String, time: UInt32)] = []
            let now = retention.clock()
            let (fd, opened) = try FramedLog.open(file, kind: .keys) { payload in
                let parts = String(decoding: payload, as: UTF8.self).split(separator: " ")
                guard parts.count >= 2 else { return false }
                lines.append((String(parts[0]), String(parts[1]), parts.count >= 3 ? UInt32(parts[2]) ?? UInt32(now) : UInt32(now)))
                return true
            }
            var live = FramedLog.header(.keys)
            for (n, line) in lines.enumerated()
            where retention.keeps(time: line.time, newer: lines.count - 1 - n, now: now) && s.entries[line.key] == nil {
                Self.insert(line.key, id: line.id, time: line.time, into: &s)
                FramedLog.appendFrame(to: &live) { Self.encode(line.key, id: line.id, time: line.time, into: &$0) }
            }
            s.log = try FramedLogWriter(opened: fd, opened, live: live, liveEntries: s.entries.count)
            opening = opened
        } else {
            path = nil
            opening = nil
        }
        state = Locked(s)
    }

    private static func encode(_ key: String, id: String, time: UInt32, into out: inout [UInt8]) {
        out.append(contentsOf: "\(key) \(id) \(time)".utf8)
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
            s.log.append { Self.encode(key, id: id, time: time, into: &$0) }
            return id
        }
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// Writes and fsyncs what was claimed since the last call.
    func sync() throws {
        try state.withLock { try $0.log.sync("dedupe index") }
    }

    func close() {
        state.withLock { $0.log.close("dedupe index") }
    }
}
