// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Sources/Core/Operations/DPoP.swift: RFC 9449 proofs, minted and checked in the order its header lists, each
/// failure with its own reason. External truth: RFC 9449 Figure 2 (a proof whose signature verifies), Figure 9
/// (its key's thumbprint), §7.1 (an access token and its ath), RFC 3986 §6.2 (normalisation examples).
@Suite struct DPoPTests {
    static let now: Int64 = 1_767_323_400
    static let htu = "https://server.example.com/token"
    static let key: JWK = (try? parseJWK(RFC.a3Key)) ?? { fatalError("RFC 7515 A.3 key") }()

    /// RFC 9449 Figure 2: ES256, jti -BwC3ESc6acc2lTc, htm POST, htu https://server.example.com/token, iat 1562262616.
    static let rfcProof = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
    /// RFC 9449 Figure 9 (§6.1): the thumbprint of the Figure 2 key.
    static let rfcJKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"

    func spec(_ edit: (inout DPoP.ProofSpec) -> Void = { _ in }) -> DPoP.ProofSpec {
        var s = DPoP.ProofSpec(htm: "POST", htu: Self.htu, iat: Self.now)
        edit(&s)
        return s
    }

    func req(_ edit: (inout DPoP.Requirements) -> Void = { _ in }) -> DPoP.Requirements {
        var r = DPoP.Requirements(htm: "POST", htu: Self.htu)
        edit(&r)
        return r
    }

    func check(_ proof: [UInt8], _ r: DPoP.Requirements, now: Int64 = now) -> Reason? {
        reason { try DPoP.verify(proof, r, now: now) }
    }

    /// A proof with its header and claims edited, signed by `key` with `alg`.
    func forged(header: JSONObject? = nil, claims: JSONObject? = nil, key: JWK = key, alg: Algorithm = .es256) throws -> [UInt8] {
        var h = JSONObject()
        h["typ"] = .string("dpop+jwt")
        h["alg"] = .string(alg.rawValue)
        h["jwk"] = .object(DPoP.publicJWK(Self.key))
        var c = JSONObject()
        c["jti"] = .string("j-1")
        c["htm"] = .string("POST")
        c["htu"] = .string(Self.htu)
        c["iat"] = .integer(Self.now)
        let hb = Array((try JSON.parse((header.map { JSON.object($0) } ?? .object(h)).serialized())).serialized().utf8)
        let cb = Array((claims.map { JSON.object($0) } ?? .object(c)).serialized().utf8)
        var input = Array(Base64URL.encode(hb).utf8) + [UInt8(ascii: ".")] + Array(Base64URL.encode(cb).utf8)
        let sig = try Signer(key: key, algorithm: alg).sign(input)
        input += [UInt8(ascii: ".")] + Array(Base64URL.encode(sig).utf8)
        return input
    }

    // MARK: RFC 9449's own examples

    @Test func rfcFigure2ProofVerifiesAndHasTheFigure9Thumbprint() throws {
        var r = DPoP.Requirements(htm: "POST", htu: "https://server.example.com/token")
        r.maxAge = 1 << 40
        let v = try DPoP.verify(Array(Self.rfcProof.utf8), r, now: 1_562_262_616)
        #expect(v.jkt == Self.rfcJKT)
        #expect(v.jti == "-BwC3ESc6acc2lTc")
        #expect(v.algorithm == .es256)
        // Its time has passed: too old by the default max age.
        #expect(check(Array(Self.rfcProof.utf8), DPoP.Requirements(htm: "POST", htu: Self.htu)) == .dpopIatStale)
        // Bound to its own thumbprint it passes; to another, it fails.
        r.jkt = Self.rfcJKT
        #expect(check(Array(Self.rfcProof.utf8), r, now: 1_562_262_616) == nil)
        r.jkt = Self.key.thumbprint
        #expect(check(Array(Self.rfcProof.utf8), r, now: 1_562_262_616) == .dpopJKTMismatch)
    }

    @Test func rfcSection71AthExample() {
        #expect(DPoP.ath(Array("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU".utf8)) == "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo")
    }

    // MARK: Minting

