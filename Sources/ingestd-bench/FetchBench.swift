import Foundation
import Glibc
import IngestCore
import LoopbackHTTP

/// `--fetch N`: the real daemon fetching N page URLs from `hosts` loopback servers
/// (127.0.0.1, 127.0.0.2, …, each its own host to the politeness rules) that answer every request
/// after 50 ms with a distinct article page. Prints the wall time from start-up to the Nth record,
/// the most requests open at once (counted by the servers), the daemon's CPU time and peak RSS.
func runFetchBench(binary: URL, repo: URL, work: URL, urls count: Int, hosts: Int, perHost: Int) throws {
    let inFlight = Locked((now: 0, peak: 0))
    var servers: [LoopbackHTTPServer] = []
    for h in 1...hosts {
        servers.append(try LoopbackHTTPServer(address: "127.0.0.\(h)") { request, reply in
            inFlight.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            usleep(50_000)
            // Counted until the answer is ready: the client may send its next request before
            // this thread is done writing.
            inFlight.withLock { $0.now -= 1 }
            let n = Int(request.path.split(separator: "/").last ?? "0") ?? 0
            let text = SeedLikeCorpus.document(n).split(separator: "\n").filter { !$0.isEmpty }
            let html = "<html><head><title>\(text[3])</title></head><body><article>"
                + text.dropFirst(4).map { "<p>\($0)</p>" }.joined() + "</article></body></html>"
            reply.respond(200, [("Content-Type", "text/html; charset=utf-8")], text: html)
        })
    }
    defer { for s in servers { s.stop() } }

    let root = work.appendingPathComponent("fetch")
    let pipeline = try makeInstance(root, repo: repo)
    var yaml = try String(contentsOf: pipeline, encoding: .utf8)
    let entries = (0..<count).map { i in "    - {url: \"\(servers[i % hosts].base)/page/\(i)\", every: 1h}" }.joined(separator: "\n")
    yaml = yaml.replacingOccurrences(of: "    on_success: move       # move | delete\n", with: """
            on_success: move       # move | delete
          urls:
        \(entries)
          fetch:
            min_delay: 0s
            robots: false
            per_host: \(perHost)

        """)
    try yaml.write(to: pipeline, atomically: true, encoding: .utf8)
    let records = root.appendingPathComponent("records/records.jsonl")
    let t0 = now()
    let daemon = try startDaemon(binary, pipeline: pipeline, log: root.appendingPathComponent("daemon.log"))
    var written = 0
    let deadline = now() + 600
    while now() < deadline {
        written = (try? Data(contentsOf: records))?.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } ?? 0
        if written >= count { break }
        usleep(20_000)
    }
    let wall = now() - t0
    let cpu = cpuSeconds(pid: daemon.processIdentifier)
    let rss = peakRSS(pid: daemon.processIdentifier) ?? .nan
    stopDaemon(daemon)
    say(String(format: "fetch: %d/%d page URLs on %d loopback hosts (per_host %d, 50 ms a response) recorded in %.2f s wall; "
               + "peak %d requests open at once; daemon CPU %.2f s; peak RSS %.1f MiB",
               written, count, hosts, perHost, wall, inFlight.withLock { $0.peak }, cpu, rss))
}

/// `--big-body MB`: the daemon fetching one body of MB megabytes (zero bytes, which normalize
/// rejects at its first look, so the figure is that of fetch, spool and read, not of a stage),
/// once with a Content-Length and once chunked without one, each in a daemon of its own. Prints
/// each peak RSS beside that of a 1 KB body, the daemon's own footprint.
func runBigBodyBench(binary: URL, work: URL, megabytes: Int) throws {
    let big = [UInt8](repeating: 0, count: megabytes * 1_000_000)
    let server = try LoopbackHTTPServer { request, reply in
        let body = request.path.hasPrefix("/small") ? Array(big.prefix(1_000)) : big
        guard request.path.hasSuffix("/chunked") else { return reply.respond(200, [("Content-Type", "application/octet-stream")], body: body) }
        reply.write(Array("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".utf8))
        for start in stride(from: 0, to: body.count, by: 1 << 20) {
            let piece = body[start..<min(start + (1 << 20), body.count)]
            reply.write(Array((String(piece.count, radix: 16) + "\r\n").utf8) + piece + Array("\r\n".utf8))
        }
        reply.write(Array("0\r\n\r\n".utf8))
    }
    defer { server.stop() }
    var figures: [String] = []
    for path in ["/small/declared", "/small/chunked", "/big/declared", "/big/chunked"] {
        let root = work.appendingPathComponent("big-body" + path.replacingOccurrences(of: "/", with: "-"))
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let pipeline = root.appendingPathComponent("big.yaml")
        try """
            name: big-body
            runtime: {max_document_bytes: \(megabytes * 2 + 1)MB, concurrency: 1}
            sources:
              urls:
                - {url: "\(server.base)\(path)", every: 1h}
              fetch: {robots: false, min_delay: 0s, timeout: 600s}
            stages:
              - use: normalize

            """.write(to: pipeline, atomically: true, encoding: .utf8)
        let log = root.appendingPathComponent("daemon.log")
        let daemon = try startDaemon(binary, pipeline: pipeline, log: log)
        let deadline = now() + 600
        while now() < deadline, !((try? String(contentsOf: log, encoding: .utf8))?.contains("document rejected") ?? false) { usleep(20_000) }
        let rss = peakRSS(pid: daemon.processIdentifier) ?? .nan
        stopDaemon(daemon)
        figures.append(String(format: "%@ %.1f MiB", path, rss))
    }
    say("big body: \(megabytes) MB (\(String(format: "%.1f", Double(megabytes) * 1e6 / 1_048_576)) MiB) fetched once; daemon peak RSS: "
        + figures.joined(separator: ", "))
}

/// User + system CPU seconds of a running process (/proc/PID/stat fields 14 and 15).
func cpuSeconds(pid: pid_t) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return .nan }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}
