// SPDX-License-Identifier: Apache-2.0
import CStaticLink
#if canImport(Glibc)
import Glibc
#endif

/// A client under test, run as the MCP conformance suite runs it: `/bin/sh -c COMMAND` with one more argument (the
/// MCP server URL, which the shell gives the command as its last argument through `"$@"`), extra environment
/// variables (this process's environment without `WIF_PASSPHRASE`), its own process group, standard input from
/// /dev/null, standard output and error captured.
///
/// Rules:
/// - the client inherits descriptors 0, 1 and 2 only (never the server's listening socket or its event loop's);
/// - each captured stream keeps at most `maxCapture` bytes (the rest is read and counted, never stored);
/// - at `timeout` the whole process group and the shell itself get SIGTERM, then SIGKILL after `graceMillis`; a
///   second after the SIGKILL the pipes are no longer waited for (a descendant outside the group may hold them);
/// - once the shell has exited, whatever is left in its group is killed (SIGKILL) before the shell is reaped: a
///   client never outlives its run; with `adoptOrphans`, neither does a descendant that left the group (setsid);
/// - SIGINT or SIGTERM to this process (after `installInterruptHandler`) ends the client the same way and the
///   result says `interrupted`; the caller then exits 130.
public struct ClientProcess: Sendable {
    public var command: String
    public var argument: String
    public var environment: [(String, String)]
    public var timeoutMillis: Int64
    public var graceMillis: Int64 = 1000
    public static let maxCapture = 256 * 1024
    /// The variables of this process the client never gets: wif's secrets.
    public static let withheldVariables: Set<String> = [Passphrase.environmentVariable]

    public init(command: String, argument: String, environment: [(String, String)], timeoutMillis: Int64) {
        self.command = command
        self.argument = argument
        self.environment = environment
        self.timeoutMillis = timeoutMillis
    }

    /// How the client ended.
    public struct Result: Sendable {
        /// The exit status when it exited.
        public var exitStatus: Int32?
        /// The signal that ended it (after a timeout: the one sent).
        public var signal: Int32?
        public var timedOut = false
        public var interrupted = false
        public var elapsedMillis: Int64 = 0
        public var stdout: [UInt8] = []
        public var stderr: [UInt8] = []
        /// Bytes read beyond `maxCapture`, per stream.
        public var stdoutDropped = 0
        public var stderrDropped = 0

        public init() {}

        /// `exit 3`, `signal 15 (after --timeout)`.
        public var summary: String {
            if let s = exitStatus { return "exit \(s)" }
            if let g = signal { return "signal \(g)" + (timedOut ? " (killed after the timeout)" : "") }
            return "unknown"
        }

        /// The last non-empty line of standard error, for a report.
        public var lastStderrLine: String? {
            String(decoding: stderr, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" })
                .map { String($0) }.last(where: { !$0.allSatisfy { $0 == " " || $0 == "\t" } })
        }
    }

    /// Whether SIGINT or SIGTERM has arrived since `installInterruptHandler`.
    public static var interruptRequested: Bool { ClientProcessSignals.interrupted != 0 }

    /// SIGINT and SIGTERM set a flag the run loop reads (the client is then killed and the caller exits 130).
    public static func installInterruptHandler() {
        var sa = sigaction()
        sa.__sigaction_handler.sa_handler = { _ in ClientProcessSignals.interrupted = 1 }
        sigemptyset(&sa.sa_mask)
        sa.sa_flags = 0
        sigaction(SIGINT, &sa, nil)
        sigaction(SIGTERM, &sa, nil)
    }

