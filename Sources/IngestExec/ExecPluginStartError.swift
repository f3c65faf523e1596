/// A plugin did not become ready: the daemon refuses to start and says why, in the plugin's
/// words when it gave any (`{"error":...}`) and with the end of its stderr.
public struct ExecPluginStartError: Error, Sendable, CustomStringConvertible {
    public var stage: String
    public var message: String
    /// The last lines the plugin wrote to stderr (a traceback, usually).
    public var stderr: [String]

    public var description: String {
        var text = "plugin stage \(stage) did not start: \(message)"
        if !stderr.isEmpty { text += "\nits stderr ended with:\n" + stderr.map { "  " + $0 }.joined(separator: "\n") }
        return text
    }
}
