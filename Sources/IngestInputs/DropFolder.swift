import Foundation
import IngestCore
import Logging

/// The inbox a user drops files into, watched with inotify.
///
/// A file is claimed by renaming it into `processing/` (atomic within one file system) under
/// a unique claim name, so no file is processed twice and a restart finds what was in flight.
/// Once its outcome is final it moves to `done/` (or is deleted) or to `failed/` beside a
/// `NAME.error.json` sidecar. All state lives on one serial queue.
public final class DropFolder: DocumentSource, @unchecked Sendable {
    public let settings: PipelineConfig.DropFolder
    private let logger: Logger
    private let queue = DispatchQueue(label: "ingestd.source.drop-folder")

    // Confined to `queue`.
    private var watch: InotifyWatch?
    private var deliver: (@Sendable (Claim) -> Void)?
    private var credits = 0
    private var pending: [String] = []
    private var pendingHead = 0
    private var pendingSet: Set<String> = []
    private var needsRescan = false
    private var stopped = false
    private var stamps = ClaimStamps()

    /// Past this many known-but-unclaimed names the source stops remembering and rescans the
    /// folder once the backlog drains, so a flood of millions of files costs bounded memory.
    let maxRemembered: Int

    public init(settings: PipelineConfig.DropFolder, logger: Logger, maxRemembered: Int = 100_000) {
        self.settings = settings
        self.logger = logger
        self.maxRemembered = maxRemembered
    }

    static func device(of url: URL) throws -> UInt {
        var st = stat()
        guard stat(url.path, &st) == 0 else { throw POSIXFailure("stat \(url.path)", errno) }
        return UInt(st.st_dev)
    }