    /// Starts the client and waits for it (or its timeout). Throws only when it cannot be started.
    public func run() throws(WIFError) -> Result {
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        // Close-on-exec from the start: not inherited by the client beyond its standard output and error (dup2
        // clears the flag there), nor by a process another thread spawns meanwhile.
        guard wif_pipe_cloexec(&out) == 0 else { throw ClientProcess.failure("pipe") }
        guard wif_pipe_cloexec(&err) == 0 else {
            close(out[0]); close(out[1])
            throw ClientProcess.failure("pipe")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        // Every other descriptor is closed in the client: SwiftNIO opens its sockets and epoll descriptors
        // without close-on-exec, and a client holding the server's listening socket could accept() on it.
        guard wif_spawn_addclosefrom(&actions, 3) == 0 else {
            for fd in out + err { close(fd) }
            throw ClientProcess.failure("posix_spawn_file_actions_addclosefrom_np")
        }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setpgroup(&attr, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attr, &mask)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let args = ["/bin/sh", "-c", command + " \"$@\"", "sh", argument]
        var env: [String] = []
        // Ours (a passphrase) is not the client's: it is never passed on.
        let names = Set(environment.map(\.0)).union(ClientProcess.withheldVariables)
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            let name = s.split(separator: "=", maxSplits: 1).first.map(String.init) ?? s
            if !names.contains(name) { env.append(s) }
            p += 1
        }
        for (k, v) in environment where !ClientProcess.withheldVariables.contains(k) { env.append("\(k)=\(v)") }
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer {
            for a in argv { free(a) }
            for e in envp { free(e) }
        }
        var pid: pid_t = 0
        let started = ProcessControl.nowMillis()
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, &argv, &envp)
        close(out[1])
        close(err[1])
        guard rc == 0 else {
            close(out[0]); close(err[0])
            throw WIFError(.inputUnreadable, "cannot start the client (/bin/sh): \(String(cString: strerror(rc)))")
        }
        var result = Result()
        var fds = [out[0], err[0]]
        var status: Int32 = 0
        var exited = false
        var termSentAt: Int64?
        var exitedAt: Int64?
        var buf = [UInt8](repeating: 0, count: 16384)
        while true {
            let now = ProcessControl.nowMillis()
            if !exited {
                // Not reaped yet (WNOWAIT): while the shell is a zombie its process group id cannot be reused,
                // so the group kill below never reaches an unrelated process.
                var info = siginfo_t()
                if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0,
                   info._sifields._sigchld.si_pid == pid {
                    exited = true
                    exitedAt = now
                }
            }
            if exited {
                // The shell is gone: drain what is already written, briefly, then end its group.
                if fds.allSatisfy({ $0 < 0 }) || now - (exitedAt ?? now) > 200 { break }
            } else if termSentAt == nil, ClientProcess.interruptRequested || now - started >= timeoutMillis {
                if ClientProcess.interruptRequested { result.interrupted = true } else { result.timedOut = true }
                // The shell itself too: a client that left its group (setpgid) is not reached by the group kill.
                kill(-pid, SIGTERM)
                kill(pid, SIGTERM)
                termSentAt = now
            } else if let t = termSentAt, now - t >= graceMillis {
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
                // Killed but not seen exiting a second later: stop waiting on the pipes (the reap below waits).
                if now - t >= graceMillis + 1000 { break }
            }
            var polls = fds.filter { $0 >= 0 }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if polls.isEmpty {
                usleep(10_000)
                continue
            }
            let n = poll(&polls, nfds_t(polls.count), 20)
            if n <= 0 { continue }
            for pfd in polls where pfd.revents != 0 {
                let r = buf.withUnsafeMutableBytes { read(pfd.fd, $0.baseAddress, $0.count) }
                if r < 0 && errno == EINTR { continue }
                guard let i = fds.firstIndex(of: pfd.fd) else { continue }
                if r <= 0 {
                    close(pfd.fd)
                    fds[i] = -1
                    continue
                }
                let chunk = buf[0..<r]
                if i == 0 {
                    let room = max(0, ClientProcess.maxCapture - result.stdout.count)
                    result.stdout.append(contentsOf: chunk.prefix(room))
                    result.stdoutDropped += max(0, r - room)
                } else {
                    let room = max(0, ClientProcess.maxCapture - result.stderr.count)
                    result.stderr.append(contentsOf: chunk.prefix(room))
                    result.stderrDropped += max(0, r - room)
                }
            }
        }
        kill(-pid, SIGKILL)
        if !exited { kill(pid, SIGKILL) }
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        for fd in fds where fd >= 0 { close(fd) }
        if ClientProcessSignals.subreaper != 0 { ClientProcess.killOrphans() }
        result.elapsedMillis = (exitedAt ?? ProcessControl.nowMillis()) - started
        if ClientProcess.interruptRequested && !result.timedOut { result.interrupted = true }
        let sig = status & 0x7f
        if sig == 0 {
            result.exitStatus = (status >> 8) & 0xff
        } else {
            result.signal = sig
        }
        return result
    }

    /// Makes this process the reaper of its orphaned descendants (PR_SET_CHILD_SUBREAPER): a client's descendant
    /// that left its process group (setsid) and outlived the client is then this process's child, and every run
    /// ends by killing and reaping all of this process's children. Only for a process whose children are all
    /// clients run one at a time (wif-verify conform); returns false where the kernel refuses.
    @discardableResult
    public static func adoptOrphans() -> Bool {
        guard wif_set_child_subreaper() == 0 else { return false }
        ClientProcessSignals.subreaper = 1
        return true
    }

    /// SIGKILL to every child of this process, then reaps it; again for the orphans that reach us meanwhile.
    static func killOrphans() {
        for _ in 0..<64 {
            let children = ClientProcess.children()
            if children.isEmpty { break }
            for c in children { kill(c, SIGKILL) }
            var status: Int32 = 0
            for c in children { while waitpid(c, &status, 0) < 0 && errno == EINTR {} }
        }
    }

    /// The processes whose parent is this one (live or zombie), from /proc/PID/stat.
    static func children() -> [pid_t] {
        let me = getpid()
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var out: [pid_t] = []
        var buf = [UInt8](repeating: 0, count: 1024)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = pid_t(name), pid > 0, pid != me else { continue }
            let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
            if fd < 0 { continue }
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard n > 0 else { continue }
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
            let line = buf[0..<n]
            guard let paren = line.lastIndex(of: UInt8(ascii: ")")) else { continue }
            let fields = line[(paren + 1)...].split(separator: UInt8(ascii: " "))
            guard fields.count > 1, let ppid = pid_t(String(decoding: fields[1], as: UTF8.self)), ppid == me else { continue }
            out.append(pid)
        }
        return out
    }

    static func failure(_ what: String) -> WIFError {
        WIFError(.inputUnreadable, "cannot start the client: \(what): \(String(cString: strerror(errno)))")
    }
}

/// The flag the signal handler sets (a C signal handler may only write such a variable).
enum ClientProcessSignals {
    nonisolated(unsafe) static var interrupted: sig_atomic_t = 0
    /// Set once by `ClientProcess.adoptOrphans`, before any client runs.
    nonisolated(unsafe) static var subreaper: sig_atomic_t = 0
}
