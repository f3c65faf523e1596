// ingestd-bench: throughput, latency and memory of the real binary, printed, never asserted.
//
//   scripts/bench                       # builds release, then runs everything below
//   .build/release/ingestd-bench [--docs 10000] [--rate 200] [--seconds 15] [--flood 20000]
//
// 1. `ingestd once` over N generated seed-like scrapes: docs/s and peak RSS.
// 2. `ingestd run` fed at a steady rate: drop → acknowledged (in done/) latency p50/p90/p99/max
//    and the daemon's peak RSS. A file reaches done/ only after its record is fsynced, so this
//    is the latency a reader of records.jsonl sees, durability included.
// 3. A flood: M files already in the inbox at start; time to drain and peak RSS (backpressure
//    keeps memory flat however large the backlog).
// 4. With --index N: the near-duplicate index filled with N synthetic documents — signature and
//    insert rates, query rate, memory per document, and the time to load it back from disk.
// 5. With --extract LIST: in-process extraction of the listed pages (normalize's work only), the
//    figure comparable to trafilatura's extract() timing; --seconds sets how long it repeats,
//    --rounds a minimum number of passes, --html-body block-model times the block model.
//    With --dump-blocks LIST OUT.jsonl: the block model's features of every block of the listed
//    pages, for scripts/train-block-model.
// 6. With --dedupe LIST: in-process near-duplicate detection (shingles, MinHash, LSH match-and-
//    insert) over the listed texts, the figure comparable to datasketch's MinHash + MinHashLSH.
// 8b. With --entities LIST: in-process entity recognition (built-in tagger) over the listed
//    documents, normalized first: the figure beside spaCy's in scripts/eval-entities.
// 8. With --classify N: in-process classification throughput over N normalized seed-like
//    documents: the classify stage of pipelines/news.yaml, and a trained model's predict.
// 7. With --fetch N [--hosts K] [--per-host P]: `ingestd run` fetching N page URLs from K loopback
//    servers answering after 50 ms: wall time, peak open requests, daemon CPU and peak RSS.
// 9. With --big-body MB: `ingestd run` fetching one body of MB megabytes from a loopback server,
//    with a Content-Length and chunked without one: the daemon's peak RSS beside its size.
// 10. With --big-document MB: `ingestd once` over one generated MB-megabyte scrape and one HTML
//    page (max_document_bytes raised to fit): peak RSS of each, and as a multiple of the size.
// 11. With --exec N: N documents through the exec plugin engine to a trivial Python plugin,
//    pipelined: docs/s and the daemon side's CPU per document (the plugin's apart).
// 13. With --metrics-compare N [--rounds R]: a flood of N documents through `ingestd run` with
//    `metrics:` on (scraped every second) and off, alternating, R rounds (at least 3): docs/s and
//    daemon CPU per document, and the difference.
// 14. With --cluster N [--rate R --seconds S] [--cluster-index M]: the daemon with cluster.postgres
//    (shared dedupe index, postgres sink; a real PostgreSQL started for it) against the local
//    files — steady-rate latency and a flood of N — and the shared index's judgement rate at M
//    documents (default 1,000,000).
// 12. With --wasm N [--wasm-modules DIR]: in-process wasm plugin stages (a no-op module and the
//    wire-filter reference plugin) over N seed-like documents: docs/s on one thread and on all.
import Foundation
import Glibc
import IngestStages

struct Options {
    var docs = 10_000
    var rate = 200.0
    var seconds = 15.0
    var flood = 20_000
    var index = 0
    var binary: String?
    /// Only write the generated corpus to this folder and exit (for profiling).
    var writeCorpus: String?
    /// Only time in-process extraction of the files listed in this file (one path a line).
    var extract: String?
    /// Only write the block model's features of the listed pages (`--dump-blocks LIST OUT.jsonl`).
    var dumpBlocks: (list: String, out: String)?
    /// With --extract: normalize's `html_body` (finder, block-model).
    var htmlBody: String?
    var rounds = 1
    /// Only time in-process near-duplicate detection over the texts listed in this file.
    var dedupe: String?
    /// Only run the fetch benchmark with this many URLs.
    var fetch = 0
    var hosts = 20
    var perHost = 2
    /// Only time classification over this many generated documents.
    var classify = 0
    /// Only time the entities stage over the documents listed in this file.
    var entities: String?
    /// Only measure the peak RSS of fetching one body of this many megabytes.
    var bigBody = 0
    var bigDocument = 0
    /// Only time the exec plugin engine over this many documents.
    var exec = 0
    /// Only time wasm plugin stages in-process over this many generated documents.
    var wasm = 0
    var wasmModules: String?
    /// Only compare a flood of this many documents with metrics on and off.
    var metricsCompare = 0
    /// Only compare the daemon with cluster.postgres (shared index, postgres sink) against the local files.
    var cluster = 0
    var clusterIndex = 1_000_000

