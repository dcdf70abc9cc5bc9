// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// `wif-verify jwks-check`'s engine: every finding code, the previous-set diff by thumbprint, and the verdict on
/// removed keys (last signature + max token lifetime + leeway against now).
@Suite struct RotationCheckTests {
    static let now: Int64 = 1767323400

    /// The public JWK of `key` with kid, alg and use, as `wif-mint jwks` publishes it, with overrides.
    static func pub(_ key: JWK, _ changes: [(String, JSON?)] = []) -> JSON {
        var o = key.json(includePrivate: false)
        if o["kid"] == nil { o["kid"] = .string(key.kid ?? key.thumbprint) }
        if o["alg"] == nil, let a = try? key.defaultAlgorithm() { o["alg"] = .string(a.rawValue) }
        if o["use"] == nil { o["use"] = .string("sig") }
        for (k, v) in changes { o[k] = v }
        return .object(o)
    }

    static func set(_ keys: [JSON]) -> [UInt8] { Array(JSON.object(JSONObject([("keys", .array(keys))])).serialized().utf8) }

    /// Two ES256 keys with kids "old" and "new", made once.
    static let pair: [JWK] = [try? JWK.generate(alg: .es256, kid: "old"), try? JWK.generate(alg: .es256, kid: "new")].compactMap { $0 }
    static var old: JWK { get throws(WIFError) { try key(0) } }
    static var new: JWK { get throws(WIFError) { try key(1) } }
    static func key(_ i: Int) throws(WIFError) -> JWK {
        guard pair.count == 2 else { throw WIFError(.cryptoFailure, "key generation failed") }
        return pair[i]
    }

    func check(published: [JSON], signing: [JWK] = [], previous: [JSON]? = nil, life: Int64? = nil,
               retiredAt: Int64? = nil, leeway: Int64 = 60, now: Int64 = RotationCheckTests.now) throws(WIFError) -> RotationReport {
        var c = RotationCheck(published: RotationCheckTests.set(published), publishedName: "published.json", now: now)
        c.signing = signing.map { RotationCheck.SigningKey(key: $0, file: "\($0.kid ?? "key").jwk") }
        if let previous {
            c.previous = RotationCheckTests.set(previous)
            c.previousName = "previous.json"
        }
        c.maxTokenLifetime = life
        c.retiredAt = retiredAt
        c.leeway = leeway
        return try c.run()
    }

    func codes(_ r: RotationReport) -> [String] { r.findings.map(\.code) }

    // MARK: Published set and signing keys

    @Test func safeBaseline() throws {
        let r = try check(published: [Self.pub(Self.old), Self.pub(Self.new)], signing: [Self.old])
        #expect(r.safe)
        #expect(r.findings.isEmpty)
        #expect(r.text.hasSuffix("\nsafe\n"))
        #expect(r.json.objectValue?["safe"] == .bool(true))
        let keys = r.json.objectValue?["published"]?.objectValue?["keys"]?.arrayValue ?? []
        #expect(keys.map { $0.objectValue?["signing"] } == [.bool(true), .bool(false)])
        #expect(try keys.first?.objectValue?["thumbprint"] == .string(Self.old.thumbprint))
    }

    @Test func emptySet() throws {
        let r = try check(published: [])
        #expect(codes(r) == ["empty_set"])
        #expect(!r.safe)
        #expect(r.text.hasSuffix("\nunsafe: 1 problem\n"))
    }

    @Test func privateMembersPublished() throws {
        let priv = try JSON.object(Self.old.json(includePrivate: true))
        let hmac = JSON.object(try JWK.generate(alg: .hs256, kid: "h").json(includePrivate: true))
        let r = try check(published: [priv, hmac])
        #expect(codes(r).filter { $0 == "private_key_published" }.count == 2)
        #expect(r.findings.first?.message.contains("private member d") == true)
        #expect(r.findings.contains { $0.message.contains("symmetric (oct)") })
        // The message never quotes the secret.
        let d = try Self.old.json(includePrivate: true)["d"]?.stringValue ?? "?"
        #expect(!r.text.contains(d) && !r.json.serialized().contains(d))
    }

