// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Remembers each accepted token until its exp + leeway and rejects a second sight (RFC 7523 §3 item 7), or,
/// for a token with a use budget (`UseBudget`, the `wif_max_uses` claim), counts its acceptances and rejects the
/// one past its budget (`use_budget_exhausted`). Plain jti replay is the budget-1 case.
///
/// Identity of a token (the entry key), a SHA-256 over length-prefixed members, so no two different pairs share
/// a key (`iss="a\0b", jti="c"` and `iss="a", jti="b\0c"` once did):
/// - with a `jti`: the tag `jti`, then `iss` (absent and empty differ) and `jti`;
/// - without: the tag `input`, then the signing input (header.payload), never the signature: ECDSA accepts
///   (r, n − s) as well as (r, s), so keying by the whole token let a re-encoded signature replay it.
///
/// File format, one entry a line: `<expiry NumericDate> <base64url SHA-256 of the key>[ <uses>]`, sorted by
/// expiry. Version 2 of the format adds the optional third field, the number of uses spent, from 2 to
/// `UseBudget.maximum` (decimal, no sign or leading zero); without it an entry spent one use. So every version-1
/// file (two fields a line) reads unchanged as version 2, and a file whose entries each spent one use is written
/// in the version-1 bytes, which older wif still reads; an older wif refuses a line with a count (`input_invalid`:
/// fail closed) rather than misread it.
/// Rules:
/// - `check` spends exactly one use (a one-time object: a jti, a DPoP proof), whatever the token claims;
///   `spend` spends one use of the token's budget (`wif_max_uses`, default 1);
/// - a token without `exp` is refused (`replay_needs_exp`): it could not be remembered for its whole life;
/// - an update takes an exclusive `flock(2)` of `FILE.lock` only for the time of that update (read, judge,
///   write), waiting at most `lockTimeout` seconds, then fails with "replay cache busy" (exit 2); so of two
///   processes presenting the same jti exactly one wins, and an idle verifier never blocks the others;
/// - the clock is read again once the lock is won, and a token that expired meanwhile is rejected (`expired`);
/// - the cache and lock files are opened without following a symbolic link and without blocking
///   (`O_NOFOLLOW | O_NONBLOCK`), and must be regular files owned by the caller and not writable by group or
///   others (a FIFO hung the verifier; a file pre-created by another user could mark a victim's jti as seen);
/// - the file is replaced atomically (temporary file beside it, fsync, rename: `Output.writeAtomically`);
/// - every update reads the file again under the lock, and parses it only when its bytes differ from those
///   last read or written (compared by SHA-256): no file metadata is trusted as its identity, since a rewrite
///   of one count (2 to 3) keeps the size, a freed inode number is reused at once (ext4 alternates two), and
///   two writes within one timer tick share an mtime on kernels without multigrain timestamps;
/// - expired entries are pruned on every update; at most `maxEntries` live entries are kept, and a full cache
///   fails closed (the token is not accepted) rather than forgetting live entries;
/// - a line that does not parse exactly (a CR, a truncated or unterminated line, an extra field, a sign or a
///   leading zero) makes the cache unusable (exit 2, naming the line), never silently ignored.
public final class ReplayCache {
    public let path: String
    /// Longest wait for the lock, in seconds.
    public let lockTimeout: Double
    public static let maxEntries = 1_000_000
    public static let defaultLockTimeout = 10.0
    /// Bytes of one line: a NumericDate of at most 13 digits (Validator bounds claims to 1e15), a space, 43
    /// base64url characters, optionally a space and a use count of at most 7 digits, a newline.
    static let hashLength = 43
    static let maxLineLength = 13 + 1 + 43 + 1 + 7 + 1

    /// One remembered token: until when (exp + leeway), and how many of its uses were spent (at least 1).
    public struct Entry: Sendable, Equatable {
        public var expiry: Int64
        public var used: Int
        public init(expiry: Int64, used: Int = 1) {
            self.expiry = expiry
            self.used = used
        }
    }

