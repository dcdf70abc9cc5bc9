// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Sources/Core/Operations/Fixtures.swift: each fixture fails, under the documented policy (profile mcp-wif with
/// iss, aud and the same now), with exactly the reason its name gives, judged by the real Validator.
@Suite struct FixturesTests {
    static let iss = "https://issuer.example"
    static let aud = "https://mcp.example/"

    func judge(_ key: JWK, alg: Algorithm? = nil) throws -> [(name: String, got: Reason?)] {
        let tokens = try Fixtures.make(key: key, iss: Self.iss, sub: "client-1", aud: [Self.aud], now: mirrorNow, alg: alg)
        var p = Policy(profile: .mcpWIF)
        p.issuers = [Self.iss]
        p.audiences = [Self.aud]
        let v = try validator([key], p)
        return tokens.map { (name: $0.0, got: verdict(v, Array($0.1.utf8))) }
    }

    func check(_ results: [(name: String, got: Reason?)], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(results.map(\.name) == Fixtures.expected.map(\.name), sourceLocation: sourceLocation)
        for (r, e) in zip(results, Fixtures.expected) {
            #expect(r.got == e.reason, "fixture \(r.name)", sourceLocation: sourceLocation)
        }
    }

    @Test func eachFixtureGetsExactlyItsReasonES256() throws {
        check(try judge(try MirrorKeys.key(MirrorKeys.ec)))
    }

    @Test func eachFixtureGetsExactlyItsReasonHS256() throws {
        check(try judge(try hmacKey()))
    }

    @Test func eachFixtureGetsExactlyItsReasonEdDSA() throws {
        check(try judge(try JWK.generate(alg: .edDSA)))
    }

    @Test func anExplicitAlgIsUsed() throws {
        // A 64-byte HMAC key without alg signs HS512 when asked.
        let k = try parseJWK(jwkJSON([("kty", "oct"), ("kid", "h"), ("k", Base64URL.encode([UInt8](repeating: 9, count: 64)))]))
        let tokens = try Fixtures.make(key: k, iss: Self.iss, sub: "s", aud: [Self.aud], now: mirrorNow, alg: .hs384)
        let valid = try CompactJWS.parse(Array((tokens.first { $0.0 == "valid" }?.1 ?? "").utf8))
        #expect(valid.header["alg"]?.stringValue == "HS384")
        check(try judge(k, alg: .hs384))
    }

    @Test func theNamesAreTheReasonsTheyGive() {
        for (name, r) in Fixtures.expected {
            switch name {
            case "valid": #expect(r == nil)
            case "missing_exp", "missing_jti": #expect(r == .missingClaim)
            case "wrong_audience": #expect(r == .badAudience)
            case "wrong_issuer": #expect(r == .badIssuer)
            default: #expect(r?.rawValue == name)
            }
        }
    }

    // MARK: document

    @Test func documentNeedsAnAudienceAndAKnownFormat() throws {
        let k = try MirrorKeys.key(MirrorKeys.ec)
        #expect(reason { try Fixtures.document(key: k, kid: nil, iss: Self.iss, sub: "s", aud: [], now: mirrorNow,
                                               alg: nil, format: "json", clientID: nil) } == .usage)
        #expect(reason { try Fixtures.document(key: k, kid: nil, iss: Self.iss, sub: "s", aud: [Self.aud], now: mirrorNow,
                                               alg: nil, format: "JSON", clientID: nil) } == .usage)
        #expect(reason { try Fixtures.document(key: k, kid: nil, iss: Self.iss, sub: "s", aud: [Self.aud], now: mirrorNow,
                                               alg: "none", format: "json", clientID: nil) } == .usage)
    }

    @Test func jsonDocumentHoldsEveryFixtureAndOnlyThePublicKey() throws {
        let k = try JWK.generate(alg: .es256, kid: "fx")
        let doc = try Fixtures.document(key: k, kid: nil, iss: Self.iss, sub: "s", aud: [Self.aud], now: mirrorNow,
                                        alg: nil, format: "json", clientID: nil)
        let o = try #require(doc.objectValue)
        for (name, _) in Fixtures.expected { #expect(o[name]?.stringValue != nil, "\(name)") }
        let keys = o["jwks"]?.objectValue?["keys"]?.arrayValue ?? []
        #expect(keys.count == 1)
        #expect(keys.first?.objectValue?["d"] == nil)
        #expect(keys.first?.objectValue?["kid"]?.stringValue == "fx")
        // An HMAC key has no public half: no jwks member.
        let h = try Fixtures.document(key: try hmacKey(), kid: nil, iss: Self.iss, sub: "s", aud: [Self.aud], now: mirrorNow,
                                      alg: nil, format: "json", clientID: nil)
        #expect(h.objectValue?["jwks"] == nil)
    }

    @Test func conformanceDocument() throws {
        let k = try MirrorKeys.key(MirrorKeys.ec)
        let doc = try Fixtures.document(key: k, kid: nil, iss: Self.iss, sub: "s", aud: [Self.aud], now: mirrorNow,
                                        alg: nil, format: "mcp-conformance", clientID: "client-9")
        let o = try #require(doc.objectValue)
        #expect(o.keys == ["client_id", "valid_jwt", "wrong_audience_jwt", "expired_jwt"])
        #expect(o["client_id"]?.stringValue == "client-9")
        var p = Policy(profile: .mcpWIF)
        p.issuers = [Self.iss]
        p.audiences = [Self.aud]
        let v = try validator([k], p)
        #expect(verdict(v, Array((o["valid_jwt"]?.stringValue ?? "").utf8)) == nil)
        #expect(verdict(v, Array((o["wrong_audience_jwt"]?.stringValue ?? "").utf8)) == .badAudience)
        #expect(verdict(v, Array((o["expired_jwt"]?.stringValue ?? "").utf8)) == .expired)
        let bySub = try Fixtures.document(key: k, kid: nil, iss: Self.iss, sub: "s", aud: [Self.aud], now: mirrorNow,
                                          alg: nil, format: "mcp-conformance", clientID: nil)
        #expect(bySub.objectValue?["client_id"]?.stringValue == "s")
    }

    @Test func idJAGFixturesFailAsNamed() throws {
        let k = try MirrorKeys.key(MirrorKeys.ec)
        let doc = try Fixtures.document(key: k, kid: nil, iss: Self.iss, sub: "s", aud: [Self.aud], now: mirrorNow,
                                        alg: nil, format: "id-jag", clientID: "client-9")
        let o = try #require(doc.objectValue)
        var p = Policy(profile: .idJAG)
        p.issuers = [Self.iss]
        p.audiences = [Self.aud]
        p.clientID = "client-9"
        let v = try validator([k], p)
        for (name, want) in Fixtures.idJAGExpected {
            #expect(verdict(v, Array((o[name]?.stringValue ?? "").utf8)) == want, "\(name)")
        }
        #expect(o.keys == Fixtures.idJAGExpected.map(\.name) + ["jwks"])
    }
}
