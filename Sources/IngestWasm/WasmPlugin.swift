import IngestCore
import WasmKit

/// A `use: wasm` plugin: one parsed module, run in as many instances as threads call it at once.
///
/// Speaks wasm-plugin/1 (docs/plugins.md, "wasm"): the request and the answer are the JSON of
/// the exec protocol, passed through the module's linear memory. Nothing here knows what a
/// document is; the caller hands over the document's wire form as a `JSONValue`.
public final class WasmPlugin: Sendable {
    public let settings: WasmPluginSettings
    private let engine: Engine
    private let module: Module
    private let handshakeRequest: [UInt8]
    // Instances not in a call right now. A caller takes one (or makes one) and gives it back
    // after a clean call; after a fault it is dropped, so the next caller gets a fresh one.
    private let idle = Locked<[WasmInstance]>([])

    public static let abiVersion = "wasm-plugin/1"

    /// Parses the module and refuses imports, by name, without running any of it.
    public init(settings: WasmPluginSettings) throws(WasmPluginError) {
        self.settings = settings
        let module: Module
        do {
            module = try parseWasm(bytes: settings.moduleBytes)
        } catch {
            throw WasmPluginError(stage: settings.name, .invalidModule,
                                  "\(settings.moduleSource) is not a valid WebAssembly module: \(error)")
        }
        if !module.imports.isEmpty {
            let names = module.imports.prefix(5).map { "\($0.module).\($0.name)" }.joined(separator: ", ")
            throw WasmPluginError(stage: settings.name, .importsNotAllowed,
                                  "\(settings.moduleSource) imports \(names)\(module.imports.count > 5 ? ", ..." : ""); "
                                  + "\(Self.abiVersion) modules must be freestanding (no WASI, no host functions: no files, no network)")
        }
        self.module = module
        // Fuel metering is decided when code is translated, hence on the engine, not per call.
        engine = Engine(configuration: EngineConfiguration(
            // Software bounds checks rather than WasmKit's mprotect guard: that one reserves
            // several GiB of address space per instance and turns bad accesses into signals,
            // which a daemon with its own signal handling should not have to share.
            memoryBoundsChecking: .software,
            fuelMetering: true
        ))
        handshakeRequest = Array(JSONValue.object([
            ("ingestd", .string("plugin/1")),
            ("stage", .string(settings.name)),
            ("options", settings.options),
        ]).serialized().utf8)
        // Nothing of the module runs here (`ingestd validate` builds this): its exports'
        // signatures, its start function and `init` are checked by `start()`, which makes the
        // first instance before any document.
    }

    /// Makes the first instance and runs its `init` handshake, so a module that refuses its
    /// options fails the daemon's start-up with the module's own message.
    public func start() throws(WasmPluginError) {
        let instance = try makeInstance()
        idle.withLock { $0.append(instance) }
    }

    /// Runs one document through the module.
    ///
    /// `{"reject": r}` is thrown as `plugin_rejected`; traps, fuel and memory overruns and
    /// malformed answers as `plugin_trap`, `plugin_fuel`, `plugin_memory`, `plugin_protocol`.
    public func process(id: String, document: JSONValue, allowedWrites: [String]) throws(Rejection) -> PluginAnswer {
        let instance: WasmInstance
        if let warm = idle.withLock({ $0.popLast() }) {
            instance = warm
        } else {
            do {
                instance = try makeInstance()
            } catch {
                throw Rejection(.pluginUnavailable, error.message, stage: settings.name)
            }
        }
        var request: [UInt8] = []
        request.reserveCapacity(4096)
        request.append(contentsOf: #"{"id":"#.utf8)
        JSONValue.string(id).write(into: &request)
        request.append(contentsOf: #","document":"#.utf8)
        document.write(into: &request)
        request.append(UInt8(ascii: "}"))

        let bytes: [UInt8]
        do {
            bytes = try instance.process(request)
        } catch {
            throw error.rejection(stage: settings.name, fuel: settings.fuel)
        }
        let parsed: (id: String, answer: PluginAnswer)
        do {
            let value = try JSONParser.parse(bytes)
            parsed = try PluginAnswer.parse(value, allowedWrites: allowedWrites)
        } catch let fault as PluginProtocolFault {
            throw Rejection(.pluginProtocol, fault.message, stage: settings.name, evidence: evidence(bytes))
        } catch {
            throw Rejection(.pluginProtocol, "the answer is not JSON: \(error)", stage: settings.name, evidence: evidence(bytes))
        }
        guard parsed.id == id else {
            throw Rejection(.pluginProtocol, "the answer is for id \"\(parsed.id)\", not \"\(id)\"", stage: settings.name,
                            evidence: evidence(bytes))
        }
        // Only a clean exchange returns the instance: after a fault it may hold half-written state.
        giveBack(instance)
        if case .reject(let reason) = parsed.answer {
            throw Rejection(.pluginRejected, reason, stage: settings.name)
        }
        return parsed.answer
    }

    /// Instances currently idle (for tests and the health signal).
    public var idleInstances: Int { idle.withLock { $0.count } }

    private func giveBack(_ instance: WasmInstance) {
        idle.withLock { list in
            if list.count < settings.maxIdleInstances { list.append(instance) }
        }
    }

    private func makeInstance() throws(WasmPluginError) -> WasmInstance {
        let instance = try WasmInstance(module: module, engine: engine, settings: settings)
        let answer: [UInt8]?
        do {
            answer = try instance.handshake(handshakeRequest)
        } catch {
            throw WasmPluginError(stage: settings.name, .initFailed, "init failed: \(error.message)")
        }
        guard let answer else { return instance }
        let value: JSONValue
        do {
            value = try JSONParser.parse(answer)
        } catch {
            throw WasmPluginError(stage: settings.name, .initFailed, "init answered something that is not JSON: \(evidence(answer))")
        }
        if let message = value.member("error") {
            throw WasmPluginError(stage: settings.name, .initFailed, "the module refused to start: \(message.stringValue ?? message.serialized())")
        }
        guard value.member("ready") == .bool(true) else {
            throw WasmPluginError(stage: settings.name, .initFailed,
                                  "init answered \(evidence(answer)), not {\"ready\":true} or {\"error\":...}")
        }
        return instance
    }
}