    init(_ args: [String]) {
        var it = args.dropFirst().makeIterator()
        while let a = it.next() {
            switch a {
            case "--docs": docs = Int(it.next() ?? "") ?? docs
            case "--rate": rate = Double(it.next() ?? "") ?? rate
            case "--seconds": seconds = Double(it.next() ?? "") ?? seconds
            case "--flood": flood = Int(it.next() ?? "") ?? flood
            case "--index": index = Int(it.next() ?? "") ?? index
            case "--binary": binary = it.next()
            case "--write-corpus": writeCorpus = it.next()
            case "--extract": extract = it.next()
            case "--html-body": htmlBody = it.next()
            case "--dump-blocks":
                if let list = it.next(), let out = it.next() { dumpBlocks = (list, out) }
            case "--rounds": rounds = Int(it.next() ?? "") ?? rounds
            case "--dedupe": dedupe = it.next()
            case "--fetch": fetch = Int(it.next() ?? "") ?? fetch
            case "--cluster": cluster = Int(it.next() ?? "") ?? cluster
            case "--cluster-index": clusterIndex = Int(it.next() ?? "") ?? clusterIndex
            case "--hosts": hosts = min(250, max(1, Int(it.next() ?? "") ?? hosts))
            case "--per-host": perHost = Int(it.next() ?? "") ?? perHost
            case "--classify": classify = Int(it.next() ?? "") ?? classify
            case "--entities": entities = it.next()
            case "--big-body": bigBody = Int(it.next() ?? "") ?? bigBody
            case "--big-document": bigDocument = Int(it.next() ?? "") ?? bigDocument
            case "--exec": exec = Int(it.next() ?? "") ?? exec
            case "--wasm": wasm = Int(it.next() ?? "") ?? wasm
            case "--wasm-modules": wasmModules = it.next()
            case "--metrics-compare": metricsCompare = Int(it.next() ?? "") ?? metricsCompare
            default:
                FileHandle.standardError.write(Data("unknown argument \(a)\n".utf8))
                exit(2)
            }
        }
    }
}

/// A small deterministic generator (SplitMix64), so every run measures the same documents.
struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
}

/// Documents shaped like the sample scrapes: outlet and breadcrumb lines, a date, a headline,
/// a byline, sometimes an editor's note and a photo caption, 6–14 paragraphs (about 5 KB),
/// and share/related furniture at the end.
enum SeedLikeCorpus {
    static let outlets = ["Harbor Daily", "Northern Times", "Valley Online", "The Evening Post", "Coastal Herald"]
    static let sections = ["World", "Opinion", "Politics", "Asia", "Economy"]
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let names = ["Ada Quill", "Ben Marsh", "Chen Wei", "Dana Holt", "Eli Brook", "Farah Noor", "Gus Lind"]
    static let subjects = ["the delegation", "the finance ministry", "regional leaders", "the negotiators", "analysts", "the envoy", "local officials"]
    static let verbs = ["said", "argued", "warned", "suggested", "noted", "insisted", "expected"]
    static let objects = ["that the talks would resume after the summit", "that sanctions relief depended on verified steps",
                          "that trade between the two sides had doubled", "that the military drills were suspended",
                          "that the peace process needed patience", "that the economy would recover next year",
                          "that a joint statement was still being drafted", "that trust had to be built step by step"]
    static let tails = ["on Tuesday", "in a statement", "during a briefing", "after the meeting", "according to state media", "in an interview"]

