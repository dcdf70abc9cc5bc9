// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// ProtectedResource: the bearer check of /mcp and its challenges (RFC 6750 §3, RFC 9728 §5.1).
@Suite struct ProtectedResourceTests {
    let fx: ServeFixture

    init() throws { fx = try ServeFixture() }




    @Test func bearerChecks() throws {
        let r = try fx.resource(scopes: ["mcp:tools"])
        guard case .refused(let s0, let e0, _, _) = try r.authorize([], now: ServeFixture.now) else { Issue.record("no token accepted"); return }
        #expect(s0 == 401 && e0 == nil)
        #expect(r.challenge(error: nil, reason: nil, detail: "") ==
                #"Bearer scope="mcp:tools", resource_metadata="http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp""#)
        for bad in ["Basic abc", "Bearer", "Bearer a b", "Bearer "] {
            guard case .refused(401, "invalid_request", _, _) = try r.authorize([bad], now: ServeFixture.now) else {
                Issue.record("\(bad) accepted"); continue
            }
        }
        guard case .refused(401, "invalid_request", _, _) = try r.authorize(["Bearer a", "Bearer b"], now: ServeFixture.now) else {
            Issue.record("two headers accepted"); return
        }
        // The IdP's assertion is not this server's access token.
        guard case .refused(401, "invalid_token", let reason, _) = try r.authorize(["Bearer " + (try fx.assertion())], now: ServeFixture.now)
        else { Issue.record("an assertion was taken as an access token"); return }
        #expect(reason != nil)
        guard case .refused(403, "insufficient_scope", _, _) = try r.authorize(["Bearer " + (try fx.accessToken(scope: "other"))],
                                                                             now: ServeFixture.now)
        else { Issue.record("a token without the scope was accepted"); return }
        guard case .authorized(let v) = try r.authorize(["bearer " + (try fx.accessToken(scope: "x mcp:tools"))], now: ServeFixture.now)
        else { Issue.record("a good token was refused"); return }
        #expect(v.claims["sub"]?.stringValue == "workload")
        let md = r.metadata.serialized()
        #expect(md == #"{"resource":"http://127.0.0.1:8080/mcp","authorization_servers":["http://127.0.0.1:8080"],"#
                + #""bearer_methods_supported":["header"],"dpop_signing_alg_values_supported":["RS256","RS384","RS512","PS256","#
                + #""PS384","PS512","ES256","ES384","ES512","ES256K","EdDSA","Ed25519","Ed448"],"scopes_supported":["mcp:tools"]}"#)
    }

    @Test func challengeTextIsAQuotedStringSafeAscii() throws {
        let r = try fx.resource()
        let c = r.challenge(error: "invalid_token", reason: .badAudience, detail: "aud \"x\\y\" §5 é")
        #expect(c == #"Bearer error="invalid_token", error_description="bad_audience: aud 'x/y' section 5 ?", "#
                + #"resource_metadata="http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp""#)
    }
}
