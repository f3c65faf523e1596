import Dispatch
import Foundation
import IngestCore
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The engine of a `use: exec` stage: `instances` long-lived processes speaking plugin/1
/// (docs/plugins.md) over their stdin and stdout, one JSON object per line.
///
/// Every fault ends in a defined outcome for each document the engine holds: an answer, or a
/// `Rejection` whose `stage` is the stage's name. All state sits behind one lock; continuations
/// are resumed and bytes queued only after it is released.
public final class ExecPlugin: Sendable {
    public let settings: ExecPluginSettings
    private let logger: Logger
    private let state: Locked<EngineState>
    private let timers = DispatchQueue(label: "ingestd.exec.timers")

    public init(settings: ExecPluginSettings, logger: Logger) {
        self.settings = settings
        var logger = logger
        logger[metadataKey: "stage"] = .string(settings.name)
        self.logger = logger
        state = Locked(EngineState(instances: settings.instances))
    }

    /// A stage dropped without `stop()` must not leave its plugins running: their stdin closes
    /// (the cue to exit) and SIGTERM follows.
    deinit {
        let processes = state.withLock { st -> [PluginProcess] in
            for slot in st.slots { slot.timer?.cancel() }
            return Array(st.everyProcess.values)
        }
        for p in processes {
            p.closeInput()
            p.signal(SIGTERM)
        }
    }

    // MARK: - Public API

    /// Spawns every instance and waits for each to answer the handshake. Throws
    /// `ExecPluginStartError` (all processes stopped) if one cannot be started, answers
    /// `{"error":...}`, exits, or stays silent past `startTimeout`.
    public func start() async throws {
        // The daemon already ignores SIGPIPE; a library user (a test, the bench) may not, and a
        // write to a plugin that just died would otherwise end the whole process.
        signal(SIGPIPE, SIG_IGN)
        let proceed = state.withLock { st -> Bool in
            guard st.phase == .idle else { return false }
            st.phase = .starting
            return true
        }
        guard proceed else { return }
        for slot in 0..<settings.instances {
            if let failure = spawn(slot) {
                await abandonStart()
                throw ExecPluginStartError(stage: settings.name, message: failure, stderr: [])
            }
        }
        let failure = await withCheckedContinuation { (c: CheckedContinuation<ExecPluginStartError?, Never>) in
            let effects = state.withLock { st -> [Effect] in
                st.startWaiter = c
                var effects: [Effect] = []
                settleStart(&st, &effects)
                return effects
            }
            perform(effects)
        }
        if let failure {
            await abandonStart()
            throw failure
        }
        logger.info("plugin ready", metadata: ["instances": .stringConvertible(settings.instances)])
    }

    /// Sends `{"id":ID,"document":DOCUMENT}` to the least loaded live process and returns its
    /// answer, checked against `allowedWrites`. Waits while every process has `maxPending`
    /// documents in flight. `id` must be unique among documents in flight (a duplicate waits
    /// for the first to be answered, since answers are matched by id). Not cancellable: a
    /// document once handed over ends in an answer or a rejection (its timeout bounds the wait
    /// once sent; `stop()` ends every wait).
    public func process(id: String, document: JSONValue, allowedWrites: [String]) async throws(Rejection) -> PluginAnswer {
        var line: [UInt8] = []
        line.reserveCapacity(512)
        JSONValue.object([("id", .string(id)), ("document", document)]).write(into: &line)
        line.append(0x0A)
        let result = await withCheckedContinuation { (c: Continuation) in
            let effects = state.withLock { st -> [Effect] in
                switch st.phase {
                case .idle, .stopping, .stopped:
                    return [.resume(c, .failure(rejection(.pluginUnavailable, "the plugin stage is not running")))]
                case .down:
                    return [.resume(c, .failure(unavailable(st)))]
                case .starting, .running:
                    st.waiting.append(Request(id: id, line: line, allowedWrites: allowedWrites, continuation: c))
                    var effects: [Effect] = []
                    pump(&st, &effects)
                    return effects
                }
            }
            perform(effects)
        }
        return try result.get()
    }

    public var health: ExecPluginHealth {
        state.withLock { st in
            let live = st.slots.filter { $0.process != nil && $0.ready }.count
            let s: ExecPluginHealth.State
            switch st.phase {
            case .idle, .starting: s = .starting
            case .running: s = live == settings.instances ? .ready : .degraded
            case .down: s = .down
            case .stopping, .stopped: s = .stopped
            }
            return ExecPluginHealth(
                state: s, instances: settings.instances, live: live, restarts: st.restarts,
                inFlight: st.slots.reduce(0) { $0 + $1.pending.count }, waiting: st.waiting.count,
                lastFault: st.lastFault)
        }
    }

