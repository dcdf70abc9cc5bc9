// SPDX-License-Identifier: Apache-2.0
@testable import Core
import Glibc
import Testing

/// The replay cache (issue 11, items 3, 6, 7, 9, 10): identity that survives re-encoding and cannot collide,
/// entries until exp + leeway, no token without exp, a bounded lock held per update with the clock read after
/// it, and a file that must be a regular file of the caller with exact lines.
@Suite struct ReplayCacheTests {
    static let now: Int64 = 1_767_323_400
    static let key: JWK = {
        // A fixed P-256 key (RFC 7515 A.3).
        (try? parseJWK(RFC.a3Key)) ?? { fatalError("RFC 7515 A.3 key") }()
    }()

    func verified(_ edit: (inout TokenSpec) -> Void) throws -> VerifiedToken {
        var spec = TokenSpec(now: Self.now)
        spec.iss = "https://ci.example"
        edit(&spec)
        let t = try Minter(spec: spec, key: Self.key).next()
        return try verify(t)
    }

    func verify(_ t: [UInt8]) throws -> VerifiedToken {
        try Validator(keys: KeyRing(keys: [try reparse(Self.key, includePrivate: false)]), policy: Policy(profile: .none))
            .verify(t, now: Self.now)
    }

    func check(_ cache: ReplayCache, _ v: VerifiedToken, at t: Int64 = now) -> Reason? {
        reason { try cache.check(v, leeway: 60, now: { t }) }
    }

    // MARK: Spending a batch

    /// `spend(batch:)` judges each token as separate `spend`s would, in order, and leaves the same file bytes.
    @Test func aBatchSpendsAsSeparateSpendsWould() throws {
        let a = try verified { $0.jti = .fixed("a") }
        let b = try verified { $0.jti = .fixed("b") }
        let twice = try verified { $0.jti = .fixed("twice"); $0.maxUses = 2 }
        let noExp = try verified { $0.jti = .fixed("no-exp"); $0.noExp = true }
        let tokens = [a, b, a, twice, twice, twice, noExp, b]
        let dir = try ScratchDir()
        let batch = ReplayCache(path: dir.file("batch"))
        let outcome = try batch.spend(batch: tokens, leeway: 60, now: { Self.now })
        #expect(outcome.stop == nil)
        let got = outcome.results.map { r -> Reason? in if case .failure(let e) = r { e.reason } else { nil } }
        #expect(got == [nil, nil, .replayedJTI, nil, nil, .useBudgetExhausted, .replayNeedsExp, .replayedJTI])
        let one = ReplayCache(path: dir.file("one"))
        let each = tokens.map { v in reason { try one.spend(v, leeway: 60, now: { Self.now }) } }
        #expect(each == got)
        #expect(try fileBytes(dir.file("batch")) == fileBytes(dir.file("one")))
        // Another process sees the batch's entries.
        #expect(check(ReplayCache(path: dir.file("batch")), a) == .replayedJTI)
        // Nothing to spend: nothing is locked or written.
        #expect(try ReplayCache(path: dir.file("empty")).spend(batch: [], leeway: 60, now: { Self.now }).results.isEmpty)
        #expect(access(dir.file("empty"), F_OK) != 0)
    }

