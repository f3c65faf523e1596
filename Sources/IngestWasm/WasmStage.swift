import Foundation
import IngestCore

/// `use: wasm`: a WebAssembly module run in-process with WasmKit, sandboxed (no imports at all,
/// a memory cap, an instruction budget per document), speaking wasm-plugin/1 (docs/plugins.md).
/// It computes on the calling worker like the built-in stages, so it is synchronous.
public struct WasmStage: SynchronousStage {
    public let name: String
    let plugin: WasmPlugin
    let reads: [String]?
    let writes: [String]

    public func start() async throws { try plugin.start() }

    public func processSynchronously(_ doc: inout Document) throws -> StageVerdict {
        let answer = try plugin.process(id: doc.id, document: DocumentWire.encode(doc, reads: reads), allowedWrites: writes)
        return try answer.apply(to: &doc, stage: name)
    }

    public static let factory = StageFactory(
        name: "wasm",
        summary: "a sandboxed WebAssembly module run in-process, wasm-plugin/1 (name:, module:, fuel:, max_memory:)"
    ) { m in
        let common = PluginStageOptions.read(&m, kind: "wasm")
        let maxMemory = m.byteSize("max_memory", default: WasmPluginSettings.defaultMaxMemoryBytes, in: 65_536...(4 << 30))
        let fuel = m.int("fuel", default: Int(WasmPluginSettings.defaultFuel), in: 1_000...Int(Int64.max))
        var plugin: WasmPlugin?
        if let value = m.value("module") {
            if let url = ConfigDataFile.url(value) {
                // Parsed now, imports refused, nothing run: `ingestd validate` reports an unreadable,
                // invalid or importing module at its key; exports and `init` are checked at start.
                do throws(WasmPluginError) {
                    let settings = try WasmPluginSettings(name: common.name, modulePath: url.path, maxMemoryBytes: maxMemory,
                                                          fuel: UInt64(fuel), options: common.options)
                    plugin = try WasmPlugin(settings: settings)
                } catch {
                    // The shipped modules are build products, not in the repository.
                    let hint = error.kind == .unreadableModule ? " (scripts/build-plugins builds the modules of pipelines/plugins)" : ""
                    value.error(error.message + hint)
                }
            }
        } else {
            m.error("a wasm stage needs 'module:', the .wasm file (scripts/build-plugins builds the shipped ones)")
        }
        return Builder(plugin: plugin, common: common)
    }

    struct Builder: StageBuilder {
        let plugin: WasmPlugin?
        let common: PluginStageOptions
        var fields: StageFields? { common.fields }
        var stageName: String? { common.name }
        func build(_ context: StageContext) throws -> any Stage {
            // Only reached with a module: the loader refuses the pipeline otherwise.
            guard let plugin else { throw StageBuildError(message: "the wasm stage has no module") }
            return WasmStage(name: common.name, plugin: plugin, reads: common.reads, writes: common.writes)
        }
    }
}
