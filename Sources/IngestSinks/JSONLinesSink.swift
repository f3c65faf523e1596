import Foundation
import IngestCore
import Logging

/// Appends one JSON record per line to a file and makes it durable before acknowledging.
///
/// Group commit: records submitted while a write is under way are written and fsynced
/// together, so durability costs one fdatasync per batch, not per record. Before each commit
/// `beforeCommit` runs (stages make their own state durable there). At open, a torn last line
/// left by a crash is cut off so readers never see half a record.
///
/// The file may be renamed (logrotate) or deleted under the running daemon. Before each batch
/// the sink checks that its path still names the file it holds open, and after writing that
/// the file still has a name: otherwise it opens a fresh file at the path (writing the batch
/// again if it went to a deleted file), so no input is acknowledged for a record nobody can read.
///
/// With `rotation`, the live file is closed into a segment between two batches, never inside
/// one (`rotateIfDue`): renamed to its segment name, a fresh live file opened at the path (the
/// folder fsynced once for both), and the segment handed to `RecordSegments`, which compresses
/// and lists it in the background. A reader following `records.jsonl` by name (`tail -F`) sees
/// the file replaced, as after a logrotate rename.
public final class JSONLinesSink: RecordSink, @unchecked Sendable {
    // All mutable state below is touched only on `queue`.
    private let queue = DispatchQueue(label: "ingestd.sink.jsonl")
    private var pending: [(Submission, @Sendable ((any Error)?) -> Void)] = []
    private var flushScheduled = false
    private var closed = false
    private var fd: Int32
    private let ownsDescriptor: Bool
    private let durable: Bool
    private let beforeCommit: @Sendable () throws -> Void
    private let logger: Logger?
    private let commitStart = Locked<UInt64?>(nil)
    public let path: URL?
    private let rotation: RotationSettings?
    private let segments: RecordSegments?
    private let now: @Sendable () -> Date
    /// When the first record went into the live file (ms since 1970; nil while it is empty):
    /// the period a rotation by time closes it at the end of.
    private var liveSince: Int64?
    /// The newest segment's close time, so each new name sorts after every older one.
    private var lastClosedAt: Int64 = 0
    private var rotationTimer: (any DispatchSourceTimer)?
    /// How long `close` waits for segments still being compressed and listed (seconds).
    var stopWait: TimeInterval = 5
    /// Bytes of a torn last line removed at open (0 when the file was whole).
    public let repairedBytes: Int
    /// Tests only: runs on the sink's queue after a batch is written, before the sink checks
    /// that the file still has a name (to delete it at the moment that matters).
    var afterWrite: (() -> Void)?

    /// What was submitted: a line (`nil`: a barrier only), or a record whose text is written
    /// from its String at commit time.
    enum Submission: Sendable {
        case line([UInt8]?)
        case streamed(StreamedRecord)
    }

    /// A buffer to write as it is, or a record's text to escape into the file in pieces.
    enum Piece {
        case bytes([UInt8])
        case text(String)
    }

    /// The size of the pieces a streamed record's text is escaped and written in.
    static let textChunk = 64 * 1024

    /// A durable sink writing to `path` (created with its folder if missing), closed into
    /// segments as `rotation` says (never without it). `now` is the clock rotation reads.
    public init(path: URL, logger: Logger? = nil, rotation: RotationSettings? = nil, now: @escaping @Sendable () -> Date = { Date() },
                beforeCommit: @escaping @Sendable () throws -> Void = {}) throws {
        let fd = try Self.open(path)
        self.fd = fd
        self.path = path
        self.ownsDescriptor = true
        // A device or a pipe (`--output /dev/null`) has nothing to make durable, and fdatasync
        // on it fails (EINVAL): only a regular file is synced, repaired and watched for renames.
        var st = stat()
        self.durable = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
        self.beforeCommit = beforeCommit
        self.logger = logger
        self.now = now
        self.repairedBytes = durable ? try Self.repairTornTail(fd: fd, path: path) : 0
        if let rotation, durable {
            self.rotation = rotation
            let segments = RecordSegments(live: path, settings: rotation, logger: logger, now: now)
            self.segments = segments
            lastClosedAt = segments.newestAtStart ?? 0
            liveSince = Self.liveFileTime(fd: fd)
            segments.recover()
            if let interval = rotation.pruneInterval { segments.prunePeriodically(every: interval) }
            queue.sync {
                rotateIfDue()
                armRotationTimer()
            }
        } else {
            self.rotation = nil
            self.segments = nil
        }
    }

