// SPDX-License-Identifier: Apache-2.0

/// An offline OAuth token endpoint: judges one form-encoded token request as an authorization server that
/// follows RFC 6749 §5, RFC 7521 §4, RFC 7523 §3.1 and RFC 8693 §2 would, and answers with §5.1/§5.2 JSON.
///
/// Order of checks (the first failure answers):
/// 1. body: valid form encoding, UTF-8, no parameter repeated except `resource`/`audience` → `invalid_request`;
///    one trailing newline is ignored; empty values count as omitted (RFC 6749 §3.1).
/// 2. `grant_type`: missing → `invalid_request`; listed in `rejectGrantTypes` → `unauthorized_client`; neither the
///    jwt-bearer URN nor allowed → `unsupported_grant_type`.
/// 3. credentials for the grant: jwt-bearer needs exactly one `assertion` (RFC 7521 §4.1) → `invalid_grant` with
///    the verifier's reason; client_credentials needs `client_assertion_type` = the jwt-bearer client-assertion
///    URN and `client_assertion`, checked by the client policy → `invalid_client`; token-exchange needs
///    `subject_token` and `subject_token_type` (and `actor_token_type` with `actor_token`), each token checked
///    → `invalid_request` (RFC 8693 §2.2.2). A `client_assertion` with another grant is checked too.
/// 4. scope: a scope in `unauthorizedScopes` → `unauthorized_client`; in `rejectScopes`, or outside
///    `allowScopes` when that is set → `invalid_scope`.
/// 5. replay, last, so only a request that would succeed spends its jti: the replay cache (`replayCache`, a
///    file) is opened, spent and closed inside `handle`; a token with a use budget spends one use
///    (`use_budget_exhausted` when none is left), and without any cache is not judged (`use_budget_needs_cache`).
///
/// `handle(body:now:facts:)` also reports what the request was (`Facts`), for an event log: it never changes the
/// outcome. `memoryReplayCache` (a server's, for its life) is used when no `replayCache` file is set.
public struct TokenEndpoint {
    public let validator: Validator
    /// Validator for client assertions: the grant policy with iss = sub required (RFC 7523 §3), derived here so
    /// that no caller can leave the rule out.
    public let clientValidator: Validator
    public var allowGrants: [String] = []
    public var rejectGrantTypes: [String] = []
    public var allowScopes: [String]?
    public var rejectScopes: [String] = []
    public var unauthorizedScopes: [String] = []
    public var issuerKey: JWK?
    /// The prepared signer of `issuerKey`, shared by copies of this endpoint (Mint.swift).
    let issuerSigning = IssuerSigning()
    public var issuer = TokenEndpoint.defaultIssuer
    /// `aud` of an access token when the request names no `resource` or `audience` (default: the issuer).
    public var defaultAudience: String?
    /// A replay cache kept in memory (a long-running server's), used when `replayCache` is nil.
    public var memoryReplayCache: ReplayCache?
    public var expiresIn: Int64 = 3600
    /// The replay cache; it locks per update and reads `clock` again once its lock is won.
    public var replayCache: ReplayCache?
    /// The clock the replay cache reads after its lock is won; nil: the `now` of `handle`.
    public var clock: (@Sendable () -> Int64)?
    /// An OAuth error answered in place of every success (TokenEndpoint+ForcedAnswer.swift).
    public var forcedAnswer: ForcedAnswer?
    /// Registered clients (`--clients`); nil: client secrets are never accepted (TokenEndpoint+ClientAuth.swift).
    public var clients: ClientRegistry?
    /// The client this request authenticated as (set per request by `handle(body:headers:now:facts:)`).
    var authenticatedClient: ClientAuthentication.Authenticated?
    /// Conformance runs only (Conformance.swift): with no `clients`, a client secret is recorded but not judged,
    /// as the MCP suite's wif-jwt-bearer server does not judge it; every other endpoint refuses it (unknown_client).
    var secretsUnchecked = false
    /// DPoP (RFC 9449) at this endpoint: TokenEndpoint+DPoP.swift.
    public var dpop = DPoPPolicy()
    /// The key an issued access token is bound to (`cnf.jkt`, token_type DPoP), set per request by `handle(body:dpop:…)`.
    var bindingJKT: String?
    /// The request's verified DPoP proof, whose jti is spent with the replay step (TokenEndpoint+DPoP.swift).
    var proof: DPoP.VerifiedProof?
    public static let maxBodySize = 256 * 1024
    public static let defaultIssuer = "urn:wif:offline-token-endpoint"

