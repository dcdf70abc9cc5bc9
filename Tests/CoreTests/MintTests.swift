// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Sources/Core/Operations/Mint.swift: the claim precedence and header order documented at the top of TokenSpec,
/// delegation nesting as wif-mint(1) gives it (`--act B --act A` is {"sub":"B","act":{"sub":"A"}}), and Minter's
/// tokens: a fresh jti each, verifiable, signing input as serialized.
@Suite struct MintTests {
    let ec: JWK

    init() throws { ec = try MirrorKeys.key(MirrorKeys.ec) }

    func decode(_ token: [UInt8]) throws -> (header: JSONObject, claims: JSONObject) {
        let jws = try CompactJWS.parse(token)
        return (jws.header, try jws.claims())
    }

    /// The payload JSON text of a token, as signed.
    func payloadText(_ token: [UInt8]) throws -> String {
        String(decoding: try CompactJWS.parse(token).payload, as: UTF8.self)
    }

    // MARK: claims

    @Test func defaults() throws {
        let c = try decode(try mint(ec, TokenSpec(now: mirrorNow))).claims
        #expect(c["exp"]?.int64Value == mirrorNow + TokenSpec.defaultLifetime)
        #expect(TokenSpec.defaultLifetime == 300)
        #expect(c["iat"]?.int64Value == mirrorNow)
        // A random jti: 128 bits, base64url (22 characters).
        let jti = try #require(c["jti"]?.stringValue)
        #expect(jti.utf8.count == 22)
        #expect(Base64URL.decode(jti)?.count == 16)
        #expect(c.keys == ["exp", "iat", "jti"])
    }

    @Test func registeredClaimsInRFC7519Order() throws {
        var s = baseSpec(aud: ["a", "b"])
        s.nbf = mirrorNow - 5
        s.scope = "read"
        let c = try decode(try mint(ec, s)).claims
        #expect(c.keys == ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "scope"])
        #expect(c["aud"] == .array([.string("a"), .string("b")]))
        // One audience is a string (RFC 7519 §4.1.3 allows both).
        #expect(try decode(try mint(ec, baseSpec(aud: ["a"]))).claims["aud"] == .string("a"))
        #expect(try decode(try mint(ec, baseSpec(aud: []))).claims["aud"] == nil)
    }

    @Test func aLaterSourceReplacesAMemberInPlace() throws {
        let t = try mint(ec) {
            $0.exp = mirrorNow + 60
            $0.claims["iss"] = .string("from-claims")
            $0.claims["exp"] = .integer(mirrorNow + 120)
            $0.claims["extra"] = .bool(true)
        }
        let c = try decode(t).claims
        #expect(c["iss"]?.stringValue == "from-claims")
        #expect(c["exp"]?.int64Value == mirrorNow + 120)
        #expect(c.keys.prefix(2) == ["iss", "sub"])          // replaced where it was
        #expect(c.keys.last == "extra")
    }

    @Test func aJTIClaimReplacesTheRandomOne() throws {
        let c = try decode(try mint(ec) { $0.claims["jti"] = .string("mine") }).claims
        #expect(c["jti"]?.stringValue == "mine")
        #expect(c.keys.filter { $0 == "jti" }.count == 1)
        #expect(try decode(try mint(ec) { $0.jti = .fixed("f") }).claims["jti"]?.stringValue == "f")
        #expect(try decode(try mint(ec) { $0.jti = .omitted }).claims["jti"] == nil)
    }

    @Test func noExpAndNoIat() throws {
        let c = try decode(try mint(ec) { $0.noExp = true; $0.noIat = true }).claims
        #expect(c["exp"] == nil && c["iat"] == nil)
    }

