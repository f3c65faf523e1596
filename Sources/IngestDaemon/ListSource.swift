import Foundation
import IngestCore

/// The files named on the `ingestd once` command line, read where they are and never moved.
public final class ListSource: DocumentSource, @unchecked Sendable {
    private let queue = DispatchQueue(label: "ingestd.source.list")
    private var remaining: [URL]
    private var next = 0
    private var credits = 0
    private var stopped = false
    private var deliver: (@Sendable (Claim) -> Void)?
    private var outcomes: [Outcome] = []
    private let allAcknowledged = DispatchSemaphore(value: 0)

    public init(files: [URL]) { remaining = files }

    public func start(deliver: @escaping @Sendable (Claim) -> Void) throws {
        queue.sync {
            self.deliver = deliver
            if remaining.isEmpty { allAcknowledged.signal() }
        }
    }

    public func grant(_ n: Int) {
        queue.async {
            self.credits += n
            while self.credits > 0, !self.stopped, self.next < self.remaining.count {
                let url = self.remaining[self.next]
                self.next += 1
                self.credits -= 1
                // The position keeps ids distinct when one file is named twice.
                self.deliver?(Claim(name: url.lastPathComponent, claimName: "\(self.next)-\(url.lastPathComponent)",
                                    path: url, originPath: url.path, recovered: false))
            }
        }
    }

    public func acknowledge(_ claim: Claim, outcome: Outcome) {
        queue.async {
            self.outcomes.append(outcome)
            if self.outcomes.count == self.remaining.count { self.allAcknowledged.signal() }
            self.credits += 1
            self.grant(0)
        }
    }

    /// Blocks until every file has an outcome.
    public func waitUntilFinished() { allAcknowledged.wait() }

    public func stop() { queue.sync { stopped = true } }
    public var backlog: Int { queue.sync { remaining.count - next } }
    public var total: Int { remaining.count }
    public var finished: [Outcome] { queue.sync { outcomes } }
}
