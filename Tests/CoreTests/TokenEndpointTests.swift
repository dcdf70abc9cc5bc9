// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// The order of checks at the top of Sources/Core/Operations/TokenEndpoint.swift, the client-assertion policy
/// the endpoint derives itself (RFC 7523 §3: iss = sub, whatever the caller's policy says), `Settings`,
/// `answer(bodyFrom:)` and the response bodies.
@Suite struct TokenEndpointTests {
    static let aud = "https://as.example/token"
    let ec: JWK
    let dir: TempDir

    init() throws {
        ec = try MirrorKeys.key(MirrorKeys.ec)
        dir = try TempDir()
    }

    /// An endpoint over the test key with profile rfc7523 (which does not ask for iss = sub) and this audience.
    func endpoint(_ edit: (inout TokenEndpoint) -> Void = { _ in }) throws -> TokenEndpoint {
        var p = Policy(profile: .rfc7523)
        p.audiences = [Self.aud]
        var e = try TokenEndpoint(validator: try validator([ec], p))
        edit(&e)
        return e
    }

    /// A token for this audience; `client` makes iss = sub = "client-1".
    func token(client: Bool = false, _ edit: (inout TokenSpec) -> Void = { _ in }) throws -> String {
        var s = baseSpec(aud: [Self.aud])
        if client { s.iss = "client-1"; s.sub = "client-1" }
        return String(decoding: try mint(ec, s, edit), as: UTF8.self)
    }

    func body(_ params: [(String, String)]) -> [UInt8] { Array(FormEncoding.encode(params).utf8) }

    func handle(_ e: TokenEndpoint, _ params: [(String, String)], now: Int64 = mirrorNow) throws -> TokenEndpoint.Outcome {
        try e.handle(body: body(params), now: now)
    }

    /// The OAuth error and wif reason of a failure, or nil for a success.
    func failure(_ o: TokenEndpoint.Outcome) -> (OAuthError, Reason)? {
        if case .failure(let e, let w) = o { return (e, w.reason) }
        return nil
    }

    func expectFailure(_ o: TokenEndpoint.Outcome, _ error: OAuthError, _ reason: Reason,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let f = failure(o)
        #expect(f?.0 == error, sourceLocation: sourceLocation)
        #expect(f?.1 == reason, sourceLocation: sourceLocation)
    }

    func successObject(_ o: TokenEndpoint.Outcome, sourceLocation: SourceLocation = #_sourceLocation) -> JSONObject? {
        guard case .success(let j) = o else {
            Issue.record("not a success: \(o.json.serialized())", sourceLocation: sourceLocation)
            return nil
        }
        return j.objectValue
    }

    var bearer: (String, String) { ("grant_type", TokenRequest.jwtBearerGrant) }

    // MARK: 1. body

    @Test func bodyMustBeFormEncoded() throws {
        let e = try endpoint()
        expectFailure(try e.handle(body: Array("grant_type=a&&x=1".utf8), now: mirrorNow), .invalidRequest, .invalidRequest)
        expectFailure(try e.handle(body: Array("grant_type=%ZZ".utf8), now: mirrorNow), .invalidRequest, .invalidRequest)
        expectFailure(try e.handle(body: Array("grant_type=%C3".utf8), now: mirrorNow), .invalidRequest, .invalidRequest)
        expectFailure(try e.handle(body: [0x67, 0x3D, 0xFF], now: mirrorNow), .invalidRequest, .invalidRequest)
    }