    @Test func delegationNestsCurrentActorFirst() throws {
        let c = try decode(try mint(ec) { $0.act = ["B", "A"]; $0.actClaims["role"] = .string("ci") }).claims
        let outer = try #require(c["act"]?.objectValue)
        #expect(outer["sub"]?.stringValue == "B")
        #expect(outer["role"] == nil)
        let inner = try #require(outer["act"]?.objectValue)
        #expect(inner["sub"]?.stringValue == "A")
        // --act-claim: another member of the innermost act object (wif-mint(1)).
        #expect(inner["role"]?.stringValue == "ci")
        #expect(inner["act"] == nil)
        let single = try decode(try mint(ec) { $0.act = ["B"] }).claims
        #expect(single["act"] == .object(JSONObject([("sub", .string("B"))])))
    }

    @Test func mayAct() throws {
        let m = JSON.object(JSONObject([("sub", .string("admin"))]))
        #expect(try decode(try mint(ec) { $0.mayAct = m }).claims["may_act"] == m)
    }

    // MARK: header

    @Test func headerOrderAndReplacement() throws {
        let h = try decode(try mint(ec)).header
        #expect(h.keys == ["alg", "typ", "kid"])
        #expect(h["alg"]?.stringValue == "ES256")
        #expect(h["typ"]?.stringValue == "JWT")
        #expect(h["kid"]?.stringValue == "ec-1")
        let replaced = try decode(try mint(ec) { $0.headers["typ"] = .string("at+jwt"); $0.headers["x5t"] = .string("t") }).header
        #expect(replaced.keys == ["alg", "typ", "kid", "x5t"])
        #expect(replaced["typ"]?.stringValue == "at+jwt")
        // The spec's kid names the key in the header; an empty kid or typ leaves the member out.
        #expect(try decode(try mint(ec) { $0.kid = "other" }).header["kid"]?.stringValue == "other")
        #expect(try decode(try mint(ec) { $0.kid = "" }).header.keys == ["alg", "typ"])
        #expect(try decode(try mint(ec) { $0.typ = "" }).header.keys == ["alg", "kid"])
        #expect(try decode(try mint(ec) { $0.typ = nil }).header.keys == ["alg", "kid"])
    }

    @Test func theAlgorithmIsTheKeysOrTheSpecs() throws {
        #expect(try decode(try mint(try hmacKey())).header["alg"]?.stringValue == "HS256")
        let loose = try parseJWK(jwkJSON([("kty", "oct"), ("k", Base64URL.encode([UInt8](repeating: 3, count: 64)))]))
        #expect(try decode(try mint(loose)).header["alg"]?.stringValue == "HS512")
        #expect(try decode(try mint(loose) { $0.alg = .hs256 }).header["alg"]?.stringValue == "HS256")
        // A key is used only with an algorithm it fits.
        #expect(reason { try mint(ec) { $0.alg = .es384 } } == .keyInvalid)
        #expect(reason { try mint(ec) { $0.alg = .hs256 } } == .keyInvalid)
        #expect(reason { try mint(try MirrorKeys.publicHalf(ec)) } == .keyInvalid)
    }

    // MARK: Minter

    @Test func eachTokenGetsItsOwnJTIAndVerifies() throws {
        let m = try Minter(spec: baseSpec(), key: ec)
        let v = try validator([ec])
        var seen = Set<String>()
        for _ in 0..<300 {
            let r = try v.verify(try m.next(), now: mirrorNow)
            seen.insert(r.claims["jti"]?.stringValue ?? "")
        }
        #expect(seen.count == 300)
    }

    @Test func theRandomJTIIsPlacedAfterTheTimeClaims() throws {
        var s = baseSpec()
        s.scope = "x"
        s.claims["z"] = .integer(1)
        let text = try payloadText(try mint(ec, s))
        #expect(text.hasPrefix("{\"iss\":\"https://issuer.example\",\"sub\":\"workload-1\",\"aud\":\"https://as.example/token\",\"exp\":\(mirrorNow + 300),\"iat\":\(mirrorNow),\"jti\":\""))
        #expect(text.hasSuffix("\",\"scope\":\"x\",\"z\":1}"))
        let only = try payloadText(try mint(ec, TokenSpec(now: mirrorNow)) { $0.noExp = true; $0.noIat = true })
        #expect(only.hasPrefix("{\"jti\":\"") && only.hasSuffix("\"}"))
    }
}
