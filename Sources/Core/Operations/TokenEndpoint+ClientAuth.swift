// SPDX-License-Identifier: Apache-2.0

/// Client authentication (ClientAuthentication.swift) and ID-JAG (draft-ietf-oauth-identity-assertion-authz-grant)
/// at the token endpoint.
///
/// Rules:
/// - client authentication runs before the grant is judged; its failure answers (`invalid_client`, 401);
/// - a jwt-bearer assertion with `typ` `oauth-id-jag+jwt` (leg 2) needs an authenticated confidential client →
///   `invalid_client` (`client_auth_missing`), and its `client_id` must be that client → `invalid_grant`
///   (`client_id_mismatch`); the access token issued then names the authenticated client;
/// - a token exchange with `requested_token_type` id-jag (leg 1) issues an ID-JAG signed by `issuerKey`: typ
///   `oauth-id-jag+jwt`, iss the issuer, sub the subject's, aud the one `audience` (the resource AS's issuer),
///   `client_id` the authenticated confidential client (or the verified client assertion's sub; without either →
///   `invalid_client`, `client_auth_missing`), `resource` and `scope` when asked for, jti, iat and exp.
extension TokenEndpoint {
    public static let idJAGTokenType = "urn:ietf:params:oauth:token-type:id-jag"
    public static let idJAGTyp = "oauth-id-jag+jwt"

    /// Judges the request with the HTTP headers a server sees (Authorization for client_secret_basic).
    public func handle(body raw: [UInt8], headers: [(String, String)], now: Int64, facts: inout Facts) throws(WIFError) -> Outcome {
        try handle(form: FormBody(raw), headers: headers, now: now, facts: &facts)
    }

    func handle(form: FormBody, headers: [(String, String)], now: Int64, facts: inout Facts) throws(WIFError) -> Outcome {
        facts = Facts()
        // The endpoint is copied only to hold an authenticated client: copying it for every request cost 2k
        // instructions (issue 13).
        var authenticated = authenticatedClient
        let outcome: Outcome
        let params = TokenEndpoint.lenientParameters(form)
        facts.grantType = params[ExactName("grant_type")]?.first
        facts.clientID = params[ExactName("client_id")]?.first
        facts.scope = params[ExactName("scope")]?.first
        let tried = ClientAuthentication.triedMethod(params: params, authorization:
            headers.filter { $0.0.sameIgnoringASCIICase("authorization") }.map(\.1))
        switch try authenticateClient(params: params, headers: headers, now: now) {
        case .failed(_, let w) where clients == nil && secretsUnchecked && w.reason == .unknownClient:
            outcome = applyingForcedAnswer(try judge(form: form, now: now, facts: &facts))
        case .failed(let e, let w):
            outcome = .failure(e, w)
        case .authenticated(let a):
            var endpoint = self
            endpoint.authenticatedClient = a
            authenticated = a
            outcome = endpoint.applyingForcedAnswer(try endpoint.judge(form: form, now: now, facts: &facts))
        case .notConfigured, .anonymous:
            outcome = applyingForcedAnswer(try judge(form: form, now: now, facts: &facts))
        }
        if let a = authenticated {
            facts.clientAuth = a.method.rawValue
            facts.clientID = a.id
            if facts.sub == nil, let v = a.assertion {
                facts.sub = v.claims["sub"]?.stringValue
                facts.jti = v.claims["jti"]?.stringValue
            }
        } else if let tried {
            facts.clientAuth = tried
        }
        if case .failure(let e, let w) = outcome {
            facts.error = e
            facts.reason = w.reason
        }
        return outcome
    }

    /// The parameters of a body, empty values dropped; a body that does not decode gives none (the grant's
    /// judge then answers it).
    static func lenientParameters(_ form: FormBody) -> FormParameters { form.parameters }

    func authenticateClient(params: FormParameters, headers: [(String, String)], now: Int64) throws(WIFError)
        -> ClientAuthentication.Result {
        // The endpoint's policy is read only when a client assertion is to be verified (copying it for every
        // request was a dozen retains and releases).
        let grantValidator = validator
        let result = try ClientAuthentication.authenticate(
            params: params, headers: headers, registry: clients,
            assertionValidator: { (c: ClientRegistry.Client) throws(WIFError) -> Validator in
                try Validator(keys: c.keys ?? KeyRing(keys: []),
                              policy: TokenEndpoint.clientAssertionPolicy(clientID: c.id, endpoint: grantValidator.policy))
            }, now: now)
        if case .authenticated(let a) = result, let clients,
           let refused = ClientAuthentication.checkAllowed(a, registry: clients, grant: params[ExactName("grant_type")]?.first,
                                                           scopes: (params[ExactName("scope")]?.first ?? "").scopeTokens) {
            return refused
        }
        return result
    }

