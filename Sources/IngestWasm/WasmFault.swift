import IngestCore
import WasmKit

/// How one call into a module went wrong. Each case is a distinct rejection code, and each
/// means the instance is no longer trusted (its memory may be half-written): it is discarded.
enum WasmFault: Error {
    case trap(String)
    case fuel
    case memory(String)
    case protocolFault(String, evidence: String?)

    /// Sorts what WasmKit threw. WasmKit 0.4.2 keeps a trap's reason `package`-internal, so
    /// running out of fuel is recognised by its description ("out of fuel"), the one spelling
    /// WasmKit gives that reason.
    init(_ error: any Error) {
        if let cap = error as? MemoryCapExceeded {
            self = .memory(cap.description)
            return
        }
        let text: String
        if let trap = error as? Trap {
            text = trap.description
        } else {
            text = String(describing: error)
        }
        let reason = Self.firstLine(text.hasPrefix("Trap: ") ? String(text.dropFirst(6)) : text)
        if reason == "out of fuel" {
            self = .fuel
        } else {
            self = .trap(reason)
        }
    }

    private static func firstLine(_ text: String) -> String {
        text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? text
    }

    var message: String {
        switch self {
        case .trap(let reason): return "the module trapped: \(reason)"
        case .fuel: return "the module used up its fuel (the instruction budget of one call)"
        case .memory(let reason): return reason
        case .protocolFault(let reason, _): return reason
        }
    }

    func rejection(stage: String, fuel: UInt64) -> Rejection {
        switch self {
        case .trap: return Rejection(.pluginTrap, message, stage: stage)
        case .fuel: return Rejection(.pluginFuel, "the module used up its fuel (\(fuel) units for one document)", stage: stage)
        case .memory: return Rejection(.pluginMemory, message, stage: stage)
        case .protocolFault(_, let evidence): return Rejection(.pluginProtocol, message, stage: stage, evidence: evidence)
        }
    }
}

/// At most 1 KiB of what the plugin answered, for `Rejection.evidence`.
func evidence(_ bytes: [UInt8]) -> String {
    let limit = 1024
    var text = String(decoding: bytes.prefix(limit), as: UTF8.self)
    // Invalid bytes decode to U+FFFD (three bytes each), so the decoded text can outgrow the limit.
    while text.utf8.count > limit { text.removeLast() }
    return text
}
