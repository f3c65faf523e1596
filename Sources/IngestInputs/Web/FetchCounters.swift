import CoreMetrics

/// `ingestd_fetch_requests_total{host, status}`: one counter per host and answer, made the
/// first time that pair is seen (fetches are few next to documents; the set of hosts is the
/// configured URLs' and their feeds' links). Confined to the URL source's queue.
final class FetchCounters: @unchecked Sendable {
    static let name = "ingestd_fetch_requests_total"
    private let factory: any MetricsFactory
    private var counters: [String: Counter] = [:]

    init(factory: any MetricsFactory) { self.factory = factory }

    /// `status` is the HTTP status, or "error" when no answer came (refused, timed out, cut off).
    func count(host: String, _ result: Result<FetchResponse, FetchFailure>) {
        let status: String
        switch result {
        case .success(let response): status = String(response.status)
        case .failure: status = "error"
        }
        let key = host + " " + status
        if let counter = counters[key] { return counter.increment() }
        let counter = Counter(label: Self.name, dimensions: [("host", host), ("status", status)], factory: factory)
        counters[key] = counter
        counter.increment()
    }
}
