import Foundation
import IngestCore

/// Several sources behind the runner's one: the drop folder and the URL sources together. The
/// runner's credits are split between them once; each source then earns a credit back for each
/// of its own claims acknowledged, so together they never exceed `max_in_flight`.
final class MergedSource: DocumentSource, Sendable {
    private let sources: [any DocumentSource]
    /// Which source each claim in flight came from, by its path (unique among claims in flight:
    /// each source claims into its own folder). At most `max_in_flight` entries.
    private let owners = Locked<[String: Int]>([:])

    init(_ sources: [any DocumentSource]) {
        precondition(!sources.isEmpty)
        self.sources = sources
    }

    func start(deliver: @escaping @Sendable (Claim) -> Void) throws {
        for (i, s) in sources.enumerated() {
            try s.start { [owners] claim in
                owners.withLock { $0[claim.path.path] = i }
                deliver(claim)
            }
        }
    }

    /// Splits exactly: the shares add up to `credits`, never more. The loader refuses a
    /// `max_in_flight` below the number of sources, so at start-up every source gets one.
    func grant(_ credits: Int) {
        let share = credits / sources.count, extra = credits % sources.count
        for (i, s) in sources.enumerated() where share + (i < extra ? 1 : 0) > 0 { s.grant(share + (i < extra ? 1 : 0)) }
    }

    func acknowledge(_ claim: Claim, outcome: Outcome) {
        guard let i = owners.withLock({ $0.removeValue(forKey: claim.path.path) }) else {
            preconditionFailure("acknowledged a claim no source delivered: \(claim.path.path)")
        }
        sources[i].acknowledge(claim, outcome: outcome)
    }

    func stop() { for s in sources { s.stop() } }

    func close() { for s in sources { s.close() } }

    var backlog: Int { sources.reduce(0) { $0 + $1.backlog } }

    var health: [SourceHealth] { sources.flatMap(\.health) }
}
