import Dispatch

/// Runs `work`, which blocks (waits on a DispatchGroup, takes a queue's turn), on a Dispatch
/// thread and awaits its result, so that a service never holds one of the few threads of
/// Swift's cooperative pool while it waits.
func blockingWork<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { c in
        DispatchQueue.global(qos: .utility).async { c.resume(returning: work()) }
    }
}
