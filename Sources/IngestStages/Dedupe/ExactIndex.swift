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
/// stop matching and are left out when the log is rewritten at open. A claim whose document got
/// no record (rejected or dropped later in the pipeline) is released by a `0x00 KEY ID` frame;
/// the loader replays claims and releases in order, and a rewrite leaves both out.
final class ExactIndex: Sendable {
    private struct Entry {
        var id: String
        var time: UInt32
        var sequence: Int
    }
    private struct State {
        var entries: [String: Entry] = [:]
        /// Owner id → the key it owns, so `forget` finds a document's claim without a scan. A
        /// document claims one key per index (its text hash, its URL); a second key under the same
        /// id (one re-processed after a crash with a text that came out otherwise) goes to `more`.
        /// The strings share storage with `entries`, so this costs about a table slot per entry.
        var owned: [String: String] = [:]
        var more: [String: [String]] = [:]
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

    /// A release frame's first byte: no claim line starts with a control byte.
    private static let releaseMark: UInt8 = 0

    private enum Event {
        case claim(key: String, id: String, time: UInt32)
        case release(key: String, id: String)
    }

    init(directory: URL?, fileName: String = "dedupe-exact.log", retention: Retention = .forever) throws {
        self.retention = retention
        var s = State()
        if let directory {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent(fileName)
            path = file
            var events: [Event] = []
            var claims = 0
            let now = retention.clock()
            let (fd, opened) = try FramedLog.open(file, kind: .keys) { payload in
                let release = payload.first == Self.releaseMark
                let parts = String(decoding: release ? UnsafeRawBufferPointer(rebasing: payload.dropFirst()) : payload,
                                   as: UTF8.self).split(separator: " ")
                guard parts.count >= 2 else { return false }
                if release {
                    events.append(.release(key: String(parts[0]), id: String(parts[1])))
                } else {
                    events.append(.claim(key: String(parts[0]), id: String(parts[1]),
                                         time: parts.count >= 3 ? UInt32(parts[2]) ?? UInt32(now) : UInt32(now)))
                    claims += 1
                }
                return true
            }
            // Replayed in log order: the retention window first (as at run time, an entry it no
            // longer keeps leaves its key free for a later claim), then the first claim of a key
            // wins until its owner releases it, after which a later claim may take the key.
            var owner: [String: (id: String, claim: Int)] = [:]
            var kept: [(key: String, id: String, time: UInt32)?] = []
            kept.reserveCapacity(claims)
            for event in events {
                switch event {
                case .claim(let key, let id, let time):
                    kept.append(nil)
                    guard retention.keeps(time: time, newer: claims - kept.count, now: now), owner[key] == nil else { continue }
                    owner[key] = (id, kept.count - 1)
                    kept[kept.count - 1] = (key, id, time)
                case .release(let key, let id):
                    if let o = owner[key], o.id == id {
                        owner[key] = nil
                        kept[o.claim] = nil
                    }
                }
            }
            events = []
            var live = FramedLog.header(.keys)
            for case let (key, id, time)? in kept {
                Self.insert(key, id: id, time: time, into: &s)
                FramedLog.appendFrame(to: &live) { Self.encode(key, id: id, time: time, into: &$0) }
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

    private static func encodeRelease(_ key: String, id: String, into out: inout [UInt8]) {
        out.append(releaseMark)
        out.append(contentsOf: "\(key) \(id)".utf8)
    }

    private static func insert(_ key: String, id: String, time: UInt32, into s: inout State) {
        s.sequence += 1
        s.entries[key] = Entry(id: id, time: time, sequence: s.sequence)
        s.order.append((key, s.sequence))
        if let first = s.owned[id], first != key {
            s.more[id, default: []].append(key)
        } else {
            s.owned[id] = key
        }
    }

    /// Removes `key`, owned by `id`, from the entries and the owner map.
    private static func remove(_ key: String, of id: String, from s: inout State) {
        s.entries[key] = nil
        if s.owned[id] == key {
            s.owned[id] = nil
            if var rest = s.more[id] {
                s.owned[id] = rest.removeFirst()
                s.more[id] = rest.isEmpty ? nil : rest
            }
        } else if var rest = s.more[id] {
            rest.removeAll { $0 == key }
            s.more[id] = rest.isEmpty ? nil : rest
        }
    }

    /// Forgets what fell out of the retention window, oldest first.
    private func evict(_ s: inout State, now: Double) {
        while s.head < s.order.count {
            let (key, sequence) = s.order[s.head]
            guard let entry = s.entries[key], entry.sequence == sequence else { s.head += 1; continue }
            if retention.keeps(time: entry.time, newer: s.entries.count - 1, now: now) { break }
            Self.remove(key, of: entry.id, from: &s)
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

    /// Releases every key `id` owns (none that another id owns), so a later document with that
    /// key becomes its owner. The release frame goes to the log buffer, written and fsynced with
    /// the claims in `sync()`; a stale order slot is skipped by eviction (its sequence no
    /// longer matches).
    func forget(_ id: String) {
        state.withLock { s in
            guard let first = s.owned[id] else { return }
            for key in [first] + (s.more[id] ?? []) where s.entries[key]?.id == id {
                Self.remove(key, of: id, from: &s)
                s.log.append { Self.encodeRelease(key, id: id, into: &$0) }
            }
        }
    }

    /// The id that owns `key`, if any (for tests and tools); claims nothing.
    func owner(of key: String) -> String? {
        state.withLock { $0.entries[key]?.id }
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
