/// Why a document produced no record. The code is stable (users grep and alert on it);
/// the message is for people.
public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Equatable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let empty = Code(rawValue: "empty")
        public static let binary = Code(rawValue: "binary")
        public static let invalidEncoding = Code(rawValue: "invalid_encoding")
        public static let tooLarge = Code(rawValue: "too_large")
        public static let unreadable = Code(rawValue: "unreadable")
        public static let notRegularFile = Code(rawValue: "not_a_regular_file")
        /// A symbolic link in the inbox: never followed, so dropping a link cannot make the
        /// daemon read a file the dropper may not.
        public static let symlink = Code(rawValue: "symlink")
        /// A file with more than one name: a hard link grants reading as surely as a symbolic one.
        public static let hardlink = Code(rawValue: "hardlink")
        /// A folder in the inbox: only files are processed.
        public static let directory = Code(rawValue: "directory")
        public static let noContent = Code(rawValue: "no_content")
        public static let stageFailed = Code(rawValue: "stage_failed")
        /// Plugin stages (`exec`, `wasm`): docs/plugins.md says when each is given.
        public static let pluginCrashed = Code(rawValue: "plugin_crashed")
        public static let pluginTimeout = Code(rawValue: "plugin_timeout")
        public static let pluginProtocol = Code(rawValue: "plugin_protocol")
        public static let pluginUnavailable = Code(rawValue: "plugin_unavailable")
        public static let pluginTrap = Code(rawValue: "plugin_trap")
        public static let pluginFuel = Code(rawValue: "plugin_fuel")
        public static let pluginMemory = Code(rawValue: "plugin_memory")
        /// The plugin itself rejected the document (`{"reject": reason}`).
        public static let pluginRejected = Code(rawValue: "plugin_rejected")
    }

    public var code: Code
    public var message: String
    /// The stage that rejected, or "read" for problems found before any stage ran.
    public var stage: String
    /// What the fault was about, verbatim and truncated (a plugin's offending output line):
    /// written to the `.error.json` as `evidence`.
    public var evidence: String?

    public init(_ code: Code, _ message: String, stage: String, evidence: String? = nil) {
        self.code = code
        self.message = message
        self.stage = stage
        self.evidence = evidence
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
