import Glibc

/// Hands back to the kernel the memory of a large buffer's bytes that are never read again.
enum PageDiscard {
    /// Zero-fills whole pages between `from` and `to` of bytes never read again (MADV_DONTNEED on
    /// private memory reads back as zeros): their memory is freed now rather than with the buffer.
    static func discard(_ buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) {
        guard let base = buf.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: base) + from + page - 1) / page * page
        let end = (Int(bitPattern: base) + to) / page * page
        guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(pointer, end - start, MADV_DONTNEED)
    }
}
