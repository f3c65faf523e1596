import Dispatch

/// How many lines of one kind may be logged per second; the rest are counted, not written.
///
/// journald drops a service's lines silently past its rate limit (10,000 in 30 s by default), and
/// it drops whatever comes next, warnings included. A line per document at thousands of documents
/// a second would spend that allowance on "record written" and lose the "document rejected" lines
/// an operator needs. So the lines that only say all went well are budgeted, and what was left
/// out is reported as a count (in the next line that passes and in the summary), never hidden.
public final class LogLineBudget: Sendable {
    private struct State {
        var second: UInt64 = 0
        var used = 0
        /// Left out since the last line that passed: told by that next line.
        var pendingReport = 0
        /// Left out since the last `takeSuppressed()`: told by the summary.
        var sinceSummary = 0
        var total = 0
    }

    public let perSecond: Int
    private let state = Locked(State())

    /// `perSecond` 0: no limit.
    public init(perSecond: Int) { self.perSecond = perSecond }

    /// Whether a line may be written now, and how many were left out since the last one that was
    /// (to be said in this one).
    public func admit(now: DispatchTime = .now()) -> (pass: Bool, leftOutBefore: Int) {
        guard perSecond > 0 else { return (true, 0) }
        let second = now.uptimeNanoseconds / 1_000_000_000
        return state.withLock { s in
            if s.second != second {
                s.second = second
                s.used = 0
            }
            guard s.used < perSecond else {
                s.pendingReport += 1
                s.sinceSummary += 1
                s.total += 1
                return (false, 0)
            }
            s.used += 1
            defer { s.pendingReport = 0 }
            return (true, s.pendingReport)
        }
    }

    /// Lines left out since this budget was made (for the last line at a stop).
    public var leftOutTotal: Int { state.withLock { $0.total } }

    /// Lines left out since the last call (for the periodic summary).
    public func takeSuppressed() -> Int {
        state.withLock { s in
            defer { s.sinceSummary = 0 }
            return s.sinceSummary
        }
    }
}
