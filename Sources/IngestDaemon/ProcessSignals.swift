import Dispatch
import Foundation
import Logging

/// What each signal means to the daemon. Set up before anything else at start-up, so a SIGTERM
/// during a long start (a large dedupe index, a full inbox) is a clean stop, not a kill.
enum ProcessSignals {
    /// Signals whose default action would end the process for no fault of its own:
    /// SIGPIPE when the reader of stderr goes away (`ingestd run 2>&1 | jq`), SIGIO from the
    /// kernel when a writer opens a file the settle check holds a lease on, SIGXFSZ when a
    /// write passes `ulimit -f` (the write then fails with EFBIG and the sink stops cleanly),
    /// SIGVTALRM and SIGPROF from a stray profiler.
    static func ignoreQuietly() {
        for sig in [SIGPIPE, SIGIO, SIGXFSZ, SIGVTALRM, SIGPROF] { signal(sig, SIG_IGN) }
    }

    /// SIGTERM and SIGINT call `stop` with the signal's name (the service group hears them too
    /// and shuts its other services down); SIGUSR1, SIGUSR2, SIGALRM and SIGPWR are logged and
    /// otherwise ignored. SIGHUP is ignored until the pipeline runs (`ReloadService.listen`), so one sent
    /// during a long start-up neither kills the daemon nor reloads a pipeline not yet running.
    static func handle(logger: Logger, queue: DispatchQueue, stop: @escaping @Sendable (String) -> Void) -> [any DispatchSourceSignal] {
        ignoreQuietly()
        signal(SIGHUP, SIG_IGN)
        let stopping: [(Int32, String)] = [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")]
        let logged: [(Int32, String, String)] = [
            (SIGUSR1, "SIGUSR1", "SIGUSR1 received and ignored"),
            (SIGUSR2, "SIGUSR2", "SIGUSR2 received and ignored"),
            (SIGALRM, "SIGALRM", "SIGALRM received and ignored"),
            (SIGPWR, "SIGPWR", "SIGPWR received and ignored"),
        ]
        return stopping.map { sig, name in source(sig, queue) { stop(name) } }
            + logged.map { sig, name, message in source(sig, queue) { logger.notice("\(message)", metadata: ["signal": .string(name)]) } }
    }

    private static func source(_ sig: Int32, _ queue: DispatchQueue, _ handler: @escaping @Sendable () -> Void) -> any DispatchSourceSignal {
        // The default action must be off for Dispatch to see the signal instead of the process dying.
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }
}