    /// The entries as last read or written, and the SHA-256 of the file's bytes they came from: an update
    /// reads the file every time, and parses it again only when its bytes changed.
    private var entries: [String: Entry] = [:]
    private var digest: [UInt8]?

    /// A memory-only cache's entries, by the SHA-256 of the entry key as four words rather than its base64url
    /// text: no String is made per token, and an entry costs about 70 bytes instead of 180 (issue 13: a server's
    /// RSS grew 18 MiB over 100,000 token requests, and making the key was 11k instructions of a request).
    private var memory: [MemoryKey: Entry] = [:]
    /// The bytes of the entry key being hashed, reused (a memory-only cache serves one thread at a time).
    private var keyScratch: [UInt8] = []
    private lazy var hasher = KeptDigest("SHA256")

    struct MemoryKey: Hashable {
        let a: UInt64, b: UInt64, c: UInt64, d: UInt64
        /// The words are SHA-256 output: the first one alone spreads the keys evenly.
        func hash(into h: inout Hasher) { h.combine(a) }
    }

    /// A memory-only cache lives for one process and takes no lock (a server's, whose one event loop serialises
    /// its requests); expired entries are forgotten whenever the count reaches `pruneAt`, which then becomes twice
    /// the live count, so pruning costs O(1) per request on average.
    private let memoryOnly: Bool
    private var pruneAt = 4096
    private var minimumPruneAt = 4096

    /// Makes a cache at `path`; nothing is locked or read until the first `check`.
    public init(path: String, lockTimeout: Double = ReplayCache.defaultLockTimeout) {
        self.path = path
        self.lockTimeout = lockTimeout
        memoryOnly = false
    }

    /// A cache kept in memory only, for one process's life (`wif-verify serve` without `--replay-cache`).
    public init(inMemory: (), pruneAt: Int = 4096) {
        path = "(in memory)"
        lockTimeout = 0
        memoryOnly = true
        self.pruneAt = pruneAt
        minimumPruneAt = pruneAt
    }

    /// Entries as last read or written (live and not yet pruned), for a server's summary.
    public var count: Int { memoryOnly ? memory.count : entries.count }

    /// `record` for a memory-only cache: the same rules, without a file or a lock.
    private func recordInMemory(_ v: VerifiedToken, budget: Int?, leeway: Int64, now t: Int64) throws(WIFError) -> Int64 {
        let p = try Prepared(v, budget: budget, leeway: leeway, fileKey: false)
        if Double(t) >= p.exp + Double(leeway) {
            throw WIFError(.expired, "exp \(Validator.num(p.exp)) has passed (now \(t), leeway \(leeway)s)")
        }
        if memory.count >= pruneAt {
            memory = memory.filter { $0.value.expiry >= t }
            // At most maxEntries: past it the count could never reach pruneAt, and a cache full of expired entries
            // would refuse every new token for the rest of the server's life.
            pruneAt = min(max(minimumPruneAt, memory.count * 2), ReplayCache.maxEntries)
        }
        ReplayCache.keyInput(v, into: &keyScratch)
        guard let w = keyScratch.withUnsafeBytes({ hasher.words($0) }) else {
            throw WIFError(.cryptoFailure, "SHA-256 failed for the replay cache key")
        }
        let hash = MemoryKey(a: w.0, b: w.1, c: w.2, d: w.3)
        if memory.count < ReplayCache.maxEntries {
            // One probe for the usual case, a jti never seen: the fresh entry goes in at once, and the old one, if
            // there was one, is judged afterwards and put back when it refuses the token.
            guard let old = memory.updateValue(Entry(expiry: p.until), forKey: hash) else { return t }
            do throws(WIFError) {
                memory[hash] = try ReplayCache.spent(old.expiry >= t ? old : nil, label: p.label, budget: budget, until: p.until)
            } catch {
                memory[hash] = old
                throw error
            }
            return t
        }
        let seen = memory[hash].flatMap { $0.expiry >= t ? $0 : nil }
        let next = try ReplayCache.spent(seen, label: p.label, budget: budget, until: p.until)
        if seen == nil {
            throw WIFError(.inputTooLarge, "replay cache \(path) is full (\(ReplayCache.maxEntries) live entries)")
        }
        memory[hash] = next
        return t
    }

