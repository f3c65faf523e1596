import IngestCore

/// Why the pipeline stops, set once: by SIGTERM/SIGINT (also during a long start-up, before
/// the service group listens), by the service group's graceful shutdown, or by a sink failure.
final class StopLatch: Sendable {
    enum Reason: Sendable, Equatable {
        case signal(String)
        case gracefulShutdown
        case fatal
    }

    private struct State {
        var reason: Reason?
        var waiters: [CheckedContinuation<Reason, Never>] = []
    }
    private let state = Locked(State())

    func fire(_ reason: Reason) {
        let waiters = state.withLock { s -> [CheckedContinuation<Reason, Never>] in
            guard s.reason == nil else { return [] }
            s.reason = reason
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for w in waiters { w.resume(returning: reason) }
    }

    var reason: Reason? { state.withLock { $0.reason } }

    func wait() async -> Reason {
        await withCheckedContinuation { c in
            let now = state.withLock { s -> Reason? in
                if let r = s.reason { return r }
                s.waiters.append(c)
                return nil
            }
            if let now { c.resume(returning: now) }
        }
    }
}