    /// Names that are still being written by convention: ignored until renamed.
    public static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".tmp") || name.hasSuffix(".part") || name.hasSuffix(".crdownload")
    }

    public func start(deliver: @escaping @Sendable (Claim) -> Void) throws {
        let fm = FileManager.default
        for dir in [settings.inbox, settings.processing, settings.done, settings.failed] {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        // Claiming and acknowledging are renames, which are atomic only within one file system.
        let inboxDevice = try Self.device(of: settings.inbox)
        for dir in [settings.processing, settings.done, settings.failed] where try Self.device(of: dir) != inboxDevice {
            throw DropFolderError(message: "\(dir.path) is on another file system than the inbox \(settings.inbox.path); "
                                  + "files are moved by rename, so all drop-folder paths must be on one file system")
        }
        try queue.sync {
            self.deliver = deliver
            // Watch before scanning: a file that lands between the two shows up in both,
            // and the pending set keeps it once.
            watch = try InotifyWatch(folder: settings.inbox.path, queue: queue) { [unowned self] event in
                self.handle(event)
            }
            recoverInFlight()
            scanInbox()
            drain()
        }
    }

    public func grant(_ n: Int) {
        queue.async {
            self.credits += n
            self.drain()
        }
    }

    public func stop() {
        queue.sync {
            stopped = true
            watch?.cancel()
            watch = nil
        }
    }

    public var backlog: Int { queue.sync { pending.count - pendingHead } }

    /// Runs `body` on the source's queue (tests use it to inject events).
    func onQueue(_ body: @escaping @Sendable () -> Void) { queue.async(execute: body) }

    func handle(_ event: InotifyWatch.Event) {
        guard !stopped else { return }
        switch event {
        case .ready(let name):
            remember(name)
        case .overflow:
            logger.warning("inotify queue overflowed; rescanning the inbox", metadata: ["path": .string(settings.inbox.path)])
            scanInbox()
        case .folderGone:
            logger.error("the inbox folder was deleted or moved; no new files will be seen until restart",
                         metadata: ["path": .string(settings.inbox.path)])
        }
        drain()
    }

    private func remember(_ name: String) {
        guard !Self.isIgnored(name), !pendingSet.contains(name) else { return }
        if pendingSet.count >= maxRemembered {
            needsRescan = true
            return
        }
        pendingSet.insert(name)
        pending.append(name)
    }

    /// Start-up recovery: whatever sits in `processing/` was claimed by an earlier run that
    /// stopped before acknowledging it. It is delivered first, flagged so the runner checks
    /// whether its record was already written.
    private func recoverInFlight() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: settings.processing.path)) ?? []
        for claimName in names.sorted() where !claimName.hasPrefix(".") {
            let original = Self.originalName(of: claimName)
            let claim = Claim(name: original, claimName: claimName,
                              path: settings.processing.appendingPathComponent(claimName),
                              originPath: settings.inbox.appendingPathComponent(original).path, recovered: true)
            logger.notice("recovering a document claimed before the last stop",
                          metadata: ["path": .string(claim.path.path)])
            credits -= 1  // may go negative: recovered claims are not refused, new ones wait
            deliver?(claim)
        }
    }

    /// Oldest first (by modification time), so a backlog is worked in arrival order.
    private func scanInbox() {
        needsRescan = false
        guard let dir = opendir(settings.inbox.path) else {
            logger.error("cannot list the inbox", metadata: ["path": .string(settings.inbox.path), "reason": .string(String(cString: strerror(errno)))])
            return
        }
        var found: [(mtime: Int, name: String)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." || Self.isIgnored(name) || pendingSet.contains(name) { continue }
            var st = stat()
            let full = settings.inbox.appendingPathComponent(name).path
            let mtime = stat(full, &st) == 0 ? Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec) : 0
            found.append((mtime, name))
        }
        closedir(dir)
        found.sort { ($0.mtime, $0.name) < ($1.mtime, $1.name) }
        for f in found { remember(f.name) }
    }

    private func drain() {
        while credits > 0, !stopped, pendingHead < pending.count {
            let name = pending[pendingHead]
            pendingHead += 1
            pendingSet.remove(name)
            if pendingHead > 4096, pendingHead * 2 > pending.count {
                pending.removeFirst(pendingHead)
                pendingHead = 0
            }
            if let claim = claim(name) {
                credits -= 1
                deliver?(claim)
            }
        }
        if pendingHead >= pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingHead = 0
            if needsRescan, !stopped { scanInbox(); if !pending.isEmpty { drain() } }
        }
    }

    /// Renames the file into `processing/`. A file that vanished since its event (deleted,
    /// or taken by another process) is skipped quietly.
    func claim(_ name: String) -> Claim? {
        let stamp = stamps.next()
        let claimName = "\(stamp)-\(name)"
        let from = settings.inbox.appendingPathComponent(name)
        let to = settings.processing.appendingPathComponent(claimName)
        if rename(from.path, to.path) != 0 {
            let e = errno
            if e == ENOENT {
                logger.debug("file vanished before it could be claimed", metadata: ["path": .string(from.path)])
            } else {
                logger.warning("cannot claim file", metadata: ["path": .string(from.path), "reason": .string(String(cString: strerror(e)))])
            }
            return nil
        }
        return Claim(name: name, claimName: claimName, path: to, originPath: from.path, recovered: false)
    }

    static func originalName(of claimName: String) -> String {
        let parts = claimName.split(separator: "-", maxSplits: 1)
        if parts.count == 2, parts[0].count == 16, parts[0].allSatisfy(\.isHexDigit) { return String(parts[1]) }
        return claimName
    }

    public func acknowledge(_ claim: Claim, outcome: Outcome) {
        queue.async {
            self.finish(claim, outcome: outcome)
            self.credits += 1
            self.drain()
        }
    }

    private func finish(_ claim: Claim, outcome: Outcome) {
        switch outcome {
        case .recorded, .dropped:
            if settings.afterSuccess == .delete {
                if unlink(claim.path.path) != 0, errno != ENOENT {
                    logger.error("cannot delete processed file", metadata: ["path": .string(claim.path.path)])
                }
                return
            }
            let target = SettledInputs.freeName(in: settings.done, for: claim)
            if rename(claim.path.path, target.path) != 0 {
                logger.error("cannot move processed file to done/",
                             metadata: ["path": .string(claim.path.path), "reason": .string(String(cString: strerror(errno)))])
            }
        case .rejected(let rejection):
            SettledInputs.moveToFailed(claim, rejection, into: settings.failed, logger: logger)
        }
    }
}

public struct DropFolderError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