    /// The entry after one more use, or the rejection when the live entry `seen` has no use left: `replayed_jti`
    /// without a budget, `use_budget_exhausted` with one.
    static func spent(_ seen: Entry?, label: Label, budget: Int?, until: Int64) throws(WIFError) -> Entry {
        guard let seen else { return Entry(expiry: until) }
        guard let budget else {
            throw WIFError(.replayedJTI, "\(label) was already presented (remembered until \(seen.expiry))")
        }
        guard seen.used < budget else {
            throw WIFError(.useBudgetExhausted, "\(label) has used all \(budget) of its uses (\(UseBudget.claim); remembered until \(seen.expiry))")
        }
        return Entry(expiry: max(seen.expiry, until), used: seen.used + 1)
    }

    /// The entry key of a verified token (rules at the top).
    public static func key(_ v: VerifiedToken) -> [UInt8] {
        var out = [UInt8]()
        keyInput(v, into: &out)
        return Digest.sha256(out)
    }

    /// The bytes `key` hashes, written into `out` (emptied first).
    static func keyInput(_ v: VerifiedToken, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        func length(_ count: Int?) {
            let n = UInt32(truncatingIfNeeded: count ?? 0xFFFF_FFFF)
            out.append(UInt8(n >> 24)); out.append(UInt8(n >> 16 & 0xFF)); out.append(UInt8(n >> 8 & 0xFF))
            out.append(UInt8(n & 0xFF))
        }
        func member(_ s: String?) {
            guard var s else { return length(nil) }
            s.withUTF8 { length($0.count); out.append(contentsOf: $0) }
        }
        if let jti = v.claims["jti"]?.stringValue {
            member("jti")
            member(v.claims["iss"]?.stringValue)
            member(jti)
        } else {
            member("input")
            let end = v.token.lastIndex(of: UInt8(ascii: ".")) ?? v.token.endIndex
            length(end)
            out.append(contentsOf: v.token[..<end])
        }
    }

    /// How a message names the token: made only when one is written (building it for every accepted token cost a
    /// server a few thousand instructions a request, issue 13).
    struct Label: CustomStringConvertible {
        let jti: String?
        var description: String { jti.map { "jti \"\(JSON.escapedForMessage($0))\"" } ?? "this token (it has no jti)" }
    }

    /// Records the token as used once; throws `replayed_jti` when it was seen before and is still remembered.
    /// A `wif_max_uses` claim is ignored: this is the check for one-time objects (a jti, a DPoP proof).
    /// `now` is read after the lock is won; the time used is returned.
    @discardableResult
    public func check(_ v: VerifiedToken, leeway: Int64, now: () -> Int64) throws(WIFError) -> Int64 {
        try record(v, budget: nil, leeway: leeway, now: now)
    }

    /// Spends one use of the token's budget (`UseBudget`): a token without `wif_max_uses` is `check`ed (one use,
    /// `replayed_jti`); one with it is accepted that many times, then `use_budget_exhausted`.
    @discardableResult
    public func spend(_ v: VerifiedToken, leeway: Int64, now: () -> Int64) throws(WIFError) -> Int64 {
        try record(v, budget: try UseBudget.of(v.claims), leeway: leeway, now: now)
    }

    /// What `spend(batch:)` did: the time or the rejection of each token, in order, and the failure that is not a
    /// rejection (a full cache) that stopped it, if one did; `results` then ends before that token.
    public struct BatchOutcome {
        public var results: [Result<Int64, WIFError>] = []
        public var stop: WIFError?
    }