    /// The pid of each live process, for tests and `ingestd plugin check`.
    public var pids: [Int32] {
        state.withLock { st in st.slots.compactMap { $0.ready ? $0.process?.pid : nil } }
    }

    /// Closes each plugin's stdin and lets it answer what it holds and exit; after `stopGrace`
    /// SIGTERM, after another SIGKILL. Documents still unanswered are rejected (`plugin_crashed`
    /// when their process exited without answering, `plugin_unavailable` for those never sent);
    /// nothing is left waiting.
    public func stop() async { await shutdown(graceful: true) }

    private func shutdown(graceful: Bool) async {
        let (processes, effects) = state.withLock { st -> ([PluginProcess], [Effect]) in
            if st.phase == .stopped { return ([], []) }
            st.phase = .stopping
            var effects: [Effect] = []
            for r in st.waiting { effects.append(.resume(r.continuation, .failure(rejection(.pluginUnavailable, "the plugin stage stopped before this document was sent")))) }
            st.waiting.removeAll()
            for slot in st.slots { if let p = slot.process { effects.append(.closeInput(p)) } }
            return (Array(st.everyProcess.values), effects)
        }
        perform(effects)
        var remaining = processes
        for sig in graceful ? [Int32(0), SIGTERM, SIGKILL] : [SIGKILL] {
            if sig != 0 { for p in remaining { p.signal(sig) } }
            let deadline = DispatchTime.now() + .nanoseconds(Int(sig == SIGKILL ? 5_000_000_000 : settings.stopGrace.nanoseconds))
            var still: [PluginProcess] = []
            for p in remaining {
                if !(await p.waitExit(until: deadline)) { still.append(p) }
            }
            remaining = still
            if remaining.isEmpty { break }
            logger.warning("plugin did not exit in time", metadata: ["next": .string(sig == 0 ? "SIGTERM" : sig == SIGTERM ? "SIGKILL" : "giving up")])
        }
        let late = state.withLock { st -> [Effect] in
            st.phase = .stopped
            var effects: [Effect] = []
            for i in st.slots.indices {
                for r in st.slots[i].pending.values {
                    effects.append(.resume(r.continuation, .failure(rejection(.pluginUnavailable, "the plugin stage stopped before the plugin answered"))))
                }
                st.slots[i].pending.removeAll()
                st.slots[i].timer?.cancel()
                st.slots[i].timer = nil
                st.slots[i].process = nil
            }
            st.inFlight.removeAll()
            return effects
        }
        perform(late)
    }

    // MARK: - State

    typealias Continuation = CheckedContinuation<Result<PluginAnswer, Rejection>, Never>

    struct Request {
        var id: String
        var line: [UInt8]
        var allowedWrites: [String]
        var continuation: Continuation
        /// Set once the document has been on a process that failed: the next failure rejects it.
        var retried = false
        var deadline: UInt64 = 0
    }

    struct Slot {
        var process: PluginProcess?
        var ready = false
        /// Why the handshake failed, once known; reported when the process has exited.
        var handshakeFailure: String?
        var handshakeDeadline: UInt64 = 0
        var pending: [String: Request] = [:]
        var timer: (any DispatchSourceTimer)?
        var timerDeadline: UInt64?
        /// Faults since this slot's last good answer: the restart delay doubles with each.
        var consecutiveFaults = 0
    }

    enum Phase { case idle, starting, running, down, stopping, stopped }

    struct EngineState {
        var phase: Phase = .idle
        var slots: [Slot]
        var waiting: [Request] = []
        var inFlight: Set<String> = []
        var faultTimes: [UInt64] = []
        var restarts = 0
        var spawned = 0
        var lastFault: String?
        var startWaiter: CheckedContinuation<ExecPluginStartError?, Never>?
        /// Why the start failed, when it failed before `start` began to wait (a process that
        /// exits at once can be reaped before then): the wait then ends with it at once.
        var startFailure: ExecPluginStartError?
        /// Every process not yet exited, detached ones included, so `stop` waits for all.
        var everyProcess: [ObjectIdentifier: PluginProcess] = [:]

        init(instances: Int) { slots = Array(repeating: Slot(), count: instances) }
    }