    private static func open(_ path: URL) throws -> Int32 {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = Glibc.open(path.path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXFailure("open \(path.path)", errno) }
        // The file's name must survive a power cut as surely as the records in it.
        FileIO.syncDirectory(path.deletingLastPathComponent())
        return fd
    }

    /// A sink on an already open descriptor (stdout for `ingestd once --output -`): no repair,
    /// no fsync, not closed.
    public init(fileDescriptor: Int32, beforeCommit: @escaping @Sendable () throws -> Void = {}) {
        self.fd = fileDescriptor
        self.path = nil
        self.ownsDescriptor = false
        self.durable = false
        self.beforeCommit = beforeCommit
        self.logger = nil
        self.repairedBytes = 0
        self.rotation = nil
        self.segments = nil
        self.now = { Date() }
    }

    public func submit(_ line: [UInt8]?, completion: @escaping @Sendable ((any Error)?) -> Void) {
        enqueue(.line(line), completion)
    }

    /// The record's text stays a String until the commit, which escapes it straight into the
    /// file 64 KiB at a time: the line is never built. The parts are kept until the batch is
    /// durable, since a batch may be written twice (see `flush`).
    public func submit(streamed record: StreamedRecord, completion: @escaping @Sendable ((any Error)?) -> Void) {
        enqueue(.streamed(record), completion)
    }

    private func enqueue(_ submission: Submission, _ completion: @escaping @Sendable ((any Error)?) -> Void) {
        queue.async {
            // A worker cut off by the shutdown timeout may still submit: its input is redone.
            guard !self.closed else { return completion(SinkClosed()) }
            self.pending.append((submission, completion))
            if !self.flushScheduled {
                self.flushScheduled = true
                self.queue.async { self.flush() }
            }
        }
    }

    private func flush() {
        flushScheduled = false
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        commitStart.withLock { $0 = DispatchTime.now().uptimeNanoseconds }
        var error: (any Error)?
        do {
            try beforeCommit()
            let pieces = Self.pieces(batch.map(\.0))
            if !pieces.isEmpty {
                if let path, durable, !Self.names(path, fd) {
                    try reopen(because: "the records file was renamed or deleted; writing a new one")
                }
                // A period that ended since the last batch is closed before this one opens the next.
                rotateIfDue()
                try commit(pieces)
                afterWrite?()
                if durable, !Self.hasName(fd) {
                    // Deleted between the check and the write: those records are in no file.
                    try reopen(because: "the records file was deleted while records were written to it; writing them again to a new one")
                    try commit(pieces)
                }
                if rotation != nil {
                    if liveSince == nil { liveSince = nowMillis }
                    rotateIfDue()
                    armRotationTimer()
                }
            }
        } catch let e {
            error = e
        }
        commitStart.withLock { $0 = nil }
        for (_, completion) in batch { completion(error) }
    }

