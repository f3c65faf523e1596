import CoreMetrics
import Foundation
import IngestCore
import Logging

/// The pages and feeds of `sources.urls`, fetched on their schedule through one `HTTPFetcher`.
///
/// - A page is fetched every `every` with its stored validators (a 304 costs nothing more); a
///   new body becomes a claim.
/// - A feed is fetched the same way; each item not seen before is fetched as a page (with the
///   trust of the feed's own address, see `FetchRequest`) and becomes a claim, at most
///   `max_items_per_poll` of them per fetch. Seen ids are kept while the feed lists them and
///   for `seen_for` after (`seen_items` at most of those no longer listed).
/// - Politeness: at most `per_host` requests to one host at a time, `min_delay` between two
///   starts, robots.txt obeyed; failures retried with exponential backoff and jitter, or after
///   `Retry-After`.
/// - Nothing is lost or acknowledged early: fetched bodies wait in `STATE/urls/spool/` (a crash
///   redelivers them), and validators and seen items are committed only once the record is
///   durable, so a crash means fetching again, never missing a document.
///
/// All state lives on one serial queue; the schedule is one Dispatch timer set to the next due
/// moment (no polling loop).
public final class URLSource: DocumentSource, @unchecked Sendable {
    public let settings: URLSourceSettings
    private let fetcher: HTTPFetcher
    private let logger: Logger
    private let queue = DispatchQueue(label: "ingestd.source.urls")
    private let stateFile: URL
    private let spoolFolder: URL
    /// Fetched bodies held on disk for the stages before fetching pauses.
    let maxSpooled: Int

    // Confined to `queue`.
    private var state = URLSourceState()
    private var saveScheduled = false
    private var targets: [Target] = []
    private var jobs: [Job] = []
    private var hosts: [String: Host] = [:]
    private var spooled: [Spooled] = []
    private var delivered: [String: Spooled] = [:]
    private var credits = 0
    private var deliver: (@Sendable (Claim) -> Void)?
    private var stopped = false
    private var stamps = ClaimStamps()
    private var timer: (any DispatchSourceTimer)?
    private var timerDue: Date?
    private let fetchCounters: FetchCounters
    /// With `cluster.postgres`: which node fetches each URL (nil: this node fetches them all).
    private let schedule: (any FetchSchedule)?
    /// The schedule's database calls, in order, off the source's queue: a claim is asked after
    /// every publish this node made before it.
    private let scheduleQueue = DispatchQueue(label: "ingestd.source.urls.schedule")
    /// URLs whose validators or seen items changed since they were last published.
    private var unpublished: Set<String> = []
    private var publishScheduled = false

    init(settings: URLSourceSettings, fetcher: HTTPFetcher, logger: Logger, maxSpooled: Int = 1_000,
         metrics: any MetricsFactory = NOOPMetricsHandler.instance, schedule: (any FetchSchedule)?) {
        self.schedule = schedule
        self.settings = settings
        self.fetcher = fetcher
        self.logger = logger
        self.maxSpooled = maxSpooled
        self.fetchCounters = FetchCounters(factory: metrics)
        stateFile = settings.stateFolder.appendingPathComponent("state.json")
        spoolFolder = settings.stateFolder.appendingPathComponent("spool")
    }

    public convenience init(settings: URLSourceSettings, fetcher: HTTPFetcher, logger: Logger, maxSpooled: Int = 1_000,
                            metrics: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.init(settings: settings, fetcher: fetcher, logger: logger, maxSpooled: maxSpooled, metrics: metrics, schedule: nil)
    }

    // MARK: DocumentSource

