import Foundation
import Glibc
import IngestCore
import IngestExec
import Logging

/// `--exec N`: N documents through the exec engine to a trivial Python plugin that answers each
/// with one field, pipelined (`instances × max_pending` callers in flight). Prints docs/s and
/// the daemon side's CPU per document (this process's user + system time: the serializing,
/// the pipes, the matching, the tasks; the plugin's own CPU is reported apart).
func runExecBench(count: Int, work: URL) async throws {
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: work) }
    let plugin = work.appendingPathComponent("echo.py")
    try """
    import sys, json
    sys.stdin.readline()
    sys.stdout.write('{"ready":true}\\n'); sys.stdout.flush()
    out = sys.stdout
    for line in sys.stdin:
        m = json.loads(line)
        out.write(json.dumps({"id": m["id"], "set": {"extensions.echo": {"chars": len(m["document"].get("text", ""))}}}) + "\\n")
        out.flush()
    """.write(to: plugin, atomically: true, encoding: .utf8)

    let text = String(repeating: "The council met on Tuesday to discuss the harbour budget. ", count: 18)
    print("exec stage: echo plugin in Python, documents of \(text.utf8.count + 100) bytes")
    for (instances, maxPending) in [(1, 16), (2, 16), (2, 64)] {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let engine = ExecPlugin(settings: ExecPluginSettings(
            name: "echo", command: ["python3", plugin.path], instances: instances, maxPending: maxPending), logger: logger)
        try await engine.start()
        let callers = instances * maxPending
        let perCaller = max(1, count / callers)
        let total = perCaller * callers
        // Warm-up: the interpreter's first documents are slower and would flatter nobody.
        try await drive(engine, callers: callers, perCaller: 20, text: text, prefix: "w")
        let before = processCPU()
        let childBefore = childrenCPU(engine.pids)
        let start = ContinuousClock.now
        try await drive(engine, callers: callers, perCaller: perCaller, text: text, prefix: "d")
        let elapsed = ContinuousClock.now - start
        let cpu = processCPU() - before
        let pluginCPU = childrenCPU(engine.pids) - childBefore
        await engine.stop()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "  instances %d, max_pending %2d: %6d docs in %.2f s = %7.0f docs/s; daemon CPU %.3f ms/doc; plugin CPU %.3f ms/doc",
                     instances, maxPending, total, seconds, Double(total) / seconds, cpu * 1000 / Double(total), pluginCPU * 1000 / Double(total)))
    }
}

private func drive(_ engine: ExecPlugin, callers: Int, perCaller: Int, text: String, prefix: String) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for c in 0..<callers {
            group.addTask {
                for i in 0..<perCaller {
                    let document = JSONValue.object([
                        ("id", .string("\(prefix)\(c)-\(i)")), ("title", .string("Harbour budget")), ("text", .string(text)),
                    ])
                    _ = try await engine.process(id: "\(prefix)\(c)-\(i)", document: document, allowedWrites: ["extensions.echo"])
                }
            }
        }
        try await group.waitForAll()
    }
}

private func processCPU() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// The live plugins' CPU, from /proc (RUSAGE_CHILDREN counts only reaped children).
private func childrenCPU(_ pids: [Int32]) -> Double {
    pids.reduce(0) { $0 + cpuSeconds(pid: $1) }
}