    enum Effect {
        case resume(Continuation, Result<PluginAnswer, Rejection>)
        case signal(PluginProcess, Int32)
        case closeInput(PluginProcess)
        case finishStart(CheckedContinuation<ExecPluginStartError?, Never>, ExecPluginStartError?)
        case restart(slot: Int, after: Duration)
        case log(Logger.Level, String, Logger.Metadata)
    }

    private func perform(_ effects: [Effect]) {
        for effect in effects {
            switch effect {
            case .resume(let c, let result): c.resume(returning: result)
            case .signal(let p, let sig): p.signal(sig)
            case .closeInput(let p): p.closeInput()
            case .finishStart(let c, let failure): c.resume(returning: failure)
            case .restart(let slot, let delay):
                timers.asyncAfter(deadline: .now() + .nanoseconds(Int(delay.nanoseconds))) { [weak self] in
                    self?.respawn(slot)
                }
            case .log(let level, let message, let metadata):
                logger.log(level: level, "\(message)", metadata: metadata)
            }
        }
    }

    private func rejection(_ code: Rejection.Code, _ message: String, evidence: String? = nil) -> Rejection {
        Rejection(code, message, stage: settings.name, evidence: evidence)
    }

    private func unavailable(_ st: EngineState) -> Rejection {
        rejection(.pluginUnavailable, "the plugin failed \(settings.maxFaults) times within \(settings.faultWindow.secondsText) and is being restarted with backoff; last fault: \(st.lastFault ?? "unknown")")
    }

    private static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    // MARK: - Processes

    /// Starts a process for `slot`; a message if it could not be spawned at all.
    private func spawn(_ slot: Int) -> String? {
        let child: ChildSpawn
        do {
            child = try ChildSpawn.start(settings.command, environment: settings.environment)
        } catch {
            return "\(error)"
        }
        let events = PluginProcess.Events(
            line: { [weak self] p, line in self?.received(line, from: p, slot: slot) },
            overlong: { [weak self] p, prefix in self?.overlong(prefix, from: p, slot: slot) },
            outputClosed: { [weak self] p in self?.outputClosed(p, slot: slot) },
            exited: { [weak self] p, status, stderr in self?.exited(p, status: status, stderr: stderr, slot: slot) })
        let process = PluginProcess(child, maxLineBytes: settings.maxLineBytes, logger: logger, events: events)
        var handshake: [UInt8] = []
        JSONValue.object([("ingestd", .string("plugin/1")), ("stage", .string(settings.name)), ("options", settings.options)]).write(into: &handshake)
        handshake.append(0x0A)
        let keep = state.withLock { st -> Bool in
            st.everyProcess[ObjectIdentifier(process)] = process
            guard st.phase != .stopping && st.phase != .stopped else { return false }
            st.spawned += 1
            if st.spawned > settings.instances { st.restarts += 1 }
            st.slots[slot].process = process
            st.slots[slot].ready = false
            st.slots[slot].handshakeFailure = nil
            st.slots[slot].handshakeDeadline = Self.now + settings.startTimeout.nanoseconds
            arm(&st, slot, at: st.slots[slot].handshakeDeadline)
            return true
        }
        process.begin()
        process.send(handshake)
        if !keep { process.closeInput(); process.signal(SIGKILL) }
        logger.debug("plugin process started", metadata: ["pid": .stringConvertible(child.pid)])
        return nil
    }

    private func respawn(_ slot: Int) {
        let go = state.withLock { st in
            (st.phase == .running || st.phase == .down) && st.slots[slot].process == nil
        }
        guard go else { return }
        if let failure = spawn(slot) {
            let effects = state.withLock { st -> [Effect] in
                var effects: [Effect] = []
                fault(&st, slot, "cannot start: \(failure)", code: .pluginCrashed, evidence: nil, &effects)
                return effects
            }
            perform(effects)
        }
    }

    /// A failed start leaves nothing behind and does not wait on plugins that never answered.
    private func abandonStart() async {
        await shutdown(graceful: false)
    }

    // MARK: - Events from processes

