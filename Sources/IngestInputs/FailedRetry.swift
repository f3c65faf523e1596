import Foundation
import IngestCore

/// `ingestd retry`: inputs in `failed/` moved back into the inbox, their `NAME.error.json`
/// removed, so they are ingested again (after a plugin or the pipeline was fixed).
///
/// Safe while the daemon runs: the move is a rename into the watched inbox (seen as any file
/// moved in), and it never replaces a file there: a name already taken gets `.retry-N` before
/// its extension (`story.retry-1.html`), taken atomically (`renameat2` with `RENAME_NOREPLACE`).
/// Links and folders in `failed/` are left there: they were refused for what they are and
/// would be again; nothing is followed.
public enum FailedRetry {
    public struct Moved: Sendable, Equatable {
        public var from: String
        public var to: String
    }

    public struct Skipped: Sendable, Equatable {
        public var name: String
        public var why: String
    }

    public struct Outcome: Sendable, Equatable {
        public var moved: [Moved] = []
        public var skipped: [Skipped] = []
    }

    static let sidecarSuffix = ".error.json"

    /// Moves the inputs of `failed` whose sidecar's `reason` is `reason` (any when nil), or,
    /// when `names` are given, those inputs only (by name in `failed/`; a path's last part).
    public static func run(failed: URL, inbox: URL, reason: String?, names: [String]) throws -> Outcome {
        var outcome = Outcome()
        let candidates: [EntryName]
        if names.isEmpty {
            guard let dir = opendir(failed.path) else { throw POSIXFailure("open \(failed.path)", errno) }
            var all: [EntryName] = []
            while let entry = readdir(dir) {
                let name = EntryName(direntName: entry)
                if name.bytes != [0x2E], name.bytes != [0x2E, 0x2E], !name.display.hasSuffix(sidecarSuffix) { all.append(name) }
            }
            closedir(dir)
            candidates = all.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        } else {
            // `ingestd retry failed/*` names each sidecar beside its input: a sidecar stands for
            // its input, named once, and is never itself moved into the inbox as a document.
            var seen = Set<[UInt8]>()
            var named: [EntryName] = []
            for argument in names {
                let name = EntryName(Array((argument.split(separator: "/").last.map(String.init) ?? argument).utf8))
                let input = inputOfSidecar(name, in: failed) ?? name
                if input != name, !exists(input, in: failed) {
                    outcome.skipped.append(Skipped(name: name.display, why: "an error sidecar whose input \(input.display) is not in \(failed.path)"))
                    continue
                }
                if seen.insert(input.bytes).inserted { named.append(input) }
            }
            candidates = named
        }
        for name in candidates {
            let display = name.display
            var st = stat()
            guard lstat(name.path(in: failed), &st) == 0 else {
                outcome.skipped.append(Skipped(name: display, why: "not in \(failed.path)"))
                continue
            }
            let sidecar = EntryName(name.bytes + Array(sidecarSuffix.utf8))
            let why = Self.sidecar(sidecar.path(in: failed))
            if let reason, why?.reason != reason {
                if !names.isEmpty {
                    outcome.skipped.append(Skipped(name: display, why: "its reason is \(why?.reason ?? "unknown"), not \(reason)"))
                }
                continue
            }
            switch st.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFLNK:
                outcome.skipped.append(Skipped(name: display, why: "a symbolic link; move the file it points at into the inbox"))
                continue
            case S_IFDIR:
                outcome.skipped.append(Skipped(name: display, why: "a folder; move the files inside into the inbox"))
                continue
            default:
                outcome.skipped.append(Skipped(name: display, why: "not a regular file"))
                continue
            }
            if why?.fetched == true {
                outcome.skipped.append(Skipped(name: display, why: "fetched from a URL; it is not a file to drop (fetch it again instead)"))
                continue
            }
            guard let target = try moveNoReplace(name, from: failed, into: inbox) else {
                outcome.skipped.append(Skipped(name: display, why: "no free name in \(inbox.path)"))
                continue
            }
            unlink(sidecar.path(in: failed))
            outcome.moved.append(Moved(from: failed.path + "/" + display, to: inbox.path + "/" + target.display))
        }
        return outcome
    }

    /// The input `name` is the sidecar of (`story.txt` for `story.txt.error.json`); nil when it
    /// is not a sidecar's name, or is an input itself (one with a sidecar of its own).
    static func inputOfSidecar(_ name: EntryName, in failed: URL) -> EntryName? {
        let suffix = Array(sidecarSuffix.utf8)
        guard name.bytes.count > suffix.count, name.bytes.suffix(suffix.count).elementsEqual(suffix),
              !exists(EntryName(name.bytes + suffix), in: failed) else { return nil }
        return EntryName(Array(name.bytes.dropLast(suffix.count)))
    }

    /// Whether `failed` has an entry of that name (a link is not followed).
    static func exists(_ name: EntryName, in failed: URL) -> Bool {
        var st = stat()
        return lstat(name.path(in: failed), &st) == 0
    }

    /// What a sidecar says: the reason code and whether the input was fetched. Nil when it is
    /// missing or unreadable (opened without following a link).
    static func sidecar(_ path: [CChar]) -> (reason: String?, fetched: Bool)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count < 1 << 20 {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        guard let value = try? JSONParser.parse(bytes) else { return nil }
        return (value.member("reason")?.stringValue, value.member("url")?.stringValue != nil)
    }

    /// Renames `name` into `inbox` under its own name, or `stem.retry-N.ext` when taken; nil
    /// when 1000 names are all taken.
    static func moveNoReplace(_ name: EntryName, from failed: URL, into inbox: URL) throws -> EntryName? {
        for n in 0..<1000 {
            let target = n == 0 ? name : retryName(name, n)
            if renameat2(AT_FDCWD, name.path(in: failed), AT_FDCWD, target.path(in: inbox), renameNoReplace) == 0 { return target }
            let e = errno
            if e != EEXIST { throw POSIXFailure("rename \(failed.path)/\(name.display) into \(inbox.path)", e) }
        }
        return nil
    }

    /// `RENAME_NOREPLACE` from <linux/fs.h>.
    static let renameNoReplace: UInt32 = 1

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// glibc's renameat2 (2.28+), which Swift's Glibc module does not declare (it is behind
    /// _GNU_SOURCE), looked up once by name.
    private static let renameat2Function: RenameAt2? = dlsym(nil, "renameat2").map { unsafeBitCast($0, to: RenameAt2.self) }

    private static func renameat2(_ fromDir: Int32, _ from: [CChar], _ toDir: Int32, _ to: [CChar], _ flags: UInt32) -> Int32 {
        guard let f = renameat2Function else {
            errno = ENOSYS
            return -1
        }
        return f(fromDir, from, toDir, to, flags)
    }

    /// `story.html` → `story.retry-2.html`; a name without an extension gets it at the end.
    static func retryName(_ name: EntryName, _ n: Int) -> EntryName {
        let tag = Array(".retry-\(n)".utf8)
        if let dot = name.bytes.lastIndex(of: UInt8(ascii: ".")), dot > 0 {
            return EntryName(Array(name.bytes[..<dot]) + tag + Array(name.bytes[dot...]))
        }
        return EntryName(name.bytes + tag)
    }
}
