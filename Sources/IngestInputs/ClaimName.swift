import Foundation
import Glibc
import IngestCore

/// The name a claimed file has in `processing/`: a claim stamp, a dash, and the file's own
/// name, so `ls processing/` says what is in flight and the stamp keeps claims of equal names
/// apart. The original name is recovered from it after a restart.
///
/// When the original cannot be carried in the claim name as it is (not UTF-8, or too long
/// once the stamp is in front), the claim name holds a readable, shortened stand-in and the
/// exact bytes go to a hidden `.STAMP.name` file beside it, written before the claim, so
/// recovery after a crash still knows the real name.
struct ClaimName {
    let claimName: String
    /// Whether `claimName` carries the original name exactly (no `.STAMP.name` file needed).
    let exact: Bool

    init(stamp: String, name: EntryName) {
        let room = maxSettledNameBytes - stamp.utf8.count - 1
        if name.isUTF8, name.bytes.count <= room {
            claimName = "\(stamp)-\(name.display)"
            exact = true
        } else {
            claimName = "\(stamp)-\(Self.standIn(for: name, room: room))"
            exact = false
        }
    }

    /// The name with U+FFFD for bytes that are not UTF-8, cut on a character boundary to fit,
    /// keeping a short extension (`.html`) because people and tools read it.
    static func standIn(for name: EntryName, room: Int) -> String {
        let readable = name.display.replacingOccurrences(of: "/", with: "_")
        guard readable.utf8.count > room else { return readable }
        var ext = ""
        if let dot = readable.lastIndex(of: "."), readable[dot...].utf8.count <= 16 {
            ext = String(readable[dot...])
        }
        let marker = "…"
        var stem = ""
        let limit = room - ext.utf8.count - marker.utf8.count
        // By bytes, whole characters only: one character may be many bytes (combining marks).
        for ch in readable.dropLast(ext.count) {
            if stem.utf8.count + String(ch).utf8.count > limit { break }
            stem.append(ch)
        }
        return stem + marker + ext
    }

    static func sidecarName(stamp: String) -> String { ".\(stamp).name" }

    static func stamp(of claimName: String) -> String? {
        let parts = claimName.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 16, parts[0].allSatisfy(\.isHexDigit) else { return nil }
        return String(parts[0])
    }

    /// The original name of a claim found in `processing/`.
    static func original(of claimName: String, in processing: URL) -> EntryName {
        guard let stamp = stamp(of: claimName) else { return EntryName(claimName) }
        let sidecar = processing.appendingPathComponent(sidecarName(stamp: stamp))
        if let data = FileManager.default.contents(atPath: sidecar.path), !data.isEmpty {
            return EntryName(Array(data))
        }
        return EntryName(String(claimName.dropFirst(stamp.count + 1)))
    }

    /// Writes the exact name beside the claim-to-be. Not fsynced: after a power cut the worst
    /// case is the stand-in name in `done/`, never a lost input.
    static func writeSidecar(stamp: String, name: EntryName, in processing: URL) throws {
        try FileIO.writeFile(name.bytes, at: processing.appendingPathComponent(sidecarName(stamp: stamp)).path, mode: 0o600)
    }

    /// Whether the claim name ends in the exact original name (so there is no sidecar).
    static func carriesExactly(_ claim: Claim) -> Bool {
        guard let stamp = stamp(of: claim.claimName) else { return true }
        return claim.claimName.utf8.dropFirst(stamp.utf8.count + 1).elementsEqual(claim.nameBytes)
    }

    static func removeSidecar(of claimName: String, in processing: URL) {
        guard let stamp = stamp(of: claimName) else { return }
        unlink(processing.appendingPathComponent(sidecarName(stamp: stamp)).path)
    }
}
