// SPDX-License-Identifier: Apache-2.0
import Core
import Glibc
import Testing

/// The rules at the top of Sources/Core/Validation/ReplayCache.swift: the file format, what is remembered and for
/// how long, pruning, the lock, atomic replacement and refusing a file it cannot read.
/// Not covered here: the full cache (a million live entries, about 56 MB) failing closed.
@Suite struct ReplayCacheTests {
    let ec: JWK
    let dir: TempDir
    let v: Validator

    init() throws {
        ec = try MirrorKeys.key(MirrorKeys.ec)
        dir = try TempDir()
        v = try validator([ec])
    }

    func verified(at now: Int64 = mirrorNow, _ edit: (inout TokenSpec) -> Void = { _ in }) throws -> VerifiedToken {
        try v.verify(try mint(ec, baseSpec(), edit), now: now)
    }

    /// Opens the cache, checks `token`, closes it; the reason, or nil when it was accepted.
    func present(_ token: VerifiedToken, path: String, now: Int64 = mirrorNow, leeway: Int64 = 60,
                 maxLifetime: Int64? = nil) throws -> Reason? {
        let c = try ReplayCache(path: path, now: now)
        let r = reason { try c.check(token, leeway: leeway, maxLifetime: maxLifetime, now: now) }
        try c.close()
        return r
    }

    func lines(_ path: String) throws -> [String] {
        String(decoding: try Input.read(path), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    // MARK: format

    @Test func oneLineAnEntryExpiryAndHashOfIssAndJTI() throws {
        let path = dir.file("cache")
        let t = try verified { $0.jti = .fixed("j-1"); $0.exp = mirrorNow + 300 }
        #expect(try present(t, path: path) == nil)
        let hash = Base64URL.encode(Digest.sha256(Array("https://issuer.example".utf8) + [0] + Array("j-1".utf8)))
        #expect(try lines(path) == ["\(mirrorNow + 300 + 60) \(hash)"])
    }

    @Test func aTokenWithoutJTIIsRememberedWhole() throws {
        let path = dir.file("cache")
        let t = try verified { $0.jti = .omitted }
        #expect(try present(t, path: path) == nil)
        let hash = Base64URL.encode(Digest.sha256(Array("token".utf8) + [0] + t.token))
        #expect(try lines(path).first?.hasSuffix(" " + hash) == true)
        #expect(try present(t, path: path) == .replayedJTI)
    }

    @Test func theFileHasMode0600AndNoTemporaryFileIsLeft() throws {
        let path = dir.file("cache")
        #expect(try present(try verified(), path: path) == nil)
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        var names: [String] = []
        if let d = opendir(dir.path) {
            while let e = readdir(d) {
                names.append(withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) })
            }
            closedir(d)
        }
        #expect(names.filter { $0 != "." && $0 != ".." }.sorted() == ["cache", "cache.lock"])
    }

    // MARK: what counts as a replay

    @Test func theSameIssuerAndJTIIsAReplay() throws {
        let path = dir.file("cache")
        #expect(try present(try verified { $0.jti = .fixed("j") }, path: path) == nil)
        #expect(try present(try verified { $0.jti = .fixed("j"); $0.sub = "other" }, path: path) == .replayedJTI)
        // Another issuer's jti is another entry; so is a jti that differs in one byte.
        #expect(try present(try verified { $0.jti = .fixed("j"); $0.iss = "https://other.example" }, path: path) == nil)
        #expect(try present(try verified { $0.jti = .fixed("J") }, path: path) == nil)
        #expect(try present(try verified { $0.jti = .fixed("j") }, path: path) == .replayedJTI)
    }

    @Test func jtiIsComparedAsBytes() throws {
        let path = dir.file("cache")
        #expect(try present(try verified { $0.jti = .fixed("caf\u{E9}") }, path: path) == nil)
        #expect(try present(try verified { $0.jti = .fixed("cafe\u{301}") }, path: path) == nil)
    }

    @Test func withinOneOpenTheSecondSightIsAReplay() throws {
        let c = try ReplayCache(path: dir.file("cache"), now: mirrorNow)
        let t = try verified { $0.jti = .fixed("twice") }
        try c.check(t, leeway: 60, maxLifetime: nil, now: mirrorNow)
        #expect(reason { try c.check(t, leeway: 60, maxLifetime: nil, now: mirrorNow) } == .replayedJTI)
        try c.close()
    }

    // MARK: how long

