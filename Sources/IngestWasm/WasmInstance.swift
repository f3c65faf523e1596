@_spi(Fuzzing) import WasmKit  // `Store.resourceLimiter` is SPI in 0.4.2 (marked "consider making this public").

/// One instantiated plugin module: its own store, memory and interpreter stack.
///
/// `@unchecked Sendable` because it is handed from thread to thread through `WasmPlugin`'s
/// idle list (a lock orders each hand-over), but never used by two threads at once: a WasmKit
/// `Store` is thread-confined, not thread-safe.
final class WasmInstance: @unchecked Sendable {
    private let store: Store
    private let memory: Memory
    private let alloc: Function
    private let processFunction: Function
    private let initFunction: Function?
    private let fuel: UInt64
    private let maxAnswerBytes: Int
    // Reused across calls: `Function.invoke(_:)` would allocate and free 512 KiB per call.
    private var stack: ExecutionStack

    /// Answers larger than this are refused rather than copied: a packed length is the guest's
    /// word, and a broken one must not make the daemon copy gigabytes.
    static let defaultMaxAnswerBytes = 16 << 20

    init(module: Module, engine: Engine, settings: WasmPluginSettings) throws(WasmPluginError) {
        let name = settings.name
        store = Store(engine: engine)
        store.resourceLimiter = MemoryCap(maxBytes: settings.maxMemoryBytes)
        fuel = settings.fuel
        maxAnswerBytes = Self.defaultMaxAnswerBytes
        // A start function runs during instantiation; it gets a document's budget so a module
        // that loops there fails the start-up instead of hanging it.
        store.fuel = Fuel(remaining: settings.fuel)
        let instance: Instance
        do {
            instance = try module.instantiate(store: store)
        } catch {
            throw WasmPluginError(stage: name, .instantiationFailed,
                                  "cannot instantiate \(settings.moduleSource): \(WasmFault(error).message)")
        }
        let exports = instance.exports
        guard let memory = exports[memory: "memory"] else {
            throw WasmPluginError(stage: name, .badExport, "\(settings.moduleSource) does not export its linear memory as \"memory\"")
        }
        self.memory = memory
        alloc = try Self.function(exports, "alloc", [.i32], [.i32], settings)
        processFunction = try Self.function(exports, "process", [.i32, .i32], [.i64], settings)
        if exports[function: "init"] != nil {
            initFunction = try Self.function(exports, "init", [.i32, .i32], [.i64], settings)
        } else {
            initFunction = nil
        }
        stack = ExecutionStack(engine: engine)
    }

    private static func function(_ exports: Exports, _ name: String, _ parameters: [ValueType], _ results: [ValueType],
                                 _ settings: WasmPluginSettings) throws(WasmPluginError) -> Function {
        let expected = FunctionType(parameters: parameters, results: results)
        guard let f = exports[function: name] else {
            throw WasmPluginError(stage: settings.name, .badExport,
                                  "\(settings.moduleSource) does not export the function \"\(name)\" \(describe(expected))")
        }
        guard f.type == expected else {
            throw WasmPluginError(stage: settings.name, .badExport,
                                  "\(settings.moduleSource) exports \"\(name)\" as \(describe(f.type)), wasm-plugin/1 wants \(describe(expected))")
        }
        return f
    }

    private static func describe(_ type: FunctionType) -> String {
        "(\(type.parameters.map { "\($0)" }.joined(separator: ", "))) -> (\(type.results.map { "\($0)" }.joined(separator: ", ")))"
    }

    /// Runs the `init` handshake if the module has one; returns its answer, or nil if it has none.
    func handshake(_ request: [UInt8]) throws(WasmFault) -> [UInt8]? {
        guard let initFunction else { return nil }
        return try call(initFunction, request)
    }

    /// One document: the request goes in through `alloc`, the answer comes out of `process`.
    func process(_ request: [UInt8]) throws(WasmFault) -> [UInt8] {
        try call(processFunction, request)
    }

    private func call(_ function: Function, _ request: [UInt8]) throws(WasmFault) -> [UInt8] {
        store.fuel = Fuel(remaining: fuel)
        let answer: UInt64
        do {
            let ptr = try Self.single(try alloc.invoke([.i32(UInt32(request.count))], on: &stack), "alloc")
            let start = Int(ptr)
            guard ptr != 0, start + request.count <= memory.byteCount else {
                throw WasmFault.protocolFault("alloc(\(request.count)) returned \(ptr), which is not a usable pointer in a memory of \(memory.byteCount) bytes", evidence: nil)
            }
            if !request.isEmpty {
                memory.withUnsafeMutableBufferPointer(offset: UInt(start), count: request.count) { target in
                    request.withUnsafeBytes { target.copyMemory(from: $0) }
                }
            }
            answer = try Self.single64(try function.invoke([.i32(ptr), .i32(UInt32(request.count))], on: &stack))
        } catch let fault as WasmFault {
            throw fault
        } catch {
            throw WasmFault(error)
        }
        let ptr = Int(answer >> 32), count = Int(answer & 0xFFFF_FFFF)
        guard count <= maxAnswerBytes else {
            throw .protocolFault("the answer is \(count) bytes long, above the \(maxAnswerBytes)-byte limit", evidence: nil)
        }
        guard ptr + count <= memory.byteCount else {
            throw .protocolFault("the answer (pointer \(ptr), \(count) bytes) lies outside the module's \(memory.byteCount)-byte memory", evidence: nil)
        }
        if count == 0 { return [] }
        return memory.withUnsafeBufferPointer(offset: UInt(ptr), count: count) { Array($0) }
    }

    private static func single(_ values: [Value], _ name: String) throws(WasmFault) -> UInt32 {
        guard values.count == 1, case .i32(let v) = values[0] else { throw .protocolFault("\(name) returned \(values)", evidence: nil) }
        return v
    }

    private static func single64(_ values: [Value]) throws(WasmFault) -> UInt64 {
        guard values.count == 1, case .i64(let v) = values[0] else { throw .protocolFault("the call returned \(values)", evidence: nil) }
        return v
    }
}