    private func received(_ line: [UInt8], from p: PluginProcess, slot: Int) {
        // Parsing happens outside the lock, so instances answering at once are not serialized
        // on it; the lock only covers matching the id.
        let value = try? JSONParser.parse(line)
        let (effects, request) = state.withLock { st -> ([Effect], Request?) in
            guard st.slots[slot].process === p else { return ([], nil) }
            var effects: [Effect] = []
            if !st.slots[slot].ready {
                handshake(value, line, &st, slot, &effects)
                return (effects, nil)
            }
            guard let value else {
                fault(&st, slot, "wrote a line that is not JSON", code: .pluginProtocol, evidence: Evidence.text(line), &effects)
                return (effects, nil)
            }
            guard let id = value.member("id")?.stringValue else {
                fault(&st, slot, "wrote an answer without a string \"id\"", code: .pluginProtocol, evidence: Evidence.text(line), &effects)
                return (effects, nil)
            }
            guard let request = st.slots[slot].pending.removeValue(forKey: id) else {
                fault(&st, slot, "answered id \(id), which it was not sent or already answered", code: .pluginProtocol, evidence: Evidence.text(line), &effects)
                return (effects, nil)
            }
            st.inFlight.remove(id)
            pump(&st, &effects)
            return (effects, request)
        }
        perform(effects)
        guard let request, let value else { return }
        let result: Result<PluginAnswer, Rejection>
        do throws(PluginProtocolFault) {
            let (_, answer) = try PluginAnswer.parse(value, allowedWrites: request.allowedWrites)
            if case .reject(let reason) = answer {
                result = .failure(rejection(.pluginRejected, reason))
            } else {
                result = .success(answer)
            }
            // Only a well-formed answer counts as good: a plugin whose every answer breaks the
            // contract must still be backed off and, in the end, marked down.
            state.withLock { st in
                if st.slots[slot].process === p { st.slots[slot].consecutiveFaults = 0 }
                st.faultTimes.removeAll()
            }
        } catch {
            // One document's answer broke the contract; the process is kept, since it knew
            // which document it was answering.
            result = .failure(rejection(.pluginProtocol, error.message, evidence: Evidence.text(line)))
        }
        request.continuation.resume(returning: result)
    }

    private func handshake(_ value: JSONValue?, _ line: [UInt8], _ st: inout EngineState, _ slot: Int, _ effects: inout [Effect]) {
        if case .bool(true)? = value?.member("ready") {
            st.slots[slot].ready = true
            if st.phase == .down {
                st.phase = .running
                // A fresh window: the faults that made it down must not put it straight back.
                st.faultTimes.removeAll()
                effects.append(.log(.notice, "plugin recovered: a restarted process is ready", [:]))
            } else if st.phase == .running {
                effects.append(.log(.info, "plugin process restarted and ready", [:]))
            }
            arm(&st, slot, at: nil)
            settleStart(&st, &effects)
            pump(&st, &effects)
            return
        }
        if let message = value?.member("error") {
            st.slots[slot].handshakeFailure = "the plugin answered the handshake with an error: \(message.stringValue ?? message.serialized())"
        } else {
            st.slots[slot].handshakeFailure = "the plugin's first line is not {\"ready\":true}: \(Evidence.text(line))"
        }
        // The outcome waits for its exit, so the report can carry its stderr.
        effects.append(.signal(st.slots[slot].process!, SIGKILL))
    }

    private func overlong(_ prefix: [UInt8], from p: PluginProcess, slot: Int) {
        let effects = state.withLock { st -> [Effect] in
            guard st.slots[slot].process === p else { return [] }
            var effects: [Effect] = []
            let what = "wrote a line longer than \(settings.maxLineBytes) bytes"
            if st.slots[slot].ready {
                fault(&st, slot, what, code: .pluginProtocol, evidence: Evidence.text(prefix), &effects)
            } else {
                st.slots[slot].handshakeFailure = "the plugin " + what
                effects.append(.signal(p, SIGKILL))
            }
            return effects
        }
        perform(effects)
    }

    private func outputClosed(_ p: PluginProcess, slot: Int) {
        let running = state.withLock { st in st.phase != .stopping && st.phase != .stopped }
        // A process without stdout can answer nothing; while running it is ended so its exit is
        // handled as a crash. When stopping, a closed stdout is the plugin finishing.
        if running { p.signal(SIGKILL) }
    }

