import Foundation
import IngestCore

/// What `ingestd status` shows: written to `STATE/status.json` every few seconds and at stop,
/// and served at `/status`. Versioned like the record: a reader refuses a format it does not know.
public struct StatusSnapshot: Codable, Sendable, Equatable {
    public static let format = "ingestd.status/1"

    public struct Counts: Codable, Sendable, Equatable {
        public var received: Int
        public var recorded: Int
        public var dropped: Int
        public var rejected: Int
        public var recordsBytes: Int
        enum CodingKeys: String, CodingKey {
            case received, recorded, dropped, rejected
            case recordsBytes = "records_bytes"
        }
    }

    public struct Rates: Codable, Sendable, Equatable {
        /// Documents settled (recorded, dropped or rejected) per second since the previous snapshot.
        public var docsPerSecond: Double
        public var recordsPerSecond: Double
        enum CodingKeys: String, CodingKey {
            case docsPerSecond = "docs_per_s", recordsPerSecond = "records_per_s"
        }
    }

    public struct StageStatus: Codable, Sendable, Equatable {
        public var name: String
        /// `ready`, `degraded` or `down`.
        public var health: String
        public var detail: String?
    }

    public var format = StatusSnapshot.format
    public var pipeline: String
    public var pid: Int32
    public var version: String
    public var startedAt: Date
    public var writtenAt: Date
    /// False in the snapshot written at stop.
    public var running: Bool
    public var counts: Counts
    public var rates: Rates
    public var queued: Int
    public var inFlight: Int
    public var maxInFlight: Int
    public var stages: [StageStatus]
    public var sources: [SourceHealth]
    /// Where `/metrics` is served, when it is.
    public var metrics: String?

    enum CodingKeys: String, CodingKey {
        case format, pipeline, pid, version, running, counts, rates, queued, stages, sources, metrics
        case startedAt = "started_at", writtenAt = "written_at", inFlight = "in_flight", maxInFlight = "max_in_flight"
    }

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(Timestamp.rfc3339(date))
        }
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        d.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            guard let date = iso.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an RFC 3339 time: \(text)")
            }
            return date
        }
        return d
    }

    public func json() throws -> [UInt8] { Array(try Self.encoder().encode(self)) }

    /// Parses a status file or `/status` answer, refusing another format.
    public static func parse(_ bytes: [UInt8], from origin: String) throws -> StatusSnapshot {
        let snapshot: StatusSnapshot
        do {
            snapshot = try decoder().decode(StatusSnapshot.self, from: Data(bytes))
        } catch {
            throw StatusError(message: "\(origin) is not an ingestd status (\(error))")
        }
        guard snapshot.format == format else {
            throw StatusError(message: "\(origin) has format \(snapshot.format); this ingestd reads \(format)")
        }
        return snapshot
    }
}

public struct StatusError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
