// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Protocol identifiers compare as UTF-8 bytes (issue 11, item 4). Swift's `==` is canonical equivalence:
/// KELVIN SIGN U+212A equals "K", and "e" + U+0301 equals U+00E9; fullwidth forms differ under both, and are
/// here to show no case or compatibility folding crept in.
@Suite struct IdentifierTests {
    static let now: Int64 = 1_767_323_400
    static let kelvin = "\u{212A}"

    /// A token with this header JSON text and these claims, signed by `key` with `alg`.
    func token(header: String, claims: JSONObject, key: JWK, alg: Algorithm) throws -> [UInt8] {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(JSON.object(claims).serialized().utf8))
        let sig = try Signer(key: key, algorithm: alg).sign(Array(input.utf8))
        return Array((input + "." + Base64URL.encode(sig)).utf8)
    }

    static let claims = JSONObject([("iss", .string("https://ci.example")), ("sub", .string("job")),
                                    ("aud", .string("https://as.example")), ("exp", .integer(now + 300))])

    func validator(_ key: JWK, _ edit: (inout Policy) -> Void = { _ in }) throws -> Validator {
        var p = Policy(profile: .none)
        edit(&p)
        return try Validator(keys: KeyRing(keys: [key]), policy: p)
    }

    @Test func helpers() {
        #expect("ES256\u{212A}" == "ES256K")  // the trap
        #expect(!"ES256\u{212A}".same("ES256K"))
        #expect(Algorithm(exactly: "ES256\u{212A}") == nil)
        #expect(Algorithm(exactly: "ES256K") == .es256k)
        #expect(KeyType(exactly: "O\u{212A}P") == nil)
        #expect(Curve(exactly: "Ｅd25519") == nil)
        #expect("JWT".sameIgnoringASCIICase("jwt"))
        #expect(!"\u{212A}b+jwt".sameIgnoringASCIICase("kb+jwt"))
        #expect(!"ＪＷＴ".sameIgnoringASCIICase("jwt"))
        #expect("\u{212A}".asciiLowercased == "\u{212A}")
        #expect("read \u{301}write".scopeTokens == ["read", "\u{301}write"])
    }

    @Test func algorithmNames() throws {
        #expect(reason { try Algorithm.parse("ES256\u{212A}") } == .usage)
        #expect(reason { try Algorithm.parse("ＥＳ２５６") } == .usage)
        #expect(reason { try Algorithm.parse("e\u{301}S256") } == .usage)
        // The issue's reproduction: a header alg "ES256\u{212A}" verified as ES256K.
        let key = try JWK.generate(alg: .es256k)
        let v = try validator(key)
        for alg in ["ES256\\u212A", "ＥＳ256K", "ES256K\\u0301"] {
            let t = try token(header: "{\"alg\":\"\(alg)\"}", claims: Self.claims, key: key, alg: .es256k)
            #expect(reason { try v.verify(t, now: Self.now) } == .algNotAllowed, "\(alg)")
        }
        let ok = try token(header: #"{"alg":"ES256K"}"#, claims: Self.claims, key: key, alg: .es256k)
        #expect(reason { try v.verify(ok, now: Self.now) } == nil)
    }

    @Test func keyMembers() throws {
        let x = RFC.ed25519X
        for kty in ["O\(Self.kelvin)P", "ＯＫＰ", "O\u{301}KP"] {
            #expect(reason { try parseJWK(jwkJSON([("kty", kty), ("crv", "Ed25519"), ("x", x)])) } == .keyInvalid, "\(kty)")
        }
        for crv in ["Ｅd25519", "Ed25519\u{301}"] {
            #expect(reason { try parseJWK(jwkJSON([("kty", "OKP"), ("crv", crv), ("x", x)])) } == .keyInvalid, "\(crv)")
        }
        // A JWK alg "ES256\u{212A}" on a secp256k1 key is not ES256K: the key is unusable for signatures.
        let k = try JWK.generate(alg: .es256k)
        var o = k.json(includePrivate: false)
        o["alg"] = .string("ES256\(Self.kelvin)")
        let odd = try JWK.parse(o, what: "k")
        #expect(odd.algorithm == nil)
        #expect(reason { try validator(odd) } == .keyNotFound)
        // use and key_ops: "sig" and "verify" only as bytes.
        for (name, value) in [("use", JSON.string("ｓig")), ("use", .string("si\u{301}g")),
                              ("key_ops", .array([.string("verif\u{301}y")]))] {
            var o2 = k.json(includePrivate: false)
            o2[name] = value
            #expect(reason { try validator(try JWK.parse(o2, what: "k")) } == .keyNotFound, "\(name)")
        }
    }

    @Test func kidIsExact() throws {
        let key = try JWK.generate(alg: .es256, kid: "K1")
        let v = try validator(key)
        for kid in ["\(Self.kelvin)1", "Ｋ1"] {
            let t = try token(header: "{\"alg\":\"ES256\",\"kid\":\"\(kid)\"}", claims: Self.claims, key: key, alg: .es256)
            #expect(reason { try v.verify(t, now: Self.now) } == .unknownKid, "\(kid)")
        }
        // Choosing a signing key from a set by kid.
        let set = Array(JSON.object(JSONObject([("keys", .array([.object(key.json(includePrivate: true))]))])).serialized().utf8)
        #expect(reason { try KeySource.signingKey(set, what: "set", kid: "\(Self.kelvin)1") } == .keyNotFound)
        #expect(try KeySource.signingKey(set, what: "set", kid: "K1").kid == "K1")
    }

    @Test func typAndCtyFoldOnlyASCII() throws {
        let key = try JWK.generate(alg: .es256)
        let v = try validator(key) { $0.typ = "kb+jwt" }
        let folded = try token(header: #"{"alg":"ES256","typ":"application/KB+JWT"}"#, claims: Self.claims, key: key, alg: .es256)
        #expect(reason { try v.verify(folded, now: Self.now) } == nil)
        for typ in ["\\u212Ab+jwt", "ｋb+jwt", "kb+jwt\\u0301"] {
            let t = try token(header: "{\"alg\":\"ES256\",\"typ\":\"\(typ)\"}", claims: Self.claims, key: key, alg: .es256)
            #expect(reason { try v.verify(t, now: Self.now) } == .badTyp, "\(typ)")
        }
        let plain = try validator(key)
        let nested = try token(header: #"{"alg":"ES256","cty":"jWt"}"#, claims: Self.claims, key: key, alg: .es256)
        #expect(reason { try plain.verify(nested, now: Self.now) } == .disallowedHeader)
        let other = try token(header: #"{"alg":"ES256","cty":"ＪＷＴ"}"#, claims: Self.claims, key: key, alg: .es256)
        #expect(reason { try plain.verify(other, now: Self.now) } == nil)
    }

    @Test func claimsAreExact() throws {
        let key = try JWK.generate(alg: .es256)
        let t = try token(header: #"{"alg":"ES256"}"#, claims: JSONObject([
            ("iss", .string("caf\u{E9}")), ("sub", .string("\(Self.kelvin)")), ("aud", .string("a\u{E9}")),
            ("jti", .string("\u{E9}")), ("exp", .integer(Self.now + 300))]), key: key, alg: .es256)
        #expect(reason { try validator(key) { $0.issuers = ["cafe\u{301}"] }.verify(t, now: Self.now) } == .badIssuer)
        #expect(reason { try validator(key) { $0.subjects = ["K"] }.verify(t, now: Self.now) } == .badSubject)
        #expect(reason { try validator(key) { $0.audiences = ["ae\u{301}"] }.verify(t, now: Self.now) } == .badAudience)
        #expect(reason { try validator(key) { $0.clientID = "K" }.verify(t, now: Self.now) } == .badSubject)
        #expect(reason { try validator(key) { $0.rejectJTIs = ["e\u{301}"] }.verify(t, now: Self.now) } == nil)
        #expect(reason { try validator(key) { $0.rejectJTIs = ["\u{E9}"] }.verify(t, now: Self.now) } == .jtiRejected)
        #expect(reason { try validator(key) { $0.issuers = ["caf\u{E9}"] }.verify(t, now: Self.now) } == nil)
    }

    /// Request mode: a client_id "café" (precomposed) matched an assertion sub spelled with a combining accent.
    @Test func requestIdentifiers() throws {
        let key = try JWK.generate(alg: .es256)
        var cp = Policy(profile: .clientAssertion)
        cp.audiences = ["https://as.example"]
        var spec = TokenSpec(now: Self.now)
        spec.iss = "cafe\u{301}"
        spec.sub = "cafe\u{301}"
        spec.aud = ["https://as.example"]
        spec.exp = Self.now + 300
        let assertion = String(decoding: try Minter(spec: spec, key: key).next(), as: UTF8.self)
        var endpoint = try TokenEndpoint(validator: try Validator(keys: KeyRing(keys: [key]), policy: cp))
        endpoint.allowGrants = ["client_credentials"]
        func body(_ extra: String) -> [UInt8] {
            Array(("grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                   + "&client_assertion=\(assertion)" + extra).utf8)
        }
        func outcome(_ b: [UInt8]) throws -> Reason? {
            if case .failure(_, let e) = try endpoint.handle(body: b, now: Self.now) { return e.reason }
            return nil
        }
        #expect(try outcome(body("&client_id=caf%C3%A9")) == .badClientAssertion)
        #expect(try outcome(body("&client_id=cafe%CC%81")) == nil)
        // grant_type and scope tokens.
        #expect(try outcome(Array("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer%CC%81&assertion=x".utf8))
                == .unsupportedGrantType)
        endpoint.allowScopes = ["re\u{E9}d"]
        #expect(try outcome(body("&scope=ree%CC%81d")) == .scopeNotAllowed)
        #expect(try outcome(body("&scope=re%C3%A9d")) == nil)
        endpoint.allowScopes = nil
        endpoint.rejectScopes = ["\(Self.kelvin)"]
        #expect(try outcome(body("&scope=K")) == nil)
        // Parameter names: two spellings of one name are two parameters, not a repeat of one.
        #expect(try outcome(body("&caf%C3%A9=1&cafe%CC%81=2")) == nil)
    }
}