    public func start(deliver: @escaping @Sendable (Claim) -> Void) throws {
        let fm = FileManager.default
        for dir in [settings.stateFolder, spoolFolder, settings.failed] {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        do {
            state = try URLSourceState.load(stateFile)
        } catch {
            throw URLSourceError(message: "\(stateFile.path) is damaged (\(error)); move it aside to start afresh "
                                 + "(every URL is then fetched again and every feed item recorded again)")
        }
        queue.sync {
            self.deliver = deliver
            let now = Date()
            targets = settings.entries.map { Target(entry: $0, nextDue: now, startedAt: now) }
            recoverSpool()
            drain()
            pump()
        }
    }

    public func grant(_ n: Int) {
        queue.async {
            self.credits += n
            self.drain()
        }
    }

    public func acknowledge(_ claim: Claim, outcome: Outcome) {
        queue.async {
            self.settle(claim, outcome)
            self.credits += 1
            self.drain()
            self.pump()
        }
    }

    public func stop() {
        queue.sync {
            stopped = true
            timer?.cancel()
            timer = nil
            saveState()
            publishNow()
        }
    }

    /// Acknowledgements that were queued before the stop settle and the state is saved; then
    /// the fetcher's network thread ends.
    public func close() {
        queue.sync { saveState(); publishNow() }
        scheduleQueue.sync {}
        fetcher.stop()
    }

    /// A reload's new `sources.urls` list. Entries listed before keep their schedule, their
    /// validators and their feed's seen items, so they are not fetched again for the reload;
    /// new ones are due now; removed ones are never fetched again (a fetch under way is
    /// finished and its result discarded; what was spooled still goes through the stages).
    /// Returns the URLs added and removed.
    public func update(entries: [URLSourceSettings.Entry]) -> (added: [String], removed: [String]) {
        queue.sync {
            let now = Date()
            var byURL: [String: Target] = [:]
            for t in targets { byURL[t.entry.url] = t }
            var added: [String] = []
            let next = entries.map { entry -> Target in
                if let kept = byURL.removeValue(forKey: entry.url) {
                    kept.entry = entry
                    return kept
                }
                added.append(entry.url)
                return Target(entry: entry, nextDue: now, startedAt: now)
            }
            let gone = Set(byURL.values.map(ObjectIdentifier.init))
            targets = next
            // Waiting fetches of removed entries (and of their feeds' items) are forgotten.
            jobs.removeAll { job in gone.contains(ObjectIdentifier(job.target)) }
            pump()
            return (added, byURL.keys.sorted())
        }
    }

    /// The URLs fetched now, in the order listed.
    public var entryURLs: [String] { queue.sync { targets.map(\.entry.url) } }

    public var backlog: Int { queue.sync { spooled.count + jobs.filter { $0.item != nil }.count } }

    public var health: [SourceHealth] {
        queue.sync {
            let now = Date()
            return targets.map { $0.health.snapshot(at: now) }
        }
    }

    // MARK: the schedule

    /// Confined to the source's queue, like everything here.
    private final class Target: @unchecked Sendable {
        /// Replaced by a reload that changes the entry's `every`, `kind` or `headers`.
        var entry: URLSourceSettings.Entry
        var nextDue: Date
        var busy = false
        /// Consecutive failed fetches, for the logs.
        var errors = 0
        /// Addresses the configured URL connected to: its feed's links may go there.
        var trusted: Set<String> = []
        /// A feed's validators, held back until every item its body listed is settled.
        var heldValidators: (etag: String?, lastModified: String?)?
        var itemsInFlight: Set<String> = []
        var health: URLHealth

        init(entry: URLSourceSettings.Entry, nextDue: Date, startedAt: Date) {
            self.entry = entry
            self.nextDue = nextDue
            health = URLHealth(url: entry.url, host: URLSource.hostKey(entry.url), kind: entry.kind.rawValue, startedAt: startedAt)
        }
    }

    private struct Job: @unchecked Sendable {
        let target: Target
        /// nil: the configured URL itself; else a link from its feed.
        let item: FeedParser.Item?
        let url: String
        /// Parsed once: the schedule looks at every waiting job each time it runs.
        let host: String
        let path: String
        var attempts = 0
        var notBefore = Date.distantPast

        init(target: Target, item: FeedParser.Item?) {
            self.target = target
            self.item = item
            url = item?.link ?? target.entry.url
            host = URLSource.hostKey(url)
            path = URLSource.pathAndQuery(url)
        }
    }

    private struct Host {
        var active = 0
        var lastStart = Date.distantPast
        var robots: RobotsRules?
        var robotsExpire = Date.distantPast
        var robotsFetching = false
    }

    /// Starts whatever may start now and sets the timer for the next moment something may.
    private func pump() {
        guard !stopped else { return }
        let now = Date()
        for target in targets where !target.busy && target.nextDue <= now {
            target.busy = true
            if let schedule {
                askTurn(target, schedule)
                continue
            }
            jobs.append(Job(target: target, item: nil))
        }
        var wake = targets.filter { !$0.busy }.map(\.nextDue).min() ?? .distantFuture
        var waiting: [Job] = []
        for var job in jobs {
            if job.notBefore > now {
                wake = min(wake, job.notBefore)
                waiting.append(job)
                continue
            }
            // Before robots.txt: a file: or gopher: link has no host whose robots.txt could be
            // read, and the reason it is not fetched is its scheme.
            guard HTTPFetcher.fetches(job.url) else {
                failed(job, because: FetchFailure.unsupportedScheme(job.url).description)
                continue
            }
            let key = job.host
            var host = hosts[key] ?? Host()
            if settings.robots {
                if host.robots == nil || host.robotsExpire <= now {
                    if !host.robotsFetching {
                        host.robotsFetching = true
                        host.lastStart = now
                        hosts[key] = host
                        fetchRobots(key, for: job)
                    }
                    waiting.append(job)
                    continue
                }
                if let rules = host.robots, !rules.allows(job.path) {
                    logger.warning("not fetched: robots.txt disallows it", metadata: ["url": .string(job.url)])
                    finishUnfetchable(job)
                    continue
                }
            }
            let delay = max(settings.minDelay, min(host.robots?.crawlDelay ?? 0, 60))
            let allowedAt = host.lastStart.addingTimeInterval(delay)
            let backpressure = job.item != nil && spooled.count >= maxSpooled
            if host.active >= settings.fetch.perHostConnections || allowedAt > now || backpressure {
                if allowedAt > now { wake = min(wake, allowedAt) }
                waiting.append(job)
                continue
            }
            host.active += 1
            host.lastStart = now
            hosts[key] = host
            job.attempts += 1
            start(job)
        }
        jobs = waiting
        arm(wake)
    }

    // MARK: the shared schedule

    /// Asks the cluster whether `target` is this node's to fetch now; the answer comes back on
    /// the source's queue. While the database is away the URL is asked about again every 5 s
    /// (the client logs the outage once): nothing is fetched that another node may be fetching.
    private func askTurn(_ target: Target, _ schedule: any FetchSchedule) {
        publishNow()
        let url = target.entry.url, every = target.entry.every
        scheduleQueue.async {
            let turn = (try? schedule.claim(url, every: every)) ?? .notYet(seconds: 5)
            self.queue.async { self.turnDecided(target, turn) }
        }
    }

    private func turnDecided(_ target: Target, _ turn: FetchTurn) {
        guard !stopped, targets.contains(where: { $0 === target }) else { return }
        switch turn {
        case .notYet(let seconds):
            target.busy = false
            target.nextDue = Date().addingTimeInterval(seconds)
        case .mine(let page, let seen):
            // What the node that fetched it last published: its validators (so the GET is
            // conditional) and its feed's seen items (so none is recorded again here).
            let url = target.entry.url
            if let page { state.pages[url] = page }
            if !seen.isEmpty {
                var mine = state.seen[url] ?? [:]
                for (id, at) in seen { mine[id] = max(mine[id] ?? 0, at) }
                state.seen[url] = mine
            }
            jobs.append(Job(target: target, item: nil))
        }
        pump()
    }

    /// Marks `url` for publishing; changes within half a second go together.
    private func published(_ url: String) {
        guard schedule != nil else { return }
        unpublished.insert(url)
        guard !publishScheduled else { return }
        publishScheduled = true
        queue.asyncAfter(deadline: .now() + 0.5) { [weak self] in self?.publishNow() }
    }

    private func publishNow() {
        publishScheduled = false
        guard let schedule, !unpublished.isEmpty else { return }
        let batch = unpublished.map { ($0, state.pages[$0], state.seen[$0]) }
        unpublished.removeAll()
        scheduleQueue.async {
            for (url, page, seen) in batch { try? schedule.publish(url, page: page, seen: seen) }
        }
    }

    private func arm(_ when: Date) {
        guard when != .distantFuture else { timer?.cancel(); timer = nil; timerDue = nil; return }
        if let due = timerDue, due <= when, timer != nil { return }
        timer?.cancel()
        let t = DispatchSource.makeTimerSource(queue: queue)
        t.schedule(deadline: .now() + max(0, when.timeIntervalSinceNow))
        t.setEventHandler { [weak self] in
            self?.timerDue = nil
            self?.timer = nil
            self?.pump()
        }
        t.resume()
        timer = t
        timerDue = when
    }

    // MARK: fetching

    private func start(_ job: Job) {
        var request = FetchRequest(url: job.url, configured: job.item == nil)
        request.headers = job.target.entry.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if job.item == nil {
            let page = state.pages[job.target.entry.url]
            request.etag = page?.etag
            request.lastModified = page?.lastModified
        } else {
            request.trustedAddresses = job.target.trusted
        }
        let fetchedAt = Date()
        if job.item == nil { job.target.health.attempted(at: fetchedAt) }
        fetcher.fetch(request) { result in
            self.queue.async { self.fetched(job, result, at: fetchedAt) }
        }
    }

    private func fetched(_ job: Job, _ result: Result<FetchResponse, FetchFailure>, at fetchedAt: Date) {
        hosts[job.host, default: Host()].active -= 1
        defer { pump() }
        fetchCounters.count(host: job.host, result)
        guard !stopped else { return }
        let target = job.target
        // Removed by a reload while the fetch was under way.
        guard targets.contains(where: { $0 === target }) else { return }
        switch result {
        case .success(let response):
            if job.item == nil {
                target.trusted.formUnion(response.trustedAddresses)
                target.health.answered(status: response.status)
            }
            switch response.status {
            case 200:
                succeeded(job)
                if job.item == nil, target.entry.kind == .feed {
                    if readFeed(target, response) { pollSucceeded(target) } else { pollFailed(target, because: "not a usable feed", status: nil) }
                } else {
                    if job.item == nil { pollSucceeded(target) }
                    spool(job, response, at: fetchedAt)
                }
            case 304:
                succeeded(job)
                pollSucceeded(target)
                logger.debug("not modified", metadata: ["url": .string(job.url)])
            case 408, 429, 500...599:
                retry(job, because: "HTTP \(response.status)", status: response.status,
                      retryAfter: response.headers["retry-after"].flatMap(Self.retryAfter))
            default:
                failed(job, because: "HTTP \(response.status)", status: response.status)
            }
        case .failure(let failure):
            if failure.isTransient { retry(job, because: failure.description, retryAfter: nil) } else { failed(job, because: failure.description) }
        }
    }

    private func succeeded(_ job: Job) {
        guard job.item == nil else { return }
        job.target.errors = 0
        scheduleNext(job.target)
    }

    private func scheduleNext(_ target: Target) {
        target.busy = false
        target.nextDue = Date().addingTimeInterval(target.entry.every)
    }

    /// 5xx, 408, 429 and network trouble: again after an exponential backoff with jitter (or
    /// what Retry-After asks), up to `retries` times; then the next scheduled fetch.
    private func retry(_ job: Job, because reason: String, status: Int? = nil, retryAfter: Double?) {
        job.target.errors += job.item == nil ? 1 : 0
        var meta: Logger.Metadata = ["url": .string(job.url), "reason": .string(reason), "attempt": .stringConvertible(job.attempts)]
        if job.item == nil { meta["error_count"] = .stringConvertible(job.target.errors) }
        guard job.attempts <= settings.retries else {
            if job.item == nil {
                scheduleNext(job.target)
                meta["next_attempt"] = .string(Timestamp.rfc3339(job.target.nextDue))
            } else {
                itemSettled(job.target, job.item!.id, seen: false)
                meta["next_attempt"] = "with the next fetch of the feed"
            }
            logger.error("fetch failed; giving up until the next scheduled fetch", metadata: meta)
            if job.item == nil { pollFailed(job.target, because: reason, status: status) }
            return
        }
        let backoff = min(settings.maxBackoff, pow(2, Double(job.attempts - 1))) * Double.random(in: 0.5...1)
        let wait = retryAfter.map { min($0, 86_400) } ?? backoff
        var again = job
        again.notBefore = Date().addingTimeInterval(wait)
        meta["next_attempt"] = .string(Timestamp.rfc3339(again.notBefore))
        logger.warning("fetch failed; will retry", metadata: meta)
        jobs.append(again)
    }

    /// 4xx (but 408 and 429), refused addresses, limits: not retried before the next schedule;
    /// a feed item that fails this way is not tried again.
    private func failed(_ job: Job, because reason: String, status: Int? = nil) {
        var meta: Logger.Metadata = ["url": .string(job.url), "reason": .string(reason)]
        if job.item == nil {
            job.target.errors += 1
            scheduleNext(job.target)
            meta["error_count"] = .stringConvertible(job.target.errors)
            meta["next_attempt"] = .string(Timestamp.rfc3339(job.target.nextDue))
        } else {
            meta["feed"] = .string(job.target.entry.url)
        }
        logger.warning("fetch failed", metadata: meta)
        if job.item == nil { pollFailed(job.target, because: reason, status: status) }
        if let item = job.item { itemSettled(job.target, item.id, seen: true) }
    }

    private func finishUnfetchable(_ job: Job) {
        if let item = job.item {
            itemSettled(job.target, item.id, seen: true)
        } else {
            scheduleNext(job.target)
            pollFailed(job.target, because: "robots.txt disallows it", status: nil)
        }
    }

    // MARK: health

    private func pollSucceeded(_ target: Target) {
        guard case let .recovered(failures, since) = target.health.succeeded(at: Date()) else { return }
        logger.notice("feed recovered", metadata: [
            "url": .string(target.entry.url), "failures": .stringConvertible(failures),
            "since": .string(Timestamp.rfc3339(since)), "down_s": .stringConvertible(Int(Date().timeIntervalSince(since))),
        ])
    }

    /// A poll of a configured URL ended in failure, its retries spent.
    private func pollFailed(_ target: Target, because reason: String, status: Int?) {
        let now = Date()
        guard target.health.failed(reason, status: status, at: now, warnAfter: settings.warnAfterFailures) == .startedFailing else { return }
        let h = target.health.snapshot(at: now)
        logger.warning("feed failing", metadata: [
            "url": .string(target.entry.url), "failures": .stringConvertible(h.consecutiveFailures),
            "since": .string(Timestamp.rfc3339(h.failingSince ?? now)), "last_error": .string(reason),
        ])
    }

    /// False when the body is not a feed (the poll failed).
    private func readFeed(_ target: Target, _ response: FetchResponse) -> Bool {
        let feed: FeedParser.Feed
        do {
            feed = try FeedParser.parse(response.body, base: response.finalURL)
        } catch {
            logger.warning("not a usable feed", metadata: ["url": .string(target.entry.url), "reason": .string("\(error)")])
            return false
        }
        defer { target.health.listed(newest: feed.items.compactMap(\.published).max()) }
        let url = target.entry.url
        let listedIDs = Set(feed.items.map(\.id))
        if state.feedListed(listedIDs, in: url, at: Date(), keeping: .init(count: settings.seenItems, age: settings.seenFor)) {
            scheduleSave()
        }
        var fresh: [FeedParser.Item] = []
        var listed: Set<String> = []
        for item in feed.items where !state.hasSeen(item.id, in: url) && !target.itemsInFlight.contains(item.id)
            && listed.insert(item.id).inserted {
            fresh.append(item)
        }
        // Feeds list their newest items first: those are taken, the older wait.
        let taken = fresh.prefix(settings.maxItemsPerPoll)
        let skipped = fresh.count - taken.count
        logger.info("feed read", metadata: ["url": .string(url), "items": .stringConvertible(feed.items.count),
                                            "new": .stringConvertible(fresh.count), "taken": .stringConvertible(taken.count)])
        if skipped > 0 {
            logger.notice("more new items than max_items_per_poll; the rest are skipped until the next fetches of the feed",
                          metadata: ["url": .string(url), "skipped": .stringConvertible(skipped),
                                     "max_items_per_poll": .stringConvertible(settings.maxItemsPerPoll)])
            // This body's validators are never committed: a 304 to the next fetch would leave
            // the skipped items waiting until the feed changes.
            target.heldValidators = nil
        } else if fresh.isEmpty && target.itemsInFlight.isEmpty {
            commitValidators(url, (response.etag, response.lastModified))
        } else {
            target.heldValidators = (response.etag, response.lastModified)
        }
        for item in taken {
            target.itemsInFlight.insert(item.id)
            jobs.append(Job(target: target, item: item))
        }
        target.health.took(taken.count, newest: taken.compactMap(\.published).max(), at: Date())
        return true
    }

    private func itemSettled(_ target: Target, _ id: String, seen: Bool) {
        target.itemsInFlight.remove(id)
        if seen {
            state.markSeen(id, in: target.entry.url)
            published(target.entry.url)
            scheduleSave()
        }
        if target.itemsInFlight.isEmpty, let held = target.heldValidators {
            target.heldValidators = nil
            commitValidators(target.entry.url, held)
        }
    }

    private func commitValidators(_ url: String, _ validators: (etag: String?, lastModified: String?)) {
        var page = state.pages[url] ?? URLSourceState.Page()
        page.etag = validators.etag
        page.lastModified = validators.lastModified
        state.pages[url] = page
        published(url)
        scheduleSave()
    }

    // MARK: robots.txt

    private func fetchRobots(_ key: String, for job: Job) {
        var request = FetchRequest(url: key + "/robots.txt", configured: job.item == nil)
        request.trustedAddresses = job.target.trusted
        let agent = String(settings.fetch.userAgent.prefix(while: { $0 != "/" && $0 != " " }))
        fetcher.fetch(request) { result in
            self.queue.async {
                var host = self.hosts[key] ?? Host()
                host.robotsFetching = false
                self.fetchCounters.count(host: key, result)
                switch result {
                case .success(let r) where r.status == 200:
                    host.robots = RobotsRules(parsing: String(decoding: r.body.prefix(500_000), as: UTF8.self), agent: agent)
                    host.robotsExpire = Date().addingTimeInterval(86_400)
                case .success(let r) where (400..<500).contains(r.status):
                    host.robots = .allowAll
                    host.robotsExpire = Date().addingTimeInterval(86_400)
                case .failure(let failure) where failure.isRefusedAddress:
                    // Says nothing of the host's robots.txt, only that this job may not reach the
                    // host: the job fails with that reason, and the host keeps no answer, so the
                    // next job there (from a feed that may reach it) reads robots.txt for itself.
                    self.hosts[key] = host
                    if let waiting = self.jobs.firstIndex(where: { $0.target === job.target && $0.url == job.url }) {
                        self.failed(self.jobs.remove(at: waiting), because: "robots.txt: \(failure)")
                    }
                    self.pump()
                    return
                default:
                    // RFC 9309: an unreachable robots.txt means a full disallow, for now.
                    host.robots = .disallowAll
                    host.robotsExpire = Date().addingTimeInterval(600)
                    self.logger.warning("robots.txt unreachable; not fetching from this host for 10 minutes",
                                        metadata: ["url": .string(key + "/robots.txt")])
                }
                self.hosts[key] = host
                self.pump()
            }
        }
    }

    // MARK: the spool

    /// A fetched body waiting for (or with) the stages, and what to commit once it is settled.
    private struct Spooled: Codable {
        var claimName: String
        var web: WebOrigin
        var commit: Commit
        /// Of the body file: the spool is written without fsync (it is only a cache of fetches
        /// not yet recorded), so after a power cut a body is used only if it is whole.
        var bodySHA256: String
        var recovered = false
    }

    enum Commit: Codable {
        case page(url: String, etag: String?, lastModified: String?, sha256: String)
        case item(feed: String, id: String)
    }

    private func spool(_ job: Job, _ response: FetchResponse, at fetchedAt: Date) {
        let sha = response.body.withUnsafeBytes { SHA256Digest.hex(of: $0) }
        let commit: Commit
        if let item = job.item {
            commit = .item(feed: job.target.entry.url, id: item.id)
        } else {
            let pending = (spooled + Array(delivered.values)).contains {
                if case let .page(url, _, _, pendingSHA) = $0.commit { return url == job.url && pendingSHA == sha }
                return false
            }
            if state.pages[job.url]?.sha256 == sha || pending {
                logger.debug("unchanged since the last record", metadata: ["url": .string(job.url)])
                return
            }
            commit = .page(url: job.url, etag: response.etag, lastModified: response.lastModified, sha256: sha)
        }
        let claimName = "\(stamps.next())-\(Self.fileName(for: response.finalURL))"
        let web = WebOrigin(url: job.url, finalURL: response.finalURL, status: response.status,
                            fetchedAt: Timestamp.rfc3339(fetchedAt), feed: job.item == nil ? nil : job.target.entry.url)
        let entry = Spooled(claimName: claimName, web: web, commit: commit, bodySHA256: sha)
        do {
            // Body first, then the description that makes it a spool entry; each written under a
            // temporary name and renamed, so a process crash never leaves half of either.
            try response.body.withUnsafeBytes {
                try FileIO.replaceAtomically(spoolFolder.appendingPathComponent(claimName), with: $0, durable: false)
            }
            try FileIO.replaceAtomically(spoolFolder.appendingPathComponent(claimName + ".json"),
                                         with: Array(JSONEncoder().encode(entry)), durable: false)
        } catch {
            logger.error("cannot spool a fetched document; it will be fetched again",
                         metadata: ["url": .string(job.url), "reason": .string("\(error)")])
            if let item = job.item { itemSettled(job.target, item.id, seen: false) }
            return
        }
        spooled.append(entry)
        if job.item == nil { job.target.health.took(1, newest: nil, at: fetchedAt) }
        // Delivered from the next turn of the queue, once the block that holds the response is
        // done and its body freed: the stages read the spooled file into memory of their own,
        // and delivering from here would have both copies of a large body alive at once.
        queue.async { self.drain() }
    }

    private func recoverSpool() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: spoolFolder.path)) ?? []
        for name in names.sorted() where name.hasSuffix(".json") {
            let meta = spoolFolder.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: meta.path),
                  var entry = try? JSONDecoder().decode(Spooled.self, from: data),
                  let body = try? FileIO.read(spoolFolder.appendingPathComponent(entry.claimName)),
                  SHA256Digest.hex(of: body) == entry.bodySHA256 else {
                logger.warning("dropping an incomplete spool entry (a crash cut it short); its URL will be fetched again",
                               metadata: ["path": .string(meta.path)])
                try? FileManager.default.removeItem(at: meta)
                try? FileManager.default.removeItem(at: URL(fileURLWithPath: String(meta.path.dropLast(5))))
                continue
            }
            entry.recovered = true
            if case let .item(feed, id) = entry.commit { targets.first { $0.entry.url == feed }?.itemsInFlight.insert(id) }
            logger.notice("recovering a fetched document from before the last stop", metadata: ["url": .string(entry.web.url)])
            // First in line, but within max_in_flight like the rest: the spool may hold many.
            spooled.append(entry)
        }
    }

    private func drain() {
        while credits > 0, !stopped, !spooled.isEmpty {
            let entry = spooled.removeFirst()
            credits -= 1
            delivered[entry.claimName] = entry
            deliver?(Claim(name: entry.claimName, claimName: entry.claimName, path: spoolFolder.appendingPathComponent(entry.claimName),
                           originPath: entry.web.url, recovered: entry.recovered, web: entry.web))
        }
    }

    private func settle(_ claim: Claim, _ outcome: Outcome) {
        guard let entry = delivered.removeValue(forKey: claim.claimName) else { return }
        let body = spoolFolder.appendingPathComponent(entry.claimName)
        if case .rejected(let rejection) = outcome {
            SettledInputs.moveToFailed(claim, rejection, into: settings.failed, logger: logger)
        } else {
            unlink(body.path)
        }
        unlink(body.path + ".json")
        switch entry.commit {
        case let .page(url, etag, lastModified, sha256):
            state.pages[url] = URLSourceState.Page(etag: etag, lastModified: lastModified, sha256: sha256)
            published(url)
            scheduleSave()
        case let .item(feed, id):
            if let target = targets.first(where: { $0.entry.url == feed }) {
                itemSettled(target, id, seen: true)
            } else {
                state.markSeen(id, in: feed)
                scheduleSave()
            }
        }
    }

    // MARK: state

    /// At most one write a second: the state is a cache of work done, and what a crash loses
    /// from the last second is fetched again (and found a duplicate), not lost.
    private func scheduleSave() {
        if stopped { return saveState() } // acknowledgements that arrive while stopping
        guard !saveScheduled else { return }
        saveScheduled = true
        // A save since (the one of stop()) has cleared the flag: nothing left to write, and the
        // state folder may be gone by then.
        queue.asyncAfter(deadline: .now() + 1) { [weak self] in if self?.saveScheduled == true { self?.saveState() } }
    }

    private func saveState() {
        saveScheduled = false
        do { try state.save(stateFile) } catch {
            logger.error("cannot save the URL state", metadata: ["path": .string(stateFile.path), "reason": .string("\(error)")])
        }
    }

    // MARK: helpers

    /// scheme://host:port, the unit of politeness and of robots.txt.
    static func hostKey(_ url: String) -> String {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), let host = c.host?.lowercased() else { return url }
        let port = c.port.map { ":\($0)" } ?? ""
        // Foundation gives an IPv6 literal's host with its brackets on some platforms and
        // without on others; the key (and the robots.txt URL built from it) needs them once.
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return "\(scheme)://\(bare.contains(":") ? "[\(bare)]" : bare)\(port)"
    }

    static func pathAndQuery(_ url: String) -> String {
        guard let c = URLComponents(string: url) else { return "/" }
        let path = c.percentEncodedPath.isEmpty ? "/" : c.percentEncodedPath
        return c.percentEncodedQuery.map { "\(path)?\($0)" } ?? path
    }

    /// Seconds, or an HTTP date.
    static func retryAfter(_ value: String) -> Double? {
        if let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 { return seconds }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: value).map { max(0, $0.timeIntervalSinceNow) }
    }

    /// A readable, safe file name from a URL: host and path, other characters as '_'.
    static func fileName(for url: String) -> String {
        let c = URLComponents(string: url)
        let raw = (c?.host ?? "page") + (c?.path ?? "")
        let safe = String(raw.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }.prefix(100))
        return safe.isEmpty ? "page" : safe
    }
}

public struct URLSourceError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
