// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Remembers each (iss, jti) until the token's exp + leeway and rejects a second sight (RFC 7523 §3 item 7).
///
/// File format, one entry a line: `<expiry NumericDate> <base64url SHA-256 of the key>`, the key being
/// `iss NUL jti`, or `token NUL <whole token>` for tokens without a jti. Rules:
/// - concurrent processes serialise on an exclusive `flock(2)` of `FILE.lock` held from open to close, so of
///   two processes presenting the same jti exactly one wins;
/// - the file is replaced atomically (temporary file, fsync, rename), so a crash never leaves it half written;
/// - expired entries are pruned on every open; at most `maxEntries` live entries are kept, and a full cache
///   fails closed (the token is not accepted) rather than forgetting live entries;
/// - a line that does not parse makes the cache unusable (exit 2), never silently ignored.
public final class ReplayCache {
    public let path: String
    private var lockFD: Int32 = -1
    private var entries: [String: Int64] = [:]
    private var dirty = false
    private var pruneAt = 4096
    private var minimumPruneAt = 4096
    public static let maxEntries = 1_000_000
    /// How long a token with neither exp nor iat is remembered.
    public static let defaultRetention: Int64 = 86400

    public init(path: String, now: Int64) throws(WIFError) {
        self.path = path
        lockFD = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if lockFD < 0 {
            throw WIFError(.inputUnreadable, "replay cache \(path).lock: \(String(cString: strerror(errno)))")
        }
        while flock(lockFD, LOCK_EX) != 0 {
            if errno != EINTR {
                let e = errno
                Glibc.close(lockFD)
                throw WIFError(.inputUnreadable, "replay cache \(path): cannot lock: \(String(cString: strerror(e)))")
            }
        }
        if access(path, F_OK) == 0 {
            let data = try Input.read(path, limit: ReplayCache.maxEntries * 64, what: "replay cache \(path)")
            for (n, line) in data.split(separator: 0x0A).enumerated() {
                guard let sp = line.firstIndex(of: 0x20),
                      let exp = Int64(String(decoding: line[line.startIndex..<sp], as: UTF8.self)) else {
                    throw WIFError(.inputInvalid, "replay cache \(path): line \(n + 1) is not '<expiry> <hash>'")
                }
                let key = String(decoding: line[(sp + 1)...], as: UTF8.self)
                if exp >= now { entries[key] = exp } else { dirty = true }
            }
        }
    }

    /// A cache kept in memory only, for one process's life (`wif-verify serve` without `--replay-cache`).
    /// Expired entries are forgotten whenever the count reaches `pruneAt`, then twice the live count.
    public init(inMemory: (), pruneAt: Int = 4096) {
        path = "(in memory)"
        self.pruneAt = pruneAt
        minimumPruneAt = pruneAt
    }

    deinit { if lockFD >= 0 { Glibc.close(lockFD) } }

    /// Records the token; throws `replayed_jti` when it was seen before and is still remembered.
    public func check(_ v: VerifiedToken, leeway: Int64, maxLifetime: Int64?, now: Int64) throws(WIFError) {
        let c = v.claims
        let key: [UInt8]
        let label: String
        if let jti = c["jti"]?.stringValue {
            key = Array((c["iss"]?.stringValue ?? "").utf8) + [0] + Array(jti.utf8)
            label = "jti \"\(JSON.escapedForMessage(jti))\""
        } else {
            key = Array("token".utf8) + [0] + v.token
            label = "this token (it has no jti)"
        }
        let hash = Base64URL.encode(Digest.sha256(key))
        let until: Int64
        if let exp = c["exp"]?.doubleValue {
            until = Int64(min(exp, 1e12)) + leeway
        } else if let iat = c["iat"]?.doubleValue {
            until = Int64(min(iat, 1e12)) + (maxLifetime ?? ReplayCache.defaultRetention) + leeway
        } else {
            until = now + ReplayCache.defaultRetention
        }
        if let seen = entries[hash], seen >= now {
            throw WIFError(.replayedJTI, "\(label) was already presented (remembered until \(seen))")
        }
        if entries.count >= pruneAt {
            // A long-lived cache (a server's) forgets expired entries once it has doubled since the last pruning.
            entries = entries.filter { $0.value >= now }
            pruneAt = max(minimumPruneAt, entries.count * 2)
        }
        if entries.count >= ReplayCache.maxEntries {
            throw WIFError(.inputTooLarge, "replay cache \(path) is full (\(ReplayCache.maxEntries) live entries)")
        }
        entries[hash] = max(until, now)
        dirty = true
    }

    /// Writes the cache (if it changed) and releases the lock.
    public func close() throws(WIFError) {
        defer {
            if lockFD >= 0 { Glibc.close(lockFD); lockFD = -1 }
        }
        try save()
    }

    /// Live entries (for a server's summary).
    public var count: Int { entries.count }

    /// Writes the cache if it changed, keeping the lock (an in-memory cache writes nothing).
    public func save() throws(WIFError) {
        guard dirty, lockFD >= 0 else { return }
        var out = [UInt8]()
        out.reserveCapacity(entries.count * 56)
        for (k, exp) in entries.sorted(by: { $0.value < $1.value }) {
            out += Array("\(exp) \(k)\n".utf8)
        }
        try Output.writeAtomically(out, to: path, mode: 0o600)
        dirty = false
    }
}