    @Test func aRepeatedParameterIsInvalid() throws {
        let e = try endpoint()
        let t = try token()
        expectFailure(try handle(e, [bearer, ("assertion", t), ("assertion", t)]), .invalidRequest, .invalidRequest)
        expectFailure(try handle(e, [bearer, bearer, ("assertion", t)]), .invalidRequest, .invalidRequest)
        expectFailure(try handle(e, [bearer, ("assertion", t), ("scope", "a"), ("scope", "b")]), .invalidRequest, .invalidRequest)
        // resource and audience may repeat (RFC 8707, RFC 8693).
        #expect(successObject(try handle(e, [bearer, ("assertion", t), ("resource", "r1"), ("resource", "r2"),
                                             ("audience", "a1"), ("audience", "a2")])) != nil)
    }

    @Test func oneTrailingNewlineIsIgnoredAndEmptyValuesAreOmitted() throws {
        let e = try endpoint()
        let t = try token()
        #expect(successObject(try e.handle(body: body([bearer, ("assertion", t)]) + [0x0A], now: mirrorNow)) != nil)
        #expect(successObject(try e.handle(body: body([bearer, ("assertion", t)]) + [0x0D, 0x0A], now: mirrorNow)) != nil)
        expectFailure(try e.handle(body: body([bearer, ("assertion", t)]) + [0x0A, 0x0A], now: mirrorNow),
                      .invalidGrant, .malformed)
        // An empty value counts as omitted: not a repeat, and not an assertion.
        #expect(successObject(try handle(e, [bearer, ("assertion", ""), ("assertion", t)])) != nil)
        expectFailure(try handle(e, [bearer, ("assertion", "")]), .invalidRequest, .invalidRequest)
    }

    // MARK: 2. grant_type

    @Test func grantType() throws {
        let t = try token()
        expectFailure(try handle(try endpoint(), [("assertion", t)]), .invalidRequest, .invalidRequest)
        expectFailure(try handle(try endpoint(), [("grant_type", ""), ("assertion", t)]), .invalidRequest, .invalidRequest)
        expectFailure(try handle(try endpoint(), [("grant_type", "password")]), .unsupportedGrantType, .unsupportedGrantType)
        expectFailure(try handle(try endpoint(), [("grant_type", TokenRequest.clientCredentialsGrant)]),
                      .unsupportedGrantType, .unsupportedGrantType)
        let rejecting = try endpoint { $0.rejectGrantTypes = [TokenRequest.jwtBearerGrant] }
        expectFailure(try handle(rejecting, [bearer, ("assertion", t)]), .unauthorizedClient, .grantTypeRejected)
        // Rejection is checked before support: a rejected unknown grant is unauthorized_client.
        let both = try endpoint { $0.rejectGrantTypes = ["password"] }
        expectFailure(try handle(both, [("grant_type", "password")]), .unauthorizedClient, .grantTypeRejected)
    }

    @Test func grantTypeIsComparedExactly() throws {
        let t = try token()
        let upper = TokenRequest.jwtBearerGrant.uppercased()
        expectFailure(try handle(try endpoint(), [("grant_type", upper), ("assertion", t)]),
                      .unsupportedGrantType, .unsupportedGrantType)
    }

    // MARK: 3. credentials

    @Test func jwtBearer() throws {
        let e = try endpoint()
        let ok = try successObject(handle(e, [bearer, ("assertion", try token())]))
        #expect(ok?["token_type"]?.stringValue == "Bearer")
        #expect(ok?["expires_in"]?.int64Value == 3600)
        #expect(ok?["access_token"]?.stringValue?.isEmpty == false)
        #expect(ok?["issued_token_type"] == nil)
        expectFailure(try handle(e, [bearer]), .invalidRequest, .invalidRequest)
        expectFailure(try handle(e, [bearer, ("assertion", try token { $0.aud = ["x"] })]), .invalidGrant, .badAudience)
        expectFailure(try handle(e, [bearer, ("assertion", try token { $0.exp = mirrorNow - 600; $0.iat = mirrorNow - 900 })]),
                      .invalidGrant, .expired)
        expectFailure(try handle(e, [bearer, ("assertion", "not-a-token")]), .invalidGrant, .malformed)
    }

    /// The caller's policy (rfc7523) does not ask for iss = sub; the endpoint's client validator does anyway.
    @Test func theClientValidatorEnforcesIssEqualsSub() throws {
        let e = try endpoint { $0.allowGrants = [TokenRequest.clientCredentialsGrant] }
        #expect(!e.validator.policy.issEqualsSub)
        #expect(e.clientValidator.policy.issEqualsSub)
        let notClient = try token()                      // iss https://issuer.example, sub workload-1
        let client = try token(client: true)
        let cc = ("grant_type", TokenRequest.clientCredentialsGrant)
        let type = ("client_assertion_type", TokenRequest.clientAssertionType)
        expectFailure(try handle(e, [cc, type, ("client_assertion", notClient)]), .invalidClient, .badSubject)
        #expect(successObject(try handle(e, [cc, type, ("client_assertion", client)])) != nil)
        // The same token is a fine grant assertion: only client authentication needs iss = sub.
        #expect(successObject(try handle(e, [bearer, ("assertion", notClient)])) != nil)
        // And a client assertion beside a jwt-bearer grant is checked too.
        expectFailure(try handle(e, [bearer, ("assertion", client), type, ("client_assertion", notClient)]),
                      .invalidClient, .badSubject)
        // Everything else of the caller's policy still applies to clients.
        expectFailure(try handle(e, [cc, type, ("client_assertion", try token(client: true) { $0.aud = ["x"] })]),
                      .invalidClient, .badAudience)
    }

    @Test func aClientAssertionFailureIsLocated() throws {
        let e = try endpoint { $0.allowGrants = [TokenRequest.clientCredentialsGrant] }
        let o = try handle(e, [("grant_type", TokenRequest.clientCredentialsGrant),
                               ("client_assertion_type", TokenRequest.clientAssertionType), ("client_assertion", try token())])
        guard case .failure(_, let w) = o else { Issue.record("accepted"); return }
        #expect(w.detail.hasPrefix("client_assertion: "))
    }

    @Test func clientCredentials() throws {
        let e = try endpoint { $0.allowGrants = [TokenRequest.clientCredentialsGrant] }
        let cc = ("grant_type", TokenRequest.clientCredentialsGrant)
        let client = try token(client: true)
        expectFailure(try handle(e, [cc]), .invalidClient, .badClientAssertion)
        expectFailure(try handle(e, [cc, ("client_assertion", client)]), .invalidClient, .badClientAssertion)
        expectFailure(try handle(e, [cc, ("client_assertion_type", "urn:other"), ("client_assertion", client)]),
                      .invalidClient, .badClientAssertion)
        expectFailure(try handle(e, [cc, ("client_assertion_type", TokenRequest.clientAssertionType)]),
                      .invalidRequest, .invalidRequest)
        let type = ("client_assertion_type", TokenRequest.clientAssertionType)
        expectFailure(try handle(e, [cc, type, ("client_assertion", client), ("client_id", "client-2")]),
                      .invalidClient, .badClientAssertion)
        #expect(successObject(try handle(e, [cc, type, ("client_assertion", client), ("client_id", "client-1")])) != nil)
    }

    @Test func clientIDMustMatchSubExactly() throws {
        let e = try endpoint { $0.allowGrants = [TokenRequest.clientCredentialsGrant] }
        let client = String(decoding: try mint(ec, baseSpec(iss: "caf\u{E9}", sub: "caf\u{E9}", aud: [Self.aud])), as: UTF8.self)
        let params = [("grant_type", TokenRequest.clientCredentialsGrant),
                      ("client_assertion_type", TokenRequest.clientAssertionType), ("client_assertion", client)]
        #expect(successObject(try handle(e, params + [("client_id", "caf\u{E9}")])) != nil)
        expectFailure(try handle(e, params + [("client_id", "cafe\u{301}")]), .invalidClient, .badClientAssertion)
    }

    @Test func anotherAllowedGrantNeedsAClient() throws {
        let e = try endpoint { $0.allowGrants = ["urn:example:grant"] }
        expectFailure(try handle(e, [("grant_type", "urn:example:grant")]), .invalidClient, .badClientAssertion)
        #expect(successObject(try handle(e, [("grant_type", "urn:example:grant"),
                                             ("client_assertion_type", TokenRequest.clientAssertionType),
                                             ("client_assertion", try token(client: true))])) != nil)
    }

    @Test func tokenExchange() throws {
        let e = try endpoint { $0.allowGrants = [TokenRequest.tokenExchangeGrant] }
        let tx = ("grant_type", TokenRequest.tokenExchangeGrant)
        let st = ("subject_token", try token())
        let stt = ("subject_token_type", TokenRequest.jwtTokenType)
        expectFailure(try handle(e, [tx, st]), .invalidRequest, .invalidRequest)
        expectFailure(try handle(e, [tx, stt]), .invalidRequest, .invalidRequest)
        expectFailure(try handle(e, [tx, st, stt, ("actor_token", try token())]), .invalidRequest, .invalidRequest)
        expectFailure(try handle(e, [tx, st, stt, ("actor_token_type", TokenRequest.jwtTokenType)]), .invalidRequest, .invalidRequest)
        let bad = try handle(e, [tx, ("subject_token", try token { $0.aud = ["x"] }), stt])
        expectFailure(bad, .invalidRequest, .badAudience)
        if case .failure(_, let w) = bad { #expect(w.detail.hasPrefix("subject_token: ")) }
        let badActor = try handle(e, [tx, st, stt, ("actor_token", "x.y.z"), ("actor_token_type", TokenRequest.jwtTokenType)])
        expectFailure(badActor, .invalidRequest, .malformed)
        if case .failure(_, let w) = badActor { #expect(w.detail.hasPrefix("actor_token: ")) }
        let ok = successObject(try handle(e, [tx, st, stt]))
        #expect(ok?["issued_token_type"]?.stringValue == "urn:ietf:params:oauth:token-type:access_token")
        // A requested type this endpoint does not issue is refused, never echoed over another kind of token.
        expectFailure(try handle(e, [tx, st, stt, ("requested_token_type", "urn:x")]), .invalidRequest, .invalidRequest)
    }

    // MARK: 4. scope

    @Test func scopes() throws {
        let t = try token()
        let unauthorized = try endpoint { $0.unauthorizedScopes = ["admin"] }
        expectFailure(try handle(unauthorized, [bearer, ("assertion", t), ("scope", "read admin")]), .unauthorizedClient, .scopeUnauthorized)
        let rejecting = try endpoint { $0.rejectScopes = ["write"] }
        expectFailure(try handle(rejecting, [bearer, ("assertion", t), ("scope", "read write")]), .invalidScope, .scopeNotAllowed)
        let allowing = try endpoint { $0.allowScopes = ["read"] }
        expectFailure(try handle(allowing, [bearer, ("assertion", t), ("scope", "read write")]), .invalidScope, .scopeNotAllowed)
        let ok = successObject(try handle(allowing, [bearer, ("assertion", t), ("scope", "read")]))
        #expect(ok?["scope"]?.stringValue == "read")
        // Unauthorized is checked before rejected.
        let both = try endpoint { $0.unauthorizedScopes = ["x"]; $0.rejectScopes = ["x"] }
        expectFailure(try handle(both, [bearer, ("assertion", t), ("scope", "x")]), .unauthorizedClient, .scopeUnauthorized)
        // Credentials are checked before scope.
        expectFailure(try handle(rejecting, [bearer, ("assertion", try token { $0.aud = ["x"] }), ("scope", "write")]),
                      .invalidGrant, .badAudience)
    }

    // MARK: 5. replay, last

    @Test func replayIsCheckedLastAndSpendsOnlyOnSuccess() throws {
        let cache = ReplayCache(path: dir.file("replay"))
        let rejecting = try endpoint { $0.rejectScopes = ["write"]; $0.replayCache = cache }
        let t = try token { $0.jti = .fixed("jti-1") }
        // Rejected for its scope: the jti is not spent.
        expectFailure(try handle(rejecting, [bearer, ("assertion", t), ("scope", "write")]), .invalidScope, .scopeNotAllowed)
        #expect(successObject(try handle(rejecting, [bearer, ("assertion", t)])) != nil)
        expectFailure(try handle(rejecting, [bearer, ("assertion", t)]), .invalidGrant, .replayedJTI)
        // A replayed client assertion is invalid_client.
        let e = try endpoint { $0.allowGrants = [TokenRequest.clientCredentialsGrant]; $0.replayCache = cache }
        let client = try token(client: true) { $0.jti = .fixed("client-jti") }
        let params = [("grant_type", TokenRequest.clientCredentialsGrant),
                      ("client_assertion_type", TokenRequest.clientAssertionType), ("client_assertion", client)]
        #expect(successObject(try handle(e, params)) != nil)
        expectFailure(try handle(e, params), .invalidClient, .replayedJTI)
    }

    @Test func anUnusableReplayCacheCouldNotJudge() throws {
        let cache = try dir.write("broken-cache", "not a cache line\n")
        let e = try endpoint { $0.replayCache = ReplayCache(path: cache) }
        #expect(reason { try handle(e, [bearer, ("assertion", try token())]) } == .inputInvalid)
    }

    // MARK: the issued token

    @Test func anIssuerKeySignsAnAccessToken() throws {
        let issuer = try MirrorKeys.key(MirrorKeys.ec2)
        let e = try endpoint { $0.issuerKey = issuer; $0.expiresIn = 600 }
        let ok = successObject(try handle(e, [bearer, ("assertion", try token()), ("scope", "read"), ("resource", "https://api")]))
        let at = Array((ok?["access_token"]?.stringValue ?? "").utf8)
        var p = Policy(profile: .atJWT)
        p.issuers = [TokenEndpoint.defaultIssuer]
        p.audiences = ["https://api"]
        let v = try validator([issuer], p)
        let r = try v.verify(at, now: mirrorNow)
        #expect(r.header["typ"]?.stringValue == "at+jwt")
        #expect(r.claims["sub"]?.stringValue == "workload-1")
        #expect(r.claims["scope"]?.stringValue == "read")
        #expect(r.claims["exp"]?.int64Value == mirrorNow + 600)
        #expect(ok?["expires_in"]?.int64Value == 600)
    }

    /// The endpoint prepares its signer once and reuses it (Mint.swift, IssuerSigning): every token of a run
    /// verifies and has its own jti, and a copy given another issuer key signs with that key, never the old one.
    @Test func theReusedSignerFollowsTheIssuerKey() throws {
        let first = try MirrorKeys.key(MirrorKeys.ec2)
        let second = try MirrorKeys.key(MirrorKeys.ec)
        var e = try endpoint { $0.issuerKey = first }
        var p = Policy(profile: .atJWT)
        p.issuers = [TokenEndpoint.defaultIssuer]
        p.audiences = [TokenEndpoint.defaultIssuer]
        var jtis: [String] = []
        for _ in 0..<3 {
            let ok = successObject(try handle(e, [bearer, ("assertion", try token())]))
            let r = try validator([first], p).verify(Array((ok?["access_token"]?.stringValue ?? "").utf8), now: mirrorNow)
            jtis.append(r.claims["jti"]?.stringValue ?? "")
        }
        #expect(Set(jtis).count == 3 && jtis.allSatisfy { $0.count == 22 })
        e.issuerKey = second
        let ok = successObject(try handle(e, [bearer, ("assertion", try token())]))
        let at = Array((ok?["access_token"]?.stringValue ?? "").utf8)
        #expect(try validator([second], p).verify(at, now: mirrorNow).header["kid"]?.stringValue == "ec-1")
        #expect(reason { try validator([first], p).verify(at, now: mirrorNow) } != nil)
    }

    // MARK: Settings

    func settings(_ edit: (inout TokenEndpoint.Settings) -> Void = { _ in }) throws -> TokenEndpoint.Settings {
        var s = TokenEndpoint.Settings()
        s.policy.jwks = [try dir.jwks("jwks.json", [ec])]
        s.policy.audiences = [Self.aud]
        edit(&s)
        return s
    }

    @Test func settingsRules() throws {
        #expect(reason { try settings { $0.policy.jwks = ["-"] }.endpoint(passphrase: nil) } == .usage)
        #expect(reason { try settings { $0.expiresIn = "0" }.endpoint(passphrase: nil) } == .usage)
        #expect(reason { try settings { $0.expiresIn = "soon" }.endpoint(passphrase: nil) } == .usage)
        #expect(reason { try settings { $0.policy.audiences = [] }.endpoint(passphrase: nil) } == .usage)
        #expect(reason { try settings { $0.issuerKey = dir.file("absent.jwk") }.endpoint(passphrase: nil) } == .inputUnreadable)
        let pub = try dir.write("public.jwk", JSON.object(ec.json(includePrivate: false)).serialized())
        #expect(reason { try settings { $0.issuerKey = pub }.endpoint(passphrase: nil) } == .keyInvalid)
    }

    @Test func aServerEndpointTakesNoStandardInputAndDefaultsItsAudiences() throws {
        #expect(reason { try settings { $0.policy.jwks = ["-"] }.checkServable() } == .usage)
        #expect(reason { try settings().checkServable() } == nil)
        // Without --aud, the assertion's aud may be the server's issuer or its token endpoint.
        let e = try settings { $0.policy.audiences = [] }.serverEndpoint(base: "http://127.0.0.1:9", passphrase: nil)
        let t = try token { $0.aud = ["http://127.0.0.1:9/token"] }
        #expect(successObject(try handle(e, [bearer, ("assertion", t)])) != nil)
        let wrong = try token { $0.aud = ["http://127.0.0.1:10"] }
        expectFailure(try handle(e, [bearer, ("assertion", wrong)]), .invalidGrant, .badAudience)
    }

    @Test func settingsReachTheEndpoint() throws {
        let key = try dir.write("issuer.jwk", JSON.object(ec.json(includePrivate: true)).serialized())
        let e = try settings {
            $0.allowGrants = ["g"]
            $0.rejectGrantTypes = ["r"]
            $0.rejectScopes = ["w"]
            $0.unauthorizedScopes = ["u"]
            $0.issuer = "https://as.example"
            $0.expiresIn = "5m"
            $0.issuerKey = key
            $0.policy.replayCache = dir.file("cache")
        }.endpoint(passphrase: nil)
        #expect(e.allowGrants == ["g"])
        #expect(e.rejectGrantTypes == ["r"])
        #expect(e.allowScopes == nil)
        #expect(e.rejectScopes == ["w"])
        #expect(e.unauthorizedScopes == ["u"])
        #expect(e.issuer == "https://as.example")
        #expect(e.expiresIn == 300)
        #expect(e.issuerKey?.thumbprint == ec.thumbprint)
        #expect(e.replayCache?.path == dir.file("cache"))
        #expect(e.clientValidator.policy.issEqualsSub)
        let d = try settings().endpoint(passphrase: nil)
        #expect(d.expiresIn == 3600)
        #expect(d.issuer == TokenEndpoint.defaultIssuer)
        #expect(d.issuerKey == nil)
        #expect(try settings { $0.allowScopes = ["read"] }.endpoint(passphrase: nil).allowScopes == ["read"])
    }

    // MARK: answer(bodyFrom:)

    @Test func anEmptyBodyIsNothingToJudge() throws {
        let e = try endpoint()
        for (name, content) in [("empty", ""), ("newline", "\n"), ("crlf", "\r\n")] {
            let path = try dir.write(name, content)
            let err = wifError { try TokenEndpoint.answer(bodyFrom: path, endpoint: e, now: mirrorNow) }
            #expect(err?.reason == .inputEmpty, "\(name)")
            #expect(err?.reason.exitStatus == .failure)
        }
        // Two newlines are not empty: the form decoder judges them.
        let two = try dir.write("two", "\n\n")
        expectFailure(try TokenEndpoint.answer(bodyFrom: two, endpoint: e, now: mirrorNow), .invalidRequest, .invalidRequest)
    }

    @Test func answerReadsAndJudgesTheBody() throws {
        let e = try endpoint()
        let path = try dir.write("body", body([bearer, ("assertion", try token())]) + [0x0A])
        #expect(successObject(try TokenEndpoint.answer(bodyFrom: path, endpoint: e, now: mirrorNow)) != nil)
        #expect(reason { try TokenEndpoint.answer(bodyFrom: dir.file("absent"), endpoint: e, now: mirrorNow) } == .inputUnreadable)
        let big = try dir.write("big", [UInt8](repeating: UInt8(ascii: "a"), count: TokenEndpoint.maxBodySize + 1))
        expectFailure(try TokenEndpoint.answer(bodyFrom: big, endpoint: e, now: mirrorNow), .invalidRequest, .invalidRequest)
    }

    // MARK: responses

    @Test func jsonWithReason() throws {
        let o = try handle(try endpoint(), [bearer, ("assertion", try token { $0.aud = ["x"] })])
        let plain = o.json(withReason: false).objectValue
        #expect(plain?.keys == ["error", "error_description"])
        #expect(plain?["error"]?.stringValue == "invalid_grant")
        #expect(o.json == o.json(withReason: false))
        let with = o.json(withReason: true).objectValue
        #expect(with?.keys == ["error", "error_description", "reason"])
        #expect(with?["reason"]?.stringValue == "bad_audience")
        // A success carries no reason either way.
        let ok = try handle(try endpoint(), [bearer, ("assertion", try token())])
        #expect(ok.json(withReason: true).objectValue?["reason"] == nil)
    }

    @Test func errorDescriptionIsPrintableASCIIWithoutQuotesOrBackslashes() throws {
        let hostile = "a\"b\\c\u{1B}[31m\u{E9}\u{202E}"
        let o = try handle(try endpoint(), [bearer, ("assertion", try token { $0.aud = [hostile] })])
        let d = o.json(withReason: true).objectValue?["error_description"]?.stringValue ?? ""
        #expect(d.hasPrefix("bad_audience: "))
        #expect(d.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value <= 0x7E && $0 != "\"" && $0 != "\\" })
        // RFC sections are written "section", never "§".
        let missing = try handle(try endpoint(), [bearer, ("assertion", try token()), ("assertion", try token())])
        let m = missing.json.objectValue?["error_description"]?.stringValue ?? ""
        #expect(m == "invalid_request: parameter assertion is repeated (RFC 6749 section 3.2)")
    }

    @Test func httpStatusAndResponse() throws {
        let e = try endpoint { $0.allowGrants = [TokenRequest.clientCredentialsGrant] }
        let ok = try handle(e, [bearer, ("assertion", try token())])
        #expect(ok.httpStatus == 200)
        let grant = try handle(e, [bearer, ("assertion", "x")])
        #expect(grant.httpStatus == 400)
        let client = try handle(e, [("grant_type", TokenRequest.clientCredentialsGrant)])
        #expect(client.httpStatus == 401)
        let r = TokenEndpoint.httpResponse(client)
        #expect(r.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
        #expect(r.contains("\r\nWWW-Authenticate: Bearer error=\"invalid_client\"\r\n"))
        #expect(r.contains("\r\nCache-Control: no-store\r\n"))
        let body = client.json.serialized()
        #expect(r.hasSuffix("\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body))
        #expect(TokenEndpoint.httpResponse(grant).hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(!TokenEndpoint.httpResponse(grant).contains("WWW-Authenticate"))
        #expect(TokenEndpoint.httpResponse(ok).hasPrefix("HTTP/1.1 200 OK\r\n"))
    }
    /// RFC 6749 §3.2: one Content-Type, application/x-www-form-urlencoded in any letter case, parameters and
    /// spaces or tabs around the media type allowed; anything else is invalid_request.
    @Test func theContentTypeIsTheFormMediaTypeOnly() {
        for ok in ["application/x-www-form-urlencoded", "Application/X-WWW-Form-URLEncoded; charset=utf-8",
                   " \tapplication/x-www-form-urlencoded \t;x=y", "application/x-www-form-urlencoded;"] {
            #expect(TokenEndpoint.contentTypeProblem([ok]) == nil, "\(ok)")
        }
        for bad in [["application/json"], ["application/x-www-form-urlencodedx"], ["application/x-www-form-urlencode"],
                    [""], [], ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded"],
                    ["application/x-www-form-\u{17F}rlencoded"], ["application x-www-form-urlencoded"]] {
            guard case .failure(let error, _)? = TokenEndpoint.contentTypeProblem(bad) else {
                Issue.record("\(bad) was accepted")
                continue
            }
            #expect(error == .invalidRequest, "\(bad)")
        }
    }
}
