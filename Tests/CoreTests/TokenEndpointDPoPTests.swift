// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Sources/Core/Operations/TokenEndpoint+DPoP.swift: the rules at its top, in order.
@Suite struct TokenEndpointDPoPTests {
    static let aud = "https://as.example/token"
    let ec: JWK
    let client: JWK
    let issuer: JWK

    init() throws {
        ec = try MirrorKeys.key(MirrorKeys.ec)
        client = try JWK.generate(alg: .es256)
        issuer = try JWK.generate(alg: .es256, kid: "as")
    }

    func endpoint(_ edit: (inout TokenEndpoint) -> Void = { _ in }) throws -> TokenEndpoint {
        var p = Policy(profile: .rfc7523)
        p.audiences = [Self.aud]
        var e = try TokenEndpoint(validator: try validator([ec], p))
        e.issuerKey = issuer
        e.memoryReplayCache = ReplayCache(inMemory: ())
        edit(&e)
        return e
    }

    func body(_ extra: [(String, String)] = []) throws -> [UInt8] {
        let a = String(decoding: try mint(ec, baseSpec(aud: [Self.aud])), as: UTF8.self)
        return Array(FormEncoding.encode([("grant_type", TokenRequest.jwtBearerGrant), ("assertion", a)] + extra).utf8)
    }

    func proof(key: JWK? = nil, _ edit: (inout DPoP.ProofSpec) -> Void = { _ in }) throws -> String {
        var s = DPoP.ProofSpec(htm: "POST", htu: Self.aud, iat: mirrorNow)
        edit(&s)
        return String(decoding: try DPoP.mint(s, key: key ?? client), as: UTF8.self)
    }

    func handle(_ e: TokenEndpoint, _ body: [UInt8], _ proofs: [String]?) throws -> TokenEndpoint.Outcome {
        var facts = TokenEndpoint.Facts()
        return try e.handle(body: body, dpop: proofs.map { TokenEndpoint.DPoPRequest(proofs: $0, htu: Self.aud) },
                            now: mirrorNow, facts: &facts)
    }

    func reasonOf(_ o: TokenEndpoint.Outcome) -> Reason? {
        if case .failure(_, let w) = o { return w.reason }
        return nil
    }

    @Test func aProofBindsTheAccessToken() throws {
        let o = try handle(try endpoint(), try body(), [try proof()])
        guard case .success(let j) = o, let r = j.objectValue else { Issue.record("\(o.json.serialized())"); return }
        #expect(r["token_type"]?.stringValue == "DPoP")
        let at = try #require(r["access_token"]?.stringValue)
        let claims = try CompactJWS.parse(Array(at.utf8)).claims()
        #expect(claims["cnf"]?.objectValue?["jkt"]?.stringValue == client.thumbprint)
    }

    @Test func withoutAProofItIsBearer() throws {
        let o = try handle(try endpoint(), try body(), [])
        guard case .success(let j) = o else { Issue.record("\(o.json.serialized())"); return }
        #expect(j.objectValue?["token_type"]?.stringValue == "Bearer")
        #expect(try CompactJWS.parse(Array((j.objectValue?["access_token"]?.stringValue ?? "").utf8)).claims()["cnf"] == nil)
    }

