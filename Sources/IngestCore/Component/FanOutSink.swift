import Foundation
import Logging

/// `sink:` as a list (`- type: jsonl` and `- type: postgres`): every record goes to each sink,
/// and is acknowledged when every one has made it durable; the first error of any is the
/// batch's error (the daemon stops, as with one sink).
///
/// After a crash a record may be in one sink and not another. `existingIDs` answers with the
/// records every sink has (only those inputs are acknowledged without running again) and keeps
/// each sink's own set, so a record run again is not written a second time to a sink that
/// already has it.
public final class FanOutSink: RecordSink, @unchecked Sendable {
    let sinks: [any RecordSink]
    /// Per sink, the ids it held at recovery.
    private let held: Locked<[Set<String>]>

    public init(_ sinks: [any RecordSink]) {
        self.sinks = sinks
        held = Locked(Array(repeating: [], count: sinks.count))
    }

    public func submit(_ line: [UInt8]?, completion: @escaping @Sendable ((any Error)?) -> Void) {
        let id = line.flatMap { RecordSchema.id(ofLine: $0[...]) }
        fanOut(id: id, completion) { sink, done in sink.submit(line, completion: done) }
    }

    public func submit(streamed record: StreamedRecord, completion: @escaping @Sendable ((any Error)?) -> Void) {
        let id = RecordSchema.id(ofLine: record.prefix[...])
        fanOut(id: id, completion) { sink, done in sink.submit(streamed: record, completion: done) }
    }

    private func fanOut(id: String?, _ completion: @escaping @Sendable ((any Error)?) -> Void,
                        _ send: (any RecordSink, @escaping @Sendable ((any Error)?) -> Void) -> Void) {
        let targets = held.withLock { h in sinks.indices.filter { i in id.map { !h[i].contains($0) } ?? true } }
        // Every sink has it already: a barrier through the first keeps the order of acknowledgements.
        if targets.isEmpty { return sinks[0].submit(nil, completion: completion) }
        let state = Locked<(left: Int, error: (any Error)?)>((targets.count, nil))
        for i in targets {
            send(sinks[i]) { error in
                let finished = state.withLock { s -> (any Error)?? in
                    if s.error == nil { s.error = error }
                    s.left -= 1
                    return s.left == 0 ? .some(s.error) : nil
                }
                if let outcome = finished { completion(outcome) }
            }
        }
    }

    public func existingIDs() throws -> Set<String> {
        common(try sinks.map { try $0.existingIDs() })
    }

    public func existingIDs(writtenSince since: Date) throws -> Set<String> {
        common(try sinks.map { try $0.existingIDs(writtenSince: since) })
    }

    private func common(_ sets: [Set<String>]) -> Set<String> {
        held.withLock { $0 = sets }
        guard var all = sets.first else { return [] }
        for s in sets.dropFirst() { all.formIntersection(s) }
        return all
    }

    public func close() throws {
        var first: (any Error)?
        for sink in sinks {
            do { try sink.close() } catch { if first == nil { first = error } }
        }
        if let first { throw first }
    }

    public var commitStartedAt: UInt64? { sinks.compactMap(\.commitStartedAt).min() }
    public var writeProblem: String? { sinks.lazy.compactMap(\.writeProblem).first }
}

/// The builder of a `FanOutSink`: the listed sinks' builders, in order.
public struct FanOutSinkBuilder: SinkBuilder {
    public let parts: [(name: String, builder: any SinkBuilder)]

    public func build(_ context: SinkContext) throws -> any RecordSink {
        var built: [any RecordSink] = []
        do {
            for part in parts { built.append(try part.builder.build(context)) }
        } catch {
            for sink in built { try? sink.close() }
            throw error
        }
        return FanOutSink(built)
    }

    public var writes: [WrittenPath] { parts.flatMap(\.builder.writes) }
    public var summary: String { parts.map(\.builder.summary).joined(separator: " + ") }
    /// The sinks' start-up fields, the first sink's where two name the same field (`records`, the
    /// JSON Lines file that `tail --records` and `search` read, is the first listed).
    public var startupMetadata: Logger.Metadata {
        var meta: Logger.Metadata = ["sinks": .array(parts.map { .string($0.name) })]
        for part in parts { meta.merge(part.builder.startupMetadata) { first, _ in first } }
        return meta
    }
}
