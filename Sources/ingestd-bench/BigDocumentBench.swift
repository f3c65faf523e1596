import Foundation
import Glibc

/// `--big-document MB`: `ingestd once` over one generated document of MB megabytes — a plain-text
/// scrape (headline, byline, date, then paragraphs of seed-like sentences) and an HTML page with
/// the same paragraphs in `<article><p>…</p></article>` — with `max_document_bytes` raised to
/// fit, each in a process of its own. Prints each peak RSS beside that of a 1 KB document of the
/// same kind (the process's own footprint) and as a multiple of the document's size.
func runBigDocumentBench(binary: URL, repo: URL, work: URL, megabytes: Int) throws {
    let root = work.appendingPathComponent("big-document")
    let pipeline = try makeInstance(root, repo: repo)
    var yaml = try String(contentsOf: pipeline, encoding: .utf8)
    yaml = yaml.replacingOccurrences(of: "max_document_bytes: 20MB", with: "max_document_bytes: \(megabytes + 1)MB")
    try yaml.write(to: pipeline, atomically: true, encoding: .utf8)
    var figures: [String] = []
    for kind in ["text", "html"] {
        let small = root.appendingPathComponent("small.\(kind == "text" ? "txt" : "html")")
        let big = root.appendingPathComponent("big.\(kind == "text" ? "txt" : "html")")
        try writeBigDocument(to: small, html: kind == "html", bytes: 1_000)
        try writeBigDocument(to: big, html: kind == "html", bytes: megabytes * 1_000_000)
        let base = try onceRun(binary, pipeline: pipeline, input: small, root: root)
        let t0 = now()
        let peak = try onceRun(binary, pipeline: pipeline, input: big, root: root)
        let wall = now() - t0
        figures.append(String(format: "%@ %.1f MiB (%.2f× the document; 1 KB: %.1f MiB) in %.1f s",
                              kind, peak, peak * 1_048_576 / Double(megabytes * 1_000_000), base, wall))
        try? FileManager.default.removeItem(at: big)
    }
    say("big document: \(megabytes) MB through `ingestd once` (news.yaml); peak RSS: " + figures.joined(separator: "; "))
}

/// The peak RSS of `ingestd once` over one input, in MiB, with a fresh dedupe index.
private func onceRun(_ binary: URL, pipeline: URL, input: URL, root: URL) throws -> Double {
    try? FileManager.default.removeItem(at: root.appendingPathComponent("state"))
    let p = Process()
    p.executableURL = binary
    p.arguments = ["once", "--pipeline", pipeline.path, "--output", root.appendingPathComponent("records.jsonl").path,
                   "--log-level", "error", input.path]
    try p.run()
    return peakRSSUntilExit(p, every: 10_000)
}

/// Paragraphs of seed-like sentences up to `bytes`, as a scrape or as an article page.
private func writeBigDocument(to url: URL, html: Bool, bytes: Int) throws {
    _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    let handle = try FileHandle(forWritingTo: url)
    defer { try? handle.close() }
    let head = html
        ? "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Talks resume after the summit</title>"
            + "<meta name=\"author\" content=\"Jane Roe\"></head><body><article><h1>Talks resume after the summit</h1>\n"
        : "Talks resume after the summit\nBy Jane Roe\nMarch 4, 2019\n\n"
    let tail = html ? "</article></body></html>\n" : ""
    var chunk = Array(head.utf8)
    var written = 0
    var i = 0
    while written + chunk.count + tail.utf8.count < bytes {
        // The body paragraphs of the seed-like documents, over and over (each document differs).
        for line in SeedLikeCorpus.document(i).split(separator: "\n").dropFirst(4)
        where line.count > 80 && !line.hasPrefix("Editor's note") {
            chunk += html ? Array("<p>\(line)</p>\n".utf8) : Array("\(line)\n\n".utf8)
        }
        i += 1
        if chunk.count >= 1 << 20 {
            handle.write(Data(chunk))
            written += chunk.count
            chunk.removeAll(keepingCapacity: true)
        }
    }
    handle.write(Data(chunk + Array(tail.utf8)))
}
