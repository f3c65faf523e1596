import Foundation
import IngestCore
import Logging

/// The closed segments beside the live records file, and the manifest that lists them.
///
/// The sink renames the live file to a segment name and hands it over (`closed`); everything
/// after that runs here, on a queue of its own, off the commit path: count the records, compress
/// to a temporary file (fsync, rename into place, fsync the folder), hash the stored file, list
/// it in the manifest (temporary file, fsync, rename), and only then remove the uncompressed
/// file. A kill -9 at any step leaves every record in at least one whole file and in exactly one
/// once `recover` has run, which redoes or completes whatever step was cut short:
/// a `.tmp` is removed, an unlisted uncompressed segment is finished again, an uncompressed
/// file whose compressed twin is listed is removed, an unlisted compressed segment with no
/// uncompressed twin is scanned and listed, and an entry whose file is gone is dropped.
final class RecordSegments: @unchecked Sendable {
    let folder: URL
    let pattern: SegmentName.Pattern
    let settings: RotationSettings
    private let logger: Logger?
    private let now: @Sendable () -> Date
    private let queue = DispatchQueue(label: "ingestd.sink.segments")
    /// Confined to `queue`.
    private var manifest: RecordsManifest
    /// Confined to `queue`.
    private var pruneTimer: (any DispatchSourceTimer)?

    /// Tests only: runs on `queue` before a segment is compressed (to make compression slow).
    var beforeCompress: (@Sendable () -> Void)?

    /// The newest segment's close time at start, so the next name sorts after every existing one.
    let newestAtStart: Int64?

    init(live: URL, settings: RotationSettings, logger: Logger?, now: @escaping @Sendable () -> Date) {
        folder = live.deletingLastPathComponent()
        pattern = SegmentName.Pattern(live: live.lastPathComponent)
        self.settings = settings
        self.logger = logger
        self.now = now
        var loaded: RecordsManifest?
        do {
            loaded = try RecordsManifest.load(from: folder)
        } catch {
            // Rebuilt by `recover` from the segments themselves: they are what counts.
            logger?.warning("records manifest unreadable; rebuilding it from the segments",
                            metadata: ["path": .string(folder.appendingPathComponent(RecordsManifest.fileName).path),
                                       "reason": .string("\(error)")])
        }
        manifest = loaded ?? RecordsManifest(live: live.lastPathComponent)
        manifest.live = live.lastPathComponent
        newestAtStart = Self.list(folder, pattern).segments.keys.max()
    }