    @Test func rememberedUntilExpPlusLeeway() throws {
        let path = dir.file("cache")
        let t = try verified { $0.jti = .fixed("j"); $0.exp = mirrorNow + 300 }
        #expect(try present(t, path: path) == nil)
        let until = mirrorNow + 300 + 60
        #expect(try present(t, path: path, now: until) == .replayedJTI)
        // Past it, the entry is pruned on open and the jti may be presented again.
        #expect(try present(t, path: path, now: until + 1) == nil)
    }

    @Test func withoutExpFromIatAndTheMaximumLifetime() throws {
        let path = dir.file("cache")
        let t = try verified { $0.jti = .fixed("j"); $0.noExp = true; $0.iat = mirrorNow }
        #expect(try present(t, path: path, maxLifetime: 600) == nil)
        #expect(try lines(path).first?.hasPrefix("\(mirrorNow + 600 + 60) ") == true)
        let other = dir.file("cache2")
        #expect(try present(t, path: other) == nil)
        #expect(try lines(other).first?.hasPrefix("\(mirrorNow + ReplayCache.defaultRetention + 60) ") == true)
    }

    @Test func withoutExpOrIatForTheDefaultRetention() throws {
        let path = dir.file("cache")
        let t = try verified { $0.jti = .fixed("j"); $0.noExp = true; $0.noIat = true }
        #expect(try present(t, path: path) == nil)
        #expect(ReplayCache.defaultRetention == 86400)
        #expect(try lines(path).first?.hasPrefix("\(mirrorNow + 86400) ") == true)
    }

    @Test func anEntryIsKeptAtLeastUntilNow() throws {
        // An expired token (a verifier with a large leeway accepted it) is remembered until now, not in the past.
        let path = dir.file("cache")
        let t = try verified(at: mirrorNow - 700) { $0.jti = .fixed("old"); $0.iat = mirrorNow - 900; $0.exp = mirrorNow - 600 }
        let c = try ReplayCache(path: path, now: mirrorNow)
        try c.check(t, leeway: 0, maxLifetime: nil, now: mirrorNow)
        try c.close()
        #expect(try lines(path).first?.hasPrefix("\(mirrorNow) ") == true)
    }

    // MARK: pruning and unreadable files

    @Test func expiredEntriesArePrunedOnOpen() throws {
        let path = try dir.write("cache", "\(mirrorNow - 1) old\n\(mirrorNow) edge\n\(mirrorNow + 5) live\n")
        let c = try ReplayCache(path: path, now: mirrorNow)
        try c.close()
        #expect(try lines(path) == ["\(mirrorNow) edge", "\(mirrorNow + 5) live"])
    }

    @Test func anUntouchedCacheIsNotRewritten() throws {
        let path = try dir.write("cache", "\(mirrorNow + 5) b\n\(mirrorNow + 1) a\n")
        let c = try ReplayCache(path: path, now: mirrorNow)
        try c.close()
        // Unsorted as written: nothing changed, so nothing was written.
        #expect(try lines(path) == ["\(mirrorNow + 5) b", "\(mirrorNow + 1) a"])
    }

    @Test(arguments: ["garbage\n", "123\n", "x abc\n", "12 a\nnot-a-number b\n", " 12 a\n"])
    func aLineThatDoesNotParseMakesTheCacheUnusable(_ content: String) throws {
        let path = try dir.write("cache", content)
        let e = wifError { try ReplayCache(path: path, now: mirrorNow) }
        #expect(e?.reason == .inputInvalid)
        #expect(e?.reason.exitStatus == .failure)
    }

    @Test func aCacheInAMissingFolderCannotBeOpened() {
        #expect(reason { try ReplayCache(path: dir.file("no/such/cache"), now: mirrorNow) } == .inputUnreadable)
    }

    // MARK: the lock

    /// The exclusive lock on FILE.lock is held from open to close, so concurrent verifiers take turns and of two
    /// presenting the same jti exactly one wins.
    @Test func theLockIsHeldFromOpenToClose() throws {
        let path = dir.file("cache")
        func lockable() -> Bool {
            let fd = open(path + ".lock", O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            return flock(fd, LOCK_EX | LOCK_NB) == 0
        }
        let c = try ReplayCache(path: path, now: mirrorNow)
        #expect(!lockable())
        try c.check(try verified(), leeway: 60, maxLifetime: nil, now: mirrorNow)
        try c.save()
        #expect(!lockable())   // saving keeps the lock
        try c.close()
        #expect(lockable())
    }
}
