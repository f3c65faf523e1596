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
    public let settings: DropFolderSettings
    private let logger: Logger
    private let queue = DispatchQueue(label: "ingestd.source.drop-folder")
    private let settle: SettleCheck

    // Confined to `queue`.
    private var watch: InotifyWatch?
    private var deliver: (@Sendable (Claim) -> Void)?
    private var credits = 0
    private var pending: [EntryName] = []
    private var pendingHead = 0
    private var pendingSet: Set<EntryName> = []
    /// Files seen without a close event, with how they looked at the last check.
    private var unsettled: [EntryName: SettleCheck.Look] = [:]
    private var settleTimer: (any DispatchSourceTimer)?
    private var needsRescan = false
    private var stopped = false
    private var stamps = ClaimStamps()
    private var sweeps: [RetentionSweep] = []

    /// Past this many known-but-unclaimed names the source stops remembering and rescans the
    /// folder once the backlog drains, so a flood of millions of files costs bounded memory.
    let maxRemembered: Int

    public init(settings: DropFolderSettings, logger: Logger, maxRemembered: Int = 100_000) {
        self.settings = settings
        self.logger = logger
        self.maxRemembered = maxRemembered
        self.settle = SettleCheck(settleTime: settings.settleTime)
    }

    static func device(of url: URL) throws -> UInt {
        var st = stat()
        guard stat(url.path, &st) == 0 else { throw POSIXFailure("stat \(url.path)", errno) }
        return UInt(st.st_dev)
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
            for (folder, key, retention) in [(settings.done, "done_retention", settings.doneRetention),
                                             (settings.failed, "failed_retention", settings.failedRetention)] {
                guard let retention else { continue }
                let sweep = RetentionSweep(folder: folder, key: "sources.drop_folder.\(key)", retention: retention, logger: logger,
                                           queue: DispatchQueue(label: "ingestd.source.retention"))
                sweep.start()
                sweeps.append(sweep)
            }
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
            settleTimer?.cancel()
            settleTimer = nil
            for sweep in sweeps { sweep.stop() }
            sweeps = []
        }
    }

    /// Acknowledgements run on the queue; the last ones may still be queued when the runner
    /// has seen every document through, and the process must not exit before they move.
    public func close() { queue.sync {} }

    public var backlog: Int { queue.sync { pending.count - pendingHead + unsettled.count } }

    /// Runs `body` on the source's queue (tests use it to inject events).
    func onQueue(_ body: @escaping @Sendable () -> Void) { queue.async(execute: body) }

    func handle(_ event: InotifyWatch.Event) {
        guard !stopped else { return }
        switch event {
        case .ready(let name):
            unsettled.removeValue(forKey: name)
            remember(name)
        case .created(let name):
            // A new regular file is announced again by its close; a link, a folder, a FIFO or a
            // hard link never will be, and is taken now (to be refused by the reader).
            guard !name.isIgnored, let look = SettleCheck.look(name.path(in: settings.inbox)),
                  !look.isRegular || look.links > 1 else { break }
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

    private func remember(_ name: EntryName) {
        guard !name.isIgnored, !pendingSet.contains(name) else { return }
        if pendingSet.count >= maxRemembered {
            needsRescan = true
            return
        }
        pendingSet.insert(name)
        pending.append(name)
    }

    private func watchUntilSettled(_ name: EntryName, _ look: SettleCheck.Look) {
        if unsettled.count >= maxRemembered {
            needsRescan = true
            return
        }
        unsettled[name] = look
        guard settleTimer == nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let interval = max(settle.settleTime, 0.2)
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [unowned self] in self.recheckUnsettled() }
        timer.resume()
        settleTimer = timer
    }

    private func recheckUnsettled() {
        let now = SettleCheck.now()
        for (name, before) in unsettled {
            let path = name.path(in: settings.inbox)
            guard let look = SettleCheck.look(path) else {
                unsettled.removeValue(forKey: name)
                continue
            }
            if settle.isSettled(look, before: before, writers: SettleCheck.writers(path), now: now) {
                unsettled.removeValue(forKey: name)
                remember(name)
            } else {
                unsettled[name] = look
            }
        }
        if unsettled.isEmpty {
            settleTimer?.cancel()
            settleTimer = nil
        }
        drain()
    }

    /// Start-up recovery: whatever sits in `processing/` was claimed by an earlier run that
    /// stopped before acknowledging it. It is delivered first, flagged so the runner checks
    /// whether its record was already written.
    private func recoverInFlight() {
        for claimName in (Self.entries(of: settings.processing) ?? []).map(\.display).sorted() where !claimName.hasPrefix(".") {
            let original = ClaimName.original(of: claimName, in: settings.processing)
            let claim = Claim(name: original.display, claimName: claimName,
                              path: settings.processing.appendingPathComponent(claimName),
                              originPath: settings.inbox.path + "/" + original.display, recovered: true, nameBytes: original.bytes)
            logger.notice("recovering a document claimed before the last stop",
                          metadata: ["path": .string(claim.path.path)])
            credits -= 1  // may go negative: recovered claims are not refused, new ones wait
            deliver?(claim)
        }
    }

    /// The names in `folder` but `.` and `..`; nil when it cannot be listed (errno says why).
    private static func entries(of folder: URL) -> [EntryName]? {
        guard let dir = opendir(folder.path) else { return nil }
        defer { closedir(dir) }
        var names: [EntryName] = []
        while let entry = readdir(dir) {
            let name = EntryName(direntName: entry)
            if name.bytes != [0x2E], name.bytes != [0x2E, 0x2E] { names.append(name) }
        }
        return names
    }

    /// Oldest first (by modification time), so a backlog is worked in arrival order. A file
    /// found here came with no close event, so it is claimed only once settled.
    private func scanInbox() {
        needsRescan = false
        guard let names = Self.entries(of: settings.inbox) else {
            logger.error("cannot list the inbox", metadata: ["path": .string(settings.inbox.path), "reason": .string(String(cString: strerror(errno)))])
            return
        }
        let now = SettleCheck.now()
        var found: [(modified: Int, name: EntryName)] = []
        for name in names where !name.isIgnored && !pendingSet.contains(name) {
            let path = name.path(in: settings.inbox)
            guard let look = SettleCheck.look(path) else { continue }
            if settle.isSettled(look, before: unsettled[name], writers: SettleCheck.writers(path), now: now) {
                unsettled.removeValue(forKey: name)
                found.append((look.modified, name))
            } else {
                if unsettled[name] == nil {
                    logger.info("file still being written; claimed once it is closed or settled",
                                metadata: ["path": .string(settings.inbox.path + "/" + name.display)])
                }
                watchUntilSettled(name, look)
            }
        }
        found.sort { $0.modified != $1.modified ? $0.modified < $1.modified : $0.name.bytes.lexicographicallyPrecedes($1.name.bytes) }
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
    func claim(_ name: EntryName) -> Claim? {
        let stamp = stamps.next()
        let claimName = ClaimName(stamp: stamp, name: name)
        let from = name.path(in: settings.inbox)
        let display = settings.inbox.path + "/" + name.display
        if !claimName.exact {
            do {
                try ClaimName.writeSidecar(stamp: stamp, name: name, in: settings.processing)
            } catch {
                // The claim goes on: the worst case after a crash is the stand-in name in done/.
                logger.warning("cannot save the exact name of a claimed file", metadata: ["path": .string(display), "reason": "\(error)"])
            }
        }
        let to = settings.processing.appendingPathComponent(claimName.claimName)
        if rename(from, to.path) != 0 {
            let e = errno
            if !claimName.exact { ClaimName.removeSidecar(of: claimName.claimName, in: settings.processing) }
            if e == ENOENT {
                logger.debug("file vanished before it could be claimed", metadata: ["path": .string(display)])
            } else {
                logger.warning("cannot claim file", metadata: ["path": .string(display), "reason": .string(String(cString: strerror(e)))])
            }
            return nil
        }
        return Claim(name: name.display, claimName: claimName.claimName, path: to, originPath: display, recovered: false,
                     nameBytes: name.bytes)
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
            } else {
                SettledInputs.moveToDone(claim, into: settings.done, logger: logger)
            }
        case .rejected(let rejection):
            SettledInputs.moveToFailed(claim, rejection, into: settings.failed, logger: logger)
        }
        if !ClaimName.carriesExactly(claim) { ClaimName.removeSidecar(of: claim.claimName, in: settings.processing) }
    }
}

public struct DropFolderError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