    @Test func missingMembers() throws {
        var o = try Self.old.json(includePrivate: false)
        o["kid"] = nil
        o["alg"] = nil
        o["use"] = nil
        let r = try check(published: [.object(o)])
        #expect(codes(r) == ["missing_kid", "missing_alg", "missing_use"])
    }

    @Test func badUse() throws {
        let rsa = try GeneratedKeys.key(.rs256)
        let r = try check(published: [Self.pub(Self.old, [("use", .string("enc"))]),
                                      Self.pub(Self.new, [("key_ops", .array([.string("encrypt")]))]),
                                      Self.pub(rsa, [("kid", .string("r")), ("alg", .string("RSA-OAEP"))])])
        #expect(codes(r) == ["bad_use", "bad_use", "bad_use"])
        // use jwt-svid (SPIFFE bundles) and key_ops with verify are fine.
        let ok = try check(published: [Self.pub(Self.old, [("use", .string("jwt-svid"))]),
                                       Self.pub(Self.new, [("key_ops", .array([.string("verify")]))])])
        #expect(ok.safe)
    }

    @Test func invalidAndWeakKeys() throws {
        let n1024 = Base64URL.encode([0xC3] + [UInt8](repeating: 0x5A, count: 126) + [0x01])
        let weak = JSON.object(JSONObject([("kty", .string("RSA")), ("kid", .string("w")), ("alg", .string("RS256")),
                                           ("use", .string("sig")), ("n", .string(n1024)), ("e", .string("AQAB"))]))
        let x25519 = JSON.object(JSONObject([("kty", .string("OKP")), ("crv", .string("X25519")), ("kid", .string("x")),
                                             ("alg", .string("EdDSA")), ("use", .string("sig")),
                                             ("x", .string(Base64URL.encode([UInt8](repeating: 9, count: 32))))]))
        let offCurve = try Self.pub(Self.old, [("y", .string(Base64URL.encode([UInt8](repeating: 1, count: 32))))])
        let r = try check(published: [weak, x25519, offCurve, .string("not a key"), Self.pub(Self.new)])
        #expect(codes(r) == ["weak_key", "invalid_key", "invalid_key", "invalid_key"])
        #expect(r.findings[0].message.contains("1024 bits"))
    }

    @Test func duplicates() throws {
        // One kid for two different keys; the same key twice (under another kid).
        let r = try check(published: [Self.pub(Self.old), Self.pub(Self.new, [("kid", .string("old"))])])
        #expect(codes(r) == ["duplicate_kid"])
        let r2 = try check(published: [Self.pub(Self.old), Self.pub(Self.old, [("kid", .string("again"))])])
        #expect(codes(r2) == ["duplicate_key"])
        let r3 = try check(published: [Self.pub(Self.old), Self.pub(Self.old)])
        #expect(codes(r3) == ["duplicate_key"])
    }

    @Test func signingKeyUnpublished() throws {
        let r = try check(published: [Self.pub(Self.old)], signing: [Self.new])
        #expect(codes(r) == ["signing_key_unpublished"])
        #expect(try r.findings[0].message.contains(Self.new.thumbprint))
        #expect(r.text.contains("NOT published"))
    }

    /// Matching is by thumbprint: the right kid on other key material is not published.
    @Test func matchedByThumbprintNotKid() throws {
        let impostor = try Self.pub(Self.new, [("kid", .string("old"))])
        let r = try check(published: [impostor], signing: [Self.old])
        #expect(codes(r) == ["signing_key_unpublished"])
    }

