import Dispatch
import IngestCore

/// Where each document in flight is and since when: what the watchdog reads to tell a busy
/// pipeline from a wedged one. One slot per document in flight, allocated up front
/// (`max_in_flight` of them), so noting a document's move costs a lock and no allocation.
final class StageClock: Sendable {
    struct Slot {
        /// The document's id once it is read; its claim's name before.
        var doc: String
        var path: String
        var stage: String
        /// `DispatchTime.uptimeNanoseconds` when the document entered `stage`.
        var since: UInt64
    }

    /// The document that has been longest in one stage.
    struct Oldest: Sendable {
        var doc: String
        var path: String
        var stage: String
        var since: UInt64
    }

    private struct Table {
        var slots: [Slot?]
        var free: [Int]
    }
    private let table: Locked<Table>

    init(capacity: Int) {
        table = Locked(Table(slots: Array(repeating: nil, count: capacity), free: Array((0..<capacity).reversed())))
    }

    /// A slot for a document just claimed. The source never claims more than `max_in_flight`,
    /// but a slot is added rather than trusted to that.
    func enter(doc: String, path: String, stage: String) -> Int {
        let now = DispatchTime.now().uptimeNanoseconds
        return table.withLock { t in
            let i: Int
            if let f = t.free.popLast() { i = f } else { i = t.slots.count; t.slots.append(nil) }
            t.slots[i] = Slot(doc: doc, path: path, stage: stage, since: now)
            return i
        }
    }

    func move(_ slot: Int, to stage: String, doc: String? = nil) {
        let now = DispatchTime.now().uptimeNanoseconds
        table.withLock { t in
            t.slots[slot]?.stage = stage
            t.slots[slot]?.since = now
            if let doc { t.slots[slot]?.doc = doc }
        }
    }

    func leave(_ slot: Int) {
        table.withLock { t in
            t.slots[slot] = nil
            t.free.append(slot)
        }
    }

    var oldest: Oldest? {
        table.withLock { t in
            var best: Slot?
            for case let s? in t.slots where best == nil || s.since < best!.since { best = s }
            return best.map { Oldest(doc: $0.doc, path: $0.path, stage: $0.stage, since: $0.since) }
        }
    }
}
