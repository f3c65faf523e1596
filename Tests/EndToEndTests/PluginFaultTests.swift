import Foundation
import XCTest

/// The plugin faults the engines' own tests cover, once more through the real daemon: each ends
/// with its input in failed/ under its own reason, and the daemon goes on.
final class PluginFaultTests: XCTestCase {
    private func harness(_ stage: String, plugin: (name: String, text: String)? = nil) throws -> DaemonHarness {
        let h = try DaemonHarness(edits: [("  - use: classify", stage + "\n  - use: classify"),
                                          ("summary_interval: 60s", "summary_interval: 0")])
        try FileManager.default.createDirectory(at: h.root.appendingPathComponent("plugins"), withIntermediateDirectories: true)
        if let plugin { try plugin.text.write(to: h.root.appendingPathComponent("plugins/\(plugin.name)"), atomically: true, encoding: .utf8) }
        return h
    }

    private func reason(_ h: DaemonHarness, _ name: String) -> String? {
        guard let data = FileManager.default.contents(atPath: h.dir("failed").appendingPathComponent(name + ".error.json").path),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return obj["reason"] as? String
    }

    private func evidence(_ h: DaemonHarness, _ name: String) -> String {
        guard let data = FileManager.default.contents(atPath: h.dir("failed").appendingPathComponent(name + ".error.json").path),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return "" }
        return obj["evidence"] as? String ?? ""
    }

    private func drop(_ h: DaemonHarness, _ name: String, marker: String) throws {
        try h.drop(name, text: sampleArticle(name.count) + "\n\(marker) \(name) closes the story here.\n")
    }

    /// A line that is not JSON, an answer for an id never sent, and a line past max_line_bytes:
    /// the process is restarted, the document retried once alone, then rejected as plugin_protocol
    /// with the offending bytes as evidence.
    func testLinesThePluginMustNotWriteEndAsProtocolFaultsWithEvidence() throws {
        let plugin = """
            import sys, json
            sys.stdin.readline(); print(json.dumps({"ready": True}), flush=True)
            for line in sys.stdin:
                req = json.loads(line); text = req["document"]["text"]
                if "NOTJSON" in text: print("Traceback: not an answer", flush=True); continue
                if "WRONGID" in text: print(json.dumps({"id": "nobody", "set": {}}), flush=True); continue
                if "FLOOD" in text: print("x" * 200000, flush=True); continue
                print(json.dumps({"id": req["id"], "set": {"extensions.p": {"ok": True}}}), flush=True)
            """
        // Each bad document faults twice (first try, retry alone), and 5 faults within a minute
        // put the stage down; so at most two bad documents per daemon, beside a good one.
        for bad in [[("notjson.txt", "NOTJSON"), ("wrongid.txt", "WRONGID")], [("flood.txt", "FLOOD")]] {
            let h = try harness("""
                  - use: exec
                    name: p
                    command: [\(DaemonHarness.python3), plugins/p.py]
                    reads: [text]
                    max_line_bytes: 64KiB
                """, plugin: ("p.py", plugin))
            defer { h.cleanUp() }
            try h.start()
            for (name, marker) in bad + [("fine.txt", "")] { try drop(h, name, marker: marker) }
            try waitUntil("every input settled", timeout: 90) { h.names("done").count + h.names("failed").count == 1 + 2 * bad.count }
            XCTAssertEqual(try h.stop(), 0)
            XCTAssertEqual(h.names("done"), ["fine.txt"])
            for (name, _) in bad { XCTAssertEqual(reason(h, name), "plugin_protocol", name) }
            for (name, _) in bad where name == "notjson.txt" {
                XCTAssertTrue(evidence(h, name).contains("Traceback: not an answer"), evidence(h, name))
            }
            for (name, _) in bad where name == "wrongid.txt" { XCTAssertTrue(evidence(h, name).contains("nobody"), evidence(h, name)) }
            for (name, _) in bad where name == "flood.txt" {
                XCTAssertLessThanOrEqual(evidence(h, name).utf8.count, 1100, "evidence is cut to 1 KiB")
            }
        }
    }

    /// A plugin that crashes on every document: its restarts back off, and after 5 faults within
    /// a minute it is down (logged; documents waiting then are rejected as plugin_unavailable).
    /// Every document ends in failed/ with one of the two reasons, and the daemon stops cleanly.
    func testAPluginThatKeepsCrashingIsBackedOffAndGoesDown() throws {
        let plugin = """
            import sys, json, os
            sys.stdin.readline(); print(json.dumps({"ready": True}), flush=True)
            for line in sys.stdin: os._exit(7)
            """
        let h = try harness("""
              - use: exec
                name: p
                command: [\(DaemonHarness.python3), plugins/p.py]
            """, plugin: ("p.py", plugin))
        defer { h.cleanUp() }
        try h.start()
        for i in 0..<6 { try drop(h, "doc-\(i).txt", marker: "") }
        try waitUntil("every input settled", timeout: 90) { h.names("failed").count == 12 }
        XCTAssertEqual(try h.stop(), 0)
        XCTAssertEqual(h.names("done"), [])
        let reasons = Set((0..<6).compactMap { reason(h, "doc-\($0).txt") })
        XCTAssertTrue(reasons.isSubset(of: ["plugin_crashed", "plugin_unavailable"]) && !reasons.isEmpty, "\(reasons)")
        XCTAssertTrue(h.logLines().contains { ($0["msg"] as? String)?.hasPrefix("plugin is down") == true })
        let delays = h.logLines().compactMap { $0["restart_in"] as? String }
        XCTAssertTrue(delays.contains("0.1s") && delays.contains("0.2s"), "restarts back off: \(delays)")
    }

    /// Wasm modules compiled here with the toolchain's clang: one traps, one grows its memory past
    /// max_memory. Each document is rejected with its own reason and the next one goes on.
    func testAWasmTrapAndAMemoryOverrunAreRejectedWithTheirReasons() throws {
        let clang = ["/opt/swift/usr/bin/clang", URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path + "/clang"]
            .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "clang"
        let h = try harness("""
              - use: wasm
                name: trap
                module: plugins/trap.wasm
                reads: [text]
              - use: wasm
                name: grow
                module: plugins/grow.wasm
                max_memory: 1MiB
                reads: [text]
            """)
        defer { h.cleanUp() }
        // Each module answers {"id":ID,"set":{}} unless the text holds its marker.
        let common = """
            typedef unsigned char u8; typedef unsigned int u32; typedef unsigned long long u64;
            extern u8 __heap_base;
            __attribute__((export_name("alloc"))) u8 *alloc(u32 len) {
                u32 start = (u32)&__heap_base, end = start + len + 16, have = (u32)__builtin_wasm_memory_size(0) * 65536u;
                if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535u) / 65536u) == (unsigned long)-1) return 0;
                return (u8 *)start;
            }
            static int has(u8 *p, u32 n, const char *m) {
                for (u32 i = 0; i < n; i++) { u32 k = 0; while (m[k] && i + k < n && p[i + k] == (u8)m[k]) k++; if (!m[k]) return 1; }
                return 0;
            }
            static u64 answer(u8 *ptr, u32 len) {
                u32 i = 7; while (i < len && ptr[i] != '"') i++; i++;
                const char tail[] = ",\\"set\\":{}}"; for (u32 k = 0; k < sizeof tail - 1; k++) ptr[i + k] = (u8)tail[k];
                return ((u64)(u32)ptr << 32) | (i + sizeof tail - 1);
            }
            """
        let modules = [
            ("trap", common + "\n__attribute__((export_name(\"process\"))) u64 process(u8 *p, u32 n) { if (has(p, n, \"TRAPME\")) __builtin_trap(); return answer(p, n); }\n"),
            ("grow", common + "\n__attribute__((export_name(\"process\"))) u64 process(u8 *p, u32 n) { if (has(p, n, \"GROWME\")) __builtin_wasm_memory_grow(0, 100); return answer(p, n); }\n"),
        ]
        for (name, source) in modules {
            let c = h.root.appendingPathComponent("plugins/\(name).c")
            try source.write(to: c, atomically: true, encoding: .utf8)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [clang, "--target=wasm32", "-nostdlib", "-O2", "-Wl,--no-entry", "-o", h.root.appendingPathComponent("plugins/\(name).wasm").path, c.path]
            try p.run()
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, "clang \(name)")
        }
        try h.start()
        for (name, marker) in [("trap.txt", "TRAPME"), ("grow.txt", "GROWME"), ("fine.txt", "")] { try drop(h, name, marker: marker) }
        try waitUntil("every input settled", timeout: 60) { h.names("done").count + h.names("failed").count == 1 + 4 }
        XCTAssertEqual(try h.stop(), 0)
        XCTAssertEqual(h.names("done"), ["fine.txt"])
        XCTAssertEqual(reason(h, "trap.txt"), "plugin_trap")
        XCTAssertEqual(reason(h, "grow.txt"), "plugin_memory")
    }
}
