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
        let hash = SHA256Digest.hex(of: Array(Self.fold(doc.text).utf8))
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

    static func fold(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
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
