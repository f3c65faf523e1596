import Dispatch
import Foundation
import IngestCore
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// One running plugin process and the three threads that move its bytes.
///
/// Dedicated threads, not the cooperative pool: each blocks in read(2) or write(2) on a pipe for
/// as long as the plugin takes, which would starve Swift concurrency's few threads; a blocking
/// read also needs no polling and no timers.
///
/// `@unchecked`: the outbox is guarded by `outboxSignal`, everything else is immutable or `Locked`.
final class PluginProcess: @unchecked Sendable {
    enum ExitStatus: Sendable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        var description: String {
            switch self {
            case .exited(let code): return "exit status \(code)"
            case .signaled(let sig): return "signal \(sig)\(sig == SIGKILL ? " (SIGKILL)" : sig == SIGSEGV ? " (SIGSEGV)" : sig == SIGTERM ? " (SIGTERM)" : "")"
            }
        }
    }

    /// Called on the process's own threads, in stdout order; `exited` last, once.
    struct Events: Sendable {
        var line: @Sendable (PluginProcess, [UInt8]) -> Void
        var overlong: @Sendable (PluginProcess, [UInt8]) -> Void
        /// stdout closed: a plugin that closes it while running can answer nothing more.
        var outputClosed: @Sendable (PluginProcess) -> Void
        var exited: @Sendable (PluginProcess, ExitStatus, [String]) -> Void
    }

    let pid: pid_t
    private let stdinFD: Int32
    private let stdoutFD: Int32
    private let stderrFD: Int32
    private let maxLineBytes: Int
    private let logger: Logger
    private let events: Events

    private struct Outbox {
        var chunks: [[UInt8]] = []
        var closed = false
    }
    /// NSCondition rather than Locked: the writer thread sleeps on it until there is something to write.
    private let outboxSignal = NSCondition()
    private var outbox = Outbox()

    private struct Life {
        var reaped = false
        var status: ExitStatus?
        var exitWaiters: [UUID: CheckedContinuation<Bool, Never>] = [:]
    }
    private let life = Locked(Life())
    private let stderrTail = Locked([String]())
    private let stderrClosed = DispatchSemaphore(value: 0)
    private static let stderrTailLines = 20

    init(_ child: ChildSpawn, maxLineBytes: Int, logger: Logger, events: Events) {
        pid = child.pid
        stdinFD = child.stdin
        stdoutFD = child.stdout
        stderrFD = child.stderr
        self.maxLineBytes = maxLineBytes
        var logger = logger
        logger[metadataKey: "pid"] = .stringConvertible(child.pid)
        self.logger = logger
        self.events = events
    }

    func begin() {
        spawnThread("ingestd-exec-in") { [self] in writeLoop() }
        spawnThread("ingestd-exec-out") { [self] in readStdout() }
        spawnThread("ingestd-exec-err") { [self] in readStderr() }
        spawnThread("ingestd-exec-wait") { [self] in watchExit() }
    }

    /// The exit is reported once stdout closes, but a child the plugin left behind may hold its
    /// stdout open, and the documents would wait for their timeout. When the plugin itself has
    /// exited, its process group (which it leads) is killed, so stdout closes and the exit is
    /// handled at once. Under the same lock as the reaping, so the group cannot be a recycled one.
    private func watchExit() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        life.withLock { life in
            if !life.reaped { _ = kill(-pid, SIGKILL) }
        }
    }

    private func spawnThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Queues one line (newline included); dropped once the input is closed or broken.
    func send(_ bytes: [UInt8]) {
        outboxSignal.lock()
        if !outbox.closed {
            outbox.chunks.append(bytes)
            outboxSignal.signal()
        }
        outboxSignal.unlock()
    }

    /// EOF on the plugin's stdin once what is queued is written: the plugin's cue to finish and exit.
    func closeInput() {
        outboxSignal.lock()
        outbox.closed = true
        outboxSignal.signal()
        outboxSignal.unlock()
    }

    /// Never after the process is reaped, when its pid may already be another process's.
    func signal(_ sig: Int32) {
        life.withLock { life in
            if !life.reaped { _ = kill(pid, sig) }
        }
    }

    var stderrLines: [String] { stderrTail.withLock { $0 } }

    /// True once the process has exited, false if `deadline` came first.
    func waitExit(until deadline: DispatchTime) async -> Bool {
        let token = UUID()
        return await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            let done = life.withLock { life -> Bool in
                if life.status != nil { return true }
                life.exitWaiters[token] = c
                return false
            }
            if done { c.resume(returning: true); return }
            DispatchQueue.global().asyncAfter(deadline: deadline) { [self] in
                // Whoever removes the waiter resumes it: the exit or this timeout, never both.
                life.withLock { $0.exitWaiters.removeValue(forKey: token) }?.resume(returning: false)
            }
        }
    }

    private func writeLoop() {
        var broken = false
        while true {
            outboxSignal.lock()
            while outbox.chunks.isEmpty && !outbox.closed { outboxSignal.wait() }
            let chunks = outbox.chunks
            outbox.chunks.removeAll(keepingCapacity: true)
            let closing = outbox.closed
            outboxSignal.unlock()
            if !broken && !chunks.isEmpty {
                // One write for everything queued: under load, a wakeup carries many documents.
                var batch = chunks.count == 1 ? chunks[0] : chunks.flatMap { $0 }
                broken = !writeAll(&batch)
            }
            if closing && (broken || outboxEmpty) { break }
        }
        close(stdinFD)
    }

    private var outboxEmpty: Bool {
        outboxSignal.lock()
        defer { outboxSignal.unlock() }
        return outbox.chunks.isEmpty
    }

    /// False when the plugin's stdin is gone (EPIPE: the daemon ignores SIGPIPE); its exit is
    /// then reported by the stdout side.
    private func writeAll(_ bytes: inout [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(stdinFD, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }

    private func readStdout() {
        var framer = LineFramer(maxLineBytes: maxLineBytes)
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64 << 10)
        defer { buffer.deallocate() }
        while true {
            let n = read(stdoutFD, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            framer.feed(UnsafeBufferPointer(rebasing: buffer[0..<n])) { event in
                switch event {
                case .line(let line): events.line(self, line)
                case .overlong(let prefix): events.overlong(self, prefix)
                }
            }
        }
        close(stdoutFD)
        events.outputClosed(self)
        let status = reap()
        closeInput()
        // A plugin's last words (a traceback) are usually on stderr: let them arrive before the
        // exit is reported, bounded, since a grandchild may hold stderr open.
        _ = stderrClosed.wait(timeout: .now() + 1)
        let waiters = life.withLock { life -> [CheckedContinuation<Bool, Never>] in
            life.status = status
            defer { life.exitWaiters.removeAll() }
            return Array(life.exitWaiters.values)
        }
        events.exited(self, status, stderrLines)
        for w in waiters { w.resume(returning: true) }
    }

    /// Waits without reaping first, so `signal` can never hit a recycled pid, then reaps.
    private func reap() -> ExitStatus {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        return life.withLock { life in
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
            life.reaped = true
            let low = raw & 0x7f
            return low == 0 ? .exited((raw >> 8) & 0xff) : .signaled(low)
        }
    }

    private func readStderr() {
        // Log lines have their own, smaller bound: a plugin printing a huge blob to stderr
        // gets it cut, not buffered.
        var framer = LineFramer(maxLineBytes: 16 << 10)
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 16 << 10)
        defer { buffer.deallocate() }
        while true {
            let n = read(stderrFD, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            framer.feed(UnsafeBufferPointer(rebasing: buffer[0..<n])) { event in
                switch event {
                case .line(let line): log(line)
                case .overlong(let prefix): log(prefix + Array(" … (line cut)".utf8))
                }
            }
        }
        close(stderrFD)
        stderrClosed.signal()
    }

    private func log(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        let line = PluginLogLine(bytes)
        stderrTail.withLock { tail in
            tail.append(line.message)
            if tail.count > Self.stderrTailLines { tail.removeFirst(tail.count - Self.stderrTailLines) }
        }
        // A plugin that prints in a loop must not use up journald's allowance for the daemon's own
        // lines: past the budget its lines are counted (the fault report still has the tail).
        let (pass, leftOut) = logBudget.admit()
        guard pass else { return }
        var fields = line.fields
        if leftOut > 0 { fields["left_out"] = .stringConvertible(leftOut) }
        logger.log(level: line.level, "\(line.message)", metadata: fields.isEmpty ? nil : fields)
    }

    /// Stderr lines of one plugin process logged per second at most.
    static let logLinesPerSecond = 100
    private let logBudget = LogLineBudget(perSecond: PluginProcess.logLinesPerSecond)
}
