import Foundation
import Logging

/// Deletes what has sat in a settled folder (`done/`, `failed/`) longer than its retention, at
/// start and then on a Dispatch timer. Age is the entry's status-change time (ctime), which the
/// rename into the folder sets: how long it has been *there*, whatever the file's own
/// modification time says (a scraper may keep a page's original date on it). It runs on a queue
/// of its own: listing a large `done/` must not hold up claims.
final class RetentionSweep: @unchecked Sendable {
    let folder: URL
    let key: String
    let retention: Double
    private let logger: Logger
    private let queue: DispatchQueue
    private var timer: (any DispatchSourceTimer)?

    init(folder: URL, key: String, retention: Double, logger: Logger, queue: DispatchQueue) {
        self.folder = folder
        self.key = key
        self.retention = retention
        self.logger = logger
        self.queue = queue
    }

    /// A tenth of the retention, between a minute and an hour: nothing outlives its retention by
    /// more than that, and a week's retention costs one folder listing an hour.
    var interval: Double { min(max(retention / 10, 60), 3600) }

    func start() {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now(), repeating: interval, leeway: .seconds(1))
        timer.setEventHandler { [weak self] in _ = self?.sweep() }
        timer.resume()
        self.timer = timer
    }

    func stop() {
        timer?.cancel()
        timer = nil
    }

    /// Removes the entries older than the retention at `now` (seconds since 1970) and logs one
    /// line with how many. Links are removed, never followed; a folder rejected whole
    /// (`directory`) goes with its content.
    @discardableResult
    func sweep(now: Double = Date().timeIntervalSince1970) -> Int {
        let folderFD = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folderFD >= 0, let dir = fdopendir(folderFD) else {
            let reason = String(cString: strerror(errno))
            if folderFD >= 0 { close(folderFD) }
            logger.error("cannot list a folder to prune it", metadata: ["path": .string(folder.path), "key": .string(key),
                                                                          "reason": .string(reason)])
            return 0
        }
        defer { closedir(dir) }
        var names: [EntryName] = []
        while let entry = readdir(dir) {
            let name = EntryName(direntName: entry)
            if name.bytes != [0x2E], name.bytes != [0x2E, 0x2E] { names.append(name) }
        }
        let cutoff = now - retention
        var removed = 0
        var failed = 0
        for name in names {
            var st = stat()
            let cName = name.bytes.map { CChar(bitPattern: $0) } + [0]
            guard fstatat(folderFD, cName, &st, AT_SYMLINK_NOFOLLOW) == 0, Double(st.st_ctim.tv_sec) < cutoff else { continue }
            if TreeRemoval.remove(name.bytes, in: folderFD) { removed += 1 } else { failed += 1 }
        }
        var meta: Logger.Metadata = ["path": .string(folder.path), "key": .string(key), "removed": .stringConvertible(removed),
                                     "retention_s": .stringConvertible(Int(retention))]
        if failed > 0 { meta["not_removed"] = .stringConvertible(failed) }
        logger.info("pruned entries older than their retention", metadata: meta)
        return removed
    }
}