    private var nowMillis: Int64 { Int64((now().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Closes the live file into a segment when its period has ended or it has reached
    /// `max_bytes`. Runs on the queue between batches. A failure is logged and the live file
    /// kept: records go on being written, and the next batch tries again.
    func rotateIfDue() {
        guard let rotation, let path, durable, liveSince != nil else { return }
        let current = nowMillis
        if let since = liveSince, let boundary = rotation.boundary(after: since), boundary <= current {
            return rotate(path, closedAt: boundary, reason: "every")
        }
        var st = stat()
        if let maxBytes = rotation.maxBytes, fstat(fd, &st) == 0, Int(st.st_size) >= maxBytes {
            rotate(path, closedAt: current, reason: "max_bytes")
        }
    }

    private func rotate(_ path: URL, closedAt: Int64, reason: String) {
        guard let segments else { return }
        let name = SegmentName(closedAt: max(closedAt, lastClosedAt + 1), compression: .none)
        let target = path.deletingLastPathComponent().appendingPathComponent(segments.pattern.file(name))
        guard rename(path.path, target.path) == 0 else {
            logger?.error("cannot rotate the records file; writing on to it",
                          metadata: ["path": .string(path.path), "reason": .string(String(cString: strerror(errno)))])
            return
        }
        let fresh: Int32
        do {
            // Syncs the folder: the rename and the new file survive a power cut together.
            fresh = try Self.open(path)
        } catch {
            // Undone, so the file records go to keeps the live name and is not finished under them.
            let undone = rename(target.path, path.path) == 0
            logger?.error("cannot rotate the records file; writing on to it",
                          metadata: ["path": .string(path.path), "reason": .string("\(error)"), "undone": .stringConvertible(undone)])
            return
        }
        Glibc.close(fd)
        fd = fresh
        lastClosedAt = name.closedAt
        liveSince = nil
        logger?.info("records file rotated", metadata: ["path": .string(path.path), "segment": .string(target.lastPathComponent),
                                                        "reason": .string(reason)])
        segments.closed(name)
    }

    /// With `every`, a timer closes the live file at the end of its period even when no batch
    /// comes to do it, so a day's segment appears at 00:00Z and not with tomorrow's first record.
    private func armRotationTimer() {
        guard rotationTimer == nil, !closed, let since = liveSince, let boundary = rotation?.boundary(after: since) else { return }
        let delay = max(0, Double(boundary - nowMillis) / 1000)
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(wallDeadline: .now() + delay, leeway: .milliseconds(100))
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            self.rotationTimer?.cancel()
            self.rotationTimer = nil
            guard !self.closed else { return }
            self.rotateIfDue()
            self.armRotationTimer()
        }
        timer.resume()
        rotationTimer = timer
    }

    /// The period a live file left by an earlier run belongs to: that of its newest record
    /// (the later `ingested_at` of its first and last lines). Not the first record's: a run
    /// opens a period at its first commit, and that batch may hold records stamped a few ms
    /// before the boundary; taken by its first record, a file holding a whole day of records
    /// would be closed at start as the day before's, named before most of what it holds.
    private static func liveFileTime(fd: Int32) -> Int64? {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
        let fallback = Int64(st.st_mtim.tv_sec) * 1000
        let first = recordTime(fd: fd, at: 0)
        let last = lastLineStart(fd: fd, size: Int(st.st_size)).flatMap { recordTime(fd: fd, at: $0) }
        return [first, last].compactMap { $0 }.max() ?? fallback
    }

    /// The `ingested_at` of the line starting at `offset`.
    private static func recordTime(fd: Int32, at offset: Int) -> Int64? {
        var head = [UInt8](repeating: 0, count: LineHeads.headBytes)
        let n = pread(fd, &head, head.count, off_t(offset))
        guard n > 0 else { return nil }
        return LineHeads.ingestedAt(Array(head[0..<n])).flatMap(LineHeads.millis(ofTimestamp:))
    }

    /// Where the last line starts (the file ends with a newline: its torn tail is repaired).
    /// Read backwards, so a long file costs only its last record.
    private static func lastLineStart(fd: Int32, size: Int) -> Int? {
        var end = size - 1  // the last line's own newline
        var buf = [UInt8](repeating: 0, count: 64 * 1024)
        while end > 0 {
            let start = max(0, end - buf.count)
            let n = pread(fd, &buf, end - start, off_t(start))
            guard n == end - start else { return nil }
            if let nl = buf[0..<n].lastIndex(of: 0x0A) { return start + nl + 1 }
            end = start
        }
        return 0
    }

    /// Tests: the segments' background work, finished.
    func waitForSegments() { segments?.waitIdle() }
    var segmentFolder: RecordSegments? { segments }

    /// A line this long is written from its own buffer: copied into the batch's, a 250 MB record
    /// would be held twice.
    static let copyLimit = 1 << 20

    /// The batch's lines, each followed by a newline, as few buffers to write one after the other:
    /// short lines are gathered into one, long ones are left where they are.
    static func pieces(_ lines: [[UInt8]?]) -> [[UInt8]] {
        pieces(lines.map(Submission.line)).map { piece in
            guard case .bytes(let bytes) = piece else { preconditionFailure("no text piece without a streamed record") }
            return bytes
        }
    }

    /// The same for submissions: a streamed record's prefix ends the buffer gathered before it,
    /// its text is a piece of its own, and its suffix starts the next buffer.
    static func pieces(_ submissions: [Submission]) -> [Piece] {
        var pieces: [Piece] = []
        var gathered: [UInt8] = []
        for submission in submissions {
            switch submission {
            case .line(nil):
                continue
            case .line(let line?):
                if line.count >= copyLimit {
                    if !gathered.isEmpty { pieces.append(.bytes(gathered)) }
                    pieces.append(.bytes(line))
                    gathered = []
                } else {
                    gathered.append(contentsOf: line)
                }
            case .streamed(let record):
                gathered.append(contentsOf: record.prefix)
                pieces.append(.bytes(gathered))
                pieces.append(.text(record.text))
                gathered = record.suffix
            }
            gathered.append(0x0A)
        }
        if !gathered.isEmpty { pieces.append(.bytes(gathered)) }
        return pieces
    }

    private func commit(_ pieces: [Piece]) throws {
        for piece in pieces {
            switch piece {
            case .bytes(let bytes): try FileIO.writeAll(fd, bytes)
            case .text(let text): try JSONValue.writeString(text, chunkSize: Self.textChunk) { try FileIO.writeAll(fd, $0) }
            }
        }
        if durable, fdatasync(fd) != 0 { throw POSIXFailure("fdatasync \(path?.path ?? "sink")", errno) }
    }

    private func reopen(because message: String) throws {
        guard let path else { return }
        let fresh = try Self.open(path)
        Glibc.close(fd)
        fd = fresh
        liveSince = nil
        logger?.warning("\(message)", metadata: ["path": .string(path.path)])
    }

    /// Whether `path` names the file open on `fd` (same device and inode).
    static func names(_ path: URL, _ fd: Int32) -> Bool {
        var atPath = stat(), open = stat()
        guard stat(path.path, &atPath) == 0, fstat(fd, &open) == 0 else { return false }
        return atPath.st_dev == open.st_dev && atPath.st_ino == open.st_ino
    }

    /// Whether the open file still has a name anywhere (deleted files have none).
    static func hasName(_ fd: Int32) -> Bool {
        var open = stat()
        return fstat(fd, &open) == 0 && open.st_nlink > 0
    }

    public var commitStartedAt: UInt64? { commitStart.withLock { $0 } }

    public func existingIDs() throws -> Set<String> {
        try existingIDs(closedSince: nil)
    }

    /// A record whose input is still in `processing/` was written after that input was claimed
    /// (`since`), by the run that crashed. It is in the live file, or, if a rotation closed the
    /// live file after the record was written (possibly before its input was acknowledged), in
    /// a segment closed after the record was written, hence after `since`. Segments closed
    /// before `since` cannot hold it and are not read: after a crash that is the live file plus
    /// the segments closed since the oldest claim still in flight, usually none or one.
    public func existingIDs(writtenSince since: Date) throws -> Set<String> {
        try existingIDs(closedSince: Int64((since.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    private func existingIDs(closedSince since: Int64?) throws -> Set<String> {
        guard let path else { return [] }
        // The live file first: a rotation between the two reads moves records from the live
        // file into a segment closed now, which the second read covers.
        var ids = try queue.sync {
            do {
                return try SegmentRecords.scan(path, .none, collectIDs: true).ids ?? []
            } catch let e as POSIXFailure where e.code == ENOENT {
                return []  // renamed or deleted by hand; the next batch opens a new one
            }
        }
        if let segments { ids.formUnion(try segments.ids(closedSince: since)) }
        return ids
    }

    /// A clean stop also waits, for at most `stopWait`, for the segment being compressed, so
    /// that after it every segment is usually listed in the manifest.
    public func close() throws {
        try queue.sync {
            flush()
            if durable, fd >= 0 { _ = fdatasync(fd) }
            if ownsDescriptor, fd >= 0 { Glibc.close(fd); fd = -1 }
            closed = true
            rotationTimer?.cancel()
            rotationTimer = nil
        }
        segments?.stopPruning()
        // Bounded: a large segment's compression can outlast the service manager's stop
        // timeout, and a kill then would cut the records' own fsync short. What is left
        // unfinished stays renamed and unlisted, and the next start's recovery finishes it.
        if let segments, !segments.waitIdle(timeout: stopWait) {
            logger?.warning("records segments still being finished at stop; the next start finishes them",
                            metadata: ["path": .string(segments.folder.path), "waited_s": .stringConvertible(stopWait)])
        }
    }

    /// Cuts the file back to its last newline. Returns how many bytes were removed.
    static func repairTornTail(fd: Int32, path: URL) throws -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw POSIXFailure("stat \(path.path)", errno) }
        let size = Int(st.st_size)
        guard size > 0 else { return 0 }
        var end = size
        var buf = [UInt8](repeating: 0, count: 64 * 1024)
        while end > 0 {
            let start = max(0, end - buf.count)
            let n = pread(fd, &buf, end - start, off_t(start))
            guard n == end - start else { throw POSIXFailure("read \(path.path)", errno) }
            if let last = buf[0..<n].lastIndex(of: 0x0A) {
                let keep = start + last + 1
                if keep == size { return 0 }
                guard ftruncate(fd, off_t(keep)) == 0, fsync(fd) == 0 else { throw POSIXFailure("truncate \(path.path)", errno) }
                return size - keep
            }
            end = start
        }
        guard ftruncate(fd, 0) == 0, fsync(fd) == 0 else { throw POSIXFailure("truncate \(path.path)", errno) }
        return size
    }
}

/// A record submitted after `close`.
public struct SinkClosed: Error, CustomStringConvertible {
    public var description: String { "the records sink is closed" }
}
