/// Cuts a byte stream into `\n`-terminated lines, holding at most `maxLineBytes` of one line:
/// a longer line is reported once (with its first bytes, for evidence) and the rest of it skipped.
struct LineFramer {
    enum Event {
        case line([UInt8])
        case overlong(prefix: [UInt8])
    }

    let maxLineBytes: Int
    private var partial: [UInt8] = []
    private var skipping = false

    init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, _ emit: (Event) -> Void) {
        var start = 0
        while start < chunk.count {
            guard let nl = chunk[start...].firstIndex(of: 0x0A) else {
                append(chunk, start..<chunk.count, emit)
                return
            }
            append(chunk, start..<nl, emit)
            if skipping {
                skipping = false
            } else {
                var line = partial
                partial = []
                if line.last == 0x0D { line.removeLast() }
                emit(.line(line))
            }
            start = nl + 1
        }
    }

    private mutating func append(_ chunk: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ emit: (Event) -> Void) {
        guard !skipping, !range.isEmpty else { return }
        if partial.count + range.count > maxLineBytes {
            let room = max(0, Evidence.limit - partial.count)
            var prefix = Array(partial.prefix(Evidence.limit))
            prefix += chunk[range].prefix(room)
            partial = []
            skipping = true
            emit(.overlong(prefix: prefix))
            return
        }
        partial.append(contentsOf: chunk[range])
    }
}

/// What a rejection quotes of a plugin's output: enough to recognise the line, never megabytes.
enum Evidence {
    static let limit = 1024

    static func text(_ bytes: some Collection<UInt8>) -> String {
        var text = String(decoding: bytes.prefix(limit), as: UTF8.self)
        if bytes.count > limit { text += "… (\(bytes.count) bytes)" }
        return text
    }
}