    static func document(_ i: Int) -> String {
        var g = Generator(state: UInt64(i) &* 7919 &+ 17)
        let outlet = g.pick(outlets)
        var lines = [outlet, "Home> \(g.pick(sections))> Content",
                     "\(g.pick(months)) \(g.int(1...28)), \(g.int(2015...2024))",
                     "Talks on \(g.pick(["trade", "security", "energy", "the border", "aid"])) enter round \(i % 97 + 2) as pressure builds",
                     "By \(g.pick(names))", ""]
        if g.int(0...2) == 0 {
            lines += ["Editor's note: The author is a columnist. The article reflects the author's opinion, and not necessarily the views of \(outlet).", ""]
        }
        for p in 0..<g.int(6...14) {
            var sentences: [String] = []
            for _ in 0..<g.int(3...5) {
                sentences.append("\(g.pick(subjects).capitalizedFirst) \(g.pick(verbs)) \(g.pick(objects)) \(g.pick(tails)).")
            }
            sentences.append("Document \(i) paragraph \(p) adds detail number \(g.next() % 100_000).")
            lines += [sentences.joined(separator: " "), ""]
            if p == 2, g.int(0...1) == 0 { lines += ["Delegates arrive at the venue on the first day of talks. /AFP Photo", ""] }
        }
        lines += ["Share this story", "", "Related News", "", "Previous Article", "Leaders meet again next month", ""]
        return lines.joined(separator: "\n")
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

/// Unbuffered, so figures already measured are not lost if a later step fails.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(sorted.count - 1, max(0, rank))]
}

/// Peak resident memory of a running process, in MiB (VmHWM).
func peakRSS(pid: pid_t) -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb / 1024
    }
    return nil
}

/// The child's peak RSS (its own VmHWM), read every `interval` until it exits: getrusage's
/// RUSAGE_CHILDREN would report the largest of all children so far, this process's included
/// when scripts/bench execs into it after `swift build`.
func peakRSSUntilExit(_ p: Process, every interval: useconds_t) -> Double {
    var peak = 0.0
    while p.isRunning {
        peak = max(peak, peakRSS(pid: p.processIdentifier) ?? 0)
        usleep(interval)
    }
    p.waitUntilExit()
    return peak
}

func writeDocuments(count: Int, into dir: URL, offset: Int = 0) throws -> [URL] {
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return try (0..<count).map { i in
        let url = dir.appendingPathComponent(String(format: "doc-%06d.txt", i + offset))
        try Data(SeedLikeCorpus.document(i + offset).utf8).write(to: url)
        return url
    }
}

func makeInstance(_ root: URL, repo: URL) throws -> URL {
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    var yaml = try String(contentsOf: repo.appendingPathComponent("pipelines/news.yaml"), encoding: .utf8)
    yaml = yaml.replacingOccurrences(of: "summary_interval: 60s", with: "summary_interval: 0")
    // Any free port: a daemon already on 9464 (yours) must not stop the benchmark's.
    yaml = yaml.replacingOccurrences(of: "listen: 127.0.0.1:9464", with: "listen: 127.0.0.1:0")
    let pipeline = root.appendingPathComponent("news.yaml")
    try yaml.write(to: pipeline, atomically: true, encoding: .utf8)
    try FileManager.default.copyItem(at: repo.appendingPathComponent("pipelines/gazetteers"), to: root.appendingPathComponent("gazetteers"))
    return pipeline
}

func startDaemon(_ binary: URL, pipeline: URL, log: URL) throws -> Process {
    let p = Process()
    p.executableURL = binary
    p.arguments = ["run", "--pipeline", pipeline.path]
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    p.standardError = try FileHandle(forWritingTo: log)
    try p.run()
    let deadline = now() + 20
    while now() < deadline {
        if let text = try? String(contentsOf: log, encoding: .utf8), text.contains("ingestd started") { return p }
        usleep(10_000)
    }
    throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "daemon did not start"])
}

func stopDaemon(_ p: Process) {
    p.terminate()
    p.waitUntilExit()
}