    /// `spend` for several tokens under one lock, one read and one write of the file (a `--batch`), each judged in
    /// order exactly as separate `spend`s would judge it: a token that repeats one before it in the same batch is
    /// a replay. Spending a batch of N tokens one by one rewrote the whole file N times (O(N²): 6,000 tokens took
    /// 17 s). A failure to lock, read or write throws and spends nothing; a failure that is not a rejection stops
    /// the batch there, after the tokens before it are written.
    public func spend(batch tokens: [VerifiedToken], leeway: Int64, now: () -> Int64) throws(WIFError) -> BatchOutcome {
        var outcome = BatchOutcome()
        if memoryOnly {
            for v in tokens {
                do throws(WIFError) {
                    let t = try spend(v, leeway: leeway, now: now)
                    outcome.results.append(.success(t))
                } catch {
                    guard error.reason.isRejection else { outcome.stop = error; break }
                    outcome.results.append(.failure(error))
                }
            }
            return outcome
        }
        // What can be judged from the claims alone is judged before the lock, as `spend` does: a batch of tokens
        // without exp is refused without touching the file.
        let prepared = tokens.map { v in
            Result { () throws(WIFError) -> Prepared in try Prepared(v, budget: try UseBudget.of(v.claims), leeway: leeway) }
        }
        guard prepared.contains(where: { if case .success = $0 { true } else { false } }) else {
            for r in prepared {
                guard case .failure(let e) = r else { continue }
                guard e.reason.isRejection else { outcome.stop = e; break }
                outcome.results.append(.failure(e))
            }
            return outcome
        }
        let lock = try Lock(path: path + ".lock", timeout: lockTimeout, cache: path)
        defer { lock.release() }
        try load()
        let first = now()
        var live = entries.filter { $0.value.expiry >= first }
        var changed = false
        for r in prepared {
            do throws(WIFError) {
                let p = try r.get()
                let t = now()
                if Double(t) >= p.exp + Double(leeway) {
                    throw WIFError(.expired, "exp \(Validator.num(p.exp)) passed while waiting for the replay cache (now \(t), leeway \(leeway)s)")
                }
                let seen = live[p.hash].flatMap { $0.expiry >= t ? $0 : nil }
                let entry = try ReplayCache.spent(seen, label: p.label, budget: p.budget, until: p.until)
                if seen == nil, live[p.hash] == nil, live.count >= ReplayCache.maxEntries {
                    throw WIFError(.inputTooLarge, "replay cache \(path) is full (\(ReplayCache.maxEntries) live entries)")
                }
                live[p.hash] = entry
                changed = true
                outcome.results.append(.success(t))
            } catch {
                guard error.reason.isRejection else { outcome.stop = error; break }
                outcome.results.append(.failure(error))
            }
        }
        if changed {
            let bytes = ReplayCache.serialize(live)
            _ = try Output.writeAtomically(bytes, to: path, mode: 0o600)
            entries = live
            digest = Digest.sha256(bytes)
        }
        return outcome
    }

    /// What an update needs of a token, read from its claims (no file, no lock).
    private struct Prepared {
        let label: Label
        let exp: Double
        let until: Int64
        let hash: String
        let budget: Int?

        /// `fileKey`: also the base64url key a file line holds (a memory-only cache keys by the digest's words).
        init(_ v: VerifiedToken, budget: Int?, leeway: Int64, fileKey: Bool = true) throws(WIFError) {
            let c = v.claims
            label = Label(jti: c["jti"]?.stringValue)
            guard let exp = c["exp"].flatMap(NumericDate.value) else {
                throw WIFError(.replayNeedsExp, "\(label) has no exp, so the replay cache cannot remember it for its whole life")
            }
            self.exp = exp
            until = max(Int64(min(exp, 1e12)) + leeway, 0)
            hash = fileKey ? Base64URL.encode(ReplayCache.key(v)) : ""
            self.budget = budget
        }
    }