    @Test func mintedProofHasTheRFCShapeAndOnlyThePublicKey() throws {
        let p = try DPoP.mint(spec { $0.accessToken = Array("at".utf8); $0.nonce = "n-1"; $0.jti = "fixed" }, key: Self.key)
        let jws = try CompactJWS.parse(p)
        #expect(jws.header["typ"]?.stringValue == "dpop+jwt")
        #expect(jws.header["alg"]?.stringValue == "ES256")
        let jwk = try #require(jws.header["jwk"]?.objectValue)
        #expect(jwk.keys.sorted() == ["crv", "kty", "x", "y"])
        let c = try jws.claims()
        #expect(c.keys == ["jti", "htm", "htu", "iat", "ath", "nonce"])
        #expect(c["ath"]?.stringValue == DPoP.ath(Array("at".utf8)))
        #expect(c["jti"]?.stringValue == "fixed")
        let v = try DPoP.verify(p, req { $0.accessToken = Array("at".utf8); $0.nonce = "n-1"; $0.jkt = Self.key.thumbprint },
                                now: Self.now)
        #expect(v.jkt == Self.key.thumbprint)
    }

    @Test func mintStripsQueryAndFragmentAndDrawsARandomJTI() throws {
        let a = try CompactJWS.parse(try DPoP.mint(spec { $0.htu = Self.htu + "?x=1#f" }, key: Self.key)).claims()
        let b = try CompactJWS.parse(try DPoP.mint(spec(), key: Self.key)).claims()
        #expect(a["htu"]?.stringValue == Self.htu)
        #expect(a["jti"]?.stringValue?.utf8.count == 22)
        #expect(a["jti"]?.stringValue != b["jti"]?.stringValue)
    }

    @Test func mintRefusesSymmetricKeysAndBadURIs() throws {
        let hmac = try parseJWK(RFC.a1Key)
        #expect(reason { try DPoP.mint(spec(), key: hmac) } == .usage)
        #expect(reason { try DPoP.mint(spec { $0.htu = "/token" }, key: Self.key) } == .usage)
        #expect(reason { try DPoP.mint(spec { $0.htm = "" }, key: Self.key) } == .usage)
    }

    @Test func everyAlgorithmFamilyRoundTrips() throws {
        for alg in [Algorithm.es256, .es384, .edDSA, .ps256, .rs256] {
            let k = try JWK.generate(alg: alg)
            let p = try DPoP.mint(spec { $0.alg = alg }, key: k)
            #expect(check(p, req()) == nil, "\(alg.rawValue)")
        }
    }

    // MARK: Each §4.3 check, with its reason

    @Test func multipleProofs() throws {
        #expect(try DPoP.single([]) == nil)
        #expect(try DPoP.single(["a.b.c"]) == "a.b.c")
        #expect(reason { try DPoP.single(["a.b.c", "d.e.f"]) } == .dpopMultiple)
        #expect(reason { try DPoP.single(["a.b.c, d.e.f"]) } == .dpopMultiple)
    }

    @Test func malformed() throws {
        #expect(check(Array("not a jws".utf8), req()) == .dpopMalformed)
        #expect(check(Array("a.b".utf8), req()) == .dpopMalformed)
        var c = JSONObject()
        c["htm"] = .string("POST"); c["htu"] = .string(Self.htu); c["iat"] = .integer(Self.now)
        #expect(check(try forged(claims: c), req()) == .dpopMalformed)  // no jti
        c["jti"] = .string("j"); c["iat"] = .string("now")
        #expect(check(try forged(claims: c), req()) == .dpopMalformed)  // iat not a number
        c["iat"] = .number("-9223372036854775808")
        #expect(check(try forged(claims: c), req()) == .dpopMalformed)  // out of range, and no overflow
    }

    @Test func critAndB64HeadersAreMalformed() throws {
        var h = JSONObject()
        h["typ"] = .string("dpop+jwt")
        h["alg"] = .string("ES256")
        h["jwk"] = .object(DPoP.publicJWK(Self.key))
        #expect(check(try forged(header: h), req()) == nil)
        var crit = h
        crit["crit"] = .array([.string("x-ext")]); crit["x-ext"] = .bool(true)
        #expect(check(try forged(header: crit), req()) == .dpopMalformed)
        var b64 = h
        b64["b64"] = .bool(true)
        #expect(check(try forged(header: b64), req()) == .dpopMalformed)
    }