/// Watches done/ and reports the time each name arrived there.
final class DoneWatcher: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var arrivals: [String: Double] = [:]
    private var thread: Thread?
    private var running = true

    init(folder: URL) {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        fd = inotify_init1(Int32(IN_CLOEXEC))
        inotify_add_watch(fd, folder.path, UInt32(IN_MOVED_TO | IN_CREATE))
        thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while self.running {
                let n = buffer.withUnsafeMutableBytes { read(self.fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                let t = now()
                var offset = 0
                buffer.withUnsafeBytes { raw in
                    while offset + 16 <= n {
                        let len = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                        let name = String(decoding: raw[(offset + 16)..<(offset + 16 + len)].prefix { $0 != 0 }, as: UTF8.self)
                        self.lock.lock(); self.arrivals[name] = t; self.lock.unlock()
                        offset += 16 + len
                    }
                }
            }
        }
        thread?.start()
    }

    var count: Int { lock.lock(); defer { lock.unlock() }; return arrivals.count }
    func time(of name: String) -> Double? { lock.lock(); defer { lock.unlock() }; return arrivals[name] }
}

/// `ingestd run` on `pipeline` fed `rate` seed-like files a second for `seconds`: each file's
/// drop → done/ latency in ms (sorted) and the daemon's peak RSS. The files are written in
/// advance under ignored names, so the measured step is only the rename.
func steadyRun(_ binary: URL, pipeline: URL, rate: Double, seconds: Double, seed: Int) throws
    -> (total: Int, latencies: [Double], rss: Double?) {
    let root = pipeline.deletingLastPathComponent()
    let staging = root.appendingPathComponent("inbox")
    let total = Int(rate * seconds)
    try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
    for i in 0..<total {
        try Data(SeedLikeCorpus.document(seed + i).utf8).write(to: staging.appendingPathComponent(String(format: ".s-%06d.txt.part", i)))
    }
    let watcher = DoneWatcher(folder: root.appendingPathComponent("done"))
    let daemon = try startDaemon(binary, pipeline: pipeline, log: root.appendingPathComponent("daemon.log"))
    var dropped: [(String, Double)] = []
    let start = now()
    for i in 0..<total {
        let wait = start + Double(i) / rate - now()
        if wait > 0 { usleep(UInt32(wait * 1e6)) }
        let name = String(format: "s-%06d.txt", i)
        rename(staging.appendingPathComponent(".\(name).part").path, staging.appendingPathComponent(name).path)
        dropped.append((name, now()))
    }
    let deadline = now() + 120
    while watcher.count < total, now() < deadline { usleep(10_000) }
    let rss = peakRSS(pid: daemon.processIdentifier)
    stopDaemon(daemon)
    let latencies = dropped.compactMap { name, t in watcher.time(of: name).map { ($0 - t) * 1000 } }.sorted()
    return (total, latencies, rss)
}

// MARK: - main

