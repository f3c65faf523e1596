import Foundation

/// A value guarded by a lock.
///
/// Used instead of the standard library's `Mutex`: on Linux that one is built on raw futex
/// calls the thread sanitizer cannot see, so every access looked like a race and real races
/// would hide among them. NSLock is a pthread mutex, which the sanitizer understands.
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    public init(_ value: Value) { self.value = value }

    @discardableResult
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
