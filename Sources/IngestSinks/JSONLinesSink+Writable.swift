import Foundation
import Glibc

extension JSONLinesSink {
    /// What `/ready` says of the records file: its folder must accept new files (a rotation
    /// creates one) and its file system must have room. Checked on demand, never per record.
    public var writeProblem: String? {
        guard let path else { return nil }  // stdout: nothing to check before the write itself
        let folder = path.deletingLastPathComponent().path
        if access(folder, W_OK) != 0 {
            return "cannot write in \(folder): \(String(cString: strerror(errno)))"
        }
        var fs = statvfs()
        if statvfs(folder, &fs) == 0, fs.f_bavail == 0 {
            return "no space left on the file system of \(folder)"
        }
        return nil
    }
}
