import Foundation
import IngestCore
import Logging

/// Where inputs go once their outcome is final, every source alike.
enum SettledInputs {
    /// A rejected input: into `folder` under its own name when free, beside `NAME.error.json`
    /// saying why (reason code, message, stage, time, original name, URL).
    static func moveToFailed(_ claim: Claim, _ rejection: Rejection, into folder: URL, logger: Logger) {
        let target = freeName(in: folder, for: claim)
        let sidecar = URL(fileURLWithPath: target.path + ".error.json")
        var fields: [(String, JSONValue)] = [
            ("reason", .string(rejection.code.rawValue)),
            ("message", .string(rejection.message)),
            ("stage", .string(rejection.stage)),
            ("time", .string(Timestamp.rfc3339(Date()))),
            ("file", .string(claim.name)),
        ]
        if let web = claim.web { fields.append(("url", .string(web.url))) }
        let body = JSONValue.object(fields).serialized() + "\n"
        // The sidecar first: a file in failed/ always has its reason next to it.
        if !FileManager.default.createFile(atPath: sidecar.path, contents: Data(body.utf8)) {
            logger.error("cannot write error sidecar", metadata: ["path": .string(sidecar.path)])
        }
        if rename(claim.path.path, target.path) != 0 {
            logger.error("cannot move rejected file to failed/",
                         metadata: ["path": .string(claim.path.path), "reason": .string(String(cString: strerror(errno)))])
        }
    }

    /// `FOLDER/NAME`, or `FOLDER/STAMP-NAME` when a file of that name is already there.
    static func freeName(in folder: URL, for claim: Claim) -> URL {
        let plain = folder.appendingPathComponent(claim.name)
        var st = stat()
        return lstat(plain.path, &st) == 0 ? folder.appendingPathComponent(claim.claimName) : plain
    }
}
