// SPDX-License-Identifier: Apache-2.0

/// Client authentication at the token endpoint (RFC 6749 §2.3, §3.2.1; RFC 7523 §2.2) against `--clients`.
///
/// Rules, in order (the first failure answers):
/// 1. the methods in the request are counted: `Authorization: Basic` (client_secret_basic), a `client_secret`
///    parameter (client_secret_post), a `client_assertion` (private_key_jwt); more than one →
///    `invalid_request` (`multiple_client_auth`, RFC 6749 §2.3); more than one Authorization header →
///    `invalid_request`;
/// 2. without `--clients`, a client secret (Basic or post) is never accepted → `invalid_client`
///    (`unknown_client`), fail closed; a client assertion is then checked by the grant's keys, as before;
/// 3. with `--clients`: Basic credentials are base64 of `id:secret`, each part form-urlencoded first (RFC 6749
///    §2.3.1), decoded strictly; client_secret_post needs `client_id`; a `client_id` parameter that names
///    another client than the credentials → `invalid_client` (`client_id_mismatch`); an unregistered client →
///    `unknown_client`; a method other than the registered one → `client_auth_method`; a wrong secret →
///    `bad_client_secret` (SHA-256 digests compared in constant time, or Argon2id recomputed); a client
///    assertion is verified with the client's own `jwks` (iss = sub = the client id, aud the endpoint's);
///    a registered confidential client that sends no credentials → `client_auth_missing`; a request naming no
///    client at all has no client;
/// 4. a public client (`none`) may not use client_credentials (RFC 6749 §4.4), and a client registered with
///    `grant_types` may use only those → `unauthorized_client` (`grant_type_rejected`); with `scope`, every requested scope must be in it → `invalid_scope`
///    (`scope_not_allowed`).
/// All failures of rules 2 and 3 are `invalid_client` (HTTP 401); when Basic was tried the response carries
/// `WWW-Authenticate: Basic realm="<issuer>", charset="UTF-8"` (RFC 6749 §5.2, RFC 7617).
public enum ClientAuthentication {
    /// The client a request authenticated as.
    public struct Authenticated: Sendable {
        public var id: String
        public var method: ClientRegistry.Method
        /// The verified client assertion (private_key_jwt).
        public var assertion: VerifiedToken?
        /// A confidential client (RFC 6749 §2.1): one that authenticated with a secret or a key, not `none`.
        public var isConfidential: Bool { method != .none }
    }

    public enum Result: Sendable {
        /// No `--clients` and no client secret: the endpoint's own client-assertion rules apply.
        case notConfigured
        /// With `--clients`: the request names no client.
        case anonymous
        case authenticated(Authenticated)
        case failed(OAuthError, WIFError)
    }

    /// The method a request tried, for the event log: the Authorization header, then the parameters.
    static func triedMethod(params: FormParameters, authorization: [String]) -> String? {
        if authorization.contains(where: isBasic) { return ClientRegistry.Method.clientSecretBasic.rawValue }
        if params[ExactName("client_secret")] != nil { return ClientRegistry.Method.clientSecretPost.rawValue }
        if params[ExactName("client_assertion")] != nil { return ClientRegistry.Method.privateKeyJWT.rawValue }
        return nil
    }

    static func isBasic(_ value: String) -> Bool {
        let v = value.trimmingLeadingSpaces
        return v.utf8.count >= 6 && String(decoding: v.utf8.prefix(6), as: UTF8.self).sameIgnoringASCIICase("Basic ")
    }

    /// Whether an Authorization header of the request uses the Basic scheme.
    public static func basicTried(_ headers: [(String, String)]) -> Bool {
        headers.contains { $0.0.sameIgnoringASCIICase("authorization") && isBasic($0.1) }
    }

    /// The `id` and `secret` of a Basic Authorization header value (RFC 7617, RFC 6749 §2.3.1), or nil.
    public static func basicCredentials(_ value: String) -> (id: String, secret: [UInt8])? {
        guard isBasic(value) else { return nil }
        var token = Substring(value.trimmingLeadingSpaces).utf8.dropFirst(6)
        while token.first == 0x20 { token = token.dropFirst() }
        while token.last == 0x20 || token.last == 0x09 { token = token.dropLast() }
        guard token.count <= 8192, let raw = Base64Standard.decode(String(decoding: token, as: UTF8.self), padded: true),
              let colon = raw.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        guard let id = FormEncoding.component(raw[..<colon]), !id.isEmpty,
              let secret = FormEncoding.component(raw[(colon + 1)...]) else { return nil }
        return (id, Array(secret.utf8))
    }

