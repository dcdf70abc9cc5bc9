// SPDX-License-Identifier: Apache-2.0

/// RFC 8414 authorization server metadata for `wif-verify serve`, served at
/// `/.well-known/oauth-authorization-server` and `/.well-known/openid-configuration`.
///
/// Members: issuer, token_endpoint, jwks_uri, grant_types_supported (the jwt-bearer URN first, then the allowed
/// grants), token_endpoint_auth_methods_supported (`none`, and `private_key_jwt` with its algs: RFC 7523 client
/// assertions are always checked; with `--clients`, the methods its clients are registered for),
/// dpop_signing_alg_values_supported (RFC 9449 §5.1: the proof algs the token endpoint accepts), scopes_supported
/// when scopes are configured. `authorization_endpoint` is
/// advertised because some client libraries need it even for a machine-only server; it answers
/// `unsupported_response_type`, so `response_types_supported` is empty.
public enum ServerMetadata {
    public static func authorizationServer(issuer: String, base: String, endpoint: TokenEndpoint,
                                           scopes: [String]) -> JSON {
        var o = JSONObject()
        o["issuer"] = .string(issuer)
        o["authorization_endpoint"] = .string(base + "/authorize")
        o["token_endpoint"] = .string(base + "/token")
        o["jwks_uri"] = .string(base + "/jwks")
        var grants = [TokenRequest.jwtBearerGrant]
        for g in endpoint.allowGrants where !grants.containsExactly(g) { grants.append(g) }
        o["grant_types_supported"] = .array(grants.map { .string($0) })
        o["response_types_supported"] = .array([])
        // With --clients, the methods its clients are registered for; without, none and private_key_jwt.
        let methods = endpoint.clients.map { $0.methods.map(\.rawValue) } ?? ["none", "private_key_jwt"]
        o["token_endpoint_auth_methods_supported"] = .array(methods.map { .string($0) })
        let algs = endpoint.clientValidator.algorithms.map(\.rawValue).sorted()
        o["token_endpoint_auth_signing_alg_values_supported"] = .array(algs.map { .string($0) })
        o["dpop_signing_alg_values_supported"] = .array(endpoint.dpop.algorithms.map { .string($0.rawValue) })
        if !scopes.isEmpty { o["scopes_supported"] = .array(scopes.map { .string($0) }) }
        return .object(o)
    }

    /// The JWK Set of the access-token signer: its public members only.
    public static func jwks(_ key: JWK) -> JSON {
        .object(JSONObject([("keys", .array([.object(key.json(includePrivate: false))]))]))
    }
}