    @Test func requireDPoPRefusesBearer() throws {
        let e = try endpoint { $0.dpop.required = true }
        let o = try handle(e, try body(), [])
        #expect(reasonOf(o) == .dpopRequired)
        if case .failure(let oauth, _) = o { #expect(oauth == .invalidDPoPProof) }
        #expect(reasonOf(try handle(e, try body(), nil)) == .dpopRequired)
        #expect(reasonOf(try handle(e, try body(), [try proof()])) == nil)
    }

    @Test func twoProofsAreRefused() throws {
        #expect(reasonOf(try handle(try endpoint(), try body(), [try proof(), try proof()])) == .dpopMultiple)
    }

    @Test func dpopJKTIsHonoured() throws {
        let e = try endpoint()
        #expect(reasonOf(try handle(e, try body([("dpop_jkt", client.thumbprint)]), [try proof()])) == nil)
        #expect(reasonOf(try handle(e, try body([("dpop_jkt", "another")]), [try proof()])) == .dpopJKTMismatch)
        #expect(reasonOf(try handle(e, try body([("dpop_jkt", client.thumbprint)]), [])) == .dpopMissing)
    }

    @Test func nonceChallenge() throws {
        let e = try endpoint { $0.dpop.nonce = "n-1" }
        let o = try handle(e, try body(), [try proof()])
        #expect(reasonOf(o) == .dpopBadNonce)
        if case .failure(let oauth, _) = o { #expect(oauth == .useDPoPNonce) }
        #expect(o.httpStatus == 400)
        #expect(TokenEndpoint.httpResponse(o, dpopNonce: "n-1").contains("\r\nDPoP-Nonce: n-1\r\n"))
        #expect(reasonOf(try handle(e, try body(), [try proof { $0.nonce = "n-1" }])) == nil)
    }

    @Test func proofChecksAndReplay() throws {
        let e = try endpoint()
        #expect(reasonOf(try handle(e, try body(), [try proof { $0.htu = "https://as.example/other" }])) == .dpopHTUMismatch)
        #expect(reasonOf(try handle(e, try body(), [try proof { $0.htm = "GET" }])) == .dpopHTMMismatch)
        let p = try proof()
        #expect(reasonOf(try handle(e, try body(), [p])) == nil)
        #expect(reasonOf(try handle(e, try body(), [p])) == .dpopReplayedJTI)
    }

    @Test func aBadGrantWithAGoodProofIsTheGrantsFailure() throws {
        let bad = Array(FormEncoding.encode([("grant_type", TokenRequest.jwtBearerGrant)]).utf8)
        #expect(reasonOf(try handle(try endpoint(), bad, [try proof()])) == .invalidRequest)
    }

    /// A token bound to `jkt` (cnf.jkt), or with `cnf` as given.
    func boundToken(_ cnf: JSON, sub: String = "workload-1") throws -> String {
        String(decoding: try mint(ec, baseSpec(sub: sub, aud: [Self.aud])) { $0.claims["cnf"] = cnf }, as: UTF8.self)
    }

    func jktCNF(_ jkt: String) -> JSON { .object(JSONObject([("jkt", .string(jkt))])) }

    func form(_ pairs: [(String, String)]) -> [UInt8] { Array(FormEncoding.encode(pairs).utf8) }

    func expectRefused(_ o: TokenEndpoint.Outcome, _ oauth: OAuthError, _ reason: Reason, _ place: String) {
        guard case .failure(let e, let w) = o else { Issue.record("expected \(reason): \(o.json.serialized())"); return }
        #expect(e == oauth)
        #expect(w.reason == reason)
        #expect(w.detail.hasPrefix(place + ": "))
    }

    /// The issued token is bound to the client's key, whatever the bound token given to the grant.
    func expectBoundToClient(_ o: TokenEndpoint.Outcome) throws {
        guard case .success(let j) = o, let r = j.objectValue else { Issue.record("\(o.json.serialized())"); return }
        #expect(r["token_type"]?.stringValue == "DPoP")
        let at = try #require(r["access_token"]?.stringValue)
        #expect(try CompactJWS.parse(Array(at.utf8)).claims()["cnf"]?.objectValue?["jkt"]?.stringValue == client.thumbprint)
    }

    @Test func aBoundAssertionNeedsTheProofOfItsKey() throws {
        let e = try endpoint()
        let other = try JWK.generate(alg: .es256)
        let bound = form([("grant_type", TokenRequest.jwtBearerGrant), ("assertion", try boundToken(jktCNF(client.thumbprint)))])
        expectRefused(try handle(e, bound, []), .invalidGrant, .dpopBoundToken, "assertion")
        expectRefused(try handle(e, bound, nil), .invalidGrant, .dpopBoundToken, "assertion")
        expectRefused(try handle(e, bound, [try proof(key: other)]), .invalidDPoPProof, .dpopJKTMismatch, "assertion")
        try expectBoundToClient(try handle(e, bound, [try proof()]))
        let x5t = form([("grant_type", TokenRequest.jwtBearerGrant),
                        ("assertion", try boundToken(.object(JSONObject([("x5t#S256", .string("abc"))]))))])
        expectRefused(try handle(e, x5t, [try proof()]), .invalidGrant, .dpopBoundToken, "assertion")
    }

    @Test func aBoundSubjectOrActorTokenNeedsTheProofOfItsKey() throws {
        let e = try endpoint { $0.allowGrants = [TokenRequest.tokenExchangeGrant] }
        let other = try JWK.generate(alg: .es256)
        let bound = try boundToken(jktCNF(client.thumbprint))
        let plain = String(decoding: try mint(ec, baseSpec(aud: [Self.aud])), as: UTF8.self)
        let actor = String(decoding: try mint(ec, baseSpec(sub: "agent", aud: [Self.aud])), as: UTF8.self)
        let boundActor = try boundToken(jktCNF(client.thumbprint), sub: "agent")
        func exchange(_ subject: String, _ actor: String?) -> [UInt8] {
            var p = [("grant_type", TokenRequest.tokenExchangeGrant), ("subject_token", subject),
                     ("subject_token_type", TokenRequest.jwtTokenType)]
            if let actor { p += [("actor_token", actor), ("actor_token_type", TokenRequest.jwtTokenType)] }
            return form(p)
        }
        expectRefused(try handle(e, exchange(bound, nil), []), .invalidRequest, .dpopBoundToken, "subject_token")
        expectRefused(try handle(e, exchange(bound, nil), [try proof(key: other)]), .invalidDPoPProof, .dpopJKTMismatch, "subject_token")
        try expectBoundToClient(try handle(e, exchange(bound, nil), [try proof()]))
        expectRefused(try handle(e, exchange(plain, boundActor), []), .invalidRequest, .dpopBoundToken, "actor_token")
        expectRefused(try handle(e, exchange(plain, boundActor), [try proof(key: other)]), .invalidDPoPProof, .dpopJKTMismatch,
                      "actor_token")
        try expectBoundToClient(try handle(e, exchange(plain, boundActor), [try proof()]))
        // Unbound tokens keep the old behaviour: bearer without a proof (a fresh subject: the one above is spent).
        let fresh = String(decoding: try mint(ec, baseSpec(aud: [Self.aud])), as: UTF8.self)
        #expect(reasonOf(try handle(e, exchange(fresh, actor), [])) == nil)
    }

    @Test func aFailingRequestDoesNotSpendItsProof() throws {
        let e = try endpoint { $0.allowScopes = ["read"] }
        let p = try proof()
        #expect(reasonOf(try handle(e, Array(FormEncoding.encode([("grant_type", TokenRequest.jwtBearerGrant)]).utf8), [p])) == .invalidRequest)
        #expect(reasonOf(try handle(e, try body([("scope", "write")]), [p])) == .scopeNotAllowed)
        #expect(reasonOf(try handle(e, try body(), [p])) == nil)
        #expect(reasonOf(try handle(e, try body(), [p])) == .dpopReplayedJTI)
    }
}
