import Dispatch
import IngestCore

/// Runs jobs on Dispatch's global queue with at most `concurrency` at a time, queuing the rest
/// without blocking any thread. The queue itself stays small because the source never claims
/// more than `max_in_flight` documents.
final class WorkerPool: Sendable {
    private struct State {
        var active = 0
        var queued: [@Sendable () -> Void] = []
        var head = 0
    }
    private let state = Locked(State())
    private let concurrency: Int
    private let queue: DispatchQueue

    init(concurrency: Int, qos: DispatchQoS.QoSClass = .utility) {
        self.concurrency = concurrency
        self.queue = DispatchQueue.global(qos: qos)
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { s -> Bool in
            if s.active < concurrency {
                s.active += 1
                return true
            }
            s.queued.append(job)
            return false
        }
        if runNow { queue.async { self.run(job) } }
    }

    var waiting: Int { state.withLock { $0.queued.count - $0.head } }

    private func run(_ first: @escaping @Sendable () -> Void) {
        var job: (@Sendable () -> Void)? = first
        while let current = job {
            current()
            job = state.withLock { s in
                guard s.head < s.queued.count else {
                    s.queued.removeAll(keepingCapacity: true)
                    s.head = 0
                    s.active -= 1
                    return nil
                }
                let next = s.queued[s.head]
                s.head += 1
                return next
            }
        }
    }
}
