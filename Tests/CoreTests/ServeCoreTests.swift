// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// The Core pieces `wif-verify serve` calls: TokenEndpoint.Facts, ConformanceChecks (the MCP conformance suite's
/// ids and statuses for `auth/wif-jwt-bearer`), ProtectedResource (RFC 6750 §3, RFC 9728 §5.1), MCPEndpoint
/// (JSON-RPC 2.0 error codes), ServerMetadata (RFC 8414), the in-memory ReplayCache and ProcessControl's clock text.
@Suite struct ServeCoreTests {
    static let now: Int64 = 1_767_323_400
    static let base = "http://127.0.0.1:8080"
    static let jwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    let idp: JWK
    let issuer: JWK

    init() throws {
        idp = try JWK.generate(alg: .es256, kid: "idp")
        issuer = try JWK.generate(alg: .es256, kid: "as")
    }

    func assertion(aud: String = base, sub: String = "workload", exp: Int64? = nil, jti: String? = nil,
                   key: JWK? = nil) throws -> String {
        var spec = TokenSpec(now: Self.now)
        spec.iss = "https://idp.example"
        spec.sub = sub
        spec.aud = [aud]
        spec.exp = exp
        if let jti { spec.jti = .fixed(jti) }
        return String(decoding: try Minter(spec: spec, key: key ?? idp).next(), as: UTF8.self)
    }

    func endpoint(_ configure: (inout TokenEndpoint) -> Void = { _ in }) throws -> TokenEndpoint {
        let pub = try JWK.parse(idp.json(includePrivate: false), what: "idp")
        var p = Policy(profile: .rfc7523)
        p.audiences = [Self.base, Self.base + "/token"]
        p.audienceIgnoresTrailingSlash = true
        var e = try TokenEndpoint(validator: try Validator(keys: KeyRing(keys: [pub]), policy: p))
        e.issuerKey = issuer
        e.issuer = Self.base
        e.defaultAudience = Self.base + "/mcp"
        e.memoryReplayCache = ReplayCache(inMemory: ())
        configure(&e)
        return e
    }

    func form(_ pairs: [(String, String)]) -> [UInt8] { Array(FormEncoding.encode(pairs).utf8) }

    func judge(_ e: TokenEndpoint, _ pairs: [(String, String)]) throws -> (TokenEndpoint.Outcome, TokenEndpoint.Facts) {
        var f = TokenEndpoint.Facts()
        let o = try e.handle(body: form(pairs), now: Self.now, facts: &f)
        return (o, f)
    }

    // MARK: TokenEndpoint.Facts

    @Test func factsOfAGrantedRequest() throws {
        let e = try endpoint()
        let (o, f) = try judge(e, [("grant_type", Self.jwtBearer), ("assertion", try assertion(jti: "j1")),
                                    ("client_id", "c1"), ("scope", "a b")])
        guard case .success(let body) = o else { Issue.record("not granted: \(o.json.serialized())"); return }
        #expect(f.grantType == Self.jwtBearer && f.clientAuth == "none" && f.clientID == "c1")
        #expect(f.assertion == .verified && f.sub == "workload" && f.jti == "j1" && f.scope == "a b")
        #expect(f.error == nil && f.reason == nil)
        // The access token's aud is BASE/mcp when no resource is asked for (RFC 9068 §3, RFC 8707).
        let at = try #require(body.objectValue?["access_token"]?.stringValue)
        let v = try ProtectedResource.accessTokenValidator(issuerKey: issuer, issuer: Self.base, resource: Self.base + "/mcp")
        let claims = try v.verify(Array(at.utf8), now: Self.now).claims
        #expect(claims["aud"]?.stringValue == Self.base + "/mcp")
    }

