import Foundation
import IngestCore
import IngestWasm

/// `--wasm N`: wasm plugin stages in this process. N seed-like documents (about 5 KB of text
/// each, in a wire form shaped like the record's) go through `WasmPlugin.process` — request
/// JSON written, copied into the module, the module run, the answer parsed and checked — for
/// the no-op module (pipelines/plugins/noop.c: the host's overhead alone) and the wire-filter
/// reference plugin, on one thread and on every core. The modules are built from source by
/// scripts/build-plugins unless --wasm-modules names a folder.
func runWasmBench(repo: URL, documents count: Int, seconds: Double, modules: String?, work: URL) throws {
    let folder: String
    if let modules {
        folder = modules
    } else {
        folder = work.appendingPathComponent("wasm-modules").path
        let build = Process()
        build.executableURL = repo.appendingPathComponent("scripts/build-plugins")
        build.arguments = [folder]
        build.standardOutput = FileHandle.nullDevice
        try build.run()
        build.waitUntilExit()
        guard build.terminationStatus == 0 else { say("wasm: scripts/build-plugins failed"); return }
    }
    let documents: [(id: String, json: JSONValue)] = (0..<max(1, count)).map { i in
        let id = "seed-\(i)"
        let text = SeedLikeCorpus.document(i)
        return (id, .object([
            ("id", .string(id)),
            ("source", .string("inbox/seed-\(i).txt")),
            ("site", .string("harbor-daily.example")),
            ("url", .null),
            ("title", .string("Talks enter round \(i % 97 + 2) as pressure builds")),
            ("lang", .string("en")),
            ("published", .string("2024-03-0\(i % 9 + 1)")),
            ("text", .string(text)),
            ("labels", .object([("topics", .array([.string("politics")])), ("genre", .string("news"))])),
        ]))
    }
    var bytes = 0
    for d in documents { var out: [UInt8] = []; d.json.write(into: &out); bytes += out.count }
    say(String(format: "wasm: %d documents, %.1f KB of JSON each on average", documents.count, Double(bytes) / Double(documents.count) / 1024))

    // The host's share alone: writing the request JSON, which every plugin call pays.
    let s0 = now()
    var serialized = 0
    for d in documents {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        d.json.write(into: &out)
        serialized &+= out.count
    }
    let serializeTime = (now() - s0) / Double(documents.count)
    say(String(format: "wasm: request JSON written in %.1f µs a document", serializeTime * 1e6))

    for (name, writes) in [("noop", ["extensions.noop"]), ("wire_filter", ["extensions.wire-filter"])] {
        let stage = name == "noop" ? "noop" : "wire-filter"
        let settings = try WasmPluginSettings(name: stage, modulePath: "\(folder)/\(name).wasm")
        let plugin = try WasmPlugin(settings: settings)
        try plugin.start()
        for threads in [1, ProcessInfo.processInfo.activeProcessorCount] {
            let done = Locked<Int>(0), failed = Locked<Int>(0)
            let t0 = now()
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                var n = 0, bad = 0
                repeat {
                    var k = t
                    while k < documents.count {
                        let d = documents[k]
                        do { _ = try plugin.process(id: d.id, document: d.json, allowedWrites: writes) } catch { bad += 1 }
                        n += 1
                        k += threads
                    }
                } while now() - t0 < seconds
                done.withLock { $0 += n }
                failed.withLock { $0 += bad }
            }
            let elapsed = now() - t0
            let n = done.withLock { $0 }
            say(String(format: "wasm %@: %d thread(s): %d docs in %.2f s = %.0f docs/s (%.1f µs a document a thread)%@",
                       name, threads, n, elapsed, Double(n) / elapsed, elapsed * Double(threads) / Double(n) * 1e6,
                       failed.withLock { $0 } > 0 ? ", \(failed.withLock { $0 }) FAILED" : ""))
        }
    }
}