    /// Validator for the subject and actor tokens of a token exchange: the grant policy without `--actor`, which
    /// names who may act in the hop being made (Delegation.swift), not who acted before.
    let exchangeValidator: Validator

    public init(validator: Validator) throws(WIFError) {
        self.validator = validator
        var cp = validator.policy
        cp.issEqualsSub = true
        clientValidator = try Validator(keys: validator.keys, policy: cp)
        var xp = validator.policy
        xp.actors = []
        exchangeValidator = validator.policy.actors.isEmpty ? validator : try Validator(keys: validator.keys, policy: xp)
    }

    public static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"

    /// Validator for this endpoint's own access tokens (RFC 9068, signed by `issuerKey`, iss = `issuer`), so an
    /// access token issued by one hop is accepted as the subject of the next without extra flags.
    func ownAccessTokenValidator() throws(WIFError) -> Validator? {
        guard let issuerKey else { return nil }
        var p = Policy(profile: .atJWT)
        p.issuers = [issuer]
        p.leeway = validator.policy.leeway
        p.maxDelegationDepth = validator.policy.maxDelegationDepth
        return try Validator(keys: KeyRing(keys: [issuerKey]), policy: p)
    }

    /// How `wif-verify request` prints its answer.
    public enum Rendering: Sendable {
        case body, bodyWithReason, http

        /// `--http` (the whole HTTP response) and `--json` (the body with the wif reason) exclude each other.
        public static func chosen(http: Bool, json: Bool) throws(WIFError) -> Rendering {
            if http && json { throw WIFError(.usage, "--http and --json cannot be combined") }
            return http ? .http : json ? .bodyWithReason : .body
        }

        public func render(_ outcome: Outcome, dpopNonce: String? = nil) -> String {
            switch self {
            case .http: return TokenEndpoint.httpResponse(outcome, dpopNonce: dpopNonce)
            case .body: return outcome.json.serialized() + "\n"
            case .bodyWithReason: return outcome.json(withReason: true).serialized() + "\n"
            }
        }
    }

    /// The option values of `wif-verify request` (and of the loopback server), checked here.
    public struct Settings: Sendable {
        public var policy = PolicySettings()
        public var allowGrants: [String] = []
        public var rejectGrantTypes: [String] = []
        public var allowScopes: [String] = []
        public var rejectScopes: [String] = []
        public var unauthorizedScopes: [String] = []
        public var issuerKey: String?
        public var issuer: String?
        public var expiresIn: String?
        public var clients: String?

        public init() {}

        /// For a loopback server (`wif-verify serve`): the JWKS cannot come from standard input, which a server
        /// does not read. Checked before the server binds, so a bad command line never opens a port.
        public func checkServable() throws(WIFError) {
            if policy.jwks.contains("-") {
                throw WIFError(.usage, "--jwks -: serve does not read standard input; give the JWKS as a file")
            }
        }

        /// The endpoint a loopback server at `base` answers with: without `--aud`, the assertion's aud may name
        /// the issuer or the token endpoint (SEP-1933 and the MCP conformance suite differ on which).
        public func serverEndpoint(base: String, passphrase: Passphrase?) throws(WIFError) -> TokenEndpoint {
            try checkServable()
            var s = self
            s.policy.defaultAudiences = [base, base + "/token"]
            return try s.endpoint(passphrase: passphrase)
        }

