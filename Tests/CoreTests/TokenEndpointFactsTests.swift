// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// TokenEndpoint.Facts: what a token request was, for the event log (never the outcome).
@Suite struct TokenEndpointFactsTests {
    let fx: ServeFixture

    init() throws { fx = try ServeFixture() }


    @Test func factsOfAGrantedRequest() throws {
        let e = try fx.endpoint()
        let (o, f) = try fx.judge(e, [("grant_type", ServeFixture.jwtBearer), ("assertion", try fx.assertion(jti: "j1")),
                                    ("client_id", "c1"), ("scope", "a b")])
        guard case .success(let body) = o else { Issue.record("not granted: \(o.json.serialized())"); return }
        #expect(f.grantType == ServeFixture.jwtBearer && f.clientAuth == "none" && f.clientID == "c1")
        #expect(f.assertion == .verified && f.sub == "workload" && f.jti == "j1" && f.scope == "a b")
        #expect(f.error == nil && f.reason == nil)
        // The access token's aud is BASE/mcp when no resource is asked for (RFC 9068 §3, RFC 8707).
        let at = try #require(body.objectValue?["access_token"]?.stringValue)
        let v = try ProtectedResource.accessTokenValidator(issuerKey: fx.issuer, issuer: ServeFixture.base, resource: ServeFixture.base + "/mcp")
        let claims = try v.verify(Array(at.utf8), now: ServeFixture.now).claims
        #expect(claims["aud"]?.stringValue == ServeFixture.base + "/mcp")
    }

    @Test func factsOfEachFailure() throws {
        let e = try fx.endpoint { $0.rejectScopes = ["wif.rejected"] }
        var (o, f) = try fx.judge(e, [("grant_type", ServeFixture.jwtBearer)])
        #expect(o.httpStatus == 400 && f.assertion == .missing && f.error == .invalidRequest)
        (_, f) = try fx.judge(e, [("grant_type", ServeFixture.jwtBearer), ("assertion", try fx.assertion(exp: ServeFixture.now - 120))])
        #expect(f.assertion == .rejected(.expired) && f.error == .invalidGrant && f.reason == .expired)
        (_, f) = try fx.judge(e, [("grant_type", ServeFixture.jwtBearer), ("assertion", try fx.assertion(aud: "https://wrong.example"))])
        #expect(f.assertion == .rejected(.badAudience))
        (_, f) = try fx.judge(e, [("grant_type", ServeFixture.jwtBearer), ("assertion", try fx.assertion()), ("scope", "wif.rejected")])
        #expect(f.assertion == .verified && f.error == .invalidScope && f.reason == .scopeNotAllowed)
        let a = try fx.assertion(jti: "once")
        (o, _) = try fx.judge(e, [("grant_type", ServeFixture.jwtBearer), ("assertion", a)])
        #expect(o.httpStatus == 200)
        (_, f) = try fx.judge(e, [("grant_type", ServeFixture.jwtBearer), ("assertion", a)])
        #expect(f.assertion == .rejected(.replayedJTI) && f.error == .invalidGrant && f.jti == "once")
        (_, f) = try fx.judge(e, [("grant_type", "client_credentials")])
        #expect(f.grantType == "client_credentials" && f.assertion == .notApplicable && f.error == .unsupportedGrantType)
        (_, f) = try fx.judge(e, [("assertion", "x")])
        #expect(f.grantType == nil && f.error == .invalidRequest)
    }

    @Test func factsDoNotChangeTheOutcome() throws {
        let e = try fx.endpoint()
        let body = fx.form([("grant_type", ServeFixture.jwtBearer), ("assertion", try fx.assertion(aud: "https://wrong.example"))])
        var f = TokenEndpoint.Facts()
        #expect(try e.handle(body: body, now: ServeFixture.now).json == (try e.handle(body: body, now: ServeFixture.now, facts: &f)).json)
    }
}
