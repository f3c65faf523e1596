import Foundation

/// `sources.drop_folder`: where files are dropped and where they go once handled.
public struct DropFolderSettings: Sendable, Equatable {
    /// By path: a folder made since the last read resolves with a trailing slash, the same folder.
    public static func == (a: Self, b: Self) -> Bool {
        [a.inbox, a.processing, a.done, a.failed].map(\.path) == [b.inbox, b.processing, b.done, b.failed].map(\.path)
            && a.afterSuccess == b.afterSuccess && a.settleTime == b.settleTime
    }

    public enum AfterSuccess: String, Sendable { case move, delete }
    public var inbox: URL
    public var processing: URL
    public var done: URL
    public var failed: URL
    public var afterSuccess: AfterSuccess = .move
    /// Seconds a file found without a close event (at start-up, after an overflow, a hard
    /// link) must keep its size and time before it is claimed, when the kernel cannot say
    /// whether it is still open for writing.
    public var settleTime: Double = 2
    /// Seconds an input stays in `done/` (resp. `failed/`, with its `.error.json`) before it is
    /// deleted; nil keeps it until someone removes it.
    public var doneRetention: Double?
    public var failedRetention: Double?

    public init(inbox: URL, processing: URL, done: URL, failed: URL, afterSuccess: AfterSuccess = .move) {
        self.inbox = inbox
        self.processing = processing
        self.done = done
        self.failed = failed
        self.afterSuccess = afterSuccess
    }
}
