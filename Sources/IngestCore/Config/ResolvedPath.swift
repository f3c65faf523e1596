import Foundation

/// A path as the kernel will find it: symbolic links resolved in its deepest part that exists,
/// the rest appended as written. Comparing these, not the text, tells whether one configured
/// folder lies inside another even when a link leads there (`records -> inbox/records`).
enum ResolvedPath {
    static func of(_ url: URL) -> String {
        var existing = url.standardizedFileURL
        var rest: [String] = []
        while existing.path != "/" {
            if let real = realpath(existing.path, nil) {
                defer { free(real) }
                let base = String(cString: real)
                return rest.isEmpty ? base : (base == "/" ? "" : base) + "/" + rest.reversed().joined(separator: "/")
            }
            rest.append(existing.lastPathComponent)
            existing.deleteLastPathComponent()
        }
        return "/" + rest.reversed().joined(separator: "/")
    }

    /// Whether `path` is `folder` itself or lies below it.
    static func isWithin(_ path: URL, _ folder: URL) -> (inside: Bool, same: Bool) {
        let p = of(path), f = of(folder)
        return (p == f || p.hasPrefix(f == "/" ? "/" : f + "/"), p == f)
    }
}