    private func exited(_ p: PluginProcess, status: PluginProcess.ExitStatus, stderr: [String], slot: Int) {
        let effects = state.withLock { st -> [Effect] in
            st.everyProcess[ObjectIdentifier(p)] = nil
            guard st.slots[slot].process === p else { return [] }
            var effects: [Effect] = []
            if !st.slots[slot].ready {
                let reason = st.slots[slot].handshakeFailure ?? "the plugin exited (\(status)) before it was ready"
                if st.phase == .starting {
                    st.slots[slot].process = nil
                    let failure = ExecPluginStartError(stage: settings.name, message: reason, stderr: stderr)
                    if let c = st.startWaiter {
                        st.startWaiter = nil
                        effects.append(.finishStart(c, failure))
                    } else if st.startFailure == nil {
                        st.startFailure = failure
                    }
                    return effects
                }
                var tail = stderr.last.map { "; stderr: \($0)" } ?? ""
                if tail.count > 300 { tail = String(tail.prefix(300)) + "…" }
                fault(&st, slot, "restart failed: \(reason)\(tail)", code: .pluginCrashed, evidence: nil, &effects)
                return effects
            }
            var tail = stderr.last.map { "; stderr: \($0)" } ?? ""
            if tail.count > 300 { tail = String(tail.prefix(300)) + "…" }
            fault(&st, slot, "exited (\(status))\(tail)", code: .pluginCrashed, evidence: nil, &effects)
            return effects
        }
        perform(effects)
    }

    // MARK: - Deadlines

    /// One timer per slot, set to the earliest deadline there: documents are sent in order with
    /// the same timeout, so it fires about once per timeout under load, not once per document.
    private func arm(_ st: inout EngineState, _ slot: Int, at deadline: UInt64?) {
        guard let deadline else {
            st.slots[slot].timerDeadline = nil
            return
        }
        if let current = st.slots[slot].timerDeadline, current <= deadline { return }
        if st.slots[slot].timer == nil {
            let timer = DispatchSource.makeTimerSource(queue: timers)
            timer.setEventHandler { [weak self] in self?.deadlinePassed(slot) }
            timer.schedule(deadline: .distantFuture)
            timer.resume()
            st.slots[slot].timer = timer
        }
        st.slots[slot].timerDeadline = deadline
        st.slots[slot].timer?.schedule(deadline: DispatchTime(uptimeNanoseconds: deadline))
    }

    private func deadlinePassed(_ slot: Int) {
        let effects = state.withLock { st -> [Effect] in
            guard st.phase != .stopped, let p = st.slots[slot].process else { return [] }
            var effects: [Effect] = []
            let now = Self.now
            st.slots[slot].timerDeadline = nil
            if !st.slots[slot].ready {
                if st.slots[slot].handshakeDeadline <= now {
                    if st.slots[slot].handshakeFailure == nil {
                        st.slots[slot].handshakeFailure = "the plugin did not answer the handshake within \(settings.startTimeout.secondsText)"
                    }
                    effects.append(.signal(p, SIGKILL))
                } else {
                    arm(&st, slot, at: st.slots[slot].handshakeDeadline)
                }
                return effects
            }
            // Only the document sent first among those past their deadline is the timeout: a
            // plugin that works one document at a time leaves the ones queued behind a stuck
            // document past their deadlines too, through no fault of theirs. Those are retried
            // (alone) with the process's other documents.
            let expired = st.slots[slot].pending.values.filter { $0.deadline <= now }
            guard let stuck = expired.min(by: { ($0.deadline, $0.id) < ($1.deadline, $1.id) }) else {
                arm(&st, slot, at: st.slots[slot].pending.values.map(\.deadline).min())
                return effects
            }
            st.slots[slot].pending[stuck.id] = nil
            st.inFlight.remove(stuck.id)
            effects.append(.resume(stuck.continuation, .failure(rejection(.pluginTimeout, "the plugin did not answer within \(settings.timeout.secondsText); its process is restarted"))))
            fault(&st, slot, "did not answer document \(stuck.id) within \(settings.timeout.secondsText) (the process may be wedged)", code: .pluginCrashed, evidence: nil, &effects)
            return effects
        }
        perform(effects)
    }

    // MARK: - Dispatch and faults

    /// Sends waiting documents to the least loaded live processes while they have room.
    ///
    /// A retried document goes to a process alone, and nothing joins it until it is answered:
    /// when a process dies holding several documents, one of them is usually the cause, and
    /// retrying them side by side again would let it take the innocent ones down with it. Sent
    /// one by one, only the document that kills a process a second time is rejected.
    private func pump(_ st: inout EngineState, _ effects: inout [Effect]) {
        guard st.phase == .running || st.phase == .starting else { return }
        var index = 0
        while index < st.waiting.count {
            let isolated = st.waiting[index].retried
            var best: Int?
            for i in st.slots.indices where st.slots[i].ready && st.slots[i].process != nil {
                let pending = st.slots[i].pending
                let room = isolated ? pending.isEmpty
                    : pending.count < settings.maxPending && !pending.values.contains(where: \.retried)
                guard room else { continue }
                if best == nil || pending.count < st.slots[best!].pending.count { best = i }
            }
            guard let slot = best else { return }
            if st.inFlight.contains(st.waiting[index].id) {
                index += 1
                continue
            }
            var request = st.waiting.remove(at: index)
            request.deadline = Self.now + settings.timeout.nanoseconds
            st.inFlight.insert(request.id)
            // Queued for the writer thread here, under the lock, not as an effect after it: a
            // `stop()` (or a fault) that closes the input right after must find the document
            // already in the outbox, so what `health.inFlight` counts is what the plugin gets
            // before its EOF. Queueing is an append; the write itself happens on the writer thread.
            st.slots[slot].process!.send(request.line)
            arm(&st, slot, at: request.deadline)
            st.slots[slot].pending[request.id] = request
        }
    }

