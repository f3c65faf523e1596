import Foundation
import Glibc

/// `--metrics-compare N`: the same flood of N documents through `ingestd run`, with `metrics:`
/// (and /metrics scraped every second, as Prometheus would, though ten times as often as its
/// default) and without it, alternating, `rounds` times each. Prints docs/s and the daemon's
/// CPU per document for both, and the difference of the medians.
func runMetricsCompare(binary: URL, repo: URL, work: URL, documents: Int, rounds: Int) throws {
    let corpus = work.appendingPathComponent("metrics-corpus")
    let files = try writeDocuments(count: documents, into: corpus, offset: 700_000)
    var results: [Bool: [(docsPerSecond: Double, cpuMicros: Double, scrapes: Int)]] = [true: [], false: []]
    for round in 0..<max(1, rounds) {
        // Alternate which goes first, so a machine that warms up (or gets busier) favours neither.
        for metrics in round % 2 == 0 ? [true, false] : [false, true] {
            let root = work.appendingPathComponent("metrics-\(metrics ? "on" : "off")-\(round)")
            let pipeline = try makeInstance(root, repo: repo)
            // makeInstance left `metrics:` on, at port 0.
            if !metrics {
                let yaml = try String(contentsOf: pipeline, encoding: .utf8)
                guard yaml.contains("metrics:\n  listen: 127.0.0.1:0") else { throw BenchError("news.yaml no longer has metrics: as expected") }
                try yaml.replacingOccurrences(of: "metrics:\n  listen: 127.0.0.1:0", with: "").write(to: pipeline, atomically: true, encoding: .utf8)
            }
            let inbox = root.appendingPathComponent("inbox")
            try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
            for f in files { try FileManager.default.copyItem(at: f, to: inbox.appendingPathComponent(f.lastPathComponent)) }
            let watcher = DoneWatcher(folder: root.appendingPathComponent("done"))
            let log = root.appendingPathComponent("daemon.log")
            let t0 = now()
            let daemon = try startDaemon(binary, pipeline: pipeline, log: log)
            let port = metrics ? metricsPort(log: log) : nil
            var scrapes = 0, lastScrape = 0.0
            let deadline = now() + 600
            while watcher.count < documents, now() < deadline {
                if let port, now() - lastScrape >= 1 {
                    if loopbackGET(port: port, path: "/metrics") != nil { scrapes += 1 }
                    lastScrape = now()
                }
                usleep(20_000)
            }
            let elapsed = now() - t0
            let cpu = cpuSeconds(pid: daemon.processIdentifier)
            stopDaemon(daemon)
            results[metrics]!.append((Double(watcher.count) / elapsed, cpu / Double(max(1, watcher.count)) * 1e6, scrapes))
            try? FileManager.default.removeItem(at: root)
        }
    }
    func median(_ xs: [Double]) -> Double { percentile(xs.sorted(), 50) }
    for metrics in [true, false] {
        let r = results[metrics]!
        say(String(format: "metrics %@: %d docs × %d rounds; docs/s median %.0f (%@); daemon CPU µs/doc median %.0f (%@)%@",
                   metrics ? "on " : "off", documents, r.count, median(r.map(\.docsPerSecond)),
                   r.map { String(format: "%.0f", $0.docsPerSecond) }.joined(separator: ", "), median(r.map(\.cpuMicros)),
                   r.map { String(format: "%.0f", $0.cpuMicros) }.joined(separator: ", "),
                   metrics ? "; \(r.map(\.scrapes).reduce(0, +)) scrapes of /metrics" : ""))
    }
    let on = median(results[true]!.map(\.docsPerSecond)), off = median(results[false]!.map(\.docsPerSecond))
    let cpuOn = median(results[true]!.map(\.cpuMicros)), cpuOff = median(results[false]!.map(\.cpuMicros))
    say(String(format: "metrics cost: docs/s %+.1f%%, CPU per doc %+.1f%% (on against off; the spread of the rounds above is the noise)",
               (on - off) / off * 100, (cpuOn - cpuOff) / cpuOff * 100))
}

/// The port of the `metrics listening` log line (the pipeline asked for port 0).
private func metricsPort(log: URL) -> Int? {
    let deadline = now() + 10
    while now() < deadline {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.contains("\"msg\":\"metrics listening\"") {
            if let range = line.range(of: #""listen":"127.0.0.1:"#) {
                return Int(line[range.upperBound...].prefix(while: \.isNumber))
            }
        }
        usleep(10_000)
    }
    return nil
}

/// GET http://127.0.0.1:PORT/PATH over a plain socket: the body, or nil.
func loopbackGET(port: Int, path: String) -> [UInt8]? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return nil }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
    var response: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = recv(fd, &chunk, chunk.count, 0)
        if n <= 0 { break }
        response += chunk[0..<n]
    }
    guard let end = response.firstRange(of: [13, 10, 13, 10]) else { return nil }
    return Array(response[end.upperBound...])
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
