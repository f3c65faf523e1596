import Foundation
import IngestCore
import IngestWasm
import WAT

/// Modules for the tests: the reference plugin built from source, and tiny ones in WAT.
enum WasmFixtures {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// pipelines/plugins/wire_filter.c, built once per test run by scripts/build-plugins into a
    /// temporary folder (the repository holds no .wasm).
    static let wireFilter: Result<[UInt8], BuildFailure> = {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ingestd-wasm-\(getpid())")
        let process = Process()
        process.executableURL = repository.appendingPathComponent("scripts/build-plugins")
        process.arguments = [out.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
            let log = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                return .failure(BuildFailure(log: String(decoding: log, as: UTF8.self)))
            }
            return .success(Array(try Data(contentsOf: out.appendingPathComponent("wire_filter.wasm"))))
        } catch {
            return .failure(BuildFailure(log: "\(error)"))
        }
    }()

    struct BuildFailure: Error { var log: String }

    /// Where a WAT module answers from: a fixed answer placed in a data segment at offset 16.
    static let answerOffset: UInt64 = 16

    /// A module in the wasm-plugin/1 shape: `alloc` hands out offset 1024 of a one-page
    /// memory, `process` runs `body` (which may use `$ptr`, `$len`, `$poisoned` and the packed
    /// `answer` through `(call $answer)`).
    static func module(answer: String = #"{"id":"d1","set":{}}"#, process body: String = "(call $answer)",
                       initAnswer: String? = nil, imports: String = "", extra: String = "") throws -> [UInt8] {
        let packed = answerOffset << 32 | UInt64(answer.utf8.count)
        var initFunction = ""
        if let initAnswer {
            // The init answer sits at 512; the data segment holds both answers.
            initFunction = """
              (data (i32.const 512) "\(escape(initAnswer))")
              (func (export "init") (param $ptr i32) (param $len i32) (result i64)
                (i64.const \(512 << 32 | UInt64(initAnswer.utf8.count))))
            """
        }
        return try wat2wasm("""
        (module
          \(imports)
          (memory (export "memory") 1)
          (global $poisoned (mut i32) (i32.const 0))
          (data (i32.const 16) "\(escape(answer))")
          (func $answer (result i64) (i64.const \(packed)))
          (func (export "alloc") (param $len i32) (result i32) (i32.const 1024))
          (func (export "process") (param $ptr i32) (param $len i32) (result i64)
            \(body))
          \(initFunction)
          \(extra)
        )
        """)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    static func plugin(_ bytes: [UInt8], name: String = "t", fuel: UInt64 = 1_000_000, maxMemoryBytes: Int = 4 << 20,
                       options: JSONValue = .object([])) throws -> WasmPlugin {
        try WasmPlugin(settings: WasmPluginSettings(name: name, moduleBytes: bytes, moduleSource: "test.wasm",
                                                    maxMemoryBytes: maxMemoryBytes, fuel: fuel, options: options))
    }

    /// A news article's wire form, about 5 KB, shaped like what the seam hands a plugin.
    static func article(text: String, id: String = "d1") -> JSONValue {
        .object([
            ("id", .string(id)),
            ("source", .string("inbox/2026-12-04/article-\(id).html")),
            ("site", .string("example-news.com")),
            ("url", .string("https://example-news.com/world/2026/12/04/\(id)")),
            ("title", .string("Ministers meet as talks on the regional trade pact enter a third day")),
            ("lang", .string("en")),
            ("published", .string("2026-12-04T08:15:00Z")),
            ("text", .string(text)),
            ("labels", .object([("topics", .array([.string("politics"), .string("economy")]))])),
        ])
    }

    static let filler = String(repeating: "Delegations from eleven countries resumed negotiations on tariffs, "
        + "rules of origin and the settlement of disputes, officials said, adding that a joint statement "
        + "could follow once the remaining chapters \"are closed\".\n", count: 22)
}

/// A whole module written in WAT, for the shapes `WasmFixtures.module` cannot make.
func wat2wasmModule(_ text: String) throws -> [UInt8] { try wat2wasm(text) }