    /// Rules 1 to 3. `params` are the request's (empty values dropped); `validator(client)` verifies a
    /// registered client's assertion.
    static func authenticate(params: FormParameters, headers: [(String, String)], registry: ClientRegistry?,
                             assertionValidator: (ClientRegistry.Client) throws(WIFError) -> Validator,
                             now: Int64) throws(WIFError) -> Result {
        func one(_ k: String) -> String? { params[ExactName(k)]?.first }
        let authorization = headers.filter { $0.0.sameIgnoringASCIICase("authorization") }.map(\.1)
        if authorization.count > 1 {
            return .failed(.invalidRequest, WIFError(.multipleClientAuth, "more than one Authorization header"))
        }
        let basic = authorization.first.map(isBasic) == true
        let post = one("client_secret") != nil
        let jwt = one("client_assertion") != nil
        if [basic, post, jwt].filter({ $0 }).count > 1 {
            return .failed(.invalidRequest, WIFError(.multipleClientAuth,
                "more than one client authentication method in one request (RFC 6749 §2.3)"))
        }
        guard let registry else {
            if basic || post {
                return .failed(.invalidClient, WIFError(.unknownClient,
                    "client secrets are accepted only for clients registered with --clients"))
            }
            return .notConfigured
        }
        let paramID = one("client_id")
        func client(_ id: String, _ used: ClientRegistry.Method) -> Result? {
            guard let c = registry.client(id) else {
                return .failed(.invalidClient, WIFError(.unknownClient, "client \"\(JSON.escapedForMessage(id))\" is not registered"))
            }
            guard c.method == used else {
                return .failed(.invalidClient, WIFError(.clientAuthMethod,
                    "client \"\(JSON.escapedForMessage(id))\" is registered for \(c.method.rawValue), not \(used.rawValue)"))
            }
            return nil
        }
        func secretCheck(_ id: String, _ secret: [UInt8], _ used: ClientRegistry.Method) throws(WIFError) -> Result {
            if let f = client(id, used) { return f }
            guard let c = registry.client(id), let stored = c.secret, try stored.matches(secret) else {
                return .failed(.invalidClient, WIFError(.badClientSecret, "the client secret of \"\(JSON.escapedForMessage(id))\" does not match"))
            }
            return .authenticated(Authenticated(id: id, method: used))
        }
        if basic, let header = authorization.first {
            guard var cred = basicCredentials(header) else {
                return .failed(.invalidClient, WIFError(.badClientSecret,
                    "the Basic credentials are not base64 of form-urlencoded client_id:client_secret (RFC 6749 §2.3.1)"))
            }
            defer { Digest.wipe(&cred.secret) }
            if let paramID, !paramID.same(cred.id) {
                return .failed(.invalidClient, WIFError(.clientIDMismatch, "client_id does not match the Basic credentials"))
            }
            return try secretCheck(cred.id, cred.secret, .clientSecretBasic)
        }
        if post, let secret = one("client_secret") {
            guard let paramID else {
                return .failed(.invalidClient, WIFError(.clientAuthMissing, "client_secret without client_id (RFC 6749 §2.3.1)"))
            }
            return try secretCheck(paramID, Array(secret.utf8), .clientSecretPost)
        }
        if jwt, let ca = one("client_assertion") {
            guard one("client_assertion_type")?.same(TokenRequest.clientAssertionType) == true else {
                return .failed(.invalidClient, WIFError(.badClientAssertion, "client_assertion_type must be \(TokenRequest.clientAssertionType)"))
            }
            let id = paramID ?? unverifiedSubject(ca) ?? ""
            if let f = client(id, .privateKeyJWT) { return f }
            guard let c = registry.client(id) else { return .failed(.invalidClient, WIFError(.unknownClient, "no client")) }
            let v: VerifiedToken
            do { v = try assertionValidator(c).verify(Array(ca.utf8), now: now) } catch {
                if !error.reason.isRejection { throw error }
                return .failed(.invalidClient, error.located("client_assertion"))
            }
            return .authenticated(Authenticated(id: id, method: .privateKeyJWT, assertion: v))
        }
        guard let paramID else { return .anonymous }
        if let c = registry.client(paramID), c.method != .none {
            return .failed(.invalidClient, WIFError(.clientAuthMissing,
                "client \"\(JSON.escapedForMessage(paramID))\" is registered for \(c.method.rawValue) and sent no credentials"))
        }
        if let f = client(paramID, .none) { return f }
        return .authenticated(Authenticated(id: paramID, method: .none))
    }

    /// Rule 4.
    static func checkAllowed(_ a: Authenticated, registry: ClientRegistry, grant: String?, scopes: [String]) -> Result? {
        guard let c = registry.client(a.id) else { return nil }
        if a.method == .none, grant?.same(TokenRequest.clientCredentialsGrant) == true {
            return .failed(.unauthorizedClient, WIFError(.grantTypeRejected,
                "client_credentials is for confidential clients only (RFC 6749 §4.4); \"\(JSON.escapedForMessage(a.id))\" is public"))
        }
        if let grants = c.grantTypes, let grant, !grants.containsExactly(grant) {
            return .failed(.unauthorizedClient, WIFError(.grantTypeRejected,
                "client \"\(JSON.escapedForMessage(a.id))\" may not use grant_type \(grant)"))
        }
        if let allowed = c.scopes, let s = scopes.first(where: { !allowed.containsExactly($0) }) {
            return .failed(.invalidScope, WIFError(.scopeNotAllowed, "scope \(s) is not registered for client \"\(JSON.escapedForMessage(a.id))\""))
        }
        return nil
    }

    /// The `sub` of a compact JWS without verifying it: only to pick the registered client whose keys verify it.
    static func unverifiedSubject(_ token: String) -> String? {
        guard let jws = try? CompactJWS.parse(Array(token.utf8)), let c = try? jws.claims() else { return nil }
        return c["sub"]?.stringValue
    }
}

extension String {
    var trimmingLeadingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        return String(s)
    }
}