    @Test func factsOfEachFailure() throws {
        let e = try endpoint { $0.rejectScopes = ["wif.rejected"] }
        var (o, f) = try judge(e, [("grant_type", Self.jwtBearer)])
        #expect(o.httpStatus == 400 && f.assertion == .missing && f.error == .invalidRequest)
        (_, f) = try judge(e, [("grant_type", Self.jwtBearer), ("assertion", try assertion(exp: Self.now - 120))])
        #expect(f.assertion == .rejected(.expired) && f.error == .invalidGrant && f.reason == .expired)
        (_, f) = try judge(e, [("grant_type", Self.jwtBearer), ("assertion", try assertion(aud: "https://wrong.example"))])
        #expect(f.assertion == .rejected(.badAudience))
        (_, f) = try judge(e, [("grant_type", Self.jwtBearer), ("assertion", try assertion()), ("scope", "wif.rejected")])
        #expect(f.assertion == .verified && f.error == .invalidScope && f.reason == .scopeNotAllowed)
        let a = try assertion(jti: "once")
        (o, _) = try judge(e, [("grant_type", Self.jwtBearer), ("assertion", a)])
        #expect(o.httpStatus == 200)
        (_, f) = try judge(e, [("grant_type", Self.jwtBearer), ("assertion", a)])
        #expect(f.assertion == .rejected(.replayedJTI) && f.error == .invalidGrant && f.jti == "once")
        (_, f) = try judge(e, [("grant_type", "client_credentials")])
        #expect(f.grantType == "client_credentials" && f.assertion == .notApplicable && f.error == .unsupportedGrantType)
        (_, f) = try judge(e, [("assertion", "x")])
        #expect(f.grantType == nil && f.error == .invalidRequest)
    }

    @Test func factsDoNotChangeTheOutcome() throws {
        let e = try endpoint()
        let body = form([("grant_type", Self.jwtBearer), ("assertion", try assertion(aud: "https://wrong.example"))])
        var f = TokenEndpoint.Facts()
        #expect(try e.handle(body: body, now: Self.now).json == (try e.handle(body: body, now: Self.now, facts: &f)).json)
    }

    // MARK: ConformanceChecks (ids and statuses of the suite's auth/wif-jwt-bearer scenario)

    func ids(_ c: [ConformanceCheck]) -> [String] { c.map { "\($0.id) \($0.status.rawValue)" } }

