import Foundation
import IngestCore

/// `records/manifest.json`: the closed segments a downstream reader may take, oldest first.
/// A segment is listed only once it is complete as stored (compressed, fsynced, renamed into
/// place), so a reader that follows the manifest never reads a file still being written; the
/// live file is named but never listed. The format is a contract (docs/record.md).
struct RecordsManifest: Equatable {
    static let version = 1
    static let fileName = "manifest.json"

    struct Entry: Equatable {
        var file: String
        var first: String?
        var last: String?
        var count: Int
        var bytes: Int
        var sha256: String
        var compression: SegmentCompression
    }

    var live: String
    var segments: [Entry] = []

    /// One segment a line, so `cat` and a diff read it as well as `jq` does.
    func serialized() -> [UInt8] {
        var out = Array(#"{"version":\#(Self.version),"live":"#.utf8)
        JSONValue.string(live).write(into: &out)
        out.append(contentsOf: Array(#","segments":["#.utf8))
        for (i, e) in segments.enumerated() {
            out.append(contentsOf: Array((i == 0 ? "\n" : ",\n").utf8))
            JSONValue.object([
                ("file", .string(e.file)), ("first", .string(e.first)), ("last", .string(e.last)),
                ("count", .int(e.count)), ("bytes", .int(e.bytes)), ("sha256", .string(e.sha256)),
                ("compression", .string(e.compression.rawValue)),
            ]).write(into: &out)
        }
        out.append(contentsOf: Array((segments.isEmpty ? "]}\n" : "\n]}\n").utf8))
        return out
    }

    /// The manifest in `folder`; nil when there is none yet.
    static func load(from folder: URL) throws -> RecordsManifest? {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let value = try JSONParser.parse(try FileIO.read(url))
        guard case .int(let version)? = value.member("version"), version == Self.version,
              let live = value.member("live")?.stringValue, let list = value.member("segments")?.arrayValue else {
            throw ManifestUnreadable(path: url.path, reason: "not an ingestd records manifest of version \(Self.version)")
        }
        var manifest = RecordsManifest(live: live)
        for item in list {
            guard let file = item.member("file")?.stringValue, case .int(let count)? = item.member("count"),
                  case .int(let bytes)? = item.member("bytes"), let sha = item.member("sha256")?.stringValue,
                  let compression = item.member("compression")?.stringValue.flatMap(SegmentCompression.init(rawValue:)) else {
                throw ManifestUnreadable(path: url.path, reason: "a segment entry lacks file, count, bytes, sha256 or compression")
            }
            manifest.segments.append(Entry(file: file, first: item.member("first")?.stringValue, last: item.member("last")?.stringValue,
                                           count: count, bytes: bytes, sha256: sha, compression: compression))
        }
        return manifest
    }

    /// Written to `manifest.json.tmp`, fsynced, renamed over the old one, the folder fsynced:
    /// a crash leaves the old manifest or the new one, whole.
    func save(in folder: URL) throws {
        try FileIO.replaceAtomically(folder.appendingPathComponent(Self.fileName), with: serialized())
    }
}

/// `manifest.json` exists but cannot be read; it is rebuilt from the segments on disk.
struct ManifestUnreadable: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "\(path): \(reason)" }
}
