import Foundation
import IngestStages

/// `--dedupe LIST`: near-duplicate detection in this process over texts held in memory — word
/// shingles, the MinHash signature, and the LSH match-and-insert of `NearDuplicateIndex` with
/// its log in a temporary folder (synced once at the end, as the stage syncs per group commit) —
/// the work datasketch's MinHash + MinHashLSH do, timed the same way. The listed texts go through
/// one index in list order, repeated (with a fresh index) until `seconds` have passed.
func runDedupeBench(list: String, seconds: Double, rounds minimumRounds: Int = 1, work: URL) throws {
    let paths = try String(contentsOfFile: list, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    let texts = try paths.map { try String(contentsOfFile: $0, encoding: .utf8) }
    let bar = NearDuplicateIndex.bar(threshold: 0.8)
    var rounds = 0, matched = 0, signatureTime = 0.0
    // A checksum of every signature value: equal figures before and after a change mean the
    // signatures (persisted in users' indexes) did not change.
    var checksum: UInt64 = 0xcbf2_9ce4_8422_2325
    let t0 = now()
    repeat {
        let dir = work.appendingPathComponent("dedupe-\(rounds)")
        let index = try NearDuplicateIndex(directory: dir, bar: bar)
        matched = 0
        for (k, text) in texts.enumerated() {
            let s0 = now()
            guard let signature = MinHashSignature(text: text, shingle: 5) else { continue }
            signatureTime += now() - s0
            if rounds == 0 { for v in signature.values { checksum = (checksum ^ UInt64(v)) &* 0x100_0000_01b3 } }
            if index.matchAndInsert(signature, id: String(k)) != nil { matched += 1 }
        }
        try index.sync()
        index.close()
        try? FileManager.default.removeItem(at: dir)
        rounds += 1
    } while now() - t0 < seconds || rounds < minimumRounds
    let elapsed = now() - t0
    let n = Double(rounds * texts.count)
    say(String(format: "dedupe: %d text(s) × %d round(s) in %.2f s = %.0f docs/s (signatures %.0f%% of the time); %d matched an earlier text per round; signature checksum %016llx",
               texts.count, rounds, elapsed, n / elapsed, signatureTime / elapsed * 100, matched, checksum))
}
