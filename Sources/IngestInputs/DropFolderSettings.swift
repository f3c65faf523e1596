import Foundation

/// `sources.drop_folder`: where files are dropped and where they go once handled.
public struct DropFolderSettings: Sendable, Equatable {
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

    public init(inbox: URL, processing: URL, done: URL, failed: URL, afterSuccess: AfterSuccess = .move) {
        self.inbox = inbox
        self.processing = processing
        self.done = done
        self.failed = failed
        self.afterSuccess = afterSuccess
    }
}
