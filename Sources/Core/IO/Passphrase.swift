// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The passphrase of one run, read once, from the first source that is given, and wiped when released.
///
/// Sources, in order (never the command line, which other users can read in the process list):
/// 1. `--passphrase-file FILE` or `--passphrase-fd N` (not both): the bytes up to end of file, with one
///    trailing newline (`\n` or `\r\n`) removed;
/// 2. the environment variable `WIF_PASSPHRASE`, byte for byte;
/// 3. a prompt on `/dev/tty`, with echo off, only when standard input is a terminal; a new passphrase is
///    asked twice.
/// Otherwise: `passphrase_required`, naming the ways to give one. A passphrase is 1 to `maxLength` bytes, used
/// exactly as given (no Unicode normalization); messages never quote it.
public final class Passphrase: @unchecked Sendable {
    public struct Source: Sendable, Equatable {
        public var file: String?
        public var fd: Int32?
        /// Whether `WIF_PASSPHRASE` is consulted (tests turn it off).
        public var environment: Bool
        /// Whether a terminal prompt is allowed (still only when stdin is a terminal).
        public var prompt: Bool

        public init(file: String? = nil, fd: Int32? = nil, environment: Bool = true, prompt: Bool = true) {
            self.file = file
            self.fd = fd
            self.environment = environment
            self.prompt = prompt
        }
    }

    public static let environmentVariable = "WIF_PASSPHRASE"
    public static let maxLength = 4096
    public static let howToGive = "give --passphrase-file FILE or --passphrase-fd N, or set WIF_PASSPHRASE"

    public let source: Source
    private var cached: SecretBytes?

    /// Checks the source (one of file and fd); nothing is read until a key needs it.
    public init(_ source: Source) throws(WIFError) {
        if source.file != nil && source.fd != nil {
            throw WIFError(.usage, "--passphrase-file and --passphrase-fd cannot be combined")
        }
        if let fd = source.fd, fd < 0 { throw WIFError(.usage, "--passphrase-fd must be a file descriptor number, not \(fd)") }
        self.source = source
    }

    /// A passphrase given directly (tests and library callers).
    public init(_ secret: SecretBytes) {
        source = Source(environment: false, prompt: false)
        cached = secret
    }

    /// Whether standard input (`-`) is also the passphrase source.
    public var readsStandardInput: Bool { source.fd == 0 || source.file == "-" }

    /// The passphrase of `--passphrase-file`/`--passphrase-fd` (or the environment, or a prompt); `stdinUsed` says
    /// standard input already carries other input, so the passphrase may not come from there.
    public static func given(file: String?, fd: Int?, stdinUsed: Bool) throws(WIFError) -> Passphrase {
        let p = try Passphrase(Source(file: file, fd: fd.map { Int32(clamping: $0) }))
        if stdinUsed && p.readsStandardInput {
            throw WIFError(.usage, "the passphrase cannot come from standard input here: it carries other input")
        }
        return p
    }

    /// The passphrase that opens `what`: read on first use, then kept for further keys of this run.
    public func existing(for what: String) throws(WIFError) -> SecretBytes {
        if let cached { return cached }
        let p = try obtain(prompt: "Passphrase for \(what): ", confirm: false, what: what)
        cached = p
        return p
    }

    /// A passphrase for a new encrypted key written to `what`; a prompt asks twice.
    public func new(for what: String) throws(WIFError) -> SecretBytes {
        if let cached { return cached }
        let p = try obtain(prompt: "New passphrase for \(what): ", confirm: true, what: what)
        cached = p
        return p
    }

    /// Wipes the passphrase now (it is also wiped when this object is released).
    public func wipe() {
        cached?.wipe()
        cached = nil
    }

    deinit { cached?.wipe() }

    // MARK: Sources

    private func obtain(prompt: String, confirm: Bool, what: String) throws(WIFError) -> SecretBytes {
        let p: SecretBytes
        if let file = source.file {
            p = try Passphrase.readFile(file)
        } else if let fd = source.fd {
            p = try Passphrase.readDescriptor(fd, what: "--passphrase-fd \(fd)")
        } else if source.environment, let env = getenv(Passphrase.environmentVariable) {
            let n = strlen(env)
            guard n > 0 else { throw WIFError(.usage, "\(Passphrase.environmentVariable) is set but empty") }
            guard n <= Passphrase.maxLength else {
                throw WIFError(.usage, "\(Passphrase.environmentVariable) is longer than \(Passphrase.maxLength) bytes")
            }
            p = SecretBytes(capacity: n)
            p.fill { buf in
                buf.baseAddress?.copyMemory(from: env, byteCount: n)
                return n
            }
        } else if source.prompt && isatty(0) == 1 {
            p = try Terminal.ask(prompt)
            if confirm {
                let again = try Terminal.ask("Repeat the passphrase: ")
                guard p.isEqual(to: again) else { throw WIFError(.usage, "the two passphrases differ") }
            }
        } else {
            let why = source.prompt ? "standard input is not a terminal, so wif does not prompt" : "no passphrase was given"
            throw WIFError(.passphraseRequired, "\(what) needs a passphrase: \(why)", hint: Passphrase.howToGive)
        }
        guard !p.isEmpty else { throw WIFError(.usage, "the passphrase is empty") }
        return p
    }