let options = Options(CommandLine.arguments)
if let dir = options.writeCorpus {
    let files = try writeDocuments(count: options.docs, into: URL(fileURLWithPath: dir))
    say("wrote \(files.count) documents to \(dir)")
    exit(0)
}
if let list = options.dedupe {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ingestd-bench-dedupe-\(getpid())")
    try runDedupeBench(list: list, seconds: options.seconds, rounds: options.rounds, work: scratch)
    try? FileManager.default.removeItem(at: scratch)
    exit(0)
}
if let (list, out) = options.dumpBlocks {
    try dumpBlocks(list: list, to: out)
    exit(0)
}
if let list = options.extract {
    try runExtractionBench(list: list, seconds: options.seconds, rounds: options.rounds, htmlBody: options.htmlBody)
    exit(0)
}
if options.exec > 0 {
    let count = options.exec
    let done = DispatchSemaphore(value: 0)
    // Detached: the main actor is blocked on the semaphore below.
    Task.detached {
        do { try await runExecBench(count: count, work: FileManager.default.temporaryDirectory.appendingPathComponent("ingestd-bench-exec-\(getpid())")) }
        catch { print("exec bench failed: \(error)") }
        done.signal()
    }
    done.wait()
    exit(0)
}
if let list = options.entities {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    try runEntitiesBench(repo: repo, list: list, seconds: min(options.seconds, 5))
    exit(0)
}
if options.classify > 0 {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    try runClassifyBench(repo: repo, count: options.classify, seconds: min(options.seconds, 5))
    exit(0)
}
if options.wasm > 0 {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ingestd-bench-wasm-\(getpid())")
    try runWasmBench(repo: repo, documents: options.wasm, seconds: min(options.seconds, 5), modules: options.wasmModules, work: scratch)
    try? FileManager.default.removeItem(at: scratch)
    exit(0)
}
let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
let binary = URL(fileURLWithPath: options.binary ?? here.appendingPathComponent("ingestd").path)
let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let work = FileManager.default.temporaryDirectory.appendingPathComponent("ingestd-bench-\(getpid())")
defer { try? FileManager.default.removeItem(at: work) }
guard FileManager.default.isExecutableFile(atPath: binary.path) else {
    say("no ingestd binary at \(binary.path); build it with: swift build -c release")
    exit(1)
}
say("ingestd-bench — binary \(binary.path), \(ProcessInfo.processInfo.activeProcessorCount) cores")
if options.metricsCompare > 0 {
    try runMetricsCompare(binary: binary, repo: repo, work: work, documents: options.metricsCompare, rounds: max(3, options.rounds))
    exit(0)
}
if options.cluster > 0 {
    try runClusterBench(binary: binary, repo: repo, work: work, docs: options.cluster, rate: options.rate, seconds: options.seconds,
                        indexSize: options.clusterIndex)
    exit(0)
}
if options.fetch > 0 {
    try runFetchBench(binary: binary, repo: repo, work: work, urls: options.fetch, hosts: options.hosts, perHost: options.perHost)
    exit(0)
}
if options.bigBody > 0 {
    try runBigBodyBench(binary: binary, work: work, megabytes: options.bigBody)
    exit(0)
}
if options.bigDocument > 0 {
    try runBigDocumentBench(binary: binary, repo: repo, work: work, megabytes: options.bigDocument)
    exit(0)
}

/// Resident memory of this process now, in MiB.
func currentRSS() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
    }
    return .nan
}

/// Random text from a 5,000-word vocabulary: any two documents share almost no 5-word shingle.
func syntheticText(_ n: Int, words: Int = 150) -> String {
    var g = Generator(state: UInt64(n) &* 0x2545_F491_4F6C_DD1D &+ 7)
    var out: [String] = []
    out.reserveCapacity(words)
    for _ in 0..<words { out.append("w\(g.next() % 5_000)") }
    return out.joined(separator: " ")
}

if options.index > 0 {
    let n = options.index
    let dir = work.appendingPathComponent("index")
    let rssBefore = currentRSS()
    let index = try NearDuplicateIndex(directory: dir, bar: 0.72)
    var signatureTime = 0.0, insertTime = 0.0
    let chunk = 10_000
    var start = 0
    while start < n {
        let end = min(n, start + chunk)
        let t0 = now()
        let signatures = (start..<end).map { MinHashSignature(text: syntheticText($0), shingle: 5)! }
        let t1 = now()
        for (k, s) in signatures.enumerated() { _ = index.matchAndInsert(s, id: String(format: "%032x", start + k)) }
        try index.sync()
        let t2 = now()
        signatureTime += t1 - t0
        insertTime += t2 - t1
        start = end
    }
    let rssAfter = currentRSS()
    // Queries: near duplicates of indexed documents (the last 7 of 150 words changed: Jaccard about 0.86)
    // and new documents (Jaccard about 0 with everything indexed).
    let queries = 10_000
    let probes: [MinHashSignature] = (0..<queries).map { q in
        if q % 2 == 0 {
            let base = (q * 7919) % n
            var words = syntheticText(base).split(separator: " ")
            for k in 0..<7 { words[words.count - 1 - k] = "x\(q)_\(k)" }
            return MinHashSignature(text: words.joined(separator: " "), shingle: 5)!
        }
        return MinHashSignature(text: syntheticText(n + q), shingle: 5)!
    }
    let q0 = now()
    var found = 0, falseFinds = 0
    for (q, p) in probes.enumerated() where index.match(p) != nil {
        if q % 2 == 0 { found += 1 } else { falseFinds += 1 }
    }
    let queryTime = now() - q0
    index.close()
    let l0 = now()
    let reloaded = try NearDuplicateIndex(directory: dir, bar: 0.72)
    let loadTime = now() - l0
    let logSize = ((try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("dedupe-near.log").path)[.size] as? Int) ?? 0)
    say(String(format: "index: %d documents; signatures %.0f docs/s; inserts %.0f docs/s (durable); memory %.0f MiB (%.0f bytes/doc); "
               + "queries %.0f/s (%d of %d near-duplicate probes found, %d of %d new documents wrongly matched); log %.0f MiB loaded back in %.2f s (%d entries)",
               n, Double(n) / signatureTime, Double(n) / insertTime, rssAfter - rssBefore, (rssAfter - rssBefore) * 1_048_576 / Double(n),
               Double(queries) / queryTime, found, queries / 2, falseFinds, queries / 2, Double(logSize) / 1_048_576, loadTime, reloaded.count))
    exit(0)
}

