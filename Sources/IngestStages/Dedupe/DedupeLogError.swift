import Foundation
import IngestCore

/// Why a dedupe log cannot be opened, naming the file; the daemon puts it after
/// "stage 'dedupe' cannot start:". Damage after a good header is repaired, not thrown: these
/// are the cases where loading or rewriting the file could destroy something that is not ours
/// or that this version does not understand, so the file is left exactly as it was.
struct DedupeLogError: Error, CustomStringConvertible, Sendable {
    enum Reason: Sendable {
        /// Neither the framed header nor a plausible first entry of the old headerless format.
        case notADedupeLog(firstBytes: [UInt8], size: Int)
        /// The magic, then fewer bytes than a header: more than a crash at creation leaves.
        case truncatedHeader
        case unknownVersion(UInt16)
        case wrongKind(found: UInt16, expected: UInt16)
        case io(POSIXFailure)
    }

    var file: URL
    var reason: Reason

    init(_ file: URL, _ reason: Reason) {
        self.file = file
        self.reason = reason
    }

    var description: String {
        let path = file.path
        switch reason {
        case .notADedupeLog(let bytes, let size):
            let hex = bytes.map { String(format: "%02x", $0) }.joined(separator: " ")
            return "\(path) is not an ingestd dedupe log (\(size) bytes starting \(hex)): it has neither the dedupe-log header "
                + "nor an entry of the old headerless format at its start; it was left untouched. Move it out of the state "
                + "folder (the index then starts empty) or restore the right file"
        case .truncatedHeader:
            return "\(path) has a dedupe-log header cut short; it was left untouched. Move it out of the state folder (the index then starts empty)"
        case .unknownVersion(let version):
            return "\(path) is a dedupe log of format version \(version), which this ingestd (format \(FramedLog.version)) cannot read; "
                + "it was left untouched. Run the ingestd that wrote it, or move the file out of the state folder"
        case .wrongKind(let found, let expected):
            func name(_ kind: UInt16) -> String {
                switch FramedLog.Kind(rawValue: kind) {
                case .keys: "text and URL keys"
                case .signatures: "near-duplicate signatures"
                case nil: "an unknown kind (\(kind))"
                }
            }
            return "\(path) holds \(name(found)), not \(name(expected)): a dedupe log copied under the wrong name? It was left untouched"
        case .io(let failure):
            return "\(path): \(failure)"
        }
    }
}
