import IngestCore

/// `dedupe`: marks (or drops) documents whose normalized text was seen before.
///
/// Exact matching only for now: the key is the SHA-256 of the text with case and white space
/// folded, so re-scrapes that differ only in spacing or capitalization still match.
struct DedupeStage: Stage {
    enum Policy: String { case annotate, drop }
    let name = "dedupe"
    let policy: Policy
    let index: ExactIndex

    func process(_ doc: inout Document) throws -> StageVerdict {
        let hash = SHA256Digest.hex(of: Self.fold(doc.text))
        let owner = index.claim(hash: hash, id: doc.id)
        // A re-processed claim (restart after a crash) finds its own id: it is the original.
        if owner == doc.id {
            doc.dedupe = DedupeVerdict(status: .unique)
            return .keep
        }
        doc.dedupe = DedupeVerdict(status: .duplicate, of: owner, similarity: 1.0)
        return policy == .drop ? .drop(reason: "duplicate", of: owner) : .keep
    }

    func sync() throws { try index.sync() }
    func close() { index.close() }

    /// The text with case folded and every run of white space made one space, as UTF-8.
    static func fold(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        func space() { if !out.isEmpty { pendingSpace = true } }
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                if v == 0x20 || (v >= 0x09 && v <= 0x0D) { space(); continue }
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(v >= 0x41 && v <= 0x5A ? UInt8(v + 0x20) : UInt8(v))
            } else if scalar.properties.isWhitespace {
                space()
            } else {
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(contentsOf: scalar.properties.lowercaseMapping.utf8)
            }
        }
        return out
    }

    static let factory = StageFactory(
        name: "dedupe",
        summary: "mark or drop documents whose normalized text was seen before (persistent index in state_dir)",
        requires: ["normalize"]
    ) { options in
        let policy = Policy(rawValue: options.oneOf("policy", ["annotate", "drop"], default: "annotate")) ?? .annotate
        return Builder(policy: policy)
    }

    struct Builder: StageBuilder {
        let policy: Policy
        func build(_ context: StageContext) throws -> any Stage {
            DedupeStage(policy: policy, index: try ExactIndex(directory: context.stateDirectory))
        }
    }
}