        /// The endpoint: policy checked first, then keys loaded; the issuer key is opened with `passphrase`.
        public func endpoint(passphrase: Passphrase?) throws(WIFError) -> TokenEndpoint {
            if policy.jwks.contains("-") {
                throw WIFError(.usage, "standard input (-) can be read only once: it holds the request body, not the JWKS")
            }
            let expires = try NumericDate.parseDuration(expiresIn ?? "3600", what: "--expires-in")
            guard expires >= 1 else { throw WIFError(.usage, "--expires-in must be at least 1 second") }
            var e = try TokenEndpoint(validator: try policy.validator())
            e.allowGrants = allowGrants
            e.rejectGrantTypes = rejectGrantTypes
            e.allowScopes = allowScopes.isEmpty ? nil : allowScopes
            e.rejectScopes = rejectScopes
            e.unauthorizedScopes = unauthorizedScopes
            e.issuerKey = try issuerKey.map { path throws(WIFError) in
                try KeySource.loadSigningKey(path: path, kid: nil, passphrase: passphrase)
            }
            e.issuer = issuer ?? TokenEndpoint.defaultIssuer
            e.expiresIn = expires
            e.replayCache = try policy.replayCacheStore()
            e.clients = try clients.map { p throws(WIFError) in try ClientRegistry.load(path: p) }
            return e
        }
    }

    /// What one token request was and how far it got: for an event log, never for a decision.
    public struct Facts: Sendable, Equatable {
        /// How far the grant's own assertion (jwt-bearer `assertion`) got.
        public enum Assertion: Sendable, Equatable {
            /// The grant is not jwt-bearer, or the request failed before the assertion was looked at.
            case notApplicable
            /// jwt-bearer without an `assertion` parameter (RFC 7521 §4.1).
            case missing
            /// Signature and claims verified (and, when the request got that far, not replayed).
            case verified
            /// Rejected with this reason (replayed_jti included).
            case rejected(Reason)
        }
        public var grantType: String?
        /// The client authentication method used or tried (`client_secret_basic`, `client_secret_post`,
        /// `private_key_jwt`), otherwise `none`.
        public var clientAuth = "none"
        /// The client: the verified client assertion's sub, else the `client_id` parameter, else the subject's.
        public var clientID: String?
        public var assertion = Assertion.notApplicable
        /// sub and jti of the token the grant is about (the assertion, subject_token or client assertion).
        public var sub: String?
        public var jti: String?
        /// The OAuth error and reason of a failure.
        public var error: OAuthError?
        public var reason: Reason?
        public var scope: String?

        public init() {}
    }

    /// Judges the request (see the type's rules) and reports what it was in `facts`.
    public func handle(body raw: [UInt8], now: Int64, facts: inout Facts) throws(WIFError) -> Outcome {
        try handle(body: raw, headers: [], now: now, facts: &facts)
    }

    public func handle(body raw: [UInt8], now: Int64) throws(WIFError) -> Outcome {
        var facts = Facts()
        return try handle(body: raw, headers: [], now: now, facts: &facts)
    }

    /// A token-request body decoded once per request: its pairs without one trailing newline, or why they do not
    /// decode. Client authentication, the DPoP `dpop_jkt` lookup and the grant's judge all read this one decoding
    /// (issue 13: the body was decoded three times per request).
    struct FormBody {
        let pairs: [(String, String)]
        let error: WIFError?
        /// The pairs by name (empty values dropped), made once for client authentication and the grant.
        let parameters: FormParameters

        init(_ raw: [UInt8]) {
            var body = raw
            if body.last == 0x0A { body.removeLast(); if body.last == 0x0D { body.removeLast() } }
            do { pairs = try FormEncoding.decode(body); error = nil } catch {
                pairs = []
                self.error = error
            }
            parameters = FormParameters(pairs)
        }
    }

