// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// The check order documented at the top of Sources/Core/Validation/Validator.swift, step by step: each reason a
/// step gives, on a token that passed every earlier step for real (signed in-process with Core's own Minter), and
/// tokens wrong in two ways, which report the earlier step.
@Suite struct ValidatorTests {
    let ec: JWK
    let hs: JWK

    init() throws {
        ec = try MirrorKeys.key(MirrorKeys.ec)
        hs = try hmacKey()
    }

    func policy(_ profile: Profile = .none, _ edit: (inout Policy) -> Void = { _ in }) -> Policy {
        var p = Policy(profile: profile)
        edit(&p)
        return p
    }

    @Test func aWellFormedTokenPassesEveryStep() throws {
        let v = try validator([ec], policy(.rfc7523) {
            $0.issuers = ["https://issuer.example"]
            $0.audiences = ["https://as.example/token"]
        })
        let r = try v.verify(try mint(ec), now: mirrorNow)
        #expect(r.algorithm == .es256)
        #expect(r.key.kid == "ec-1")
        #expect(r.claims["sub"]?.stringValue == "workload-1")
    }

    // MARK: 1. malformed

    @Test(arguments: [
        "",                                   // empty
        "a.b",                                // two segments
        "a.b.c.d",                            // four segments
        "a.b.c.d.e",                          // five: a JWE
        "a.b.c.d.e.f",                        // six
        "eyJhbGciOiJFUzI1NiJ9.e30.a b",       // a space
        "eyJhbGciOiJFUzI1NiJ9.e30.AA==",      // padding
        "eyJhbGciOiJFUzI1NiJ9\n.e30.AA",      // a line break
        ".e30.AA",                            // empty header
        "eyJhbGciOiJFUzI1NiJ9.e30.A",         // signature of one base64url character
        "W10.e30.AA",                         // header [] (not an object)
        "bm90IGpzb24.e30.AA",                 // header "not json"
    ])
    func step1Malformed(_ token: String) throws {
        #expect(verdict(try validator([ec]), Array(token.utf8)) == .malformed)
    }

