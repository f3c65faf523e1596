import Foundation
import IngestCore

/// Key → id of the first record with that key (a content hash, a canonical URL), kept in
/// memory and, when a state folder is configured, in an append-only log there.
///
/// The log is one `HASH ID` line per entry. A crash can leave a torn last line; it is cut off
/// at open, which loses at most an entry whose record was never acknowledged (the stage makes
/// the log durable in `sync()` before the sink commits).
final class ExactIndex: Sendable {
    private struct State {
        var entries: [String: String] = [:]
        var pending: [UInt8] = []
        var fd: Int32 = -1
    }
    private let state: Locked<State>
    let path: URL?

    init(directory: URL?, fileName: String = "dedupe-exact.log") throws {
        var s = State()
        if let directory {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent(fileName)
            path = file
            let fd = open(file.path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw POSIXFailure("open \(file.path)", errno) }
            s.fd = fd
            let data = try Data(contentsOf: file)
            var validEnd = 0
            var lineStart = 0
            data.withUnsafeBytes { (buf: UnsafeRawBufferPointer) in
                for i in 0..<buf.count where buf[i] == 0x0A {
                    let line = String(decoding: buf[lineStart..<i], as: UTF8.self)
                    let parts = line.split(separator: " ", maxSplits: 1)
                    if parts.count == 2, s.entries[String(parts[0])] == nil {
                        s.entries[String(parts[0])] = String(parts[1])
                    }
                    lineStart = i + 1
                    validEnd = i + 1
                }
            }
            if validEnd < data.count {
                guard ftruncate(fd, off_t(validEnd)) == 0 else { throw POSIXFailure("truncate \(file.path)", errno) }
            }
        } else {
            path = nil
        }
        state = Locked(s)
    }

    /// Records `hash` for `id` unless it is known; returns the id that owns the hash.
    /// Check and insert are one step under the lock, so two equal documents on two queues
    /// cannot both come out unique.
    func claim(hash: String, id: String) -> String {
        state.withLock { s in
            if let owner = s.entries[hash] { return owner }
            s.entries[hash] = id
            if s.fd >= 0 { s.pending.append(contentsOf: Array("\(hash) \(id)\n".utf8)) }
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
