// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Writing files: atomically, with mode 0600 for anything that may hold a secret.
///
/// Rules: the target is a regular file or a new path; a symbolic link, directory, device, FIFO or socket there is
/// refused (exit 2, naming it) and left as it is, since replacing it would turn `/dev/null` or a link to
/// `/proc/self/fd/1` into a key file; the temporary file is created beside the target with
/// `O_CREAT | O_EXCL | O_NOFOLLOW` (never an existing file, never through a link), written, flushed with
/// `fsync(2)` and renamed over the target.
public enum Output {
    /// What a non-regular file at a path is, for messages ("a symbolic link"), or nil for a regular file.
    public static func kindName(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFLNK: return "a symbolic link"
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// Writes `bytes` to `path` through a temporary file in the same folder and `rename(2)`, mode `mode`.
    /// Returns the status of the file written. Its inode, size and times do not identify its content: an inode
    /// number is reused once freed, and two writes within one timer tick can share an mtime.
    @discardableResult
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(WIFError) -> stat {
        var st = stat()
        if lstat(path, &st) == 0, let kind = kindName(st.st_mode) {
            throw WIFError(.outputFailed, "\(path): is \(kind); wif writes only to a regular file or a new path")
        }
        let dir: String
        let base: String
        if let slash = path.lastIndex(of: "/") {
            dir = String(path[..<slash].isEmpty ? "/" : path[..<slash])
            base = String(path[path.index(after: slash)...])
        } else {
            dir = "."
            base = path
        }
        var fd: Int32 = -1
        var tmp = ""
        var err: Int32 = 0
        for _ in 0..<8 {
            let suffix = ((try? Random.bytes(6)) ?? []).map { String($0, radix: 16) }.joined()
            tmp = "\(dir)/.\(base.prefix(64)).wif-\(suffix)"
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            err = errno
            if fd >= 0 || err != EEXIST { break }
        }
        if fd < 0 { throw WIFError(.outputFailed, "\(path): cannot create a file in \(dir): \(String(cString: strerror(err)))") }
        var ok = fchmod(fd, mode) == 0
        var off = 0
        while ok && off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, bytes.count - off) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { ok = false; break }
            off += n
        }
        err = errno
        if ok && fsync(fd) != 0 { ok = false; err = errno }
        var written = stat()
        if ok && fstat(fd, &written) != 0 { ok = false; err = errno }
        close(fd)
        if ok && rename(tmp, path) != 0 { ok = false; err = errno }
        if !ok {
            let e = err
            unlink(tmp)
            throw WIFError(.outputFailed, "\(path): cannot write: \(String(cString: strerror(e)))")
        }
        return written
    }
}
