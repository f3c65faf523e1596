import Foundation
import IngestCore
import IngestStages

/// `--dump-blocks LIST OUT.jsonl`: the block model's features of every block of the listed
/// pages, one JSON object a line ({"page", "block", "text", "p", "features"}), with a first line
/// naming the features. `scripts/train-block-model` trains on these, so that training sees
/// exactly what inference computes. The page id is the file name up to its first dot.
func dumpBlocks(list: String, to out: String) throws {
    let paths = try String(contentsOfFile: list, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    FileManager.default.createFile(atPath: out, contents: nil)
    guard let handle = FileHandle(forWritingAtPath: out) else { throw CocoaError(.fileWriteNoPermission) }
    defer { try? handle.close() }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    struct Header: Encodable { let features: [String] }
    struct Line: Encodable { let page: String; let block: Int; let text: String; let p: Double; let features: [Double] }
    try handle.write(contentsOf: encoder.encode(Header(features: BlockDump.featureNames)) + Data([0x0A]))
    var count = 0
    for path in paths {
        let raw = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let page = String(URL(fileURLWithPath: path).lastPathComponent.split(separator: ".", maxSplits: 1)[0])
        // Decoded as the normalize stage decodes it (charset detection, invalid UTF-8 repaired).
        let decoded = try TextDecoder.decode(raw, invalidUTF8: .repair, stage: "normalize")
        for (k, row) in BlockDump.rows(utf8: decoded.utf8).enumerated() {
            try handle.write(contentsOf: encoder.encode(Line(page: page, block: k, text: row.text, p: row.probability, features: row.features)) + Data([0x0A]))
        }
        count += 1
    }
    say("dump-blocks: \(count) page(s) → \(out)")
}