// 1. once
do {
    let inputs = try writeDocuments(count: options.docs, into: work.appendingPathComponent("corpus"))
    let bytes = inputs.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1.path)[.size] as? Int) ?? 0) }
    let p = Process()
    p.executableURL = binary
    // A list file rather than 10,000 arguments: swift-argument-parser's time grows with the
    // square of the argument count, which would be measured instead of ingestd.
    let list = work.appendingPathComponent("inputs.txt")
    try inputs.map(\.path).joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
    p.arguments = ["once", "--pipeline", repo.appendingPathComponent("pipelines/news.yaml").path,
                   "--output", work.appendingPathComponent("once.jsonl").path, "--log-level", "warning", "--files-from", list.path]
    let t0 = now()
    try p.run()
    let peak = peakRSSUntilExit(p, every: 20_000)
    let elapsed = now() - t0
    let records = (try? String(contentsOf: work.appendingPathComponent("once.jsonl"), encoding: .utf8))?.split(separator: "\n").count ?? 0
    say(String(format: "once: %d docs (%.1f KB avg) in %.2f s = %.0f docs/s; %d records; exit %d; peak RSS %.1f MiB",
                 options.docs, Double(bytes) / Double(options.docs) / 1024, elapsed, Double(options.docs) / elapsed, records,
                 p.terminationStatus, peak))
}

// 2. steady rate
do {
    let pipeline = try makeInstance(work.appendingPathComponent("steady"), repo: repo)
    let r = try steadyRun(binary, pipeline: pipeline, rate: options.rate, seconds: options.seconds, seed: 100_000)
    say(String(format: "run: %d files at %.0f/s → done/: %d; latency ms p50 %.2f p90 %.2f p99 %.2f max %.2f; daemon peak RSS %.1f MiB",
                 r.total, options.rate, r.latencies.count, percentile(r.latencies, 50), percentile(r.latencies, 90),
                 percentile(r.latencies, 99), r.latencies.last ?? .nan, r.rss ?? .nan))
}

// 3. flood
if options.flood > 0 {
    let root = work.appendingPathComponent("flood")
    let pipeline = try makeInstance(root, repo: repo)
    _ = try writeDocuments(count: options.flood, into: root.appendingPathComponent("inbox"), offset: 500_000)
    let watcher = DoneWatcher(folder: root.appendingPathComponent("done"))
    let t0 = now()
    let daemon = try startDaemon(binary, pipeline: pipeline, log: root.appendingPathComponent("daemon.log"))
    var peak = 0.0
    let deadline = now() + 600
    while watcher.count < options.flood, now() < deadline {
        peak = max(peak, peakRSS(pid: daemon.processIdentifier) ?? 0)
        usleep(50_000)
    }
    let elapsed = now() - t0
    peak = max(peak, peakRSS(pid: daemon.processIdentifier) ?? 0)
    stopDaemon(daemon)
    say(String(format: "flood: %d files waiting at start drained in %.2f s = %.0f docs/s; daemon peak RSS %.1f MiB",
                 watcher.count, elapsed, Double(watcher.count) / elapsed, peak))
}
