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
/// 5. replay (when a cache is set): the subject's and the client's jti → `invalid_grant` / `invalid_client`.
///
/// `handle(body:now:facts:)` also reports what the request was (`Facts`), for an event log: it never changes the
/// outcome.
public struct TokenEndpoint {
    public var validator: Validator
    /// Validator for client assertions (profile client-assertion); defaults to `validator`.
    public var clientValidator: Validator?
    public var allowGrants: [String] = []
    public var rejectGrantTypes: [String] = []
    public var allowScopes: [String]?
    public var rejectScopes: [String] = []
    public var unauthorizedScopes: [String] = []
    public var issuerKey: JWK?
    public var issuer = "urn:wif:offline-token-endpoint"
    /// `aud` of an access token when the request names no `resource` or `audience` (default: the issuer).
    public var defaultAudience: String?
    public var expiresIn: Int64 = 3600
    public var replayCache: ReplayCache?
    public static let maxBodySize = 256 * 1024

    public init(validator: Validator) { self.validator = validator }

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
        /// `private_key_jwt` when a client assertion was sent (RFC 7523 §2.2), otherwise `none`.
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
        facts = Facts()
        let outcome = try judge(body: raw, now: now, facts: &facts)
        if case .failure(let e, let w) = outcome {
            facts.error = e
            facts.reason = w.reason
        }
        return outcome
    }

    public func handle(body raw: [UInt8], now: Int64) throws(WIFError) -> Outcome {
        var facts = Facts()
        return try judge(body: raw, now: now, facts: &facts)
    }

    /// The outcome: a success body or an OAuth error.
    public enum Outcome {
        case success(JSON)
        case failure(OAuthError, WIFError)

        public var json: JSON {
            switch self {
            case .success(let j): return j
            case .failure(let e, let w):
                var o = JSONObject()
                o["error"] = .string(e.rawValue)
                o["error_description"] = .string(TokenEndpoint.describe(w))
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

    func judge(body raw: [UInt8], now: Int64, facts: inout Facts) throws(WIFError) -> Outcome {
        var body = raw
        if body.last == 0x0A { body.removeLast(); if body.last == 0x0D { body.removeLast() } }
        let pairs: [(String, String)]
        do { pairs = try FormEncoding.decode(body) } catch {
            return .failure(.invalidRequest, error)
        }
        var params: [String: [String]] = [:]
        for (k, v) in pairs where !v.isEmpty { params[k, default: []].append(v) }
        for (k, vs) in params where vs.count > 1 && k != "resource" && k != "audience" {
            return TokenEndpoint.fail(.invalidRequest, .invalidRequest, "parameter \(k) is repeated (RFC 6749 §3.2)")
        }
        let one = { (k: String) in params[k]?.first }
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
        let known = [TokenRequest.jwtBearerGrant, TokenRequest.clientCredentialsGrant, TokenRequest.tokenExchangeGrant]
        guard grant == TokenRequest.jwtBearerGrant || allowGrants.containsExactly(grant) else {
            return TokenEndpoint.fail(.unsupportedGrantType, .unsupportedGrantType, "grant_type \(grant) is not supported")
        }
        // 3. credentials
        var subject: VerifiedToken?
        var client: VerifiedToken?
        if let ca = one("client_assertion") {
            guard one("client_assertion_type") == TokenRequest.clientAssertionType else {
                return TokenEndpoint.fail(.invalidClient, .badClientAssertion, "client_assertion_type must be \(TokenRequest.clientAssertionType)")
            }
            do { client = try (clientValidator ?? validator).verify(Array(ca.utf8), now: now) } catch {
                if !error.reason.isRejection { throw error }
                return .failure(.invalidClient, error.located("client_assertion"))
            }
            facts.clientID = client?.claims["sub"]?.stringValue ?? facts.clientID
            facts.sub = client?.claims["sub"]?.stringValue
            facts.jti = client?.claims["jti"]?.stringValue
            if let id = one("client_id"), id != client?.claims["sub"]?.stringValue {
                return TokenEndpoint.fail(.invalidClient, .badClientAssertion, "client_id does not match the client assertion's sub (RFC 7521 §4.2)")
            }
        } else if one("client_assertion_type") != nil {
            return TokenEndpoint.fail(.invalidRequest, .invalidRequest, "client_assertion_type without client_assertion")
        }
        switch grant {
        case TokenRequest.jwtBearerGrant:
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
        case TokenRequest.clientCredentialsGrant:
            guard client != nil else {
                return TokenEndpoint.fail(.invalidClient, .badClientAssertion, "client_credentials needs a client_assertion (RFC 7523 §2.2)")
            }
        case TokenRequest.tokenExchangeGrant:
            guard let st = one("subject_token"), one("subject_token_type") != nil else {
                return TokenEndpoint.fail(.invalidRequest, .invalidRequest, "subject_token and subject_token_type are required (RFC 8693 §2.1)")
            }
            if (one("actor_token") != nil) != (one("actor_token_type") != nil) {
                return TokenEndpoint.fail(.invalidRequest, .invalidRequest, "actor_token and actor_token_type go together (RFC 8693 §2.1)")
            }
            do {
                subject = try validator.verify(Array(st.utf8), now: now)
            } catch {
                if !error.reason.isRejection { throw error }
                return .failure(.invalidRequest, error.located("subject_token"))
            }
            if let at = one("actor_token") {
                do { _ = try validator.verify(Array(at.utf8), now: now) } catch {
                    if !error.reason.isRejection { throw error }
                    return .failure(.invalidRequest, error.located("actor_token"))
                }
            }
        default:
            if !known.contains(grant), client == nil {
                return TokenEndpoint.fail(.invalidClient, .badClientAssertion, "grant_type \(grant) needs a client_assertion")
            }
        }
        if let subject {
            facts.sub = subject.claims["sub"]?.stringValue
            facts.jti = subject.claims["jti"]?.stringValue
            if facts.clientID == nil { facts.clientID = subject.claims["client_id"]?.stringValue ?? facts.sub }
        }
        // 4. scope
        let scopes = (one("scope") ?? "").split(separator: " ").map(String.init)
        if let s = scopes.first(where: { unauthorizedScopes.containsExactly($0) }) {
            return TokenEndpoint.fail(.unauthorizedClient, .scopeUnauthorized, "scope \(s) makes this client unauthorized")
        }
        if let s = scopes.first(where: { rejectScopes.containsExactly($0) }) {
            return TokenEndpoint.fail(.invalidScope, .scopeNotAllowed, "scope \(s) is rejected")
        }
        if let allow = allowScopes, let s = scopes.first(where: { !allow.containsExactly($0) }) {
            return TokenEndpoint.fail(.invalidScope, .scopeNotAllowed, "scope \(s) is not allowed (allowed: \(allow.joined(separator: " ")))")
        }
        // Replay last: only a request that would succeed consumes its jti.
        if let cache = replayCache {
            for v in [subject, client].compactMap({ $0 }) {
                do { try cache.check(v, leeway: validator.policy.leeway, maxLifetime: validator.policy.maxLifetime, now: now) } catch {
                    if !error.reason.isRejection { throw error }
                    let isSubject = v.token == subject?.token
                    if isSubject, grant == TokenRequest.jwtBearerGrant { facts.assertion = .rejected(error.reason) }
                    return .failure(isSubject ? .invalidGrant : .invalidClient, error)
                }
            }
        }
        return .success(try issue(subject: subject ?? client, scopes: scopes, resources: params["resource"] ?? [],
                                  audiences: params["audience"] ?? [], exchange: grant == TokenRequest.tokenExchangeGrant,
                                  requestedType: one("requested_token_type"), now: now))
    }

    func issue(subject: VerifiedToken?, scopes: [String], resources: [String], audiences: [String], exchange: Bool,
               requestedType: String?, now: Int64) throws(WIFError) -> JSON {
        let accessToken: String
        if let issuerKey {
            var spec = TokenSpec(now: now)
            spec.typ = "at+jwt"
            spec.iss = issuer
            spec.sub = subject?.claims["sub"]?.stringValue
            spec.aud = resources.isEmpty ? (audiences.isEmpty ? [defaultAudience ?? issuer] : audiences) : resources
            spec.exp = now + expiresIn
            if !scopes.isEmpty { spec.scope = scopes.joined(separator: " ") }
            spec.claims["client_id"] = .string(subject?.claims["client_id"]?.stringValue ?? spec.sub ?? "unknown")
            if let act = subject?.claims["act"] { spec.claims["act"] = act }
            accessToken = String(decoding: try Minter(spec: spec, key: issuerKey).next(), as: UTF8.self)
        } else {
            accessToken = Base64URL.encode(try Random.bytes(32))
        }
        var o = JSONObject()
        o["access_token"] = .string(accessToken)
        if exchange { o["issued_token_type"] = .string(requestedType ?? "urn:ietf:params:oauth:token-type:access_token") }
        o["token_type"] = .string("Bearer")
        o["expires_in"] = .integer(expiresIn)
        if !scopes.isEmpty { o["scope"] = .string(scopes.joined(separator: " ")) }
        return .object(o)
    }

    /// The response headers for `outcome` but Content-Length (RFC 6749 §5.1, §5.2).
    public static func httpHeaders(_ outcome: Outcome) -> [(String, String)] {
        var h = [("Content-Type", "application/json"), ("Cache-Control", "no-store"), ("Pragma", "no-cache")]
        if outcome.httpStatus == 401 { h.append(("WWW-Authenticate", "Bearer error=\"invalid_client\"")) }
        return h
    }

    /// The whole HTTP/1.1 response for `outcome`.
    public static func httpResponse(_ outcome: Outcome) -> String {
        let body = outcome.json.serialized()
        let status: String
        switch outcome.httpStatus {
        case 200: status = "200 OK"
        case 401: status = "401 Unauthorized"
        default: status = "400 Bad Request"
        }
        var head = "HTTP/1.1 \(status)\r\n"
        for (k, v) in httpHeaders(outcome) { head += "\(k): \(v)\r\n" }
        return head + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }
}