    @Test func kidAndAlgMismatch() throws {
        let r = try check(published: [Self.pub(Self.old, [("kid", .string("renamed"))])], signing: [Self.old])
        #expect(codes(r) == ["kid_mismatch"])
        let rsa = try GeneratedKeys.key(.rs256)   // alg RS256
        let r2 = try check(published: [Self.pub(rsa, [("kid", .string(rsa.kid ?? "")), ("alg", .string("PS256"))])], signing: [rsa])
        #expect(codes(r2) == ["alg_mismatch"])
    }

    @Test func signingKeyWithoutKid() throws {
        let k = try JWK.generate(alg: .es256)
        k.kid = nil
        let r = try check(published: [Self.pub(k, [("kid", .string("x"))])], signing: [k])
        #expect(codes(r) == ["missing_kid"])
    }

    @Test func signingKeyMustBePrivateAndAsymmetric() throws {
        let pubKey = try reparse(Self.old, includePrivate: false)
        #expect(reason { try check(published: [Self.pub(Self.old)], signing: [pubKey]) } == .usage)
        #expect(reason { try check(published: [Self.pub(Self.old)], signing: [try JWK.generate(alg: .hs256)]) } == .usage)
    }

    @Test func notASet() throws {
        var c = try RotationCheck(published: Array(JSON.object(Self.old.json(includePrivate: false)).serialized().utf8),
                              publishedName: "one.jwk", now: Self.now)
        #expect(reason { try c.run() } == .keyInvalid)
        c.published = Array("{\"keys\":{}}".utf8)
        #expect(reason { try c.run() } == .keyInvalid)
        c.published = Array("not json".utf8)
        #expect(reason { try c.run() } == .keyInvalid)
    }

    // MARK: Against the previous set

    @Test func diffByThumbprint() throws {
        let r = try check(published: [Self.pub(Self.old), Self.pub(Self.new)], signing: [Self.old], previous: [Self.pub(Self.old)])
        #expect(r.safe)
        let prev = r.json.objectValue?["previous"]?.objectValue
        #expect(prev?["added"]?.arrayValue?.count == 1)
        #expect(prev?["kept"]?.arrayValue?.count == 1)
        #expect(prev?["removed"]?.arrayValue?.count == 0)
        #expect(prev?["added"]?.arrayValue?.first?.objectValue?["kid"] == .string("new"))
        #expect(r.text.contains("1 added, 0 removed, 1 kept"))
    }

    /// Publishing and switching signing in one step: verifiers caching the previous set reject the new tokens.
    @Test func signingKeyNotPrepublished() throws {
        let r = try check(published: [Self.pub(Self.old), Self.pub(Self.new)], signing: [Self.new], previous: [Self.pub(Self.old)])
        #expect(codes(r) == ["signing_key_not_prepublished"])
        // Once the previous set (what verifiers cache) holds it, the switch is safe.
        let r2 = try check(published: [Self.pub(Self.old), Self.pub(Self.new)], signing: [Self.new],
                           previous: [Self.pub(Self.old), Self.pub(Self.new)])
        #expect(r2.safe)
    }

    @Test func kidReused() throws {
        let r = try check(published: [Self.pub(Self.new, [("kid", .string("old"))])], signing: [Self.new],
                          previous: [Self.pub(Self.old)], life: 300, retiredAt: Self.now - 3600)
        #expect(codes(r).contains("kid_reused"))
        #expect(!r.safe)
    }