    @Test func typ() throws {
        var h = JSONObject()
        h["typ"] = .string("JWT"); h["alg"] = .string("ES256"); h["jwk"] = .object(DPoP.publicJWK(Self.key))
        #expect(check(try forged(header: h), req()) == .dpopBadTyp)
        h["typ"] = .string("DPoP+JWT")
        #expect(check(try forged(header: h), req()) == nil)  // media types fold ASCII case
    }

    @Test func algNoneSymmetricAndDisallowed() throws {
        let hmac = try parseJWK(RFC.a1Key)
        #expect(check(try forged(key: hmac, alg: .hs256), req()) == .dpopAlgNotAllowed)
        let noneHeader = Base64URL.encode(Array(#"{"typ":"dpop+jwt","alg":"none"}"#.utf8))
        let body = Base64URL.encode(Array(#"{"jti":"j","htm":"POST","htu":"https://server.example.com/token","iat":1}"#.utf8))
        #expect(check(Array("\(noneHeader).\(body).".utf8), req()) == .dpopAlgNotAllowed)
        #expect(check(try forged(), req { $0.algorithms = [.edDSA] }) == .dpopAlgNotAllowed)
    }

    @Test func jwkPrivateMissingOrWrong() throws {
        var h = JSONObject()
        h["typ"] = .string("dpop+jwt"); h["alg"] = .string("ES256")
        #expect(check(try forged(header: h), req()) == .dpopBadJWK)
        h["jwk"] = Self.key.json(includePrivate: true).isEmpty ? .null : .object(Self.key.json(includePrivate: true))
        #expect(check(try forged(header: h), req()) == .dpopPrivateJWK)
        h["jwk"] = .string("x")
        #expect(check(try forged(header: h), req()) == .dpopBadJWK)
        h["jwk"] = .object(DPoP.publicJWK(try JWK.generate(alg: .edDSA)))  // does not fit ES256
        #expect(check(try forged(header: h), req()) == .dpopBadJWK)
    }

    @Test func signatureByAnotherKey() throws {
        let other = try JWK.generate(alg: .es256)
        #expect(check(try forged(key: other), req()) == .dpopBadSignature)
    }

    @Test func htmExact() throws {
        let p = try DPoP.mint(spec(), key: Self.key)
        #expect(check(p, req { $0.htm = "GET" }) == .dpopHTMMismatch)
        #expect(check(p, req { $0.htm = "post" }) == .dpopHTMMismatch)
    }

    @Test func htuNormalisedWithoutQueryAndFragment() throws {
        let p = try DPoP.mint(spec { $0.htu = "HTTPS://Server.Example.COM:443/a/./b/../%7etoken" }, key: Self.key)
        #expect(check(p, req { $0.htu = "https://server.example.com/a/~token?q=1#frag" }) == nil)
        #expect(check(p, req { $0.htu = "https://server.example.com/a/token" }) == .dpopHTUMismatch)
        #expect(check(p, req { $0.htu = "http://server.example.com/a/~token" }) == .dpopHTUMismatch)
        // RFC 3986 §6.2.2 and §6.2.3 examples.
        #expect(DPoP.normalizedURI("HTTP://www.Example.com/") == "http://www.example.com/")
        #expect(DPoP.normalizedURI("http://example.com") == "http://example.com/")
        #expect(DPoP.normalizedURI("http://example.com:/") == "http://example.com/")
        #expect(DPoP.normalizedURI("http://example.com:80/~smith/") == "http://example.com/~smith/")
        #expect(DPoP.normalizedURI("http://example.com/%7Esmith/") == "http://example.com/~smith/")
        #expect(DPoP.normalizedURI("http://example.com/a%c2%b1b") == "http://example.com/a%C2%B1b")
        #expect(DPoP.normalizedURI("http://example.com/a/b/c/./../../g") == "http://example.com/a/g")
        #expect(DPoP.normalizedURI("http://[::1]:8080/x") == "http://[::1]:8080/x")
        #expect(DPoP.normalizedURI("https://example.com:8443/x") == "https://example.com:8443/x")
        for bad in ["/token", "ftp://example.com/", "http:example.com", "http://exa mple.com/", "http://example.com/%zz",
                    "http://example.com:99999/", "http://example.com:8x/", "http:///x", "http://a:b:80/", "http://[zz]/",
                    "http://example.com/a b", "http://example.com/<x>", "http://us er@example.com/"] {
            #expect(DPoP.normalizedURI(bad) == nil, "\(bad)")
        }
    }

    /// Normalisation is idempotent: what it makes, it leaves alone (so comparing normalised forms is an equivalence).
    @Test func htuNormalisationIsIdempotent() {
        let parts = ["http://", "https://", "HTTP://", "a", "B", ".", "..", "/", "%2e", "%2E", "%7e", "%41", "%2f", "%zz",
                     ":", ":80", ":443", ":0080", "@", "[::1]", "?", "#", "~", "-", "%", "u:p@"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            var u = parts[Int.random(in: 0..<3, using: &rng)]
            for _ in 0..<Int.random(in: 1...10, using: &rng) { u += parts[Int.random(in: 0..<parts.count, using: &rng)] }
            guard let n = DPoP.normalizedURI(u) else { continue }
            #expect(DPoP.normalizedURI(n) == n, "\(u) -> \(n)")
        }
    }

    @Test func iatStaleAndFuture() throws {
        #expect(check(try DPoP.mint(spec { $0.iat = Self.now - 301 }, key: Self.key), req()) == .dpopIatStale)
        #expect(check(try DPoP.mint(spec { $0.iat = Self.now - 300 }, key: Self.key), req()) == nil)
        #expect(check(try DPoP.mint(spec { $0.iat = Self.now + 61 }, key: Self.key), req()) == .dpopIatFuture)
        #expect(check(try DPoP.mint(spec { $0.iat = Self.now + 60 }, key: Self.key), req()) == nil)
        #expect(check(try DPoP.mint(spec { $0.iat = Self.now - 20 }, key: Self.key), req { $0.maxAge = 10 }) == .dpopIatStale)
    }

    @Test func nonce() throws {
        #expect(check(try DPoP.mint(spec(), key: Self.key), req { $0.nonce = "n" }) == .dpopBadNonce)
        #expect(check(try DPoP.mint(spec { $0.nonce = "m" }, key: Self.key), req { $0.nonce = "n" }) == .dpopBadNonce)
        #expect(check(try DPoP.mint(spec { $0.nonce = "n" }, key: Self.key), req { $0.nonce = "n" }) == nil)
        #expect(Reason.dpopBadNonce.oauthError == .useDPoPNonce)
        #expect(Reason.dpopHTUMismatch.oauthError == .invalidDPoPProof)
    }

    @Test func ath() throws {
        let at = Array("access-token".utf8)
        #expect(check(try DPoP.mint(spec(), key: Self.key), req { $0.accessToken = at }) == .dpopATHMissing)
        #expect(check(try DPoP.mint(spec { $0.accessToken = Array("other".utf8) }, key: Self.key),
                      req { $0.accessToken = at }) == .dpopATHMismatch)
        #expect(check(try DPoP.mint(spec { $0.accessToken = at }, key: Self.key), req { $0.accessToken = at }) == nil)
    }

    @Test func replayOfTheProofJTI() throws {
        let dir = try TempDir()
        let cache = ReplayCache(path: dir.path + "/replay")
        let p = try DPoP.mint(spec { $0.jti = "once" }, key: Self.key)
        #expect(reason { try DPoP.verify(p, req(), now: Self.now, replayCache: cache) } == nil)
        #expect(reason { try DPoP.verify(p, req(), now: Self.now + 1, replayCache: cache) } == .dpopReplayedJTI)
        // Another key's proof with the same jti is not a replay.
        let q = try DPoP.mint(spec { $0.jti = "once" }, key: try JWK.generate(alg: .es256))
        #expect(reason { try DPoP.verify(q, req(), now: Self.now, replayCache: ReplayCache(path: dir.path + "/replay")) } == nil)
        // A proof that fails another check does not spend its jti.
        let r = try DPoP.mint(spec { $0.jti = "later" }, key: Self.key)
        #expect(reason { try DPoP.verify(r, req { $0.htm = "GET" }, now: Self.now, replayCache: cache) } == .dpopHTMMismatch)
        #expect(reason { try DPoP.verify(r, req(), now: Self.now, replayCache: cache) } == nil)
    }
}
