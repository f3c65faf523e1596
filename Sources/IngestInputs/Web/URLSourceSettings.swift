import Foundation

/// `sources.urls` and `sources.fetch`: pages and feeds fetched on a schedule.
public struct URLSourceSettings: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable { case page, feed }
        public var url: String
        public var kind: Kind
        /// Seconds between fetches.
        public var every: Double
        public var headers: [String: String]
        /// Where the entry is in the pipeline file, for messages.
        public var line: Int

        public init(url: String, kind: Kind, every: Double, headers: [String: String] = [:], line: Int = 0) {
            self.url = url
            self.kind = kind
            self.every = every
            self.headers = headers
            self.line = line
        }
    }

    public var entries: [Entry]
    public var fetch = FetchSettings()
    /// Seconds between two requests to one host.
    public var minDelay: Double = 1
    public var robots = true
    /// Attempts after the first for 5xx, 408, 429 and network errors.
    public var retries = 4
    /// The longest wait between two attempts (Retry-After may ask for longer).
    public var maxBackoff: Double = 600
    /// New items taken from one fetch of a feed, in the feed's order (newest first, as
    /// feeds list them); the rest wait for the next fetches. Bounds what one feed, however
    /// long or hostile, can make the daemon fetch and record per poll.
    public var maxItemsPerPoll = 1_000
    /// Item ids remembered per feed, beyond those the feed lists now (which are always kept).
    public var seenItems = 100_000
    /// How long an item id is remembered after its feed last listed it.
    public var seenFor: Double = 90 * 86_400
    /// Polls of one URL in a row that must fail before `feed failing` is logged (once; its
    /// recovery is logged as `feed recovered`).
    public var warnAfterFailures = 3
    /// Fetched bodies waiting for the stages, and the state of every URL.
    public var stateFolder: URL
    /// Fetched documents that the stages rejected, each beside NAME.error.json.
    public var failed: URL

    public init(entries: [Entry], stateFolder: URL, failed: URL) {
        self.entries = entries
        self.stateFolder = stateFolder
        self.failed = failed
    }
}
