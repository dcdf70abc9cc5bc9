// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Keys, assertions and a token endpoint as `wif-verify serve` builds them, for the tests of what it calls
/// (TokenEndpoint.Facts, ConformanceChecks, ProtectedResource, MCPEndpoint, ServerMetadata).
struct ServeFixture {
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
}
