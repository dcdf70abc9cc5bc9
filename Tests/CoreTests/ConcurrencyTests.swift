// SPDX-License-Identifier: Apache-2.0
import Core
import Dispatch
import Glibc
import Testing

/// Concurrent use, for ThreadSanitizer (`make sanitize`): one shared KeyRing with a Validator per thread, and
/// several ReplayCache users on one file at once.
///
/// Rules: `KeyRing` and `JWK` are Sendable and may be shared; a `Validator` (it keeps prepared OpenSSL
/// contexts) belongs to one thread; replay-cache users serialise on the file lock, so of several presenting
/// one jti exactly one wins.
@Suite struct ConcurrencyTests {
    static let now: Int64 = 1_767_323_400
    static let algorithms: [Algorithm] = [.es256, .rs256, .edDSA, .hs256]

    /// One key per algorithm, and a token from each with a distinct jti.
    static func keysAndTokens(count: Int) throws -> (keys: [JWK], tokens: [[UInt8]]) {
        var keys: [JWK] = []
        var tokens: [[UInt8]] = []
        for (i, alg) in algorithms.enumerated() {
            let key = try JWK.generate(alg: alg, kid: "k\(i)")
            keys.append(key)
            for n in 0..<count {
                var spec = TokenSpec(now: now)
                spec.iss = "https://ci.example"
                spec.sub = "job-\(n)"
                spec.aud = ["https://as.example/token"]
                spec.jti = .fixed("jti-\(i)-\(n)")
                tokens.append(try Minter(spec: spec, key: key).next())
            }
        }
        return (keys, tokens)
    }

    /// Public halves for verification (HMAC keys stay as they are).
    static func verificationKeys(_ keys: [JWK]) throws -> [JWK] {
        try keys.map { k in
            guard k.keyType != .oct else { return k }
            let text = JSON.object(k.json(includePrivate: false)).serialized()
            guard case .key(let pub) = try KeySource.parse(Array(text.utf8), what: "public key") else {
                throw WIFError(.keyInvalid, "not a single key")
            }
            return pub
        }
    }

    @Test func validatorsOnThreadsShareOneKeyRing() throws {
        let (keys, tokens) = try Self.keysAndTokens(count: 3)
        let ring = KeyRing(keys: try Self.verificationKeys(keys))
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            var policy = Policy(profile: .rfc7523)
            policy.audiences = ["https://as.example/token"]
            guard let validator = try? Validator(keys: ring, policy: policy) else { failures.add(); return }
            for round in 0..<20 {
                let token = tokens[(t + round) % tokens.count]
                if (try? validator.verify(token, now: Self.now)) == nil { failures.add() }
                var bad = token
                bad[bad.count - 2] ^= 1
                if (try? validator.verify(bad, now: Self.now)) != nil { failures.add() }
            }
        }
        #expect(failures.value == 0)
    }

    @Test func replayCacheUsersOnThreadsAgreeOnOneWinner() throws {
        let (keys, tokens) = try Self.keysAndTokens(count: 1)
        let ring = KeyRing(keys: try Self.verificationKeys(keys))
        var template = Array("/tmp/wif-replay-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let dir = try #require(made.map { String(cString: $0) })
        defer {
            for f in ["cache", "cache.lock"] { unlink("\(dir)/\(f)") }
            rmdir(dir)
        }
        let path = "\(dir)/cache"
        let wins = Counter()
        let errors = Counter()
        DispatchQueue.concurrentPerform(iterations: 6) { t in
            do {
                let validator = try Validator(keys: ring, policy: Policy(profile: .none))
                // Every thread presents the same shared token, then one token of its own.
                let shared = try validator.verify(tokens[0], now: Self.now)
                let cache = ReplayCache(path: path)
                do {
                    try cache.check(shared, leeway: 60, now: { Self.now })
                    wins.add()
                } catch let e as WIFError where e.reason == .replayedJTI {}
                var spec = TokenSpec(now: Self.now)
                spec.jti = .fixed("own-\(t)")
                let own = try validator.verify(try Minter(spec: spec, key: keys[3]).next(), now: Self.now)
                try cache.check(own, leeway: 60, now: { Self.now })
            } catch {
                errors.add()
            }
        }
        #expect(errors.value == 0)
        #expect(wins.value == 1)
        // Every thread's own jti was recorded: presenting any again is a replay.
        let validator = try Validator(keys: ring, policy: Policy(profile: .none))
        let cache = ReplayCache(path: path)
        for t in 0..<6 {
            var spec = TokenSpec(now: Self.now)
            spec.jti = .fixed("own-\(t)")
            let v = try validator.verify(try Minter(spec: spec, key: keys[3]).next(), now: Self.now)
            #expect(reason { try cache.check(v, leeway: 60, now: { Self.now }) } == .replayedJTI)
        }
    }
}

/// A thread-safe counter for the tests above.
final class Counter: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var count = 0
    init() { pthread_mutex_init(mutex, nil) }
    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }
    func add() {
        pthread_mutex_lock(mutex)
        count += 1
        pthread_mutex_unlock(mutex)
    }
    var value: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return count
    }
}
