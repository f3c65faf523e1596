import Foundation
import IngestCore

/// What a `use: wasm` stage is configured with. Document-agnostic: the engine sees JSON only.
public struct WasmPluginSettings: Sendable {
    /// The stage name: `Rejection.stage`, the `stage` of the `init` handshake.
    public var name: String
    /// The module, as bytes (`WasmPluginSettings(name:modulePath:)` reads a file into this).
    public var moduleBytes: [UInt8]
    /// Where the module came from, for messages only.
    public var moduleSource: String
    /// The linear memory one instance may grow to. Growing past it ends the call (`plugin_memory`).
    public var maxMemoryBytes: Int
    /// Instruction budget for one document (`alloc` and `process` together), and separately for
    /// `init` and for instantiation. One unit is about one executed wasm operator.
    public var fuel: UInt64
    /// Handed to the module's `init` export.
    public var options: JSONValue
    /// Instances kept warm between calls. More are made while more threads call at once; those
    /// beyond this many are dropped when returned, so memory follows the steady concurrency.
    public var maxIdleInstances: Int

    public static let defaultMaxMemoryBytes = 64 << 20
    public static let defaultFuel: UInt64 = 50_000_000

    public init(
        name: String,
        moduleBytes: [UInt8],
        moduleSource: String = "<bytes>",
        maxMemoryBytes: Int = WasmPluginSettings.defaultMaxMemoryBytes,
        fuel: UInt64 = WasmPluginSettings.defaultFuel,
        options: JSONValue = .object([]),
        maxIdleInstances: Int = 8
    ) {
        self.name = name
        self.moduleBytes = moduleBytes
        self.moduleSource = moduleSource
        self.maxMemoryBytes = maxMemoryBytes
        self.fuel = fuel
        self.options = options
        self.maxIdleInstances = maxIdleInstances
    }

    /// Reads the module file now, so a missing or unreadable module fails at load, by name.
    public init(
        name: String,
        modulePath: String,
        maxMemoryBytes: Int = WasmPluginSettings.defaultMaxMemoryBytes,
        fuel: UInt64 = WasmPluginSettings.defaultFuel,
        options: JSONValue = .object([]),
        maxIdleInstances: Int = 8
    ) throws(WasmPluginError) {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(URL(fileURLWithPath: modulePath))
        } catch {
            throw WasmPluginError(stage: name, .unreadableModule, "cannot read the module \(modulePath): \(error)")
        }
        self.init(name: name, moduleBytes: bytes, moduleSource: modulePath, maxMemoryBytes: maxMemoryBytes,
                  fuel: fuel, options: options, maxIdleInstances: maxIdleInstances)
    }
}