    /// The outcome: a success body or an OAuth error.
    public enum Outcome {
        case success(JSON)
        case failure(OAuthError, WIFError)

        public var json: JSON { json(withReason: false) }

        /// The response body; `withReason` adds the stable wif reason of a failure as `reason`, so a script
        /// never parses `error_description` (`wif-verify request --json`).
        public func json(withReason: Bool) -> JSON {
            switch self {
            case .success(let j): return j
            case .failure(let e, let w):
                var o = JSONObject()
                o["error"] = .string(e.rawValue)
                o["error_description"] = .string(TokenEndpoint.describe(w))
                if withReason { o["reason"] = .string(w.reason.rawValue) }
                return .object(o)
            }
        }

        public var httpStatus: Int {
            switch self {
            case .success: return 200
            case .failure(let e, _): return e == .invalidClient ? 401 : 400
            }
        }
    }

    /// RFC 6749 §5.2: error_description is printable ASCII without `"` and `\`.
    static func describe(_ e: WIFError) -> String {
        quotable("\(e.reason.rawValue): \(e.detail)")
    }

    /// Printable ASCII without `"` and `\`: safe inside a JSON error_description and an HTTP quoted-string.
    static func quotable(_ raw: String) -> String {
        let text = raw.split(separator: "§", omittingEmptySubsequences: false).joined(separator: "section ")
        return String(String.UnicodeScalarView(text.unicodeScalars.map { s -> Unicode.Scalar in
            switch s {
            case "\"": return "'"
            case "\\": return "/"
            case " "..."~": return s
            default: return "?"
            }
        }))
    }

    static func fail(_ e: OAuthError, _ reason: Reason, _ msg: String) -> Outcome { .failure(e, WIFError(reason, msg)) }

    /// Reads a request body from `path` (`-`: standard input) and answers it. A body over `maxBodySize` is
    /// answered `invalid_request`; an empty body (after one trailing newline) is nothing to judge: `input_empty`,
    /// exit 2, since it usually means an earlier step of a pipeline failed.
    /// The request carries no DPoP header (`answer(bodyFrom:dpop:endpoint:now:)` holds the rule).
    public static func answer(bodyFrom path: String, endpoint: TokenEndpoint, now: Int64) throws(WIFError) -> Outcome {
        try answer(bodyFrom: path, dpop: nil, endpoint: endpoint, now: now)
    }

    static let knownGrants = [TokenRequest.jwtBearerGrant, TokenRequest.clientCredentialsGrant, TokenRequest.tokenExchangeGrant]