    private func record(_ v: VerifiedToken, budget: Int?, leeway: Int64, now: () -> Int64) throws(WIFError) -> Int64 {
        if memoryOnly { return try recordInMemory(v, budget: budget, leeway: leeway, now: now()) }
        let p = try Prepared(v, budget: budget, leeway: leeway)
        let (label, exp, until, hash) = (p.label, p.exp, p.until, p.hash)
        let lock = try Lock(path: path + ".lock", timeout: lockTimeout, cache: path)
        defer { lock.release() }
        try load()
        let t = now()
        if Double(t) >= exp + Double(leeway) {
            throw WIFError(.expired, "exp \(Validator.num(exp)) passed while waiting for the replay cache (now \(t), leeway \(leeway)s)")
        }
        let live = entries.filter { $0.value.expiry >= t }
        let entry = try ReplayCache.spent(live[hash], label: label, budget: budget, until: until)
        if live[hash] == nil, live.count >= ReplayCache.maxEntries {
            throw WIFError(.inputTooLarge, "replay cache \(path) is full (\(ReplayCache.maxEntries) live entries)")
        }
        var next = live
        next[hash] = entry
        let bytes = ReplayCache.serialize(next)
        _ = try Output.writeAtomically(bytes, to: path, mode: 0o600)
        entries = next
        digest = Digest.sha256(bytes)
        return t
    }

    /// The file's bytes for `entries`: one line each, sorted by expiry, then by hash; the use count only when
    /// above 1 (format at the top).
    public static func serialize(_ entries: [String: Entry]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(entries.count * 58)
        let sorted = entries.sorted { a, b in
            a.value.expiry != b.value.expiry ? a.value.expiry < b.value.expiry : a.key < b.key
        }
        for (k, e) in sorted {
            out += Array((e.used > 1 ? "\(e.expiry) \(k) \(e.used)\n" : "\(e.expiry) \(k)\n").utf8)
        }
        return out
    }

