import Foundation

/// Who fetches a configured URL now, when several nodes share one list (`cluster.postgres`):
/// each URL is fetched by one node per interval, and what that node learnt of it (validators,
/// the body's hash, a feed's seen items) goes with the URL to whichever node fetches it next.
protocol FetchSchedule: Sendable {
    /// `url` is due on this node. `.mine` carries what the last node to fetch it published;
    /// `.notYet` says in how many seconds to ask again (another node holds it, or fetched it
    /// within the interval).
    func claim(_ url: String, every: Double) throws -> FetchTurn
    /// What this node now knows of `url`, for the node that fetches it next.
    func publish(_ url: String, page: URLSourceState.Page?, seen: [String: Int]?) throws
}

enum FetchTurn: Equatable {
    case mine(page: URLSourceState.Page?, seen: [String: Int])
    case notYet(seconds: Double)
}