    func judge(form: FormBody, now: Int64, facts: inout Facts) throws(WIFError) -> Outcome {
        if let error = form.error { return .failure(.invalidRequest, error) }
        // Parameter names are matched by their bytes (Identifier.swift), never by canonical equivalence.
        let params = form.parameters
        for k in params.names where (params[ExactName(k)]?.count ?? 0) > 1 && !FormEncoding.mayRepeat(k) {
            return TokenEndpoint.fail(.invalidRequest, .invalidRequest, "parameter \(k) is repeated (RFC 6749 §3.2)")
        }
        func one(_ k: String) -> String? { params[ExactName(k)]?.first }
        // 2. grant type
        facts.clientID = one("client_id")
        facts.scope = one("scope")
        if one("client_assertion") != nil { facts.clientAuth = "private_key_jwt" }
        guard let grant = one("grant_type") else {
            return TokenEndpoint.fail(.invalidRequest, .invalidRequest, "grant_type is missing")
        }
        facts.grantType = grant
        if rejectGrantTypes.containsExactly(grant) {
            return TokenEndpoint.fail(.unauthorizedClient, .grantTypeRejected, "this client may not use grant_type \(grant)")
        }
        guard grant.same(TokenRequest.jwtBearerGrant) || allowGrants.containsExactly(grant) else {
            return TokenEndpoint.fail(.unsupportedGrantType, .unsupportedGrantType, "grant_type \(grant) is not supported")
        }
        // 3. credentials
        var subject: VerifiedToken?
        var client: VerifiedToken?
        var actor: VerifiedToken?
        var subjectIsOwnAccessToken = false
        if let pre = authenticatedClient {
            client = pre.assertion
        } else if let ca = one("client_assertion") {
            guard one("client_assertion_type")?.same(TokenRequest.clientAssertionType) == true else {
                return TokenEndpoint.fail(.invalidClient, .badClientAssertion, "client_assertion_type must be \(TokenRequest.clientAssertionType)")
            }
            do { client = try clientValidator.verify(Array(ca.utf8), now: now) } catch {
                if !error.reason.isRejection { throw error }
                return .failure(.invalidClient, error.located("client_assertion"))
            }
            facts.clientID = client?.claims["sub"]?.stringValue ?? facts.clientID
            facts.sub = client?.claims["sub"]?.stringValue
            facts.jti = client?.claims["jti"]?.stringValue
            if let id = one("client_id"), client?.claims["sub"]?.stringValue?.same(id) != true {
                return TokenEndpoint.fail(.invalidClient, .badClientAssertion, "client_id does not match the client assertion's sub (RFC 7521 §4.2)")
            }
        } else if one("client_assertion_type") != nil {
            return TokenEndpoint.fail(.invalidRequest, .invalidRequest, "client_assertion_type without client_assertion")
        }
        if grant.same(TokenRequest.jwtBearerGrant) {
            guard let a = one("assertion") else {
                facts.assertion = .missing
                return TokenEndpoint.fail(.invalidRequest, .invalidRequest, "assertion is missing or empty")
            }
            do { subject = try validator.verify(Array(a.utf8), now: now) } catch {
                if !error.reason.isRejection { throw error }
                facts.assertion = .rejected(error.reason)
                return .failure(.invalidGrant, error)
            }
            facts.assertion = .verified
            if let subject, let refused = checkIDJAGClient(subject) { return refused }
        } else if grant.same(TokenRequest.clientCredentialsGrant) {
            if let refused = confidentialClientMissing(grant: grant, assertion: client) { return refused }
        } else if grant.same(TokenRequest.tokenExchangeGrant) {
            guard let st = one("subject_token"), one("subject_token_type") != nil else {
                return TokenEndpoint.fail(.invalidRequest, .invalidRequest, "subject_token and subject_token_type are required (RFC 8693 §2.1)")
            }
            if (one("actor_token") != nil) != (one("actor_token_type") != nil) {
                return TokenEndpoint.fail(.invalidRequest, .invalidRequest, "actor_token and actor_token_type go together (RFC 8693 §2.1)")
            }
            // The subject is judged by its type: one of this endpoint's own access tokens by the issuer key.
            let own = one("subject_token_type").map { $0.same(TokenEndpoint.accessTokenType) } == true
                ? try ownAccessTokenValidator() : nil
            do {
                subject = try (own ?? exchangeValidator).verify(Array(st.utf8), now: now)
                subjectIsOwnAccessToken = own != nil
            } catch {
                if !error.reason.isRejection { throw error }
                return .failure(.invalidRequest, error.located("subject_token"))
            }
            if let at = one("actor_token") {
                do { actor = try exchangeValidator.verify(Array(at.utf8), now: now) } catch {
                    if !error.reason.isRejection { throw error }
                    return .failure(.invalidRequest, error.located("actor_token"))
                }
            }
            if let refused = idJAGInExchange(subject: subject, actor: actor) { return refused }
        } else {
            if !TokenEndpoint.knownGrants.containsExactly(grant), let refused = confidentialClientMissing(grant: grant, assertion: client) { return refused }
        }
        if let refused = boundTokenRefused(subject: subject, actor: actor, grant: grant) { return refused }
        if let subject {
            facts.sub = subject.claims["sub"]?.stringValue
            facts.jti = subject.claims["jti"]?.stringValue
            if facts.clientID == nil { facts.clientID = subject.claims["client_id"]?.stringValue ?? facts.sub }
        }
        if let refused = unauthenticatedRegisteredClient(subject) { return refused }
        // 4. scope
        let scopes = (one("scope") ?? "").scopeTokens
        if let s = scopes.first(where: { unauthorizedScopes.containsExactly($0) }) {
            return TokenEndpoint.fail(.unauthorizedClient, .scopeUnauthorized, "scope \(s) makes this client unauthorized")
        }
        if let s = scopes.first(where: { rejectScopes.containsExactly($0) }) {
            return TokenEndpoint.fail(.invalidScope, .scopeNotAllowed, "scope \(s) is rejected")
        }
        if let allow = allowScopes, let s = scopes.first(where: { !allow.containsExactly($0) }) {
            return TokenEndpoint.fail(.invalidScope, .scopeNotAllowed, "scope \(s) is not allowed (allowed: \(allow.joined(separator: " ")))")
        }
        // 5. delegation: a token exchange only narrows what its subject allows (Delegation.swift).
        var grantScopes = scopes
        // The issued aud: the resources asked for (RFC 8707), else the audiences, else the issuer.
        var issuedAudiences = params[ExactName("resource")] ?? params[ExactName("audience")] ?? []
        var act: JSON? = subject?.claims["act"]
        var capTokens: [VerifiedToken] = []
        if grant == TokenRequest.tokenExchangeGrant, let subject {
            do {
                grantScopes = try Delegation.narrowScopes(requested: scopes, subject: subject)
                if subjectIsOwnAccessToken {
                    issuedAudiences = try Delegation.narrowAudiences(requested: issuedAudiences,
                                                                     subjectAudiences: Delegation.audiences(subject))
                }
                if let actor {
                    try Delegation.checkActor(subject: subject, actor: actor, allowed: validator.policy.actors)
                    act = try Delegation.chain(subject: subject, actor: actor, maxDepth: validator.policy.maxDelegationDepth)
                }
            } catch {
                let oauth: OAuthError = error.reason == .scopeWidened ? .invalidScope
                    : error.reason == .audienceWidened ? .invalidTarget : .invalidRequest
                return .failure(oauth, error)
            }
            capTokens = [subject] + (actor.map { [$0] } ?? [])
        }
        // Replay last: only a request that would succeed consumes its jti (or one use of its budget).
        let cache = replayCache ?? memoryReplayCache
        for v in [subject, actor, client].compactMap({ $0 }) { try UseBudget.requireCache(v, cache: cache) }
        if let cache {
            if let refused = spendProof(cache: cache, now: now) { return refused }
            for v in [subject, actor, client].compactMap({ $0 }) {
                do { try cache.spend(v, leeway: validator.policy.leeway, now: clock ?? { now }) } catch {
                    if !error.reason.isRejection { throw error }
                    if v.token == subject?.token, grant.same(TokenRequest.jwtBearerGrant) {
                        facts.assertion = .rejected(error.reason)
                    }
                    let oauth: OAuthError = v.token == client?.token ? .invalidClient
                        : grant == TokenRequest.tokenExchangeGrant ? .invalidRequest : .invalidGrant
                    return .failure(oauth, error)
                }
            }
        }
        let exp = Delegation.cappedExpiry(now + expiresIn, tokens: capTokens)
        guard exp > now else {
            return TokenEndpoint.fail(.invalidRequest, .expired, "the subject or actor token expires now: nothing left to delegate")
        }
        if grant.same(TokenRequest.tokenExchangeGrant), one("requested_token_type")?.same(TokenEndpoint.idJAGTokenType) == true {
            return try issueIDJAG(subject: subject, scopes: grantScopes, audiences: params[ExactName("audience")] ?? [],
                                  resources: params[ExactName("resource")] ?? [], clientAssertion: client, exp: exp, now: now)
        }
        return try issue(subject: subject ?? client, act: act, scopes: grantScopes, audiences: issuedAudiences,
                         exchange: grant.same(TokenRequest.tokenExchangeGrant), requestedType: one("requested_token_type"),
                         exp: exp, now: now)
    }

