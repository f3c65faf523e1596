/// What an exec stage reports about its processes, for the daemon's health signal and logs.
public struct ExecPluginHealth: Sendable, Equatable {
    public enum State: String, Sendable {
        /// `start()` has not finished.
        case starting
        /// Every instance is up.
        case ready
        /// Some instances are restarting; documents go to the others (or wait for them).
        case degraded
        /// Too many faults in the window: documents are rejected with `plugin_unavailable`
        /// until a restarted process becomes ready.
        case down
        case stopped
    }

    public var state: State
    public var instances: Int
    /// Processes that finished the handshake and are taking documents.
    public var live: Int
    /// Processes started after the first ones, over the stage's lifetime.
    public var restarts: Int
    /// Documents written to a process and not yet answered.
    public var inFlight: Int
    /// Documents waiting for a process to have room (or to be retried).
    public var waiting: Int
    /// The last fault, for people.
    public var lastFault: String?
}