    /// What the folder holds: segment files by close time, and temporary files of ours.
    private static func list(_ folder: URL, _ pattern: SegmentName.Pattern) -> (segments: [Int64: [SegmentName]], temporary: [String]) {
        var segments: [Int64: [SegmentName]] = [:]
        var temporary: [String] = []
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            if let name = pattern.parse(file) {
                segments[name.closedAt, default: []].append(name)
            } else if file.hasSuffix(".tmp"), file == RecordsManifest.fileName + ".tmp" || pattern.parse(String(file.dropLast(4))) != nil {
                temporary.append(file)
            }
        }
        return (segments, temporary)
    }

    private func url(_ name: SegmentName) -> URL { folder.appendingPathComponent(pattern.file(name)) }

    // MARK: work handed over by the sink

    /// Finishes whatever a crash interrupted, then prunes. Runs in the background.
    func recover() { queue.async { self.recoverNow() } }

    /// A segment the sink has just closed (renamed, folder fsynced): finish it, then prune.
    func closed(_ name: SegmentName) {
        queue.async {
            self.finish(name)
            self.prune()
        }
    }

    /// Applies `keep` every `interval` seconds from now on (replacing an earlier timer), so old
    /// segments go even when no rotation comes to prune after it. On `queue`, like every other
    /// change to the manifest and the folder, so it never races a segment being finished.
    func prunePeriodically(every interval: Double) {
        queue.async {
            self.pruneTimer?.cancel()
            let timer = DispatchSource.makeTimerSource(queue: self.queue)
            timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .seconds(1))
            timer.setEventHandler { [weak self] in self?.prune() }
            timer.resume()
            self.pruneTimer = timer
        }
    }

    deinit { pruneTimer?.cancel() }

    /// Asynchronous: a stop must not wait behind a segment being compressed to cancel a timer.
    func stopPruning() {
        queue.async {
            self.pruneTimer?.cancel()
            self.pruneTimer = nil
        }
    }

    /// Returns once all work handed over so far is done.
    func waitIdle() { queue.sync {} }

    /// The same for at most `timeout` seconds; false when work is still under way then.
    func waitIdle(timeout: TimeInterval) -> Bool {
        let idle = DispatchSemaphore(value: 0)
        queue.async { idle.signal() }
        return idle.wait(timeout: .now() + timeout) == .success
    }

    // MARK: the steps

    private func recoverNow() {
        let (segments, temporary) = Self.list(folder, pattern)
        for file in temporary {
            unlink(folder.appendingPathComponent(file).path)
            logger?.notice("removed a temporary file a crash left in the records folder",
                           metadata: ["path": .string(folder.appendingPathComponent(file).path)])
        }
        let listed = Dictionary(manifest.segments.map { (pattern.parse($0.file)?.closedAt ?? -1, $0) }, uniquingKeysWith: { a, _ in a })
        for (closedAt, names) in segments.sorted(by: { $0.key < $1.key }) {
            let plain = names.first { $0.compression == .none }
            let entry = listed[closedAt].flatMap { e in names.first { pattern.file($0) == e.file } }
            if let entry {
                // Listed and there: any other file of the same segment is a copy left by a
                // crash before its removal, and a reader must not count its records twice.
                for other in names where other != entry { remove(other, "a copy of a listed segment") }
            } else if let plain {
                finish(plain)
            } else if let compressed = names.first {
                adopt(compressed)
                for other in names.dropFirst() { remove(other, "a second copy of a segment") }
            }
        }
        let present = Set(Self.list(folder, pattern).segments.values.flatMap { $0 }.map(pattern.file))
        let gone = manifest.segments.filter { !present.contains($0.file) }
        manifest.segments.removeAll { !present.contains($0.file) }
        for e in gone {
            logger?.warning("a segment listed in the records manifest is gone; dropping its entry",
                            metadata: ["file": .string(e.file), "count": .stringConvertible(e.count)])
        }
        // Written at the first start too, so a reader always finds a manifest.
        if (try? RecordsManifest.load(from: folder)) != manifest { save() }
        prune()
    }

    /// Counts, compresses, hashes and lists an uncompressed segment, then removes it if a
    /// compressed copy replaced it.
    private func finish(_ plain: SegmentName) {
        let source = url(plain)
        // Closed at start before `recover` ran, which then found and finished it already.
        if access(source.path, F_OK) != 0, manifest.segments.contains(where: { pattern.parse($0.file)?.closedAt == plain.closedAt }) {
            return
        }
        do {
            let records = try SegmentRecords.scan(source, .none)
            let stored = SegmentName(closedAt: plain.closedAt, compression: settings.compression)
            if stored != plain { try compress(source, into: url(stored)) }
            try list(stored, records)
            if stored != plain {
                unlink(source.path)
                FileIO.syncDirectory(folder)
            }
            logger?.info("records segment closed",
                         metadata: ["file": .string(pattern.file(stored)), "count": .stringConvertible(records.count),
                                    "first": .string(records.first ?? ""), "last": .string(records.last ?? ""),
                                    "compression": .string(stored.compression.rawValue)])
        } catch {
            // The uncompressed segment stays and is unlisted: the next start tries again.
            logger?.error("cannot finish a records segment; it stays as written and is retried at the next start",
                          metadata: ["path": .string(source.path), "reason": .string("\(error)")])
        }
    }

    private func compress(_ source: URL, into target: URL) throws {
        beforeCompress?()
        let tmp = target.path + ".tmp"
        let input = Glibc.open(source.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard input >= 0 else { throw POSIXFailure("open \(source.path)", errno) }
        defer { Glibc.close(input) }
        let output = Glibc.open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard output >= 0 else { throw POSIXFailure("open \(tmp)", errno) }
        do {
            try settings.compression.compress(input, into: output, file: source.path)
            guard fsync(output) == 0 else { throw POSIXFailure("fsync \(tmp)", errno) }
        } catch {
            Glibc.close(output)
            unlink(tmp)
            throw error
        }
        Glibc.close(output)
        guard rename(tmp, target.path) == 0 else { throw POSIXFailure("rename \(tmp)", errno) }
        FileIO.syncDirectory(folder)
    }

    /// Adds (or replaces) the manifest entry of a stored segment and saves the manifest.
    private func list(_ stored: SegmentName, _ records: SegmentRecords) throws {
        let path = url(stored)
        var size = 0
        let sha = try Self.sha256(of: path, size: &size)
        manifest.segments.removeAll { pattern.parse($0.file)?.closedAt == stored.closedAt }
        manifest.segments.append(.init(file: pattern.file(stored), first: records.first, last: records.last, count: records.count,
                                       bytes: size, sha256: sha, compression: stored.compression))
        manifest.segments.sort { (pattern.parse($0.file)?.closedAt ?? 0) < (pattern.parse($1.file)?.closedAt ?? 0) }
        try manifest.save(in: folder)
    }

    /// A compressed segment nobody listed (a crash after a `keep` removal took its entry, or a
    /// manifest rebuilt): read back, hashed, listed.
    private func adopt(_ name: SegmentName) {
        do {
            try list(name, try SegmentRecords.scan(url(name), name.compression))
        } catch {
            logger?.error("a records segment cannot be read back; left unlisted",
                          metadata: ["path": .string(url(name).path), "reason": .string("\(error)")])
        }
    }

    private func remove(_ name: SegmentName, _ why: String) {
        unlink(url(name).path)
        FileIO.syncDirectory(folder)
        logger?.notice("removed \(why) from the records folder", metadata: ["path": .string(url(name).path)])
    }

    private func save() {
        do {
            try manifest.save(in: folder)
        } catch {
            logger?.error("cannot write the records manifest", metadata: ["path": .string(folder.path), "reason": .string("\(error)")])
        }
    }

    /// Deletes the segments closed more than `keep` ago: the manifest entry first, so a reader
    /// never follows an entry to a file that is gone.
    private func prune() {
        guard let keep = settings.keep else { return }
        let cutoff = Int64(now().timeIntervalSince1970 * 1000) - Int64(keep * 1000)
        let old = manifest.segments.filter { (pattern.parse($0.file)?.closedAt ?? Int64.max) < cutoff }
        guard !old.isEmpty else { return }
        manifest.segments.removeAll { (pattern.parse($0.file)?.closedAt ?? Int64.max) < cutoff }
        save()
        for e in old { unlink(folder.appendingPathComponent(e.file).path) }
        FileIO.syncDirectory(folder)
        logger?.notice("deleted records segments older than keep",
                       metadata: ["count": .stringConvertible(old.count), "keep_s": .stringConvertible(Int(keep)),
                                  "oldest": .string(old.first?.file ?? ""), "newest": .string(old.last?.file ?? "")])
    }

    // MARK: reading back

    /// The ids in the segments that may hold a record written at or after `since`
    /// (milliseconds; all segments when nil). Picked by what they hold, not by name: a segment
    /// is read when its manifest entry's `last` record is at or after `since`, or it has no
    /// entry (or one without a readable `last`), or it was closed at or after `since`. The name
    /// alone is not enough: a live file closed at start by an earlier version, or inferred into
    /// the wrong period, is named before records it holds.
    func ids(closedSince since: Int64?) throws -> Set<String> {
        try queue.sync {
            var ids = Set<String>()
            var newest: [String: Int64] = [:]
            for e in manifest.segments {
                if let at = e.last.flatMap(LineHeads.millis(ofTimestamp:)) { newest[e.file] = at }
            }
            for (closedAt, names) in Self.list(folder, pattern).segments {
                if let since, closedAt < since, let last = names.compactMap({ newest[pattern.file($0)] }).max(), last < since {
                    continue  // listed, and its newest record is older than `since`
                }
                // Every file of one segment holds the same records; the uncompressed one is the
                // cheapest to read.
                guard let name = names.min(by: { $0.compression == .none && $1.compression != .none }) else { continue }
                ids.formUnion(try SegmentRecords.scan(url(name), name.compression, collectIDs: true).ids ?? [])
            }
            return ids
        }
    }

    /// Tests: the manifest as it is now.
    var currentManifest: RecordsManifest { queue.sync { manifest } }

    static func sha256(of path: URL, size: inout Int) throws -> String {
        let fd = Glibc.open(path.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw POSIXFailure("open \(path.path)", errno) }
        defer { Glibc.close(fd) }
        var total = 0
        var failure: (any Error)?
        let hex = SHA256Digest.hex { update in
            do {
                try SegmentCompression.readChunks(fd, file: path.path) { piece in
                    total += piece.count
                    update(piece)
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        size = total
        return hex
    }
}