    /// The policy for a registered private_key_jwt client's assertion (RFC 7523 §3, RFC 7521 §5.2): iss = sub =
    /// the client id, aud one of the endpoint's audiences, the endpoint's algorithms, leeway and size limit, exp and
    /// jti required. Nothing of the grant's `--iss`, `--sub`, `--reject-sub`, `--typ` or `--profile` applies: those
    /// judge the grant's assertion, not the client.
    static func clientAssertionPolicy(clientID: String, endpoint grant: Policy) -> Policy {
        var p = Policy(profile: .clientAssertion)
        p.issuers = [clientID]
        p.subjects = [clientID]
        p.clientID = clientID
        p.audiences = grant.audiences
        p.audienceIgnoresTrailingSlash = grant.audienceIgnoresTrailingSlash
        p.algorithms = grant.algorithms
        p.leeway = grant.leeway
        p.maxTokenSize = grant.maxTokenSize
        p.required = ["iss", "sub", "aud", "exp", "jti"]
        return p
    }

    /// RFC 6749 §4.4, §2.1: client_credentials, and a grant this endpoint does not know that needs a client, are
    /// for confidential clients, which MUST authenticate: a verified client assertion, or a registered client
    /// authenticated by a method other than `none`. A public client naming itself is refused.
    func confidentialClientMissing(grant: String, assertion: VerifiedToken?) -> Outcome? {
        if assertion != nil || authenticatedClient?.isConfidential == true { return nil }
        if let a = authenticatedClient {
            return TokenEndpoint.fail(.unauthorizedClient, .grantTypeRejected,
                "grant_type \(grant) is for confidential clients only (RFC 6749 §4.4); \"\(JSON.escapedForMessage(a.id))\" is public (none)")
        }
        return TokenEndpoint.fail(.invalidClient, .badClientAssertion,
            "grant_type \(grant) needs an authenticated confidential client (a client_assertion, RFC 7523 §2.2, or a secret registered with --clients)")
    }

    /// With `--clients`, the registry says who a client is: a request that authenticated none may not carry a
    /// token whose `client_id` names a registered confidential client (it would get that client's token without
    /// its grants and scopes being checked) → `invalid_client` (`client_auth_missing`).
    func unauthenticatedRegisteredClient(_ subject: VerifiedToken?) -> Outcome? {
        guard let clients, authenticatedClient == nil, let named = subject?.claims["client_id"]?.stringValue,
              let c = clients.client(named), c.method != .none else { return nil }
        return TokenEndpoint.fail(.invalidClient, .clientAuthMissing,
            "the token names the registered client \"\(JSON.escapedForMessage(named))\" (client_id), which did not authenticate")
    }

    /// The issued access token's `client_id`: with `--clients`, the authenticated client or none, never copied
    /// from a token; without, the verified client's, else the subject's `client_id` or `sub`.
    func issuedClientID(subject: VerifiedToken?, sub: String?) -> String? {
        if clients != nil { return authenticatedClient?.id }
        return authenticatedClient?.id ?? subject?.claims["client_id"]?.stringValue ?? sub ?? "unknown"
    }

    /// An ID-JAG is redeemed only through the jwt-bearer grant, where its client must authenticate (leg 2): as a
    /// token exchange's subject or actor token it would skip that binding → `invalid_request` (`bad_typ`).
    func idJAGInExchange(subject: VerifiedToken?, actor: VerifiedToken?) -> Outcome? {
        for (name, token) in [("subject_token", subject), ("actor_token", actor)] {
            guard let typ = token?.header["typ"]?.stringValue, Policy.sameTyp(typ, TokenEndpoint.idJAGTyp) else { continue }
            return TokenEndpoint.fail(.invalidRequest, .badTyp,
                "\(name) is an ID-JAG (typ \(TokenEndpoint.idJAGTyp)): it is redeemed only with the jwt-bearer grant and its client's authentication")
        }
        return nil
    }

    /// Leg 2: an ID-JAG assertion needs the client it names to have authenticated.
    func checkIDJAGClient(_ assertion: VerifiedToken) -> Outcome? {
        guard let typ = assertion.header["typ"]?.stringValue, Policy.sameTyp(typ, TokenEndpoint.idJAGTyp) else { return nil }
        guard let client = authenticatedClient else {
            return TokenEndpoint.fail(.invalidClient, .clientAuthMissing,
                                      "an ID-JAG is accepted only with client authentication (registered with --clients)")
        }
        guard client.isConfidential else {
            return TokenEndpoint.fail(.invalidClient, .clientAuthMissing,
                "an ID-JAG is accepted only from a confidential client; \"\(JSON.escapedForMessage(client.id))\" is public (none), so anyone holding the ID-JAG could redeem it")
        }
        let named = assertion.claims["client_id"]?.stringValue
        guard named?.same(client.id) == true else {
            return TokenEndpoint.fail(.invalidGrant, .clientIDMismatch,
                                      "the ID-JAG's client_id \"\(JSON.escapedForMessage(named ?? ""))\" is not the authenticated client \"\(JSON.escapedForMessage(client.id))\"")
        }
        return nil
    }

