import IngestCore

/// How one `use: exec` stage runs its processes. The stage builds this from its YAML options;
/// the engine trusts it (validation belongs to the stage's config parsing).
public struct ExecPluginSettings: Sendable {
    /// The stage's name: the handshake's `stage`, every rejection's `stage`, the log lines' `stage`.
    public var name: String
    /// argv, no shell. A first element without a `/` is looked up in the child's `PATH`.
    public var command: [String]
    /// Processes run side by side; each document goes to the least loaded live one.
    public var instances: Int
    /// Documents sent to one process and not yet answered. More callers than
    /// `instances × maxPending` wait, so a slow plugin slows the pipeline instead of growing memory.
    public var maxPending: Int
    /// Per document, from the moment it is written to the plugin.
    public var timeout: Duration
    /// From spawn to `{"ready":true}`, for the first start and every restart.
    public var startTimeout: Duration
    /// Handed to the plugin in the handshake; an object.
    public var options: JSONValue
    /// Added to the child's environment, which is otherwise cleared but `PATH` and `LANG`.
    public var environment: [String: String]
    /// The longest stdout line accepted; a longer one is a protocol fault and the process is
    /// restarted, so a plugin that floods stdout cannot grow the daemon's memory.
    public var maxLineBytes: Int
    /// Restart delay after the first fault of a run of faults, doubled per further fault up to
    /// `maxBackoff`, so a plugin that keeps crashing is not restarted in a hot loop.
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// `maxFaults` process faults within `faultWindow` make the stage "down": documents are
    /// rejected at once with `plugin_unavailable` until a restarted process becomes ready.
    public var maxFaults: Int
    public var faultWindow: Duration
    /// On `stop()`: how long a plugin has to exit after its stdin closes, then after SIGTERM.
    public var stopGrace: Duration

    public init(
        name: String,
        command: [String],
        instances: Int = 1,
        maxPending: Int = 16,
        timeout: Duration = .seconds(5),
        startTimeout: Duration = .seconds(10),
        options: JSONValue = .object([]),
        environment: [String: String] = [:],
        maxLineBytes: Int = 16 << 20,
        initialBackoff: Duration = .milliseconds(100),
        maxBackoff: Duration = .seconds(30),
        maxFaults: Int = 5,
        faultWindow: Duration = .seconds(60),
        stopGrace: Duration = .seconds(2)
    ) {
        self.name = name
        self.command = command
        self.instances = max(1, instances)
        self.maxPending = max(1, maxPending)
        self.timeout = timeout
        self.startTimeout = startTimeout
        self.options = options
        self.environment = environment
        self.maxLineBytes = max(1024, maxLineBytes)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxFaults = max(1, maxFaults)
        self.faultWindow = faultWindow
        self.stopGrace = stopGrace
    }
}

extension Duration {
    var nanoseconds: UInt64 {
        let (s, atto) = components
        guard s >= 0 else { return 0 }
        return UInt64(s) &* 1_000_000_000 &+ UInt64(max(0, atto) / 1_000_000_000)
    }

    var secondsText: String {
        let ns = Double(nanoseconds) / 1e9
        return ns == ns.rounded() ? "\(Int(ns))s" : "\(ns)s"
    }
}
