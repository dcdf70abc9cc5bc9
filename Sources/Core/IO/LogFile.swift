// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// An append-only line log: a file opened with O_APPEND (mode 0600), or standard output. Each `write` is one
/// `write(2)` call when the kernel takes it whole, so lines of one process never interleave.
public final class LogFile {
    private let fd: Int32
    private let owned: Bool
    public let label: String

    /// Standard output.
    public init() {
        fd = 1
        owned = false
        label = "standard output"
    }

    /// A log that keeps nothing (tests, fuzzing).
    public init(discarding: ()) {
        fd = -1
        owned = false
        label = "nowhere"
    }

    public init(path: String) throws(WIFError) {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if fd < 0 { throw WIFError(.outputFailed, "\(path): cannot open for appending: \(String(cString: strerror(errno)))") }
        owned = true
        label = path
    }

    deinit { if owned { close(fd) } }

    public func write(_ bytes: [UInt8]) throws(WIFError) {
        guard fd >= 0 else { return }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, bytes.count - off) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw WIFError(.outputFailed, "\(label): \(String(cString: strerror(errno)))") }
            off += n
        }
    }
}

/// Process-level helpers a long-running command needs.
public enum ProcessControl {
    /// Ignores SIGINT and SIGTERM's default action, so a dispatch signal source can handle them instead.
    public static func ignoreTerminationSignals() {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
    }

    /// Wall-clock time in milliseconds since the epoch.
    public static func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// RFC 3339 UTC with milliseconds, e.g. `2026-01-02T03:10:00.123Z`.
    public static func formatMillis(_ ms: Int64) -> String {
        var stamp = MillisStamp()
        return stamp.format(ms)
    }

    /// `formatMillis` that remembers the whole-second part: a server stamps thousands of events a second, and the
    /// calendar arithmetic was 13k instructions a request (issue 13).
    public struct MillisStamp {
        private var second = Int64.min
        private var prefix: [UInt8] = []

        public init() {}

        public mutating func format(_ ms: Int64) -> String {
            let sec = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
            if sec != second {
                second = sec
                prefix = Array(NumericDate.formatRFC3339(sec).utf8.dropLast())
            }
            let frac = Int(ms - sec * 1000)
            var out = prefix
            out.append(UInt8(ascii: "."))
            out.append(UInt8(ascii: "0") + UInt8(frac / 100))
            out.append(UInt8(ascii: "0") + UInt8(frac / 10 % 10))
            out.append(UInt8(ascii: "0") + UInt8(frac % 10))
            out.append(UInt8(ascii: "Z"))
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Replaces this process with the executable `name` found next to this one (`/proc/self/exe`), else on
    /// PATH, with `arguments` as its argv (argv[0] first): how `wif-verify serve` runs `wif-serve`.
    public static func execSibling(_ name: String, arguments: [String]) throws(WIFError) -> Never {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        var candidates: [String] = []
        if n > 0 {
            let exe = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let slash = exe.lastIndex(of: "/") { candidates.append(String(exe[...slash]) + name) }
        }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        for c in candidates where access(c, X_OK) == 0 { execv(c, &argv) }
        execvp(name, &argv)
        let e = errno
        throw WIFError(.inputUnreadable, "cannot run \(name): \(String(cString: strerror(e))) (looked next to this program and on PATH)",
                       hint: "install \(name) beside wif-verify (make install does)")
    }
}
