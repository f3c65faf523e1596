import WasmKit

/// Enforces `max_memory` on one instance's linear memory.
///
/// It throws rather than answering `false`: a refused `memory.grow` would hand the guest -1,
/// and a C plugin's allocator typically goes on to write through a null pointer and answer
/// garbage, which would be reported as a protocol fault. Throwing ends the call at the growth
/// that crossed the line, so the rejection says `plugin_memory` and names the size asked for.
final class MemoryCap: ResourceLimiter {
    let maxBytes: Int

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        if desired > maxBytes { throw MemoryCapExceeded(desired: desired, maxBytes: maxBytes) }
        return true
    }

    // Tables hold function references only; a runaway `table.grow` is bounded the same way,
    // one entry counting as a pointer's worth of bytes.
    func limitTableGrowth(to desired: Int) throws -> Bool {
        if desired.multipliedReportingOverflow(by: 8).overflow || desired * 8 > maxBytes {
            throw MemoryCapExceeded(desired: desired, maxBytes: maxBytes)
        }
        return true
    }
}

struct MemoryCapExceeded: Error, CustomStringConvertible {
    let desired: Int
    let maxBytes: Int
    var description: String { "the module asked for \(desired) bytes of memory, above max_memory (\(maxBytes) bytes)" }
}
