import Foundation
import IngestCore
import Logging

/// Where inputs go once their outcome is final, every source alike.
enum SettledInputs {
    /// A rejected input: into `folder` under its own name when free, beside `NAME.error.json`
    /// saying why (reason code, message, stage, time, original name, URL).
    static func moveToFailed(_ claim: Claim, _ rejection: Rejection, into folder: URL, logger: Logger) {
        let target = freeName(in: folder, for: claim, room: maxSettledNameBytes)
        var fields: [(String, JSONValue)] = [
            ("reason", .string(rejection.code.rawValue)),
            ("message", .string(rejection.message)),
            ("stage", .string(rejection.stage)),
            ("time", .string(Timestamp.rfc3339(Date()))),
            ("file", .string(claim.name)),
        ]
        if !claim.nameIsUTF8 {
            fields.append(("file_base64", .string(Data(claim.nameBytes).base64EncodedString())))
        }
        if let web = claim.web { fields.append(("url", .string(web.url))) }
        if let evidence = rejection.evidence { fields.append(("evidence", .string(evidence))) }
        let body = Array((JSONValue.object(fields).serialized() + "\n").utf8)
        // The sidecar first: a file in failed/ always has its reason next to it.
        let sidecar = EntryName(target.bytes + Array(".error.json".utf8))
        if (try? FileIO.writeFile(body, at: sidecar.path(in: folder), mode: 0o644)) == nil {
            logger.error("cannot write error sidecar", metadata: ["path": .string(folder.path + "/" + sidecar.display),
                                                                  "reason": .string(String(cString: strerror(errno)))])
        }
        if rename(claim.path.path, target.path(in: folder)) != 0 {
            logger.error("cannot move rejected file to failed/",
                         metadata: ["path": .string(claim.path.path), "reason": .string(String(cString: strerror(errno)))])
        }
    }

    /// An input whose record is durable (or that a stage dropped): into `folder`.
    static func moveToDone(_ claim: Claim, into folder: URL, logger: Logger) {
        if rename(claim.path.path, freeName(in: folder, for: claim, room: 255).path(in: folder)) != 0 {
            logger.error("cannot move processed file to done/",
                         metadata: ["path": .string(claim.path.path), "reason": .string(String(cString: strerror(errno)))])
        }
    }

    /// The input's own name when it is free and no longer than `room` (`failed/` keeps room
    /// for `.error.json`), otherwise its claim name (unique, and always short enough).
    static func freeName(in folder: URL, for claim: Claim, room: Int) -> EntryName {
        let plain = EntryName(claim.nameBytes)
        guard plain.bytes.count <= room, !plain.bytes.isEmpty else { return EntryName(claim.claimName) }
        var st = stat()
        return lstat(plain.path(in: folder), &st) == 0 ? EntryName(claim.claimName) : plain
    }
}
