import Glibc

/// Removes an entry of an open folder, and a folder's content before the folder, by descriptor
/// and by the name's bytes. A link is removed, never followed; a folder swapped for a link while
/// it is being emptied is not entered (`O_NOFOLLOW`), so nothing outside it is ever removed. A
/// folder rejected whole holds what an inbox writer put there: removing it by path could be led
/// anywhere the daemon may write.
enum TreeRemoval {
    /// Nesting beyond this is left in place (and reported as not removed) rather than recursed into.
    static let maxDepth = 64

    /// Whether `name` (in the folder open as `parent`) is gone.
    static func remove(_ name: [UInt8], in parent: Int32, depth: Int = 0) -> Bool {
        let cName = name.map { CChar(bitPattern: $0) } + [0]
        if unlinkat(parent, cName, 0) == 0 { return true }
        // Linux answers EISDIR for a folder; anything else (gone, no permission) is final.
        guard errno == EISDIR, depth < maxDepth else { return false }
        let fd = openat(parent, cName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        guard let dir = fdopendir(fd) else {
            close(fd)
            return false
        }
        var children: [[UInt8]] = []
        while let entry = readdir(dir) {
            let child = EntryName(direntName: entry).bytes
            if child != [0x2E], child != [0x2E, 0x2E] { children.append(child) }
        }
        var emptied = true
        for child in children where !remove(child, in: fd, depth: depth + 1) { emptied = false }
        closedir(dir)
        return emptied && unlinkat(parent, cName, AT_REMOVEDIR) == 0
    }
}
