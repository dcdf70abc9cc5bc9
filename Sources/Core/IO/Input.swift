// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading input: a path or `-` for standard input, never more than a bound.
///
/// Rules: at most `limit` bytes are read (one more byte tells that the input is larger, and reading stops);
/// directories and unreadable paths are errors naming the path; the message never quotes file contents.
public enum Input {
    public static let defaultLimit = 1 << 20

    /// The display name of a path argument.
    public static func label(_ path: String) -> String { path == "-" ? "standard input" : path }

    /// Reads all of `path` (or stdin for `-`), failing when it is larger than `limit`.
    public static func read(_ path: String, limit: Int = defaultLimit, what: String? = nil) throws(WIFError) -> [UInt8] {
        let name = what ?? label(path)
        let fd: Int32
        if path == "-" {
            fd = 0
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { throw WIFError(.inputUnreadable, "\(name): \(String(cString: strerror(errno)))") }
        }
        defer { if fd != 0 { close(fd) } }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            throw WIFError(.inputUnreadable, "\(name): is a directory")
        }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while out.count <= limit {
            let want = min(chunk.count, limit + 1 - out.count)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, want) }
            if n < 0 {
                if errno == EINTR { continue }
                throw WIFError(.inputUnreadable, "\(name): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        if out.count > limit { throw WIFError(.inputTooLarge, "\(name): larger than \(limit) bytes") }
        return out
    }

    /// Whether `path` names an existing regular file (for hints only; never used to decide what a token is).
    public static func isReadableFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Standard input can be read once: at most one of `arguments` (nil: not given) may be `-`.
    public static func requireStandardInputOnce(_ arguments: [String?], _ why: String) throws(WIFError) {
        guard arguments.filter({ $0 == "-" }).count > 1 else { return }
        throw WIFError(.usage, "standard input (-) can be read only once: \(why)",
                       hint: "give all but one of them as files")
    }

    /// Whether something exists at `path` (a file, a directory, a device: anything `stat(2)` finds).
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// Where an argument that takes a token comes from (wif(7), TOKEN ARGUMENTS), the same in every tool:
    /// 1. `-` is standard input;
    /// 2. a path where something exists is read as a file, whatever its name;
    /// 3. otherwise an argument of compact JWS/JWE shape (`CompactJWS.hasCompactShape`) is the token itself;
    /// 4. anything else could not be judged (exit 2): a file name is never judged or sent as a token.
    public enum TokenArgument: Equatable, Sendable {
        case standardInput
        case file(String)
        case literal(String)
    }

    public static func tokenArgument(_ arg: String, what: String = "the token") throws(WIFError) -> TokenArgument {
        if arg == "-" { return .standardInput }
        if exists(arg) { return .file(arg) }
        if CompactJWS.hasCompactShape(arg.utf8) { return .literal(arg) }
        throw WIFError(.inputUnreadable,
                       "\(what) \"\(JSON.escapedForMessage(arg))\" is neither an existing file nor a compact token",
                       hint: "give a file, - for standard input, or the token itself (header.payload.signature)")
    }

    /// The bytes of a token argument (`tokenArgument`), surrounding whitespace trimmed, at most `limit` bytes.
    /// Empty input is `input_empty` (exit 2): an empty token usually means an earlier pipeline step failed,
    /// and must never read as a rejection. Input over the limit is `malformed` (a rejected token).
    public static func token(_ arg: String, limit: Int, what: String = "the token") throws(WIFError) -> [UInt8] {
        let path: String
        switch try tokenArgument(arg, what: what) {
        case .literal(let t): return Array(t.utf8)
        case .standardInput: path = "-"
        case .file(let p): path = p
        }
        let bytes: [UInt8]
        do {
            bytes = try readTrimmed(path, limit: limit + 2, what: path == "-" ? "standard input (\(what))" : path)
        } catch where error.reason == .inputTooLarge {
            throw WIFError(.malformed, "\(what) is longer than the limit of \(limit) bytes")
        }
        guard !bytes.isEmpty else { throw emptyInput(path, what: what) }
        return bytes
    }

    /// The error for input that holds nothing to judge.
    public static func emptyInput(_ path: String, what: String) -> WIFError {
        WIFError(.inputEmpty, "\(label(path)) is empty: there is no \(what.hasPrefix("the ") ? String(what.dropFirst(4)) : what) to judge",
                 hint: path == "-" ? "an earlier step of the pipeline may have failed (set -o pipefail)" : nil)
    }

    /// A warning when a private key file can be read by its group or by others, or nil.
    /// wif warns rather than refuses (keys made by other tools often follow the umask); see SECURITY.md.
    public static func keyFileWarning(_ path: String, what: String = "private key file") -> String? {
        guard path != "-" else { return nil }
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & 0o077 != 0 else { return nil }
        let mode = String(st.st_mode & 0o777, radix: 8)
        return "warning: \(what) \(path) has mode \(mode), readable by group or others (chmod 600 \(path))"
    }

    /// Reads `path` as text with surrounding whitespace trimmed (for tokens and single values).
    public static func readTrimmed(_ path: String, limit: Int = defaultLimit, what: String? = nil) throws(WIFError) -> [UInt8] {
        let b = try read(path, limit: limit, what: what)
        return trim(b)
    }

    public static func trim(_ b: [UInt8]) -> [UInt8] {
        func ws(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
        guard let s = b.firstIndex(where: { !ws($0) }), let e = b.lastIndex(where: { !ws($0) }) else { return [] }
        return Array(b[s...e])
    }
}

@inline(__always) func readFD(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { Glibc.read(fd, p, n) }
@inline(__always) func errnoValue() -> Int32 { errno }
