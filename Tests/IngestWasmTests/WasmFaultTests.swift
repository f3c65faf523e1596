import XCTest
import IngestCore
import IngestWasm

/// Every fault has its rejection code, and the plugin stays usable after each.
final class WasmFaultTests: XCTestCase {
    private let document = WasmFixtures.article(text: "x")

    private func rejection(_ plugin: WasmPlugin, id: String = "d1", document: JSONValue? = nil,
                           writes: [String] = ["extensions.t"]) -> Rejection? {
        do {
            let answer = try plugin.process(id: id, document: document ?? self.document, allowedWrites: writes)
            XCTFail("expected a rejection, got \(answer)")
            return nil
        } catch {
            return error
        }
    }

    func testAnAnswerIsReadBack() throws {
        let plugin = try WasmFixtures.plugin(try WasmFixtures.module(answer: #"{"id":"d1","set":{"extensions.t":{"n":1}}}"#))
        try plugin.start()
        XCTAssertEqual(try plugin.process(id: "d1", document: document, allowedWrites: ["extensions.t"]),
                       .set([.init(path: "extensions.t", value: .object([("n", .int(1))]))]))
        XCTAssertEqual(plugin.idleInstances, 1)
    }

    func testTheRequestIsTheExecProtocolsJSON() throws {
        // The module answers with the request itself: the host must then refuse it (no
        // "set"/"drop"/"reject"), and the evidence shows what the module was given.
        let plugin = try WasmFixtures.plugin(try WasmFixtures.module(process: """
            (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32)) (i64.extend_i32_u (local.get $len)))
            """))
        let r = rejection(plugin, document: .object([("text", .string("hi"))]))
        XCTAssertEqual(r?.code, .pluginProtocol)
        XCTAssertEqual(r?.evidence, #"{"id":"d1","document":{"text":"hi"}}"#)
    }

    func testRejectIsThePluginsOwnReason() throws {
        let plugin = try WasmFixtures.plugin(try WasmFixtures.module(answer: #"{"id":"d1","reject":"not news"}"#))
        let r = rejection(plugin)
        XCTAssertEqual(r, Rejection(.pluginRejected, "not news", stage: "t"))
        XCTAssertEqual(plugin.idleInstances, 1, "a reject is an answer, not a fault: the instance is kept")
    }

    func testDropIsAnAnswer() throws {
        let plugin = try WasmFixtures.plugin(try WasmFixtures.module(answer: #"{"id":"d1","drop":"duplicate"}"#))
        XCTAssertEqual(try plugin.process(id: "d1", document: document, allowedWrites: []), .drop(reason: "duplicate"))
    }

    func testATrapIsPluginTrap() throws {
        let plugin = try WasmFixtures.plugin(try WasmFixtures.module(process: "unreachable"))
        let r = rejection(plugin)
        XCTAssertEqual(r?.code, .pluginTrap)
        XCTAssertEqual(r?.stage, "t")
        XCTAssertTrue(r?.message.contains("unreachable") ?? false, "\(String(describing: r))")
        XCTAssertEqual(plugin.idleInstances, 0, "a trapped instance is discarded")
    }

    func testAnInfiniteLoopRunsOutOfFuel() throws {
        let plugin = try WasmFixtures.plugin(try WasmFixtures.module(process: "(loop $l (br $l)) (call $answer)"), fuel: 100_000)
        let started = Date()
        XCTAssertEqual(rejection(plugin)?.code, .pluginFuel)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testFuelIsPerDocumentNotPerInstance() throws {
        // Each call burns about half of the budget (six operators a turn): it must pass every time.
        let plugin = try WasmFixtures.plugin(try WasmFixtures.module(process: """
            (local $i i32)
            (local.set $i (i32.const 8000))
            (loop $l (local.set $i (i32.sub (local.get $i) (i32.const 1))) (br_if $l (local.get $i)))
            (call $answer)
            """), fuel: 100_000)
        for _ in 0..<5 {
            XCTAssertEqual(try plugin.process(id: "d1", document: document, allowedWrites: []), .set([]))
        }
    }

    func testGrowingPastMaxMemoryIsPluginMemory() throws {
        // 100 pages = 6.4 MiB, above the 4 MiB cap.
        let plugin = try WasmFixtures.plugin(try WasmFixtures.module(process: "(drop (memory.grow (i32.const 100))) (call $answer)"),
                                             maxMemoryBytes: 4 << 20)
        let r = rejection(plugin)
        XCTAssertEqual(r?.code, .pluginMemory)
        XCTAssertTrue(r?.message.contains("max_memory") ?? false, "\(String(describing: r))")
    }

    func testGrowingWithinMaxMemoryIsFine() throws {
        let plugin = try WasmFixtures.plugin(try WasmFixtures.module(process: "(drop (memory.grow (i32.const 10))) (call $answer)"),
                                             maxMemoryBytes: 4 << 20)
        XCTAssertEqual(try plugin.process(id: "d1", document: document, allowedWrites: []), .set([]))
    }

    func testAnInitialMemoryAboveTheCapFailsAtStart() throws {
        let bytes = try wat2wasmModule("""
            (module (memory (export "memory") 200)
              (func (export "alloc") (param i32) (result i32) (i32.const 0))
              (func (export "process") (param i32 i32) (result i64) (i64.const 0)))
            """)
        XCTAssertThrowsError(try WasmFixtures.plugin(bytes, maxMemoryBytes: 4 << 20).start()) { error in
            XCTAssertEqual((error as? WasmPluginError)?.kind, .instantiationFailed, "\(error)")
        }
    }

    func testBadAnswersAreProtocolFaultsWithEvidence() throws {
        let notJSON = try WasmFixtures.plugin(try WasmFixtures.module(answer: "this is not json"))
        let r = rejection(notJSON)
        XCTAssertEqual(r?.code, .pluginProtocol)
        XCTAssertEqual(r?.evidence, "this is not json")

        let wrongID = try WasmFixtures.plugin(try WasmFixtures.module(answer: #"{"id":"other","set":{}}"#))
        XCTAssertEqual(rejection(wrongID)?.code, .pluginProtocol)

        let undeclared = try WasmFixtures.plugin(try WasmFixtures.module(answer: #"{"id":"d1","set":{"title":"x"}}"#))
        let u = rejection(undeclared, writes: ["extensions.t"])
        XCTAssertEqual(u?.code, .pluginProtocol)
        XCTAssertTrue(u?.message.contains("title") ?? false)

        let outside = try WasmFixtures.plugin(try WasmFixtures.module(process: "(i64.const 0x0000FFFF00000100)"))
        let o = rejection(outside)
        XCTAssertEqual(o?.code, .pluginProtocol)
        XCTAssertTrue(o?.message.contains("outside") ?? false, "\(String(describing: o))")
    }

    func testEvidenceIsAtMostOneKiB() throws {
        let long = String(repeating: "é", count: 2000)
        let plugin = try WasmFixtures.plugin(try WasmFixtures.module(answer: long))
        let r = rejection(plugin)
        XCTAssertEqual(r?.code, .pluginProtocol)
        XCTAssertLessThanOrEqual(r?.evidence?.utf8.count ?? .max, 1024)
        XCTAssertGreaterThan(r?.evidence?.utf8.count ?? 0, 1000)
    }

    func testTheInstanceIsRecreatedAfterAFault() throws {
        // An odd-length request poisons the instance and traps; a poisoned instance traps on
        // everything. The even-length document after the fault passing proves a fresh instance.
        let plugin = try WasmFixtures.plugin(try WasmFixtures.module(process: """
            (if (global.get $poisoned) (then unreachable))
            (if (i32.and (local.get $len) (i32.const 1)) (then (global.set $poisoned (i32.const 1)) unreachable))
            (call $answer)
            """))
        try plugin.start()
        let odd = JSONValue.object([("text", .string("a"))])
        let even = JSONValue.object([("text", .string("ab"))])
        XCTAssertEqual(try plugin.process(id: "d1", document: even, allowedWrites: []), .set([]))
        XCTAssertEqual(rejection(plugin, document: odd)?.code, .pluginTrap)
        XCTAssertEqual(try plugin.process(id: "d1", document: even, allowedWrites: []), .set([]))
        XCTAssertEqual(try plugin.process(id: "d1", document: even, allowedWrites: []), .set([]))
    }

    func testAfterRunningOutOfFuelTheNextDocumentSucceeds() throws {
        let plugin = try WasmFixtures.plugin(try WasmFixtures.module(process: """
            (if (i32.and (local.get $len) (i32.const 1)) (then (loop $l (br $l))))
            (call $answer)
            """), fuel: 50_000)
        XCTAssertEqual(rejection(plugin, document: .object([("text", .string("a"))]))?.code, .pluginFuel)
        XCTAssertEqual(try plugin.process(id: "d1", document: .object([("text", .string("ab"))]), allowedWrites: []), .set([]))
    }

    func testAModuleWithAnImportIsRefusedAtLoad() throws {
        let bytes = try WasmFixtures.module(imports: #"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#)
        XCTAssertThrowsError(try WasmFixtures.plugin(bytes)) { error in
            let failure = error as? WasmPluginError
            XCTAssertEqual(failure?.kind, .importsNotAllowed)
            XCTAssertTrue(failure?.message.contains("wasi_snapshot_preview1.fd_write") ?? false, "\(error)")
        }
    }

    func testMissingOrMistypedExportsAreRefusedAtStart() throws {
        let noProcess = try wat2wasmModule("""
            (module (memory (export "memory") 1) (func (export "alloc") (param i32) (result i32) (i32.const 0)))
            """)
        XCTAssertThrowsError(try WasmFixtures.plugin(noProcess).start()) { error in
            XCTAssertEqual((error as? WasmPluginError)?.kind, .badExport)
            XCTAssertTrue("\(error)".contains("\"process\""), "\(error)")
        }
        let mistyped = try wat2wasmModule("""
            (module (memory (export "memory") 1)
              (func (export "alloc") (param i32) (result i32) (i32.const 0))
              (func (export "process") (param i32 i32) (result i32) (i32.const 0)))
            """)
        XCTAssertThrowsError(try WasmFixtures.plugin(mistyped).start()) { error in
            XCTAssertEqual((error as? WasmPluginError)?.kind, .badExport)
        }
        XCTAssertThrowsError(try WasmFixtures.plugin(Array("not wasm".utf8))) { error in
            XCTAssertEqual((error as? WasmPluginError)?.kind, .invalidModule)
        }
    }

    func testAnInitErrorFailsStartWithThePluginsMessage() throws {
        let plugin = try WasmFixtures.plugin(try WasmFixtures.module(initAnswer: #"{"error":"no model in MODEL_DIR"}"#))
        XCTAssertThrowsError(try plugin.start()) { error in
            let failure = error as? WasmPluginError
            XCTAssertEqual(failure?.kind, .initFailed)
            XCTAssertTrue(failure?.message.contains("no model in MODEL_DIR") ?? false, "\(error)")
            XCTAssertEqual(failure?.stage, "t")
        }
        let ready = try WasmFixtures.plugin(try WasmFixtures.module(initAnswer: #"{"ready":true}"#))
        XCTAssertNoThrow(try ready.start())
        let vague = try WasmFixtures.plugin(try WasmFixtures.module(initAnswer: #"{"ok":1}"#))
        XCTAssertThrowsError(try vague.start())
    }

    func testAStartFunctionThatLoopsFailsAtStart() throws {
        let bytes = try WasmFixtures.module(extra: "(func $spin (loop $l (br $l))) (start $spin)")
        XCTAssertThrowsError(try WasmFixtures.plugin(bytes, fuel: 10_000).start()) { error in
            XCTAssertEqual((error as? WasmPluginError)?.kind, .instantiationFailed, "\(error)")
        }
    }
}

final class WasmLoadTests: XCTestCase {
    func testAMissingModuleFileIsNamed() {
        XCTAssertThrowsError(try WasmPluginSettings(name: "t", modulePath: "/nonexistent/plugin.wasm")) { error in
            let failure = error as? WasmPluginError
            XCTAssertEqual(failure?.kind, .unreadableModule)
            XCTAssertTrue(failure?.message.contains("/nonexistent/plugin.wasm") ?? false, "\(error)")
        }
    }

    func testTheFuelRejectionSaysTheBudget() throws {
        let plugin = try WasmFixtures.plugin(try WasmFixtures.module(process: "(loop $l (br $l)) (call $answer)"), fuel: 12_345)
        XCTAssertThrowsError(try plugin.process(id: "d1", document: .object([]), allowedWrites: [])) { error in
            XCTAssertEqual((error as? Rejection)?.code, .pluginFuel)
            XCTAssertTrue((error as? Rejection)?.message.contains("12345") ?? false, "\(error)")
        }
    }
}
