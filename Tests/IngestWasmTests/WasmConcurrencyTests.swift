import Foundation
import XCTest
import IngestCore
import IngestWasm

/// Several threads share one plugin: each call gets an instance of its own.
final class WasmConcurrencyTests: XCTestCase {
    func testConcurrentCallsGetTheirOwnInstances() throws {
        let plugin = try WasmFixtures.plugin(try WasmFixtures.wireFilter.get(), name: "wire-filter", fuel: 5_000_000,
                                             maxMemoryBytes: 16 << 20)
        try plugin.start()
        let threads = 4, perThread = 60
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in 0..<perThread {
                let id = "t\(t)-\(i)"
                let wire = i % 3 == 0
                let text = (wire ? "LONDON (Reuters) - " : "Our desk: ") + WasmFixtures.filler
                do {
                    let answer = try plugin.process(id: id, document: WasmFixtures.article(text: text, id: id),
                                                    allowedWrites: ["extensions.wire-filter"])
                    let expected = PluginAnswer.set([.init(path: "extensions.wire-filter", value: .object([
                        ("wire", .bool(wire)), ("agency", wire ? .string("Reuters") : .null),
                    ]))])
                    if answer != expected { failures.withLock { $0.append("\(id): \(answer)") } }
                } catch {
                    failures.withLock { $0.append("\(id): \(error)") }
                }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        XCTAssertGreaterThanOrEqual(plugin.idleInstances, 1)
        XCTAssertLessThanOrEqual(plugin.idleInstances, threads)
    }

    func testFaultsOnOneThreadDoNotDisturbAnother() throws {
        // Odd-length requests trap; even ones answer. Threads interleave both.
        let plugin = try WasmFixtures.plugin(try WasmFixtures.module(process: """
            (if (i32.and (local.get $len) (i32.const 1)) (then unreachable))
            (call $answer)
            """))
        let wrong = Locked<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for i in 0..<100 {
                let odd = (i + t) % 2 == 1
                let document = JSONValue.object([("text", .string(odd ? "a" : "ab"))])
                do {
                    _ = try plugin.process(id: "d1", document: document, allowedWrites: [])
                    if odd { wrong.withLock { $0 += 1 } }
                } catch {
                    if !odd || (error as? Rejection)?.code != .pluginTrap { wrong.withLock { $0 += 1 } }
                }
            }
        }
        XCTAssertEqual(wrong.withLock { $0 }, 0)
    }
}