    static func readFile(_ path: String) throws(WIFError) -> SecretBytes {
        if path == "-" { return try readDescriptor(0, what: "--passphrase-file -") }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        if fd < 0 { throw WIFError(.inputUnreadable, "\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try readDescriptor(fd, what: path)
    }

    /// Reads to end of file into a secret buffer (never through a growing array), then drops one newline.
    static func readDescriptor(_ fd: Int32, what: String) throws(WIFError) -> SecretBytes {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw WIFError(.inputUnreadable, "\(what): \(String(cString: strerror(errno)))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw WIFError(.inputUnreadable, "\(what): is a directory") }
        let p = SecretBytes(capacity: maxLength + 2)
        var failure: Int32 = 0
        p.fill { buf in
            var off = 0
            while off < buf.count {
                guard let base = buf.baseAddress else { break }
                let n = Glibc.read(fd, base + off, buf.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { break }
                off += n
            }
            return off
        }
        if failure != 0 { throw WIFError(.inputUnreadable, "\(what): \(String(cString: strerror(failure)))") }
        if p.count > 0 && p.byte(at: p.count - 1) == 0x0A {
            p.removeLast(1)
            if p.count > 0 && p.byte(at: p.count - 1) == 0x0D { p.removeLast(1) }
        }
        guard p.count <= maxLength else { throw WIFError(.usage, "\(what): the passphrase is longer than \(maxLength) bytes") }
        guard !p.isEmpty else { throw WIFError(.usage, "\(what): the passphrase is empty") }
        return p
    }
}

/// The no-echo prompt on the controlling terminal.
///
/// Echo is turned off (newlines still echo) for the one line read, and restored afterwards, also when SIGINT,
/// SIGTERM, SIGHUP or SIGQUIT arrives while waiting (the handler restores the terminal, then re-raises).
enum Terminal {
    nonisolated(unsafe) static var savedFD: Int32 = -1
    /// The settings to restore, on the heap: Swift 6.3 gives a global `termios` 57 bytes of storage while C
    /// copies 60 into it (AddressSanitizer: global-buffer-overflow), so no global of that type.
    nonisolated(unsafe) static let saved: UnsafeMutablePointer<termios> = {
        let p = UnsafeMutablePointer<termios>.allocate(capacity: 1)
        p.initialize(to: termios())
        return p
    }()

    static func ask(_ prompt: String) throws(WIFError) -> SecretBytes {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        if fd < 0 {
            throw WIFError(.passphraseRequired, "cannot open /dev/tty to ask for the passphrase: \(String(cString: strerror(errno)))",
                           hint: Passphrase.howToGive)
        }
        defer { close(fd) }
        var old = termios()
        let isTerminal = tcgetattr(fd, &old) == 0
        if isTerminal {
            saved.pointee = old
            savedFD = fd
            var quiet = old
            quiet.c_lflag &= ~tcflag_t(ECHO)
            quiet.c_lflag |= tcflag_t(ECHONL)
            for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { signal(s, restoreAndReraise) }
            _ = tcsetattr(fd, TCSAFLUSH, &quiet)
        }
        defer {
            if isTerminal {
                _ = tcsetattr(fd, TCSAFLUSH, &old)
                savedFD = -1
                for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { signal(s, SIG_DFL) }
            }
        }
        let bytes = Array(prompt.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let p = SecretBytes(capacity: Passphrase.maxLength + 1)
        var c: UInt8 = 0
        var ended = false
        while true {
            let n = Glibc.read(fd, &c, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            if c == 0x0A { ended = true; break }
            guard p.append(c) else { break }
        }
        c = 0
        if !ended && p.count > Passphrase.maxLength {
            throw WIFError(.usage, "the passphrase is longer than \(Passphrase.maxLength) bytes")
        }
        if p.count > 0 && p.byte(at: p.count - 1) == 0x0D { p.removeLast(1) }
        return p
    }
}

private func restoreAndReraise(_ sig: Int32) {
    if Terminal.savedFD >= 0 { _ = tcsetattr(Terminal.savedFD, TCSAFLUSH, Terminal.saved) }
    signal(sig, SIG_DFL)
    raise(sig)
}
