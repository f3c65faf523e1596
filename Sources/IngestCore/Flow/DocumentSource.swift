import Foundation

/// A file a source has taken responsibility for. For the drop folder it now sits in
/// `processing/` under `claimName`; for `ingestd once` it is where the user named it.
public struct Claim: Sendable {
    /// The name the user gave the file, for messages (a name that is not UTF-8 is shown with
    /// U+FFFD in place of the bytes that are not).
    public let name: String
    /// The same name exactly as the file system has it: what `done/` and `failed/` reuse.
    public let nameBytes: [UInt8]
    /// The unique name of this claim; part of the record id, so it must be stable across restarts.
    public let claimName: String
    /// Where to read the bytes now.
    public let path: URL
    /// Where the user put it, for `origin.path`.
    public let originPath: String
    /// True for a claim found in `processing/` at start-up: its record may already be written.
    public let recovered: Bool
    /// For a fetched document: how it was fetched (`origin.kind` "url").
    public let web: WebOrigin?

    /// Whether `nameBytes` is UTF-8, and so `name` and `originPath` exact.
    public var nameIsUTF8: Bool { String(validating: nameBytes, as: UTF8.self) != nil }

    /// `originPath`'s exact bytes when the name is not UTF-8 (its folder is: ingestd chose it).
    public var originPathBytes: [UInt8]? {
        nameIsUTF8 ? nil : Array(URL(fileURLWithPath: originPath).deletingLastPathComponent().path.utf8) + [UInt8(ascii: "/")] + nameBytes
    }

    public init(name: String, claimName: String, path: URL, originPath: String, recovered: Bool, web: WebOrigin? = nil,
                nameBytes: [UInt8]? = nil) {
        self.name = name
        self.nameBytes = nameBytes ?? Array(name.utf8)
        self.claimName = claimName
        self.path = path
        self.originPath = originPath
        self.recovered = recovered
        self.web = web
    }
}

/// How a claimed document ended.
public enum Outcome: Sendable {
    /// Its record is durable in the sink.
    case recorded(id: String)
    /// A stage dropped it (e.g. a duplicate under `policy: drop`); nothing to record.
    case dropped(id: String, reason: String)
    /// It could not be processed; no record.
    case rejected(Rejection)
}

/// Where documents come from. Demand-driven, in the spirit of Reactive Streams: the runner
/// grants credits and the source claims no more documents than it was granted. That is the
/// backpressure: when every credit is in flight, the source leaves files where they are.
public protocol DocumentSource: AnyObject, Sendable {
    /// Begins delivering claims, one call of `deliver` per claim, never more than granted.
    func start(deliver: @escaping @Sendable (Claim) -> Void) throws
    func grant(_ credits: Int)
    /// Called once per delivered claim, after its outcome is final (for `recorded`, after the
    /// record is durable).
    func acknowledge(_ claim: Claim, outcome: Outcome)
    /// Stops claiming; claims already delivered are still acknowledged afterwards.
    func stop()
    /// Called once after the last acknowledgement; returns when every acknowledgement has
    /// taken effect (inputs moved, state saved), so a clean stop leaves nothing half done.
    func close()
    /// Documents known to be waiting but not yet claimed.
    var backlog: Int { get }
    /// One entry per configured URL or feed; empty for a source that polls nothing.
    var health: [SourceHealth] { get }
}

extension DocumentSource {
    public func close() {}
    public var health: [SourceHealth] { [] }
}

/// Where records go. `submit` hands over one serialized record (or `nil` for a document that
/// was dropped and only needs the same durability barrier); `completion` runs once the record
/// is durable, or with the error that prevented it.
public protocol RecordSink: AnyObject, Sendable {
    func submit(_ line: [UInt8]?, completion: @escaping @Sendable ((any Error)?) -> Void)
    /// The same for a record whose text is large (`RecordSchema.streamingThreshold`): a sink
    /// that can write it in pieces keeps the text as a String and never holds its line whole.
    /// By default the parts are joined into a line and submitted as one.
    func submit(streamed record: StreamedRecord, completion: @escaping @Sendable ((any Error)?) -> Void)
    /// Ids of records already in the sink, for start-up recovery.
    func existingIDs() throws -> Set<String>
    /// The same, for records written at or after `since` only: a sink that closes old files
    /// (rotation) need not read back those closed before then. By default, `existingIDs()`.
    func existingIDs(writtenSince since: Date) throws -> Set<String>
    /// Writes what is pending and makes it durable.
    func close() throws
    /// When the batch being made durable now began (`DispatchTime.uptimeNanoseconds`), nil
    /// while no commit is under way: the watchdog stops its pings when one takes too long.
    var commitStartedAt: UInt64? { get }
    /// Why records could not be written now (the folder is not writable, the disk is full), or
    /// nil: what `/ready` reports for the sink.
    var writeProblem: String? { get }
}

extension RecordSink {
    public var writeProblem: String? { nil }
}

extension RecordSink {
    public func existingIDs(writtenSince since: Date) throws -> Set<String> { try existingIDs() }
    public var commitStartedAt: UInt64? { nil }

    public func submit(streamed record: StreamedRecord, completion: @escaping @Sendable ((any Error)?) -> Void) {
        submit(record.joined(), completion: completion)
    }
}