    /// Leg 1: the ID-JAG response of a token exchange.
    func issueIDJAG(subject: VerifiedToken?, scopes: [String], audiences: [String], resources: [String],
                    clientAssertion: VerifiedToken?, exp: Int64, now: Int64) throws(WIFError) -> Outcome {
        guard let issuerKey else {
            return TokenEndpoint.fail(.invalidRequest, .invalidRequest, "requested_token_type id-jag needs --issuer-key to sign it")
        }
        guard audiences.count == 1, let aud = audiences.first else {
            return TokenEndpoint.fail(.invalidRequest, .invalidRequest,
                                      "an ID-JAG needs exactly one audience: the issuer of the resource's authorization server")
        }
        // The client_id an ID-JAG binds is one the IdP verified: an unauthenticated client_id parameter would let
        // anyone get an ID-JAG naming any client.
        let authenticated = authenticatedClient.flatMap { $0.isConfidential ? $0.id : nil }
        guard let clientID = authenticated ?? clientAssertion?.claims["sub"]?.stringValue else {
            return TokenEndpoint.fail(.invalidClient, .clientAuthMissing,
                "an ID-JAG names its client, which must authenticate (a client_assertion, or a confidential client registered with --clients)")
        }
        guard let sub = subject?.claims["sub"]?.stringValue else {
            return TokenEndpoint.fail(.invalidRequest, .missingClaim, "the subject token has no sub to put in the ID-JAG")
        }
        var spec = TokenSpec(now: now)
        spec.typ = TokenEndpoint.idJAGTyp
        spec.iss = issuer
        spec.sub = sub
        spec.aud = [aud]
        spec.exp = exp
        spec.claims["client_id"] = .string(clientID)
        if resources.count == 1 { spec.claims["resource"] = .string(resources[0]) }
        if resources.count > 1 { spec.claims["resource"] = .array(resources.map { .string($0) }) }
        if !scopes.isEmpty { spec.scope = scopes.joined(separator: " ") }
        let token = String(decoding: try issuerSigning.minter(spec: spec, key: issuerKey).next(), as: UTF8.self)
        var o = JSONObject()
        o["access_token"] = .string(token)
        o["issued_token_type"] = .string(TokenEndpoint.idJAGTokenType)
        o["token_type"] = .string("N_A")
        o["expires_in"] = .integer(exp - now)
        if !scopes.isEmpty { o["scope"] = .string(scopes.joined(separator: " ")) }
        return .success(.object(o))
    }

    /// The response headers for `outcome` to a request with `requestHeaders`: a 401 after Basic was tried
    /// challenges Basic (RFC 6749 §5.2, RFC 7617 §2.1).
    public static func httpHeaders(_ outcome: Outcome, requestHeaders: [(String, String)], realm: String,
                                   dpopNonce: String? = nil) -> [(String, String)] {
        let h = httpHeaders(outcome, dpopNonce: dpopNonce)
        guard outcome.httpStatus == 401, ClientAuthentication.basicTried(requestHeaders) else { return h }
        return h.filter { !$0.0.same("WWW-Authenticate") }
            + [("WWW-Authenticate", "Basic realm=\"\(quotable(realm))\", charset=\"UTF-8\"")]
    }

    /// The whole HTTP/1.1 response, as `httpResponse(_:)`, with the headers of `httpHeaders(_:requestHeaders:realm:)`.
    public static func httpResponse(_ outcome: Outcome, requestHeaders: [(String, String)], realm: String,
                                    dpopNonce: String? = nil) -> String {
        let body = outcome.json.serialized()
        let status = outcome.httpStatus == 200 ? "200 OK" : outcome.httpStatus == 401 ? "401 Unauthorized" : "400 Bad Request"
        var head = "HTTP/1.1 \(status)\r\n"
        for (k, v) in httpHeaders(outcome, requestHeaders: requestHeaders, realm: realm, dpopNonce: dpopNonce) {
            head += "\(k): \(v)\r\n"
        }
        return head + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    /// RFC 6749 §3.2: the token endpoint takes application/x-www-form-urlencoded only (one Content-Type).
    public static func contentTypeProblem(_ values: [String]) -> Outcome? {
        // The media type is what comes before any ';', without spaces or tabs around it; compared on the bytes.
        guard values.count == 1, TokenEndpoint.isFormMediaType(values[0]) else {
            return .failure(.invalidRequest, WIFError(.invalidRequest, "Content-Type must be application/x-www-form-urlencoded"))
        }
        return nil
    }

    static func isFormMediaType(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { b in
            var lo = 0, hi = b.firstIndex(of: 0x3B) ?? b.count
            while lo < hi && (b[lo] == 0x20 || b[lo] == 0x09) { lo += 1 }
            while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0x09) { hi -= 1 }
            return sameBytesIgnoringASCIICase(UnsafeBufferPointer(rebasing: b[lo..<hi]), formMediaType)
        }
    }

    private static let formMediaType = Array("application/x-www-form-urlencoded".utf8)
}
