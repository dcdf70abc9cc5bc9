// SPDX-License-Identifier: Apache-2.0
@testable import Core
import Testing

/// Sources/Core/Operations/Mint.swift, IssuerSigning.accessToken: the token endpoint writes its access tokens
/// straight into bytes, so each one must be the token a `Minter` makes from the equivalent `TokenSpec`, byte for
/// byte in the header and payload segments (the signatures differ: ECDSA is randomised), and must verify.
@Suite struct IssuerSigningTests {
    let ec: JWK
    let jti = Array("AAAAAAAAAAAAAAAAAAAAAA".utf8)

    init() throws { ec = try MirrorKeys.key(MirrorKeys.ec) }

    func claims(_ edit: (inout IssuerSigning.AccessClaims) -> Void = { _ in }) -> IssuerSigning.AccessClaims {
        var c = IssuerSigning.AccessClaims(typ: "at+jwt", iss: "https://as.example", sub: "spiffe://example.org/w",
                                           aud: ["https://rs.example/mcp"], exp: mirrorNow + 600, iat: mirrorNow)
        edit(&c)
        return c
    }

    /// The token a Minter makes for the same claims, with the same jti.
    func minted(_ c: IssuerSigning.AccessClaims) throws -> [UInt8] {
        var spec = TokenSpec(now: c.iat)
        spec.typ = c.typ
        spec.iss = c.iss
        spec.sub = c.sub
        spec.aud = c.aud
        spec.exp = c.exp
        spec.jti = .fixed(String(decoding: jti, as: UTF8.self))
        spec.scope = c.scope
        if let id = c.clientID { spec.claims["client_id"] = .string(id) }
        if let act = c.act { spec.claims["act"] = act }
        if let jkt = c.cnfJKT { spec.claims["cnf"] = .object(JSONObject([("jkt", .string(jkt))])) }
        return try Minter(spec: spec, key: ec).next()
    }

    func signingSegments(_ t: [UInt8]) -> [ArraySlice<UInt8>] {
        Array(t.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).prefix(2))
    }

    static let cases: [(String, @Sendable (inout IssuerSigning.AccessClaims) -> Void)] = [
        ("bare", { _ in }),
        ("no sub", { $0.sub = nil }),
        ("two audiences", { $0.aud = ["https://a.example", "https://b.example"] }),
        ("no audience", { $0.aud = [] }),
        ("scope", { $0.scope = "read write" }),
        ("client_id", { $0.clientID = "client-1" }),
        ("act chain", { $0.act = .object(JSONObject([("sub", .string("agent")), ("act", .object(JSONObject([("sub", .string("user"))])))])) }),
        ("cnf", { $0.cnfJKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" }),
        ("jwt typ and escapes", { $0.typ = "JWT"; $0.sub = "a\"b\\c\u{1}é"; $0.scope = "s\n" }),
        ("everything", { $0.scope = "read"; $0.clientID = "c"; $0.act = .object(JSONObject([("sub", .string("x"))])); $0.cnfJKT = "k" }),
    ]

    @Test(arguments: 0..<cases.count) func sameBytesAsTheMinter(_ i: Int) throws {
        let c = claims(Self.cases[i].1)
        let fast = try IssuerSigning().accessToken(c, key: ec, jti: jti)
        #expect(signingSegments(fast) == signingSegments(try minted(c)), "\(Self.cases[i].0)")
    }

    /// One signer serves every typ: the cached header follows the typ asked for, and each token verifies with a
    /// random jti of its own.
    @Test func headerFollowsTypAndTokensVerify() throws {
        let s = IssuerSigning()
        var p = Policy(profile: .atJWT)
        p.issuers = ["https://as.example"]
        p.audiences = ["https://rs.example/mcp"]
        let v = try Validator(keys: KeyRing(keys: [ec]), policy: p)
        let at = claims { $0.clientID = "client-1" }
        let a = try s.accessToken(at, key: ec)
        let b = try s.accessToken(at, key: ec)
        let j = try s.accessToken(claims { $0.typ = "JWT" }, key: ec)
        let ra = try v.verify(a, now: mirrorNow), rb = try v.verify(b, now: mirrorNow)
        #expect(ra.claims["jti"]?.stringValue != rb.claims["jti"]?.stringValue)
        #expect(ra.claims["jti"]?.stringValue?.utf8.count == 22)
        #expect(try CompactJWS.parse(j).header["typ"]?.stringValue == "JWT")
        #expect(try CompactJWS.parse(a).header["typ"]?.stringValue == "at+jwt")
        #expect(try CompactJWS.parse(s.accessToken(claims(), key: ec)).header["typ"]?.stringValue == "at+jwt")
    }

    /// The cached header follows the key's kid: a copy of the same key material with another kid signs with it.
    @Test func headerFollowsTheKeysKid() throws {
        var a = ec, b = ec
        a.kid = "kid-A"
        b.kid = "kid-B"
        let s = IssuerSigning()
        func kid(_ t: [UInt8]) throws -> String? { try CompactJWS.parse(t).header["kid"]?.stringValue }
        #expect(try kid(s.accessToken(claims(), key: a)) == "kid-A")
        #expect(try kid(s.accessToken(claims(), key: b)) == "kid-B")
        #expect(try kid(s.accessToken(claims(), key: a)) == "kid-A")
    }

    /// Access tokens are signed with the key's default algorithm, even after a minter of the same signing made a
    /// signer for another one.
    @Test func accessTokensUseTheKeysDefaultAlgorithm() throws {
        var rsa = try GeneratedKeys.key(.rs256)
        rsa.algName = nil
        let s = IssuerSigning()
        var spec = TokenSpec(now: mirrorNow)
        spec.alg = .ps256
        #expect(try CompactJWS.parse(s.minter(spec: spec, key: rsa).next()).header["alg"]?.stringValue == "PS256")
        #expect(try CompactJWS.parse(s.accessToken(claims(), key: rsa)).header["alg"]?.stringValue == "RS256")
        #expect(try CompactJWS.parse(s.accessToken(claims(), key: rsa)).header["alg"]?.stringValue == "RS256")
    }
}
