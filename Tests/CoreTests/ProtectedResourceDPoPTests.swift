// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Sources/Core/Operations/ProtectedResource+DPoP.swift and DPoP+Binding.swift: a bound token is accepted only
/// as `DPoP` with its own key's proof carrying its ath; as Bearer, without a proof or with another key's proof
/// it is refused with the reason the rules name.
@Suite struct ProtectedResourceDPoPTests {
    let fx: ServeFixture
    let client: JWK
    static let mcp = ServeFixture.base + "/mcp"

    init() throws {
        fx = try ServeFixture()
        client = try JWK.generate(alg: .es256)
    }

    /// An access token bound to `client` by the token endpoint.
    func boundToken(scope: String? = nil) throws -> String {
        var pairs = [("grant_type", ServeFixture.jwtBearer), ("assertion", try fx.assertion())]
        if let scope { pairs.append(("scope", scope)) }
        var s = DPoP.ProofSpec(htm: "POST", htu: ServeFixture.base + "/token", iat: ServeFixture.now)
        s.alg = .es256
        let p = String(decoding: try DPoP.mint(s, key: client), as: UTF8.self)
        var facts = TokenEndpoint.Facts()
        guard case .success(let b) = try fx.endpoint().handle(
            body: fx.form(pairs), dpop: .init(proofs: [p], htu: ServeFixture.base + "/token"), now: ServeFixture.now, facts: &facts),
            let at = b.objectValue?["access_token"]?.stringValue else { throw WIFError(.malformed, "no bound token") }
        return at
    }

    func proof(_ token: String?, key: JWK? = nil, htm: String = "POST", htu: String = mcp) throws -> String {
        var s = DPoP.ProofSpec(htm: htm, htu: htu, iat: ServeFixture.now)
        s.accessToken = token.map { Array($0.utf8) }
        return String(decoding: try DPoP.mint(s, key: key ?? client), as: UTF8.self)
    }

    func decide(_ r: ProtectedResource, _ auth: [String], _ dpop: [String], cache: ReplayCache? = nil) throws -> (Int, String?, Reason?) {
        switch try r.authorize(auth, dpop: dpop, htm: "POST", now: ServeFixture.now, replayCache: cache) {
        case .authorized: return (200, nil, nil)
        case .refused(let s, let e, let reason, _): return (s, e, reason)
        }
    }

    @Test func boundTokenWithItsProof() throws {
        let r = try fx.resource()
        let at = try boundToken()
        let cache = ReplayCache(inMemory: ())
        let p = try proof(at)
        #expect(try decide(r, ["DPoP " + at], [p], cache: cache) == (200, nil, nil))
        #expect(try decide(r, ["dpop " + at], [p], cache: cache) == (401, "invalid_dpop_proof", .dpopReplayedJTI))
    }

    @Test func refusals() throws {
        let r = try fx.resource()
        let at = try boundToken()
        #expect(try decide(r, ["Bearer " + at], []) == (401, "invalid_token", .dpopBoundToken))
        #expect(try decide(r, ["DPoP " + at], []) == (401, "invalid_dpop_proof", .dpopMissing))
        #expect(try decide(r, ["DPoP " + at], [try proof(at), try proof(at)]) == (401, "invalid_dpop_proof", .dpopMultiple))
        #expect(try decide(r, ["DPoP " + at], [try proof(at, key: try JWK.generate(alg: .es256))])
                == (401, "invalid_dpop_proof", .dpopJKTMismatch))
        #expect(try decide(r, ["DPoP " + at], [try proof(nil)]) == (401, "invalid_dpop_proof", .dpopATHMissing))
        #expect(try decide(r, ["DPoP " + at], [try proof("another-token")]) == (401, "invalid_dpop_proof", .dpopATHMismatch))
        #expect(try decide(r, ["DPoP " + at], [try proof(at, htu: ServeFixture.base + "/token")])
                == (401, "invalid_dpop_proof", .dpopHTUMismatch))
        #expect(try decide(r, ["DPoP " + at, "DPoP " + at], [try proof(at)]).1 == "invalid_request")
        // An unbound token as DPoP: its proof binds nothing.
        let plain = try fx.accessToken(scope: nil)
        #expect(try decide(r, ["DPoP " + plain], [try proof(plain)]) == (401, "invalid_dpop_proof", .dpopJKTMismatch))
        // ... and as Bearer it is still good.
        #expect(try decide(r, ["Bearer " + plain], []) == (200, nil, nil))
        // A token that is not this server's: invalid_token with the validator's reason.
        #expect(try decide(r, ["DPoP " + (try fx.assertion())], [try proof(at)]).1 == "invalid_token")
    }

    @Test func scopesStillApply() throws {
        let r = try fx.resource(scopes: ["mcp:tools"])
        let at = try boundToken(scope: nil)
        #expect(try decide(r, ["DPoP " + at], [try proof(at)]) == (403, "insufficient_scope", .scopeNotAllowed))
    }

    @Test func challenges() throws {
        let r = try fx.resource()
        let c = r.wwwAuthenticate(error: "invalid_dpop_proof", reason: .dpopJKTMismatch, detail: "x")
        #expect(c.hasPrefix(#"DPoP error="invalid_dpop_proof", error_description="dpop_jkt_mismatch: x", algs=""#))
        #expect(c.contains("ES256") && !c.contains("HS256"))
        #expect(r.wwwAuthenticate(error: "invalid_token", reason: .expired, detail: "x").hasPrefix("Bearer "))
        // A request that spoke DPoP is challenged in DPoP, whatever the reason.
        #expect(r.wwwAuthenticate(error: "invalid_token", reason: .malformed, detail: "x", usedDPoP: true)
            .hasPrefix(#"DPoP error="invalid_token""#))
        let scoped = try fx.resource(scopes: ["mcp:tools"])
        let c403 = scoped.wwwAuthenticate(error: "insufficient_scope", reason: .scopeNotAllowed, detail: "x", usedDPoP: true)
        #expect(c403.hasPrefix(#"DPoP error="insufficient_scope""#) && c403.contains(#"scope="mcp:tools""#))
        #expect(ProtectedResource.usesDPoPScheme(["dpop abc"]) && !ProtectedResource.usesDPoPScheme(["Bearer abc"]))
        #expect(!ProtectedResource.usesDPoPScheme([]))
    }

    @Test func bindingRules() throws {
        let at = try boundToken()
        let v = try ProtectedResource.accessTokenValidator(issuerKey: fx.issuer, issuer: ServeFixture.base, resource: Self.mcp)
            .verify(Array(at.utf8), now: ServeFixture.now)
        let req = DPoP.Requirements(htm: "POST", htu: Self.mcp)
        #expect(reason { try DPoP.checkBinding(v, .init(proof: nil, requirements: req), now: ServeFixture.now) } == .dpopBoundToken)
        #expect(reason { try DPoP.checkBinding(v, .init(proof: Array(try proof(at).utf8), requirements: req), now: ServeFixture.now) } == nil)
        var c = JSONObject()
        c["cnf"] = .string("x")
        #expect(reason { try DPoP.boundKey(c) } == .dpopBoundToken)
        c["cnf"] = .object(JSONObject([("x5t#S256", .string("abc"))]))
        #expect(reason { try DPoP.boundKey(c) } == .dpopBoundToken)
        c["cnf"] = .object(JSONObject([("jkt", .string("abc"))]))
        #expect(try DPoP.boundKey(c) == "abc")
        #expect(try DPoP.boundKey(JSONObject()) == nil)
    }
}