    @Test func step1DuplicateHeaderMembersAreMalformed() throws {
        let t = try signRaw(header: #"{"alg":"ES256","alg":"ES256"}"#, payload: "{}", key: ec, alg: .es256)
        #expect(verdict(try validator([ec]), t) == .malformed)
    }

    @Test func step1SizeBoundIsThePolicys() throws {
        let t = try mint(ec)
        #expect(verdict(try validator([ec], policy { $0.maxTokenSize = t.count }), t) == nil)
        #expect(verdict(try validator([ec], policy { $0.maxTokenSize = t.count - 1 }), t) == .malformed)
    }

    // MARK: 2. alg

    @Test func step2AlgMissingOrNotAStringIsMalformed() throws {
        let v = try validator([ec])
        #expect(verdict(v, try signRaw(header: #"{"kid":"ec-1"}"#, payload: "{}", key: ec, alg: .es256)) == .malformed)
        #expect(verdict(v, try signRaw(header: #"{"alg":256}"#, payload: "{}", key: ec, alg: .es256)) == .malformed)
        #expect(verdict(v, try signRaw(header: #"{"alg":null}"#, payload: "{}", key: ec, alg: .es256)) == .malformed)
    }

    @Test(arguments: ["none", "None", "NONE", "nOnE"])
    func step2AlgNoneInAnyCase(_ alg: String) throws {
        let h = Base64URL.encode(Array(#"{"alg":"\#(alg)"}"#.utf8))
        let t = Array((h + "." + Base64URL.encode(Array("{}".utf8)) + ".").utf8)
        #expect(verdict(try validator([ec, hs]), t) == .algNone)
    }

    @Test func step2AlgNotKnownOrNotAllowed() throws {
        let v = try validator([ec])
        // HS256 is a known alg, but no key of this ring fits it.
        #expect(verdict(v, try mint(hs)) == .algNotAllowed)
        #expect(verdict(v, try signRaw(header: #"{"alg":"ES257"}"#, payload: "{}", key: ec, alg: .es256)) == .algNotAllowed)
        #expect(verdict(v, try signRaw(header: #"{"alg":"es256"}"#, payload: "{}", key: ec, alg: .es256)) == .algNotAllowed)
        // The policy's allow-list narrows what the keys fit.
        let only = try validator([ec, hs], policy { $0.algorithms = [.hs256] })
        #expect(verdict(only, try mint(ec)) == .algNotAllowed)
        #expect(verdict(only, try mint(hs)) == nil)
    }

    /// Algorithm names compare as bytes: "ES256" followed by U+212A KELVIN SIGN is canonically equivalent to
    /// "ES256K" under Swift's `==`, but it is not the name ES256K.
    @Test func step2AlgIsComparedAsBytes() throws {
        let k = try MirrorKeys.key(MirrorKeys.es256k)
        let v = try validator([k])
        let exact = try mint(k) { $0.alg = .es256k }
        #expect(verdict(v, exact) == nil)
        let kelvin = try mint(k) { $0.alg = .es256k; $0.headers["alg"] = .string("ES256\u{212A}") }
        #expect(verdict(v, kelvin) == .algNotAllowed)
    }

    @Test func step2BeforeStep3() throws {
        // alg none and crit: alg is checked first.
        let h = Base64URL.encode(Array(#"{"alg":"none","crit":["exp"]}"#.utf8))
        #expect(verdict(try validator([ec]), Array((h + ".e30.").utf8)) == .algNone)
    }

    // MARK: 3. headers

    @Test func step3CritAndB64AreUnsupported() throws {
        let v = try validator([ec])
        #expect(verdict(v, try mint(ec) { $0.headers["crit"] = .array([.string("exp")]) }) == .unsupportedCrit)
        #expect(verdict(v, try mint(ec) { $0.headers["crit"] = .array([]) }) == .unsupportedCrit)
        #expect(verdict(v, try mint(ec) { $0.headers["b64"] = .bool(false) }) == .unsupportedCrit)
        #expect(verdict(v, try mint(ec) { $0.headers["b64"] = .bool(true) }) == .unsupportedCrit)
    }

    @Test(arguments: ["JWT", "jwt", "application/jwt", "Application/JWT"])
    func step3NestedJWTIsDisallowed(_ cty: String) throws {
        #expect(verdict(try validator([ec]), try mint(ec) { $0.headers["cty"] = .string(cty) }) == .disallowedHeader)
    }

    @Test func step3OtherCtyIsAccepted() throws {
        #expect(verdict(try validator([ec]), try mint(ec) { $0.headers["cty"] = .string("json") }) == nil)
    }

    @Test func step3ProfileHeaderAllowList() throws {
        let k = try MirrorKeys.key(MirrorKeys.ec)
        var pub = try MirrorKeys.publicHalf(k)
        pub.use = "jwt-svid"
        let v = try Validator(keys: KeyRing(keys: [pub]), policy: policy(.spiffe) { $0.audiences = ["a"] })
        let spiffe = baseSpec(sub: "spiffe://example.org/w", aud: ["a"])
        #expect(verdict(v, try mint(k, spiffe)) == nil)
        #expect(verdict(v, try mint(k, spiffe) { $0.headers["x5t"] = .string("abc") }) == .disallowedHeader)
        #expect(verdict(v, try mint(k, spiffe) { $0.headers["jku"] = .string("https://x") }) == .disallowedHeader)
    }

    @Test func step3TypMustBeAString() throws {
        #expect(verdict(try validator([ec]), try mint(ec) { $0.headers["typ"] = .integer(1) }) == .malformed)
    }

    @Test func step3RequiredTyp() throws {
        let v = try validator([ec], policy { $0.typ = "at+jwt" })
        #expect(verdict(v, try mint(ec) { $0.typ = "at+jwt" }) == nil)
        #expect(verdict(v, try mint(ec) { $0.typ = "application/AT+JWT" }) == nil)
        #expect(verdict(v, try mint(ec) { $0.typ = "JWT" }) == .badTyp)
        #expect(verdict(v, try mint(ec) { $0.typ = nil }) == .badTyp)
        #expect(verdict(v, try mint(ec) { $0.typ = "application/at+jwt/x" }) == .badTyp)
    }

    @Test func step3ProfileAcceptedTyp() throws {
        let v = try validator([ec], policy(.rfc7523) { $0.audiences = ["https://as.example/token"] })
        #expect(verdict(v, try mint(ec)) == nil)                                    // typ JWT
        #expect(verdict(v, try mint(ec) { $0.typ = nil }) == nil)                   // absent
        #expect(verdict(v, try mint(ec) { $0.typ = "application/jwt" }) == nil)
        #expect(verdict(v, try mint(ec) { $0.typ = "at+jwt" }) == .badTyp)
        #expect(verdict(v, try mint(ec) { $0.typ = "JOSE" }) == .badTyp)
    }

    @Test func step3BeforeStep4() throws {
        // crit and an unknown kid: the header rule answers.
        let t = try mint(ec) { $0.kid = "nobody"; $0.headers["crit"] = .array([.string("x")]) }
        #expect(verdict(try validator([ec]), t) == .unsupportedCrit)
    }

    // MARK: 4. key choice

    @Test func step4UnknownKid() throws {
        let v = try validator([ec])
        #expect(verdict(v, try mint(ec) { $0.kid = "ec-9" }) == .unknownKid)
        #expect(verdict(v, try mint(ec) { $0.kid = "EC-1" }) == .unknownKid)
        #expect(verdict(v, try mint(ec) { $0.headers["kid"] = .integer(1) }) == .unknownKid)
        #expect(verdict(v, try mint(ec) { $0.headers["kid"] = .string("../ec-1") }) == .unknownKid)
    }

    /// kid matches exactly: a decomposed "é" is not the composed one, though Swift's `==` says they are equal.
    @Test func step4KidIsComparedAsBytes() throws {
        let k = try JWK.generate(alg: .es256, kid: "caf\u{E9}")
        let v = try validator([k])
        #expect(verdict(v, try mint(k)) == nil)
        #expect(verdict(v, try mint(k) { $0.kid = "cafe\u{301}" }) == .unknownKid)
    }

    @Test func step4KeyThatMayNotVerifyIsNotChosen() throws {
        var pub = try MirrorKeys.publicHalf(ec)
        pub.use = "enc"
        let other = try MirrorKeys.publicHalf(try MirrorKeys.key(MirrorKeys.ec2))
        let v = try Validator(keys: KeyRing(keys: [pub, other]), policy: Policy(profile: .none))
        #expect(verdict(v, try mint(ec)) == .unknownKid)
    }

    @Test func step4KidOfAKeyForAnotherAlg() throws {
        let v = try validator([ec, hs])
        // An HS256 token naming the EC key.
        #expect(verdict(v, try mint(hs) { $0.kid = "ec-1" }) == .algKeyMismatch)
        // An ES256 key whose own alg is ES256, named by an ES384-capable header? ES384 fits no P-256 key, so it is
        // not allowed at all (step 2), before key choice.
        #expect(verdict(v, try signRaw(header: #"{"alg":"ES384","kid":"ec-1"}"#, payload: "{}", key: ec, alg: .es256))
                == .algNotAllowed)
    }

    @Test func step4KeysOwnAlgMustMatch() throws {
        // Two oct keys: one for HS256, one for HS512 (64 bytes fits both by size). A token HS512 naming the HS256
        // key is refused for the key's own alg.
        let hs512 = try parseJWK(jwkJSON([("kty", "oct"), ("kid", "h512"), ("alg", "HS512"),
                                          ("k", Base64URL.encode([UInt8](repeating: 7, count: 64)))]))
        let v = try validator([hs, hs512])
        #expect(verdict(v, try mint(hs512) { $0.kid = "hs"; $0.alg = .hs512 }) == .algKeyMismatch)
        #expect(verdict(v, try mint(hs512)) == nil)
    }

    @Test func step4WithoutKidAtMostEightKeysAreTried() throws {
        var keys: [JWK] = []
        for _ in 0..<9 { keys.append(try JWK.generate(alg: .es256)) }
        for i in keys.indices { keys[i].kid = nil }
        let v = try validator(keys)
        #expect(Validator.maxCandidates == 8)
        #expect(verdict(v, try mint(keys[7])) == nil)   // the eighth key is tried
        #expect(verdict(v, try mint(keys[8])) == .badSignature)   // the ninth is not
    }

    @Test func step4BeforeStep5() throws {
        // An unknown kid on a token whose signature is also wrong: the kid answers.
        var t = try mint(ec) { $0.kid = "ec-9" }
        t[t.count - 5] = t[t.count - 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(verdict(try validator([ec]), t) == .unknownKid)
    }

    // MARK: 5. signature

    @Test func step5BadSignature() throws {
        let v = try validator([ec, try MirrorKeys.key(MirrorKeys.ec2)])
        var t = try mint(ec)
        let last = t.lastIndex(of: UInt8(ascii: ".")) ?? 0
        t[last + 3] = t[last + 3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(verdict(v, t) == .badSignature)
        // Signed by another key that claims this key's kid.
        let ec2 = try MirrorKeys.key(MirrorKeys.ec2)
        #expect(verdict(v, try mint(ec2) { $0.kid = "ec-1" }) == .badSignature)
        // The signing input is the received bytes: the same claims re-encoded under the old signature fail.
        let good = try mint(ec)
        let parts = good.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let payload = Base64URL.decode(parts[1]) ?? []
        let spaced = Array(String(decoding: payload, as: UTF8.self).replacingOccurrences(of: ",", with: ", ").utf8)
        let forged = Array(parts[0]) + [0x2E] + Array(Base64URL.encode(spaced).utf8) + [0x2E] + Array(parts[2])
        #expect(verdict(v, forged) == .badSignature)
    }

    @Test func step5BeforeStep6() throws {
        // A payload that is not JSON under a signature that does not verify: the signature answers.
        let t = try signRaw(header: #"{"alg":"ES256","kid":"ec-1"}"#, payload: "not json", key: try MirrorKeys.key(MirrorKeys.ec2),
                            alg: .es256)
        #expect(verdict(try validator([ec]), t) == .badSignature)
    }

    // MARK: 6. payload and claim types

    @Test(arguments: [
        "not json", "[]", "\"x\"", #"{"a":1,"a":2}"#, #"{"iss":1}"#, #"{"sub":true}"#, #"{"jti":{}}"#,
        #"{"client_id":2}"#, #"{"scope":["a"]}"#, #"{"exp":"1767323700"}"#, #"{"nbf":null}"#, #"{"iat":[1]}"#,
        #"{"exp":1e300}"#, #"{"aud":1}"#, #"{"aud":["a",1]}"#, #"{"aud":{"a":1}}"#,
    ])
    func step6PayloadAndClaimTypes(_ payload: String) throws {
        let t = try signRaw(header: #"{"alg":"ES256","kid":"ec-1"}"#, payload: payload, key: ec, alg: .es256)
        #expect(verdict(try validator([ec]), t) == .malformed)
    }

    @Test func step6FractionalNumericDatesAreAccepted() throws {
        let t = try signRaw(header: #"{"alg":"ES256"}"#, payload: #"{"exp":1767323700.5,"iat":1767323400.25}"#, key: ec, alg: .es256)
        #expect(verdict(try validator([ec]), t) == nil)
    }

    @Test func step6BeforeStep7() throws {
        // iss of the wrong type and no sub the profile requires: the type answers.
        let t = try signRaw(header: #"{"alg":"ES256"}"#, payload: #"{"iss":5}"#, key: ec, alg: .es256)
        #expect(verdict(try validator([ec], policy(.rfc7523) { $0.audiences = ["a"] }), t) == .malformed)
    }

    // MARK: 7. presence and identity

    @Test(arguments: ["iss", "sub", "aud", "exp"])
    func step7ProfileRequiredClaims(_ name: String) throws {
        let v = try validator([ec], policy(.rfc7523) { $0.audiences = ["https://as.example/token"] })
        let t = try mint(ec) { s in
            switch name {
            case "iss": s.iss = nil
            case "sub": s.sub = nil
            case "aud": s.aud = []
            default: s.noExp = true
            }
        }
        #expect(verdict(v, t) == .missingClaim)
    }

    @Test func step7RequiredByOption() throws {
        let v = try validator([ec], policy { $0.required = ["scope"] })
        #expect(verdict(v, try mint(ec)) == .missingClaim)
        #expect(verdict(v, try mint(ec) { $0.scope = "read" }) == nil)
        #expect(errorDetail { try v.verify(try mint(ec), now: mirrorNow) } == "claim scope is required (--require)")
    }

    @Test func step7Issuer() throws {
        let v = try validator([ec], policy { $0.issuers = ["https://issuer.example", "https://other.example"] })
        #expect(verdict(v, try mint(ec)) == nil)
        #expect(verdict(v, try mint(ec) { $0.iss = "https://other.example" }) == nil)
        #expect(verdict(v, try mint(ec) { $0.iss = "https://issuer.example/" }) == .badIssuer)
        #expect(verdict(v, try mint(ec) { $0.iss = "https://ISSUER.example" }) == .badIssuer)
        #expect(verdict(v, try mint(ec) { $0.iss = nil }) == .missingClaim)
    }

    @Test func step7IssuerIsComparedAsBytes() throws {
        let v = try validator([ec], policy { $0.issuers = ["caf\u{E9}"] })
        #expect(verdict(v, try mint(ec) { $0.iss = "caf\u{E9}" }) == nil)
        #expect(verdict(v, try mint(ec) { $0.iss = "cafe\u{301}" }) == .badIssuer)
    }

    @Test func step7Audience() throws {
        let v = try validator([ec], policy { $0.audiences = ["https://as.example/token"] })
        #expect(verdict(v, try mint(ec)) == nil)
        #expect(verdict(v, try mint(ec) { $0.aud = ["x", "https://as.example/token"] }) == nil)
        #expect(verdict(v, try mint(ec) { $0.aud = ["x", "y"] }) == .badAudience)
        #expect(verdict(v, try mint(ec) { $0.aud = ["https://as.example/token/"] }) == .badAudience)
        #expect(verdict(v, try mint(ec) { $0.aud = [] }) == .missingClaim)
        #expect(verdict(v, try mint(ec) { $0.claims["aud"] = .array([]) }) == .badAudience)
    }

    @Test func step7AudienceTrailingSlashOnlyWhenThePolicySaysSo() throws {
        let v = try validator([ec], policy { $0.audiences = ["https://as.example/"]; $0.audienceIgnoresTrailingSlash = true })
        #expect(verdict(v, try mint(ec) { $0.aud = ["https://as.example"] }) == nil)
        #expect(verdict(v, try mint(ec) { $0.aud = ["https://as.example/"] }) == nil)
        #expect(verdict(v, try mint(ec) { $0.aud = ["https://as.example//"] }) == .badAudience)
    }

    @Test func step7SubjectAllowAndRejectLists() throws {
        let allow = try validator([ec], policy { $0.subjects = ["workload-1"] })
        #expect(verdict(allow, try mint(ec)) == nil)
        #expect(verdict(allow, try mint(ec) { $0.sub = "workload-2" }) == .badSubject)
        #expect(verdict(allow, try mint(ec) { $0.sub = nil }) == .missingClaim)
        let reject = try validator([ec], policy { $0.rejectSubjects = ["workload-1"] })
        #expect(verdict(reject, try mint(ec)) == .subjectRejected)
        #expect(verdict(reject, try mint(ec) { $0.sub = "workload-2" }) == nil)
        // A rejected subject is reported before the allow-list.
        let both = try validator([ec], policy { $0.rejectSubjects = ["workload-1"]; $0.subjects = ["workload-2"] })
        #expect(verdict(both, try mint(ec)) == .subjectRejected)
    }

    @Test func step7SPIFFESubject() throws {
        let v = try validator([ec], policy { $0.requireSPIFFESubject = true; $0.trustDomain = "example.org" })
        #expect(verdict(v, try mint(ec) { $0.sub = "spiffe://example.org/ns/ci" }) == nil)
        #expect(verdict(v, try mint(ec) { $0.sub = "spiffe://other.org/ns/ci" }) == .badSubject)
        #expect(verdict(v, try mint(ec) { $0.sub = "spiffe://Example.org/ns/ci" }) == .badSubject)
        #expect(verdict(v, try mint(ec) { $0.sub = "spiffe://example.org/ns/ci/" }) == .badSubject)
        #expect(verdict(v, try mint(ec) { $0.sub = "https://example.org/ns/ci" }) == .badSubject)
        #expect(verdict(v, try mint(ec) { $0.sub = "spiffe://example.org/a/../b" }) == .badSubject)
    }

    @Test func step7IssEqualsSub() throws {
        let v = try validator([ec], policy { $0.issEqualsSub = true })
        #expect(verdict(v, try mint(ec) { $0.iss = "client-1"; $0.sub = "client-1" }) == nil)
        #expect(verdict(v, try mint(ec) { $0.iss = "client-1"; $0.sub = "client-2" }) == .badSubject)
        #expect(verdict(v, try mint(ec) { $0.iss = nil; $0.sub = "client-1" }) == .badSubject)
        #expect(verdict(v, try mint(ec) { $0.iss = "client-1"; $0.sub = nil }) == .badSubject)
        #expect(verdict(v, try mint(ec) { $0.iss = "caf\u{E9}"; $0.sub = "cafe\u{301}" }) == .badSubject)
    }

    @Test func step7ClientID() throws {
        let v = try validator([ec], policy { $0.clientID = "client-1" })
        #expect(verdict(v, try mint(ec) { $0.sub = "client-1" }) == nil)
        #expect(verdict(v, try mint(ec) { $0.sub = "client-2" }) == .badSubject)
        #expect(verdict(v, try mint(ec) { $0.sub = nil }) == .badSubject)
    }

    @Test func step7IdentityBeforeTime() throws {
        // Expired and for another audience: the audience answers.
        let v = try validator([ec], policy { $0.audiences = ["https://as.example/token"] })
        let t = try mint(ec) { $0.aud = ["x"]; $0.iat = mirrorNow - 900; $0.exp = mirrorNow - 600 }
        #expect(verdict(v, t) == .badAudience)
    }

    // MARK: 8. time

    @Test func step8ExpiryWithLeeway() throws {
        let v = try validator([ec], policy { $0.leeway = 60 })
        let t = try mint(ec) { $0.iat = mirrorNow - 100; $0.exp = mirrorNow }
        #expect(verdict(v, t, now: mirrorNow + 59) == nil)
        #expect(verdict(v, t, now: mirrorNow + 60) == .expired)   // now ≥ exp + leeway
        let strict = try validator([ec], policy { $0.leeway = 0 })
        #expect(verdict(strict, t, now: mirrorNow - 1) == nil)
        #expect(verdict(strict, t, now: mirrorNow) == .expired)
    }

    @Test func step8NotBeforeWithLeeway() throws {
        let v = try validator([ec], policy { $0.leeway = 60 })
        let t = try mint(ec) { $0.nbf = mirrorNow + 60; $0.iat = mirrorNow; $0.exp = mirrorNow + 600 }
        #expect(verdict(v, t) == nil)                               // nbf = now + leeway
        #expect(verdict(v, t, now: mirrorNow - 1) == .notYetValid)  // nbf > now + leeway
    }

    @Test func step8IssuedInTheFuture() throws {
        let v = try validator([ec], policy { $0.leeway = 60 })
        let t = try mint(ec) { $0.iat = mirrorNow + 60; $0.exp = mirrorNow + 600 }
        #expect(verdict(v, t) == nil)
        #expect(verdict(v, t, now: mirrorNow - 1) == .issuedInFuture)
    }

    @Test func step8Lifetime() throws {
        let v = try validator([ec], policy { $0.maxLifetime = 3600 })
        #expect(verdict(v, try mint(ec) { $0.iat = mirrorNow; $0.exp = mirrorNow + 3600 }) == nil)
        #expect(verdict(v, try mint(ec) { $0.iat = mirrorNow; $0.exp = mirrorNow + 3601 }) == .lifetimeTooLong)
        // Without iat, the lifetime counts from now.
        #expect(verdict(v, try mint(ec) { $0.noIat = true; $0.exp = mirrorNow + 3600 }) == nil)
        #expect(verdict(v, try mint(ec) { $0.noIat = true; $0.exp = mirrorNow + 3601 }) == .lifetimeTooLong)
    }

    @Test func step8MaxAge() throws {
        let v = try validator([ec], policy { $0.maxAge = 600; $0.leeway = 60 })
        #expect(verdict(v, try mint(ec) { $0.iat = mirrorNow - 660; $0.exp = mirrorNow + 60 }) == nil)
        #expect(verdict(v, try mint(ec) { $0.iat = mirrorNow - 661; $0.exp = mirrorNow + 60 }) == .tooOld)
        #expect(verdict(v, try mint(ec) { $0.noIat = true }) == .missingClaim)
    }

    @Test func step8OrderExpiredBeforeNotYetValid() throws {
        // exp in the past and nbf in the future: expiry answers.
        let t = try mint(ec) { $0.nbf = mirrorNow + 900; $0.iat = mirrorNow - 900; $0.exp = mirrorNow - 600 }
        #expect(verdict(try validator([ec]), t) == .expired)
    }

    @Test func step8TimeBeforeDelegation() throws {
        let t = try mint(ec) { $0.iat = mirrorNow - 900; $0.exp = mirrorNow - 600; $0.claims["act"] = .string("x") }
        #expect(verdict(try validator([ec]), t) == .expired)
    }

    // MARK: 9. delegation

    @Test func step9DelegationShape() throws {
        let v = try validator([ec])
        #expect(verdict(v, try mint(ec) { $0.act = ["actor-1", "actor-0"] }) == nil)
        #expect(verdict(v, try mint(ec) { $0.claims["act"] = .string("actor-1") }) == .badDelegation)
        #expect(verdict(v, try mint(ec) { $0.claims["act"] = .object(JSONObject([("iss", .string("x"))])) }) == .badDelegation)
        #expect(verdict(v, try mint(ec) { $0.claims["act"] = .object(JSONObject([("sub", .integer(1))])) }) == .badDelegation)
        let inner = JSON.object(JSONObject([("sub", .string("a")), ("act", .array([]))]))
        #expect(verdict(v, try mint(ec) { $0.claims["act"] = inner }) == .badDelegation)
        #expect(verdict(v, try mint(ec) { $0.claims["may_act"] = .string("admin") }) == .badDelegation)
        #expect(verdict(v, try mint(ec) { $0.claims["may_act"] = .object(JSONObject([("sub", .string("admin"))])) }) == nil)
    }

    @Test func step9Depth() throws {
        let v = try validator([ec], policy { $0.maxDelegationDepth = 2 })
        #expect(verdict(v, try mint(ec) { $0.act = ["a", "b"] }) == nil)
        #expect(verdict(v, try mint(ec) { $0.act = ["a", "b", "c"] }) == .delegationTooDeep)
        let none = try validator([ec], policy { $0.maxDelegationDepth = 0 })
        #expect(verdict(none, try mint(ec)) == nil)
        #expect(verdict(none, try mint(ec) { $0.act = ["a"] }) == .delegationTooDeep)
    }

    @Test func step9CurrentActor() throws {
        let v = try validator([ec], policy { $0.actors = ["deployer"] })
        #expect(verdict(v, try mint(ec) { $0.act = ["deployer", "ci"] }) == nil)
        // Only the current (outermost) actor is checked against the list.
        #expect(verdict(v, try mint(ec) { $0.act = ["ci", "deployer"] }) == .actorRejected)
        #expect(verdict(v, try mint(ec)) == .actorRejected)
    }

    // MARK: 10. jti

    @Test func step10RejectedJTI() throws {
        let v = try validator([ec], policy { $0.rejectJTIs = ["revoked-1"] })
        #expect(verdict(v, try mint(ec) { $0.jti = .fixed("revoked-1") }) == .jtiRejected)
        #expect(verdict(v, try mint(ec) { $0.jti = .fixed("revoked-2") }) == nil)
        #expect(verdict(v, try mint(ec) { $0.jti = .fixed("Revoked-1") }) == nil)
    }

    @Test func step9BeforeStep10() throws {
        let v = try validator([ec], policy { $0.rejectJTIs = ["revoked-1"]; $0.maxDelegationDepth = 0 })
        #expect(verdict(v, try mint(ec) { $0.jti = .fixed("revoked-1"); $0.act = ["a"] }) == .delegationTooDeep)
    }

    // MARK: The judge itself

    @Test func noUsableKeyIsKeyNotFound() throws {
        let e = wifError { try validator([ec], Policy(profile: .none)) }
        #expect(e == nil)
        #expect(reason { try validator([ec], Policy(profile: .spiffe)) } == .keyNotFound)
        let hint = wifError { try validator([ec], Policy(profile: .spiffe)) }?.hint ?? ""
        #expect(hint.contains("jwt-svid"))
        var hsOnly = Policy(profile: .none)
        hsOnly.algorithms = [.hs256]
        #expect(reason { try validator([ec], hsOnly) } == .keyNotFound)
    }

    @Test func aValidatorReturnsTheKeyThatVerified() throws {
        let ec2 = try MirrorKeys.key(MirrorKeys.ec2)
        let v = try validator([ec, ec2])
        let r = try v.verify(try mint(ec2) { $0.kid = nil }, now: mirrorNow)
        #expect(r.key.kid == "ec-2")
        #expect(r.key.thumbprint == ec2.thumbprint)
    }
}