    @Test func checksOfEachOutcome() throws {
        var f = TokenEndpoint.Facts()
        f.grantType = Self.jwtBearer
        f.assertion = .verified
        var c = ConformanceChecks()
        #expect(ids(c.tokenRequest(f)) == ["wif-grant-type SUCCESS", "wif-assertion-verified SUCCESS"])
        for (r, id) in [(Reason.expired, "wif-assertion-expired"), (.badAudience, "wif-assertion-audience"),
                        (.badSignature, "wif-assertion-malformed"), (.badSubject, "wif-assertion-malformed"),
                        (.replayedJTI, "wif-assertion-malformed"), (.badIssuer, "wif-assertion-malformed")] {
            var fresh = ConformanceChecks()
            f.assertion = .rejected(r)
            f.error = .invalidGrant
            #expect(ids(fresh.tokenRequest(f)) == ["wif-grant-type SUCCESS", "\(id) FAILURE"])
        }
        var fresh = ConformanceChecks()
        f.assertion = .missing
        f.error = .invalidRequest
        #expect(ids(fresh.tokenRequest(f)) == ["wif-grant-type SUCCESS", "wif-assertion-missing FAILURE"])
        fresh = ConformanceChecks()
        f.assertion = .verified
        f.error = .invalidScope
        #expect(ids(fresh.tokenRequest(f)) == ["wif-grant-type SUCCESS", "wif-assertion-verified SUCCESS",
                                               "wif-assertion-scope-rejected FAILURE"])
    }

    @Test func retryAndFallbackAreWarningsAfterAFailure() throws {
        var c = ConformanceChecks()
        #expect(c.authorizationEndpointVisit().isEmpty, "a visit before any failure is no fallback")
        var bad = TokenEndpoint.Facts()
        bad.grantType = Self.jwtBearer
        bad.assertion = .rejected(.expired)
        bad.error = .invalidGrant
        _ = c.tokenRequest(bad)
        #expect(c.failedBefore)
        #expect(ids(c.tokenRequest(bad)).first == "wif-no-retry WARNING")
        var other = TokenEndpoint.Facts()
        other.grantType = "client_credentials"
        #expect(ids(c.tokenRequest(other)) == ["wif-grant-fallback WARNING", "wif-grant-type FAILURE"])
        #expect(ids(c.authorizationEndpointVisit()) == ["wif-grant-fallback WARNING"])
        #expect(c.tokenRequests == 3)
        let tally = c.summaryJSON.serialized()
        #expect(tally.contains(#"{"id":"wif-grant-fallback","status":"WARNING","count":2}"#))
    }

    // MARK: ProtectedResource

    func resource(scopes: [String] = []) throws -> ProtectedResource {
        let v = try ProtectedResource.accessTokenValidator(issuerKey: issuer, issuer: Self.base, resource: Self.base + "/mcp")
        return ProtectedResource(resource: Self.base + "/mcp", metadataURL: Self.base + "/.well-known/oauth-protected-resource/mcp",
                                 authorizationServers: [Self.base], requiredScopes: scopes, validator: v)
    }

    func accessToken(scope: String?) throws -> String {
        let e = try endpoint()
        var pairs = [("grant_type", Self.jwtBearer), ("assertion", try assertion())]
        if let scope { pairs.append(("scope", scope)) }
        guard case .success(let b) = try e.handle(body: form(pairs), now: Self.now),
              let at = b.objectValue?["access_token"]?.stringValue else { throw WIFError(.malformed, "no token") }
        return at
    }

    @Test func bearerChecks() throws {
        let r = try resource(scopes: ["mcp:tools"])
        guard case .refused(let s0, let e0, _, _) = try r.authorize([], now: Self.now) else { Issue.record("no token accepted"); return }
        #expect(s0 == 401 && e0 == nil)
        #expect(r.challenge(error: nil, reason: nil, detail: "") ==
                #"Bearer scope="mcp:tools", resource_metadata="http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp""#)
        for bad in ["Basic abc", "Bearer", "Bearer a b", "Bearer "] {
            guard case .refused(401, "invalid_request", _, _) = try r.authorize([bad], now: Self.now) else {
                Issue.record("\(bad) accepted"); continue
            }
        }
        guard case .refused(401, "invalid_request", _, _) = try r.authorize(["Bearer a", "Bearer b"], now: Self.now) else {
            Issue.record("two headers accepted"); return
        }
        // The IdP's assertion is not this server's access token.
        guard case .refused(401, "invalid_token", let reason, _) = try r.authorize(["Bearer " + (try assertion())], now: Self.now)
        else { Issue.record("an assertion was taken as an access token"); return }
        #expect(reason != nil)
        guard case .refused(403, "insufficient_scope", _, _) = try r.authorize(["Bearer " + (try accessToken(scope: "other"))],
                                                                             now: Self.now)
        else { Issue.record("a token without the scope was accepted"); return }
        guard case .authorized(let v) = try r.authorize(["bearer " + (try accessToken(scope: "x mcp:tools"))], now: Self.now)
        else { Issue.record("a good token was refused"); return }
        #expect(v.claims["sub"]?.stringValue == "workload")
        let md = r.metadata.serialized()
        #expect(md == #"{"resource":"http://127.0.0.1:8080/mcp","authorization_servers":["http://127.0.0.1:8080"],"#
                + #""bearer_methods_supported":["header"],"scopes_supported":["mcp:tools"]}"#)
    }

    @Test func challengeTextIsAQuotedStringSafeAscii() throws {
        let r = try resource()
        let c = r.challenge(error: "invalid_token", reason: .badAudience, detail: "aud \"x\\y\" §5 é")
        #expect(c == #"Bearer error="invalid_token", error_description="bad_audience: aud 'x/y' section 5 ?", "#
                + #"resource_metadata="http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp""#)
    }

    // MARK: MCPEndpoint (JSON-RPC 2.0 §5.1 codes)

    func mcp(_ text: String) -> MCPEndpoint.Reply {
        var claims = JSONObject()
        claims["sub"] = .string("w")
        claims["client_id"] = .string("c")
        claims["act"] = .object(JSONObject([("sub", .string("agent")), ("act", .object(JSONObject([("sub", .string("ci"))])))]))
        return MCPEndpoint.handle(body: Array(text.utf8), token: claims)
    }

    func code(_ r: MCPEndpoint.Reply) -> Int64? { r.body?.objectValue?["error"]?.objectValue?["code"]?.int64Value }

    @Test func jsonRPC() throws {
        var r = mcp(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26"}}"#)
        #expect(r.status == 200 && r.method == "initialize")
        #expect(r.body?.objectValue?["result"]?.objectValue?["protocolVersion"]?.stringValue == "2025-03-26")
        r = mcp(#"{"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":"1999-01-01"}}"#)
        #expect(r.body?.objectValue?["result"]?.objectValue?["protocolVersion"]?.stringValue == MCPEndpoint.protocolVersions.last)
        #expect(r.body?.objectValue?["id"] == .string("a"))
        r = mcp(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        #expect(r.status == 202 && r.body == nil && r.method == "notifications/initialized")
        r = mcp(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami"}}"#)
        let who = r.body?.objectValue?["result"]?.objectValue?["structuredContent"]
        #expect(who?.serialized() == #"{"sub":"w","client_id":"c","scope":null,"act":["agent","ci"]}"#)
        #expect(code(mcp(#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"rm"}}"#)) == -32602)
        #expect(code(mcp(#"{"jsonrpc":"2.0","id":3,"method":"resources/list"}"#)) == -32601)
        #expect(code(mcp("{nope")) == -32700 && mcp("{nope").status == 400)
        #expect(code(mcp(#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#)) == -32600)
        #expect(code(mcp(#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#)) == -32600)
        #expect(mcp(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).body?.objectValue?["result"] == .object(JSONObject()))
    }

    // MARK: ServerMetadata (RFC 8414 §2)

    @Test func authorizationServerMetadata() throws {
        let e = try endpoint { $0.allowGrants = ["client_credentials", Self.jwtBearer] }
        let md = ServerMetadata.authorizationServer(issuer: Self.base, base: Self.base, endpoint: e, scopes: ["s"]).objectValue
        #expect(md?["issuer"]?.stringValue == Self.base)
        #expect(md?["token_endpoint"]?.stringValue == Self.base + "/token")
        #expect(md?["grant_types_supported"] == .array([.string(Self.jwtBearer), .string("client_credentials")]))
        #expect(md?["token_endpoint_auth_signing_alg_values_supported"] == .array([.string("ES256")]))
        #expect(md?["scopes_supported"] == .array([.string("s")]))
        let jwks = ServerMetadata.jwks(issuer).serialized()
        #expect(!jwks.contains("\"d\"") && jwks.contains("\"kid\":\"as\""))
    }

    // MARK: ReplayCache in memory, ProcessControl

    @Test func inMemoryReplayCacheForgetsOnlyExpiredEntries() throws {
        let cache = ReplayCache(inMemory: (), pruneAt: 8)
        let pub = try JWK.parse(idp.json(includePrivate: false), what: "idp")
        let v = try Validator(keys: KeyRing(keys: [pub]), policy: Policy(profile: .none))
        // 10 tokens that expire at now+10 and one that lives long; past their expiry, the next insert prunes them.
        let long = try v.verify(Array(try assertion(exp: Self.now + 100_000, jti: "long").utf8), now: Self.now)
        try cache.check(long, leeway: 0, maxLifetime: nil, now: Self.now)
        for i in 0..<10 {
            let t = try v.verify(Array(try assertion(exp: Self.now + 10, jti: "j\(i)").utf8), now: Self.now)
            try cache.check(t, leeway: 0, maxLifetime: nil, now: Self.now)
        }
        #expect(cache.count == 11, "pruned at 8 with nothing expired: the next pruning waits for 16")
        let later = Self.now + 11
        for i in 0..<6 {
            let t = try v.verify(Array(try assertion(exp: later + 300, jti: "fresh\(i)").utf8), now: later)
            try cache.check(t, leeway: 0, maxLifetime: nil, now: later)
        }
        #expect(cache.count == 1 + 6, "the 10 expired entries were forgotten on reaching 16")
        #expect(reason { try cache.check(long, leeway: 0, maxLifetime: nil, now: later) } == .replayedJTI)
        try cache.close()  // writes nothing
    }

    @Test func millisecondTimestamps() {
        // 1767323400123 ms is 2026-01-02T03:10:00.123Z (Python: datetime.fromtimestamp(1767323400.123, UTC)).
        #expect(ProcessControl.formatMillis(1_767_323_400_123) == "2026-01-02T03:10:00.123Z")
        #expect(ProcessControl.formatMillis(1_767_323_400_005) == "2026-01-02T03:10:00.005Z")
        #expect(ProcessControl.formatMillis(-1) == "1969-12-31T23:59:59.999Z")
    }
}
