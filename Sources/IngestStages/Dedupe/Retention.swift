import Foundation
import IngestCore

/// How long dedupe indexes remember: at most `maxEntries` documents, none older than `maxAge`
/// seconds; nil means no bound. Older entries stop matching at once and leave the files at the
/// next start, when a log with more dead than live entries is rewritten.
public struct Retention: Sendable, Equatable {
    public var maxEntries: Int?
    public var maxAge: Double?
    /// Seconds since 1970; replaceable so tests can move time.
    public var clock: @Sendable () -> Double

    public init(maxEntries: Int? = nil, maxAge: Double? = nil, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.maxEntries = maxEntries
        self.maxAge = maxAge
        self.clock = clock
    }

    public static let forever = Retention()

    public static func == (a: Retention, b: Retention) -> Bool { a.maxEntries == b.maxEntries && a.maxAge == b.maxAge }

    /// Whether an entry written at `time`, with `newer` entries after it, is still remembered.
    func keeps(time: UInt32, newer: Int, now: Double) -> Bool {
        if let maxEntries, newer >= maxEntries { return false }
        if let maxAge, Double(time) < now - maxAge { return false }
        return true
    }
}

/// Rewrites an append-only log with only `live` content, atomically: a temporary file,
/// fsynced, renamed over the old one, and the folder fsynced. Returns the new descriptor.
enum LogCompaction {
    static func rewrite(_ file: URL, with live: [UInt8], replacing fd: Int32) throws -> Int32 {
        try FileIO.replaceAtomically(file, with: live, temporarySuffix: "compact")
        Glibc.close(fd)
        let reopened = open(file.path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard reopened >= 0 else { throw POSIXFailure("open \(file.path)", errno) }
        return reopened
    }
}