    /// The process in `slot` is done for (`why`): it is killed and a fresh one scheduled; the
    /// documents it held go back to the front of the queue once, and are rejected with `code`
    /// if they were already retried.
    private func fault(_ st: inout EngineState, _ slot: Int, _ why: String, code: Rejection.Code, evidence: String?, _ effects: inout [Effect]) {
        let pid = st.slots[slot].process.map { "\($0.pid)" } ?? "-"
        if let p = st.slots[slot].process {
            effects.append(.closeInput(p))
            effects.append(.signal(p, SIGKILL))
        }
        st.slots[slot].process = nil
        st.slots[slot].ready = false
        st.slots[slot].timerDeadline = nil
        st.lastFault = "process \(pid) \(why)"
        let stopping = st.phase == .stopping || st.phase == .stopped
        var retry: [Request] = []
        for var r in st.slots[slot].pending.values.sorted(by: { $0.deadline < $1.deadline }) {
            st.inFlight.remove(r.id)
            if r.retried || stopping {
                let message = stopping
                    ? "the plugin process \(why) while stopping, before answering"
                    : "the plugin process \(why) while holding this document, which had already been retried once"
                effects.append(.resume(r.continuation, .failure(rejection(code, message, evidence: evidence))))
            } else {
                r.retried = true
                retry.append(r)
            }
        }
        st.slots[slot].pending.removeAll()
        st.waiting.insert(contentsOf: retry, at: 0)
        if stopping { return }
        // A process that was ready and then failed while the others were still starting: the
        // start fails now (restarts happen only once running), rather than wait on it forever.
        if st.phase == .starting {
            let failure = ExecPluginStartError(stage: settings.name, message: "process \(pid) \(why) during start-up", stderr: [])
            if let c = st.startWaiter {
                st.startWaiter = nil
                effects.append(.finishStart(c, failure))
            } else if st.startFailure == nil {
                st.startFailure = failure
            }
            return
        }

        let now = Self.now
        st.faultTimes.append(now)
        let window = settings.faultWindow.nanoseconds
        st.faultTimes.removeAll { now - $0 > window }
        st.slots[slot].consecutiveFaults += 1
        let doublings = min(st.slots[slot].consecutiveFaults - 1, 30)
        let delay = min(settings.initialBackoff * (1 << doublings), settings.maxBackoff)
        var metadata: Logger.Metadata = ["pid": .string(pid), "restart_in": .string(delay.secondsText), "retried": .stringConvertible(retry.count)]
        if let evidence { metadata["evidence"] = .string(evidence) }
        effects.append(.log(.error, "plugin process \(why)", metadata))
        effects.append(.restart(slot: slot, after: delay))

        if st.phase == .running && st.faultTimes.count >= settings.maxFaults {
            st.phase = .down
            effects.append(.log(.critical, "plugin is down: \(st.faultTimes.count) faults within \(settings.faultWindow.secondsText); documents are rejected with plugin_unavailable until a restart succeeds", [:]))
            let failure = unavailable(st)
            for r in st.waiting { effects.append(.resume(r.continuation, .failure(failure))) }
            st.waiting.removeAll()
            return
        }
        pump(&st, &effects)
    }

    /// During `start()`: done when every slot is ready.
    private func settleStart(_ st: inout EngineState, _ effects: inout [Effect]) {
        guard st.phase == .starting, let c = st.startWaiter else { return }
        if let failure = st.startFailure {
            st.startWaiter = nil
            st.startFailure = nil
            effects.append(.finishStart(c, failure))
            return
        }
        if st.slots.allSatisfy({ $0.ready && $0.process != nil }) {
            st.phase = .running
            st.startWaiter = nil
            effects.append(.finishStart(c, nil))
        }
    }
}