    /// Tokens refused on their claims alone (no exp) are refused before the lock, as `spend` refuses them: a
    /// cache that cannot even be locked does not turn those rejections into "could not judge".
    @Test func aBatchRefusedOnClaimsAloneTakesNoLock() throws {
        let dir = try ScratchDir()
        let unusable = ReplayCache(path: dir.file("no-such-dir/cache"))
        let noExp = try verified { $0.jti = .fixed("no-exp"); $0.noExp = true }
        let outcome = try unusable.spend(batch: [noExp, noExp], leeway: 60, now: { Self.now })
        #expect(outcome.stop == nil)
        #expect(outcome.results.map { r -> Reason? in if case .failure(let e) = r { e.reason } else { nil } }
            == [.replayNeedsExp, .replayNeedsExp])
        #expect(access(dir.file("no-such-dir"), F_OK) != 0)
        // With one token that needs the file, the unusable cache is an error again (nothing is spent).
        #expect(reason { try unusable.spend(batch: [noExp, try verified { $0.jti = .fixed("ok") }], leeway: 60,
                                            now: { Self.now }) } != nil)
    }

    func fileBytes(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress!, 4096) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return out
    }

    // MARK: Reading exp, and the message that names the token

    @Test func expIsReadExactlyAsAnIntegerOrAsAnyOtherNumber() {
        #expect(NumericDate.value(.number("1796282154")) == 1_796_282_154)
        #expect(NumericDate.value(.number("-5")) == -5)
        #expect(NumericDate.value(.number("1796282154.5")) == 1_796_282_154.5)
        #expect(NumericDate.value(.number("1e3")) == 1000)
        #expect(NumericDate.value(.number("1234567890123456789")) == Double("1234567890123456789"))
        #expect(NumericDate.value(.string("1796282154")) == nil)
        #expect(NumericDate.value(.null) == nil)
    }

    @Test func aReplayNamesItsJTIAndATokenWithoutOneSaysSo() throws {
        let dir = try ScratchDir()
        let cache = ReplayCache(path: dir.file("cache"))
        let v = try verified { $0.jti = .fixed("job-\u{1B}7") }
        #expect(check(cache, v) == nil)
        let again = errorDetail { try cache.check(v, leeway: 60, now: { Self.now }) }
        #expect(again?.hasPrefix(#"jti "job-\u001b7" was already presented"#) == true, "\(again ?? "")")
        let none = try verified { $0.jti = .omitted }
        #expect(check(cache, none) == nil)
        #expect(errorDetail { try cache.check(none, leeway: 60, now: { Self.now }) }?
            .hasPrefix("this token (it has no jti) was already presented") == true)
    }

    // MARK: Identity

    /// ECDSA accepts (r, n − s): the same claims with a rewritten signature were a new token to a cache keyed by
    /// the token's bytes.
    @Test func noJTIReplayByReEncodedSignature() throws {
        let dir = try ScratchDir()
        let cache = ReplayCache(path: dir.file("cache"))
        let v = try verified { $0.jti = .omitted }
        #expect(check(cache, v) == nil)
        let parts = v.token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let sig = try #require(Base64URL.decode(Array(parts[2])))
        // n of P-256 (SEC 2 §2.4.2) minus s.
        let n = hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551")
        var s2 = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for i in stride(from: 31, through: 0, by: -1) {
            var d = Int(n[i]) - Int(sig[32 + i]) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 256 }
            s2[i] = UInt8(d)
        }
        let twin = Array(parts[0]) + [0x2E] + Array(parts[1]) + [0x2E] + Array(Base64URL.encode(Array(sig[0..<32]) + s2).utf8)
        #expect(twin != v.token)
        let w = try verify(twin)  // the verifier accepts the high-S twin: only the cache can tell
        #expect(check(cache, w) == .replayedJTI)
    }

    @Test func keysDoNotCollide() throws {
        let dir = try ScratchDir()
        let cache = ReplayCache(path: dir.file("cache"))
        let a = try verified { $0.iss = "a\u{0}b"; $0.jti = .fixed("c") }
        let b = try verified { $0.iss = "a"; $0.jti = .fixed("b\u{0}c") }
        let c = try verified { $0.iss = nil; $0.jti = .fixed("c") }
        let d = try verified { $0.iss = ""; $0.jti = .fixed("c") }
        #expect(ReplayCache.key(a) != ReplayCache.key(b))
        #expect(check(cache, a) == nil)
        #expect(check(cache, b) == nil)
        #expect(check(cache, c) == nil)
        #expect(check(cache, d) == nil)
        #expect(check(cache, a) == .replayedJTI)
    }

    // MARK: Lifetime

    @Test func entryLivesUntilExpPlusLeeway() throws {
        let dir = try ScratchDir()
        let cache = ReplayCache(path: dir.file("cache"))
        let v = try verified { $0.iat = Self.now - 3 * 86400; $0.exp = Self.now + 100; $0.jti = .fixed("j") }
        #expect(check(cache, v) == nil)
        #expect(check(cache, v, at: Self.now + 159) == .replayedJTI)
        let text = String(decoding: try Input.read(dir.file("cache")), as: UTF8.self)
        #expect(text.hasPrefix("\(Self.now + 160) "))
    }

    @Test func tokenWithoutExpIsRefused() throws {
        let dir = try ScratchDir()
        let cache = ReplayCache(path: dir.file("cache"))
        #expect(check(cache, try verified { $0.noExp = true; $0.iat = Self.now - 3 * 86400 }) == .replayNeedsExp)
        #expect(check(cache, try verified { $0.noExp = true; $0.noIat = true }) == .replayNeedsExp)
        #expect(Reason.replayNeedsExp.exitStatus == .rejected)
        #expect(access(dir.file("cache"), F_OK) != 0)
    }

    @Test func maxLifetimeNeedsExp() throws {
        var spec = TokenSpec(now: Self.now)
        spec.noExp = true
        let t = try Minter(spec: spec, key: Self.key).next()
        var p = Policy(profile: .none)
        p.maxLifetime = 3600
        let v = try Validator(keys: KeyRing(keys: [try reparse(Self.key, includePrivate: false)]), policy: p)
        #expect(reason { try v.verify(t, now: Self.now) } == .missingClaim)
    }

    // MARK: Lock and clock

    /// The clock is read after the lock is won: a token that expired while the process waited is not accepted.
    @Test func clockIsReadAfterTheLock() throws {
        let dir = try ScratchDir()
        let cache = ReplayCache(path: dir.file("cache"))
        let v = try verified { $0.exp = Self.now + 10 }
        var reads = 0
        #expect(reason { try cache.check(v, leeway: 60, now: { reads += 1; return Self.now + 75 }) } == .expired)
        #expect(reads == 1)
        let used = try cache.check(v, leeway: 60, now: { Self.now + 5 })
        #expect(used == Self.now + 5)
    }

    @Test func busyLockIsBoundedWait() throws {
        let dir = try ScratchDir()
        let path = dir.file("cache")
        let holder = open(path + ".lock", O_RDWR | O_CREAT, 0o600)
        defer { close(holder) }
        #expect(flock(holder, LOCK_EX) == 0)
        let cache = ReplayCache(path: path, lockTimeout: 0.3)
        let v = try verified { $0.jti = .fixed("busy") }
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let start = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        do {
            try cache.check(v, leeway: 60, now: { Self.now })
            Issue.record("accepted while the lock was held")
        } catch {
            #expect(error.reason == .inputUnreadable)
            #expect(error.detail.contains("replay cache busy"))
        }
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let waited = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9 - start
        #expect(waited >= 0.3 && waited < 3, "waited \(waited)s")
        flock(holder, LOCK_UN)
        #expect(check(cache, v) == nil)
    }

    // MARK: Hostile files

    func refused(_ dir: ScratchDir, _ setup: (String) -> Void, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let path = dir.file("cache")
        setup(path)
        let cache = ReplayCache(path: path, lockTimeout: 1)
        let v = try verified { $0.jti = .fixed("victim") }
        do {
            try cache.check(v, leeway: 60, now: { Self.now })
            Issue.record("accepted", sourceLocation: sourceLocation)
            return ""
        } catch {
            #expect(error.reason.exitStatus == .failure, "\(error)", sourceLocation: sourceLocation)
            return error.detail
        }
    }

    @Test func fifoAtTheCachePathDoesNotHang() throws {
        let dir = try ScratchDir()
        let why = try refused(dir) { mkfifo($0, 0o600) }
        #expect(why.contains("is a FIFO"))
    }

    @Test func nonRegularCacheAndLockPaths() throws {
        let dir = try ScratchDir()
        #expect(try refused(dir) { symlink(dir.file("elsewhere"), $0) }.contains("symbolic link"))
        #expect(access(dir.file("elsewhere"), F_OK) != 0)
        let d2 = try ScratchDir()
        #expect(try refused(d2) { mkdir($0, 0o700) }.contains("directory"))
        // A dangling FILE.lock symlink is not followed, and its target is not created.
        let d3 = try ScratchDir()
        #expect(try refused(d3) { symlink(d3.file("created"), $0 + ".lock") }.contains("symbolic link"))
        #expect(access(d3.file("created"), F_OK) != 0)
        let d4 = try ScratchDir()
        #expect(try refused(d4) { mkfifo($0 + ".lock", 0o600) }.contains("FIFO"))
        if geteuid() == 0 {
            let d5 = try ScratchDir()
            #expect(try refused(d5) { mknod($0, S_IFCHR | 0o600, dev_t(1 << 8 | 3)) }.contains("character device"))
            var st = stat()
            #expect(lstat(d5.file("cache"), &st) == 0 && st.st_mode & S_IFMT == S_IFCHR)
        }
    }

    @Test func filesOfOthersOrWritableByOthers() throws {
        let dir = try ScratchDir()
        #expect(try refused(dir) { p in
            _ = try? dir.write("cache", "", mode: 0o666)
            _ = p
        }.contains("writable by group or others"))
        let d2 = try ScratchDir()
        #expect(try refused(d2) { p in
            _ = open(p + ".lock", O_CREAT | O_RDWR, 0o600)
            chmod(p + ".lock", 0o620)
        }.contains("writable by group or others"))
        if geteuid() == 0 {
            let d3 = try ScratchDir()
            #expect(try refused(d3) { p in
                _ = try? d3.write("cache", "", mode: 0o600)
                chown(p, 65534, 65534)
            }.contains("belongs to user 65534"))
            let d4 = try ScratchDir()
            #expect(try refused(d4) { p in
                let fd = open(p + ".lock", O_CREAT | O_RDWR, 0o600)
                fchown(fd, 65534, 65534)
                close(fd)
            }.contains("belongs to user 65534"))
        }
    }

    // MARK: Exact lines

    static let hash = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"  // SHA-256 of nothing, base64url

    @Test func linesParseExactly() throws {
        #expect(try ReplayCache.parse(Array("1767323760 \(Self.hash)\n".utf8), what: "c")
                == [Self.hash: .init(expiry: 1_767_323_760)])
        #expect(try ReplayCache.parse([], what: "c").isEmpty)
        let bad: [(String, Int)] = [
            ("1767323760 \(Self.hash)\r\n", 1),
            ("1767323760 \(Self.hash)\n1767323761 \(Self.hash.dropLast())", 2),
            ("1767323760 \(Self.hash)", 1),
            ("1767323760 \(Self.hash) extra\n", 1),
            ("1767323760  \(Self.hash)\n", 1),
            ("+1767323760 \(Self.hash)\n", 1),
            ("01767323760 \(Self.hash)\n", 1),
            ("-1 \(Self.hash)\n", 1),
            ("1767323760 \(Self.hash)\n\n", 2),
            ("1767323760 \(Self.hash.dropLast())B\n", 1),
            ("9999999999999999 \(Self.hash)\n", 1),
            // version 2: a use count from 2 to 1000000, no sign, no leading zero, one space before it
            ("1767323760 \(Self.hash) 1\n", 1),
            ("1767323760 \(Self.hash) 0\n", 1),
            ("1767323760 \(Self.hash) 02\n", 1),
            ("1767323760 \(Self.hash) +2\n", 1),
            ("1767323760 \(Self.hash) 1000001\n", 1),
            ("1767323760 \(Self.hash) 99999999\n", 1),
            ("1767323760 \(Self.hash)  2\n", 1),
            ("1767323760 \(Self.hash) 2 \n", 1),
            ("1767323760 \(Self.hash) 2\r\n", 1),
            ("1767323760 \(Self.hash) 2", 1),
            ("1767323760 \(Self.hash) \n", 1),
        ]
        for (text, line) in bad {
            do {
                _ = try ReplayCache.parse(Array(text.utf8), what: "c")
                Issue.record("parsed: \(text.debugDescription)")
            } catch {
                #expect(error.reason == .inputInvalid)
                #expect(error.detail.contains("line \(line) "), "\(text.debugDescription): \(error.detail)")
            }
        }
    }

    /// Version 2 lines carry the uses spent; version 1 lines (no count) are entries that spent one use, and a
    /// cache of such entries is written in the version-1 bytes, so older verifiers still read it.
    @Test func useCountLinesRoundTrip() throws {
        let text = "1767323760 \(Self.hash)\n1767323761 \(Self.hash.dropLast())A 1000000\n"
        let e = try ReplayCache.parse(Array(text.utf8), what: "c")
        let other = String(Self.hash.dropLast()) + "A"
        #expect(e == [Self.hash: .init(expiry: 1_767_323_760), other: .init(expiry: 1_767_323_761, used: 1_000_000)])
        #expect(ReplayCache.serialize(e) == Array(text.utf8))
        let dup = try ReplayCache.parse(Array("1767323760 \(Self.hash) 3\n1767323000 \(Self.hash) 5\n".utf8), what: "c")
        #expect(dup == [Self.hash: .init(expiry: 1_767_323_760, used: 5)])
        #expect(ReplayCache.serialize([Self.hash: .init(expiry: 7)]) == Array("7 \(Self.hash)\n".utf8))
    }

    /// A truncated last line or CRLF line endings once parsed, the entry no longer matched, and the same token was
    /// accepted again.
    @Test func damagedFileIsUnusable() throws {
        let dir = try ScratchDir()
        let path = dir.file("cache")
        let cache = ReplayCache(path: path)
        let v = try verified { $0.jti = .fixed("once") }
        #expect(check(cache, v) == nil)
        let text = String(decoding: try Input.read(path), as: UTF8.self)
        for damaged in [String(text.dropLast(2)), text.replacingOccurrences("\n", "\r") + "\n"] {
            try dir.write("cache", damaged)
            #expect(check(ReplayCache(path: path), v) == .inputInvalid)
        }
    }

    // MARK: Identity of the file

    func spend(_ cache: ReplayCache, _ v: VerifiedToken) -> Reason? {
        reason { try cache.spend(v, leeway: 60, now: { Self.now }) }
    }

    /// Another process's same-size rewrite (a use count 2 to 3) at the inode number and mtime this process last
    /// saw: ext4 reuses a freed inode number at once, and without multigrain timestamps two writes within one
    /// tick share an mtime. A cache that took (dev, inode, size, mtime) as the file's identity skipped reading it
    /// and spent its stale count again: a token of 3 uses was accepted a fourth time. The rewrite is placed
    /// by hand here (a hard link holds a's inode, which then receives b's bytes and a's mtime), so the case is
    /// the same on every file system and kernel.
    @Test func sameSizeRewriteAtTheSameInodeAndMtimeIsRead() throws {
        let dir = try ScratchDir()
        let path = dir.file("cache")
        let a = ReplayCache(path: path)
        let b = ReplayCache(path: path)
        let v = try verified { $0.jti = .fixed("three"); $0.maxUses = 3 }
        #expect(spend(a, v) == nil)
        #expect(spend(a, v) == nil)  // "<exp> <hash> 2": a's last write
        var seen = stat()
        try #require(stat(path, &seen) == 0)
        try #require(link(path, dir.file("keep")) == 0)
        #expect(spend(b, v) == nil)  // "<exp> <hash> 3": the last use, written at another inode
        let third = try Input.read(path)
        try #require(third.count == Int(seen.st_size))
        let fd = open(dir.file("keep"), O_WRONLY | O_CLOEXEC)
        try #require(fd >= 0)
        #expect(third.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } == third.count)
        var times = [seen.st_atim, seen.st_mtim]
        #expect(futimens(fd, &times) == 0)
        close(fd)
        try #require(rename(dir.file("keep"), path) == 0)
        var after = stat()
        try #require(stat(path, &after) == 0)
        #expect(after.st_dev == seen.st_dev && after.st_ino == seen.st_ino && after.st_size == seen.st_size)
        #expect(after.st_mtim.tv_sec == seen.st_mtim.tv_sec && after.st_mtim.tv_nsec == seen.st_mtim.tv_nsec)
        #expect(spend(a, v) == .useBudgetExhausted)
        #expect(try Input.read(path) == third)
    }

    /// The same race as it happens: each write is a new file renamed over the old one, and on ext4 the freed
    /// inode numbers alternate, so two writes by b land at the number of a's last write; b's second write is
    /// given a's mtime. Whatever the file system does with inode numbers, a sees b's uses.
    @Test func rewritesByAnotherProcessAreSeenWhateverTheInode() throws {
        let dir = try ScratchDir()
        let path = dir.file("cache")
        let a = ReplayCache(path: path)
        let b = ReplayCache(path: path)
        let v = try verified { $0.jti = .fixed("four"); $0.maxUses = 4 }
        #expect(spend(a, v) == nil)
        #expect(spend(a, v) == nil)
        var seen = stat()
        try #require(stat(path, &seen) == 0)
        #expect(spend(b, v) == nil)
        #expect(spend(b, v) == nil)  // the fourth and last use, the same size as a's "2"
        var times = [seen.st_atim, seen.st_mtim]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        #expect(spend(a, v) == .useBudgetExhausted)
        #expect(spend(b, v) == .useBudgetExhausted)
    }
}
