/// `sink.rotate`: when the live records file is closed into a segment, how long segments are
/// kept and how they are stored.
public struct RotationSettings: Sendable, Equatable {
    /// Close the live file once it holds this many bytes (it may pass them by one batch: a
    /// record is never split).
    public var maxBytes: Int?
    /// Close it at every multiple of this many seconds since 1970-01-01T00:00Z, so `1d` closes
    /// at 00:00Z and `1h` on the hour.
    public var every: Double?
    /// Segments closed longer ago than this many seconds are deleted with their manifest entry.
    public var keep: Double?
    public var compression: SegmentCompression = .none

    public init(maxBytes: Int? = nil, every: Double? = nil, keep: Double? = nil, compression: SegmentCompression = .none) {
        self.maxBytes = maxBytes
        self.every = every
        self.keep = keep
        self.compression = compression
    }

    /// How often `keep` is applied when no rotation comes to apply it: a tenth of `keep`, between
    /// a minute and an hour, so a segment outlives `keep` by at most that while a 90-day `keep`
    /// costs one look at the manifest an hour. Nil without `keep`.
    var pruneInterval: Double? { keep.map { min(max($0 / 10, 60), 3600) } }

    /// The first boundary after `ms` (milliseconds since 1970), or nil without `every`.
    func boundary(after ms: Int64) -> Int64? {
        guard let every else { return nil }
        let period = max(Int64(every * 1000), 1)
        return (ms / period + 1) * period
    }
}
