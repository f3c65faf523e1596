/// Why a wasm plugin cannot be loaded or started. Thrown before any document is seen, so the
/// daemon refuses to start with a message that names the module and what is wrong with it.
public struct WasmPluginError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case unreadableModule = "unreadable_module"
        /// Not a valid WebAssembly binary, or it fails validation.
        case invalidModule = "invalid_module"
        /// The module imports something: wasm-plugin/1 modules are freestanding.
        case importsNotAllowed = "imports_not_allowed"
        /// A required export is missing or has the wrong kind or signature.
        case badExport = "bad_export"
        /// Instantiation failed (start function trapped, initial memory above the cap, ...).
        case instantiationFailed = "instantiation_failed"
        /// `init` answered `{"error": ...}`, trapped, or answered something else than `{"ready":true}`.
        case initFailed = "init_failed"
    }

    public var stage: String
    public var kind: Kind
    public var message: String

    public init(stage: String, _ kind: Kind, _ message: String) {
        self.stage = stage
        self.kind = kind
        self.message = message
    }

    public var description: String { "wasm stage \(stage): \(message)" }
}