    /// The success response: an RFC 9068 access token signed by `issuerKey` (or an opaque one without it), or
    /// with `requested_token_type` jwt a JWT of the same claims (typ JWT). Other requested types are refused.
    func issue(subject: VerifiedToken?, act: JSON?, scopes: [String], audiences: [String], exchange: Bool,
               requestedType: String?, exp: Int64, now: Int64) throws(WIFError) -> Outcome {
        let type = requestedType ?? TokenEndpoint.accessTokenType
        let asJWT = type.same(TokenRequest.jwtTokenType)
        guard type.same(TokenEndpoint.accessTokenType) || asJWT else {
            return TokenEndpoint.fail(.invalidRequest, .invalidRequest,
                                      "requested_token_type \(JSON.escapedForMessage(type)) is not issued here (access_token or jwt)")
        }
        if asJWT && issuerKey == nil {
            return TokenEndpoint.fail(.invalidRequest, .invalidRequest, "requested_token_type jwt needs --issuer-key to sign it")
        }
        let accessToken: String
        if let issuerKey {
            let sub = subject?.claims["sub"]?.stringValue ?? authenticatedClient?.id
            let claims = IssuerSigning.AccessClaims(
                typ: asJWT ? "JWT" : "at+jwt", iss: issuer, sub: sub,
                aud: audiences.isEmpty ? [defaultAudience ?? issuer] : audiences, exp: exp, iat: now,
                scope: scopes.isEmpty ? nil : scopes.joined(separator: " "),
                clientID: issuedClientID(subject: subject, sub: sub), act: act, cnfJKT: bindingJKT)
            accessToken = String(decoding: try issuerSigning.accessToken(claims, key: issuerKey), as: UTF8.self)
        } else {
            accessToken = Base64URL.encode(try Random.bytes(32))
        }
        var o = JSONObject()
        o["access_token"] = .string(accessToken)
        if exchange { o["issued_token_type"] = .string(type) }
        o["token_type"] = .string(asJWT ? "N_A" : bindingJKT != nil ? "DPoP" : "Bearer")
        o["expires_in"] = .integer(exp - now)
        if !scopes.isEmpty { o["scope"] = .string(scopes.joined(separator: " ")) }
        return .success(.object(o))
    }

    /// The response headers for `outcome` but Content-Length (RFC 6749 §5.1, §5.2).
    public static func httpHeaders(_ outcome: Outcome, dpopNonce: String? = nil) -> [(String, String)] {
        var h = [("Content-Type", "application/json"), ("Cache-Control", "no-store"), ("Pragma", "no-cache")]
        if outcome.httpStatus == 401 { h.append(("WWW-Authenticate", "Bearer error=\"invalid_client\"")) }
        if let dpopNonce { h.append(("DPoP-Nonce", dpopNonce)) }
        return h
    }

    /// The whole HTTP/1.1 response for `outcome`.
    public static func httpResponse(_ outcome: Outcome, dpopNonce: String? = nil) -> String {
        let body = outcome.json.serialized()
        let status: String
        switch outcome.httpStatus {
        case 200: status = "200 OK"
        case 401: status = "401 Unauthorized"
        default: status = "400 Bad Request"
        }
        var head = "HTTP/1.1 \(status)\r\n"
        for (k, v) in httpHeaders(outcome, dpopNonce: dpopNonce) { head += "\(k): \(v)\r\n" }
        return head + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }
}