    /// Removed keys: tokens are alive until last signature + lifetime + leeway; at that instant the removal is safe.
    @Test func removedKeyVerdicts() throws {
        let both = try [Self.pub(Self.old), Self.pub(Self.new)]
        let after = try [Self.pub(Self.new)]
        let life: Int64 = 3600
        // Retired long enough ago: safe.
        let ok = try check(published: after, signing: [Self.new], previous: both, life: life, retiredAt: Self.now - life - 60)
        #expect(ok.safe)
        let removed = ok.json.objectValue?["previous"]?.objectValue?["removed"]?.arrayValue?.first?.objectValue
        #expect(removed?["tokens_valid_until"] == .integer(Self.now))
        #expect(removed?["still_signing"] == .bool(false))
        #expect(ok.text.contains("tokens expired since"))
        // One second too early: unsafe, with the time it becomes safe.
        let early = try check(published: after, signing: [Self.new], previous: both, life: life, retiredAt: Self.now - life - 59)
        #expect(codes(early) == ["removed_key_tokens_alive"])
        #expect(early.findings[0].message.contains(NumericDate.formatRFC3339(Self.now + 1)))
        // Without --retired-at the key is taken to have signed until now.
        let unknown = try check(published: after, signing: [Self.new], previous: both, life: life)
        #expect(codes(unknown) == ["removed_key_tokens_alive"])
        #expect(unknown.findings[0].message.contains("no --retired-at"))
        // A zero lifetime and leeway leave nothing alive.
        #expect(try check(published: after, signing: [Self.new], previous: both, life: 0, leeway: 0).safe)
        // A removed key that still signs: unpublished and alive.
        let signing = try check(published: after, signing: [Self.old], previous: both, life: life, retiredAt: Self.now - 86400)
        #expect(codes(signing) == ["signing_key_unpublished", "removed_key_tokens_alive"])
        #expect(signing.json.objectValue?["previous"]?.objectValue?["removed"]?.arrayValue?.first?.objectValue?["still_signing"]
                == .bool(true))
    }

    @Test func removalNeedsLifetime() {
        #expect(reason {
            try check(published: [Self.pub(Self.new)], signing: [Self.new], previous: [Self.pub(Self.old), Self.pub(Self.new)])
        } == .usage)
    }

    @Test func unreadablePreviousKeyIsAWarning() throws {
        let r = try check(published: [Self.pub(Self.old)], signing: [Self.old], previous: [Self.pub(Self.old), .string("junk")])
        #expect(codes(r) == ["previous_key_ignored"])
        #expect(r.safe)
        #expect(r.errorCodes.isEmpty)
    }

    /// The codes are API: add, never rename. The published set's codes are KeySetLint's.
    @Test func stableCodes() {
        #expect(RotationCheck.Code.allCases.map(\.rawValue) == [
            "signing_key_unpublished", "kid_mismatch", "alg_mismatch", "kid_reused", "signing_key_not_prepublished",
            "removed_key_tokens_alive", "previous_key_ignored", "signing_alg_changed",
        ])
        #expect(RotationCheck.allCodes == KeySetLint.Code.allCases.map(\.rawValue) + RotationCheck.Code.allCases.map(\.rawValue))
    }

    // MARK: Time: when each set went live, and the verifiers' cache TTL

    func timed(published: [JSON], signing: [JWK], previous: [JSON]? = nil, publishedAt: Int64?,
               previousPublishedAt: Int64? = nil, ttl: Int64?, allowed: [String] = []) throws(WIFError) -> RotationReport {
        var c = RotationCheck(published: RotationCheckTests.set(published), publishedName: "published.json", now: Self.now)
        c.signing = signing.map { RotationCheck.SigningKey(key: $0, file: "\($0.kid ?? "key").jwk") }
        if let previous {
            c.previous = RotationCheckTests.set(previous)
            c.previousName = "previous.json"
        }
        c.publishedAt = publishedAt
        c.previousPublishedAt = previousPublishedAt
        c.cacheTTL = ttl
        c.allowed = allowed
        return try c.run()
    }

    /// A new key signs safely once the set that holds it has been live for a cache TTL: at that second, not before.
    @Test func publishedLongEnoughBeforeSigning() throws {
        let both = try [Self.pub(Self.old), Self.pub(Self.new)]
        let ok = try timed(published: both, signing: [Self.new], publishedAt: Self.now - 3600, ttl: 3600)
        #expect(ok.safe && ok.findings.isEmpty)
        let signer = ok.json.objectValue?["signing"]?.arrayValue?.first?.objectValue
        #expect(signer?["live_since"] == .integer(Self.now - 3600) && signer?["verifiable_from"] == .integer(Self.now))
        #expect(ok.json.objectValue?["cache_ttl"] == .integer(3600))
        let early = try timed(published: both, signing: [Self.new], publishedAt: Self.now - 3599, ttl: 3600)
        #expect(codes(early) == ["signing_key_not_prepublished"])
        #expect(early.findings[0].message.contains(NumericDate.formatRFC3339(Self.now + 1)))
        // The time replaces the previous-set proxy: a key not in the previous set is fine once live long enough ...
        let proxy = try timed(published: both, signing: [Self.new], previous: [Self.pub(Self.old)],
                              publishedAt: Self.now - 7200, previousPublishedAt: Self.now - 86400, ttl: 3600)
        #expect(proxy.safe)
        // ... and a key of the previous set counts from when that set went live.
        let kept = try timed(published: both, signing: [Self.new], previous: both, publishedAt: Self.now - 60,
                             previousPublishedAt: Self.now - 3600, ttl: 3600)
        #expect(kept.safe)
        let keptEarly = try timed(published: both, signing: [Self.new], previous: both, publishedAt: Self.now - 60,
                                  previousPublishedAt: Self.now - 60, ttl: 3600)
        #expect(codes(keptEarly) == ["signing_key_not_prepublished"])
    }

    @Test func timeOptionsNeedEachOther() throws {
        let one = try [Self.pub(Self.old)]
        #expect(reason { try timed(published: one, signing: [Self.old], publishedAt: Self.now, ttl: nil) } == .usage)
        #expect(reason { try timed(published: one, signing: [Self.old], publishedAt: nil, ttl: 60) } == .usage)
        #expect(reason { try timed(published: one, signing: [Self.old], publishedAt: Self.now, previousPublishedAt: Self.now,
                                   ttl: 60) } == .usage)
        #expect(reason { try timed(published: one, signing: [Self.old], previous: one, publishedAt: Self.now - 10,
                                   previousPublishedAt: Self.now, ttl: 60) } == .usage)
    }

    /// ES256 before, EdDSA now: a warning, the change stays safe.
    @Test func signingAlgChangeIsAWarning() throws {
        let ed = try GeneratedKeys.key(.edDSA)
        let change = try check(published: [Self.pub(Self.old), Self.pub(ed)], signing: [ed], previous: [Self.pub(Self.old)])
        #expect(codes(change) == ["signing_key_not_prepublished", "signing_alg_changed"])
        #expect(change.findings[1].severity == .warning && change.findings[1].message.contains("EdDSA"))
        let same = try check(published: [Self.pub(Self.old), Self.pub(Self.new)], signing: [Self.new],
                             previous: [Self.pub(Self.old), Self.pub(Self.new)])
        #expect(same.findings.isEmpty)
    }

    /// --allow waives named findings; the report lists them; unknown codes and private_key_published are refused.
    @Test func waivers() throws {
        var o = try Self.old.json(includePrivate: false)
        o["use"] = nil
        let r = try timed(published: [.object(o)], signing: [Self.old], publishedAt: nil, ttl: nil, allowed: ["missing_use"])
        #expect(r.safe && r.findings.isEmpty)
        #expect(r.waived.map(\.code) == ["missing_use"])
        #expect(r.json.objectValue?["waived"]?.arrayValue?.count == 1)
        #expect(r.json.objectValue?["allowed"] == .array([.string("missing_use")]))
        #expect(r.text.contains("\nwaived error missing_use: ") && r.text.hasSuffix("\nsafe\n"))
        let one = try [Self.pub(Self.old)]
        #expect(reason { try timed(published: one, signing: [], publishedAt: nil, ttl: nil, allowed: ["nope"]) } == .usage)
        #expect(reason { try timed(published: one, signing: [], publishedAt: nil, ttl: nil,
                                   allowed: ["private_key_published"]) } == .usage)
        // Without --allow the report has no waiver members (the JSON of earlier versions).
        #expect(try check(published: one).json.objectValue?["waived"] == nil)
    }
}
