import Foundation

/// A value guarded by a lock.
///
/// Used instead of the standard library's `Mutex`: on Linux that one is built on raw futex
/// calls the thread sanitizer cannot see, so every access looked like a race and real races
/// would hide among them. NSLock is a pthread mutex, which the sanitizer understands.
public final class Locked<Value>: @unchecked Sendable {
    // The lock is declared first on purpose: with `Value == Void` a zero-sized `value` placed
    // first shares its address with the next field, and the sanitizer then reports reads of
    // `lock` as racing with writes of `value`.
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    @discardableResult
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
