// SPDX-License-Identifier: Apache-2.0

/// An OAuth protected resource (the MCP endpoint of `wif-verify serve`): judges the bearer access token of one
/// request and says how to answer (RFC 6750 §3, RFC 9728 §5.1, MCP authorization).
///
/// Rules, in order:
/// 1. no `Authorization` header → 401, challenge `Bearer resource_metadata="…"` (and `scope` when required);
/// 2. more than one header, a scheme other than `Bearer` (case-insensitive, RFC 9110 §11.1), or no token →
///    401 `invalid_request` (RFC 6750 §3.1);
/// 3. the token, verified by `validator` (profile at+jwt against the server's own key, aud = the resource) →
///    401 `invalid_token` with the wif reason;
/// 4. each required scope must be in the token's `scope` (space-separated, exact bytes) → 403 `insufficient_scope`.
public struct ProtectedResource {
    public let resource: String
    public let metadataURL: String
    public let authorizationServers: [String]
    public let requiredScopes: [String]
    public let validator: Validator

    public init(resource: String, metadataURL: String, authorizationServers: [String], requiredScopes: [String],
                validator: Validator) {
        self.resource = resource
        self.metadataURL = metadataURL
        self.authorizationServers = authorizationServers
        self.requiredScopes = requiredScopes
        self.validator = validator
    }

    /// The validator for access tokens this server's token endpoint issues: RFC 9068 rules, `key` only.
    public static func accessTokenValidator(issuerKey: JWK, issuer: String, resource: String) throws(WIFError) -> Validator {
        let pub = try JWK.parse(issuerKey.json(includePrivate: false), what: "the access-token key")
        var p = Policy(profile: .atJWT)
        p.issuers = [issuer]
        p.audiences = [resource]
        return try Validator(keys: KeyRing(keys: [pub]), policy: p)
    }

    public enum Decision {
        case authorized(VerifiedToken)
        /// 401 (no token, a malformed header, a rejected token) or 403 (insufficient scope).
        case refused(status: Int, error: String?, reason: Reason?, detail: String)
    }

    /// Judges the values of the request's `Authorization` headers.
    public func authorize(_ authorization: [String], now: Int64) throws(WIFError) -> Decision {
        guard let header = authorization.first else {
            return .refused(status: 401, error: nil, reason: nil, detail: "no access token")
        }
        guard authorization.count == 1 else {
            return .refused(status: 401, error: "invalid_request", reason: .invalidRequest, detail: "more than one Authorization header")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty, !parts[1].contains(" ") else {
            return .refused(status: 401, error: "invalid_request", reason: .invalidRequest,
                            detail: "Authorization is not 'Bearer <token>' (RFC 6750 section 2.1)")
        }
        let token: VerifiedToken
        do { token = try validator.verify(Array(parts[1].utf8), now: now) } catch {
            if !error.reason.isRejection { throw error }
            return .refused(status: 401, error: "invalid_token", reason: error.reason, detail: error.detail)
        }
        return scopeDecision(token)
    }

    /// Rule 4: each required scope in the token's `scope`.
    func scopeDecision(_ token: VerifiedToken) -> Decision {
        let granted = (token.claims["scope"]?.stringValue ?? "").split(separator: " ").map(String.init)
        if let missing = requiredScopes.first(where: { !granted.containsExactly($0) }) {
            return .refused(status: 403, error: "insufficient_scope", reason: .scopeNotAllowed,
                            detail: "the access token lacks scope \(missing)")
        }
        return .authorized(token)
    }

    /// The `WWW-Authenticate` value for a refusal (RFC 6750 §3, RFC 9728 §5.1).
    public func challenge(error: String?, reason: Reason?, detail: String) -> String {
        var parts: [String] = []
        if let error {
            parts.append("error=\"\(error)\"")
            let text = reason.map { TokenEndpoint.describe(WIFError($0, detail)) } ?? detail
            parts.append("error_description=\"\(TokenEndpoint.quotable(text))\"")
        }
        if !requiredScopes.isEmpty { parts.append("scope=\"\(TokenEndpoint.quotable(requiredScopes.joined(separator: " ")))\"") }
        parts.append("resource_metadata=\"\(TokenEndpoint.quotable(metadataURL))\"")
        return "Bearer " + parts.joined(separator: ", ")
    }

    /// RFC 9728 §2 protected resource metadata.
    public var metadata: JSON {
        var o = JSONObject()
        o["resource"] = .string(resource)
        o["authorization_servers"] = .array(authorizationServers.map { .string($0) })
        o["bearer_methods_supported"] = .array([.string("header")])
        // RFC 9728 §2: /mcp also takes DPoP-bound tokens with these proof algs (ProtectedResource+DPoP.swift).
        o["dpop_signing_alg_values_supported"] = .array(DPoP.asymmetricAlgorithms.map { .string($0.rawValue) })
        if !requiredScopes.isEmpty { o["scopes_supported"] = .array(requiredScopes.map { .string($0) }) }
        return .object(o)
    }
}