    /// Reads the file under the lock, every time; parses it unless its bytes are those this process wrote or
    /// read last.
    private func load() throws(WIFError) {
        let what = "replay cache \(path)"
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT { entries = [:]; digest = nil; return }
            if e == ELOOP { throw WIFError(.inputInvalid, "\(what): is a symbolic link; the cache must be a regular file") }
            throw WIFError(.inputUnreadable, "\(what): \(String(cString: strerror(e)))")
        }
        defer { Glibc.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw WIFError(.inputUnreadable, "\(what): \(String(cString: strerror(errno)))") }
        try ReplayCache.checkOwned(st, what: what)
        let limit = ReplayCache.maxEntries * ReplayCache.maxLineLength
        guard st.st_size <= limit else { throw WIFError(.inputTooLarge, "\(what): larger than \(limit) bytes") }
        var data = [UInt8](repeating: 0, count: Int(st.st_size) + 1)
        var n = 0
        while n < data.count {
            let r = data.withUnsafeMutableBytes { readFD(fd, $0.baseAddress! + n, $0.count - n) }
            if r < 0 {
                if errnoValue() == EINTR { continue }
                throw WIFError(.inputUnreadable, "\(what): \(String(cString: strerror(errnoValue())))")
            }
            if r == 0 { break }
            n += r
        }
        guard n == st.st_size else { throw WIFError(.inputInvalid, "\(what): changed while it was read") }
        data.removeLast()
        let d = Digest.sha256(data)
        if d == digest { return }
        entries = try ReplayCache.parse(data, what: what)
        digest = d
    }

    /// A cache or lock file must be a regular file of the caller, not writable by group or others.
    static func checkOwned(_ st: stat, what: String) throws(WIFError) {
        if let kind = Output.kindName(st.st_mode) {
            throw WIFError(.inputInvalid, "\(what): is \(kind); the cache must be a regular file")
        }
        if st.st_uid != geteuid() {
            throw WIFError(.inputInvalid, "\(what): belongs to user \(st.st_uid), not to this user (\(geteuid()))",
                           hint: "keep the replay cache in a directory only this user can write")
        }
        if st.st_mode & 0o022 != 0 {
            throw WIFError(.inputInvalid, "\(what): has mode \(String(st.st_mode & 0o777, radix: 8)), writable by group or others",
                           hint: "chmod 600 it")
        }
    }

    /// Parses the file's bytes exactly (format at the top); every line is `<expiry> <hash>` or
    /// `<expiry> <hash> <uses>` (uses 2 to `UseBudget.maximum`) and ends with a newline. Entries of one key keep
    /// the latest expiry and the most uses.
    public static func parse(_ data: [UInt8], what: String) throws(WIFError) -> [String: Entry] {
        var out: [String: Entry] = [:]
        var line = 1
        var i = 0
        func bad(_ why: String) -> WIFError {
            WIFError(.inputInvalid, "\(what): line \(line) \(why); the cache is unusable",
                     hint: "a line is '<expiry> <hash>' or '<expiry> <hash> <uses>' and a newline; restore or remove the file once its tokens have expired")
        }
        while i < data.count {
            var j = i
            let digits = j
            var value: Int64 = 0
            while j < data.count, data[j] >= 0x30, data[j] <= 0x39, j - digits < 16 {
                value = value * 10 + Int64(data[j] - 0x30)
                j += 1
            }
            let nd = j - digits
            guard nd >= 1, nd <= 15, !(nd > 1 && data[digits] == 0x30) else {
                throw bad("does not start with an expiry (a NumericDate)")
            }
            guard j < data.count, data[j] == 0x20 else { throw bad("has no single space after the expiry") }
            j += 1
            let h = j
            while j < data.count, Base64URL.decodeTable[Int(data[j])] != 0xFF { j += 1 }
            guard j - h == hashLength, Base64URL.decode(data[h..<j])?.count == 32 else {
                throw bad("does not hold a \(hashLength)-character base64url SHA-256 hash")
            }
            guard j < data.count else { throw bad("is truncated (no final newline)") }
            let key = String(decoding: data[h..<j], as: UTF8.self)
            var used = 1
            if data[j] == 0x20 {
                j += 1
                let u = j
                var n = 0
                while j < data.count, data[j] >= 0x30, data[j] <= 0x39, j - u < 8 {
                    n = n * 10 + Int(data[j] - 0x30)
                    j += 1
                }
                guard j - u >= 1, j - u <= 7, data[u] != 0x30, n >= 2, n <= UseBudget.maximum else {
                    throw bad("has no use count from 2 to \(UseBudget.maximum) after the hash")
                }
                guard j < data.count else { throw bad("is truncated (no final newline)") }
                used = n
            }
            guard data[j] == 0x0A else {
                throw bad("has more after the \(used > 1 ? "use count" : "hash") (a CR, a space or another field)")
            }
            let old = out[key]
            out[key] = Entry(expiry: max(old?.expiry ?? value, value), used: max(old?.used ?? used, used))
            i = j + 1
            line += 1
        }
        return out
    }

    /// The exclusive lock of `FILE.lock`, taken with a bounded wait.
    struct Lock {
        let fd: Int32

        init(path: String, timeout: Double, cache: String) throws(WIFError) {
            let what = "replay cache lock \(path)"
            fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
            if fd < 0 {
                let e = errno
                if e == ELOOP { throw WIFError(.inputInvalid, "\(what): is a symbolic link; the lock must be a regular file") }
                throw WIFError(.inputUnreadable, "\(what): \(String(cString: strerror(e)))")
            }
            var st = stat()
            guard fstat(fd, &st) == 0 else {
                let e = errno
                Glibc.close(fd)
                throw WIFError(.inputUnreadable, "\(what): \(String(cString: strerror(e)))")
            }
            do { try ReplayCache.checkOwned(st, what: what) } catch { Glibc.close(fd); throw error }
            let start = Lock.monotonic()
            var pause: UInt32 = 1000
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let e = errno
                if e != EWOULDBLOCK && e != EINTR {
                    Glibc.close(fd)
                    throw WIFError(.inputUnreadable, "replay cache \(cache): cannot lock: \(String(cString: strerror(e)))")
                }
                if Lock.monotonic() - start >= timeout {
                    Glibc.close(fd)
                    throw WIFError(.inputUnreadable, "replay cache busy: \(path) stayed locked by another process for \(Lock.seconds(timeout))",
                                   hint: "another verifier holds it; raise --lock-timeout, or find the process that does")
                }
                usleep(pause)
                pause = min(pause * 2, 50_000)
            }
        }

        func release() { Glibc.close(fd) }

        static func monotonic() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }

        static func seconds(_ t: Double) -> String { t == t.rounded() ? "\(Int64(t))s" : "\(t)s" }
    }
}
