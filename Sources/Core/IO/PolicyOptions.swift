// SPDX-License-Identifier: Apache-2.0

/// The checks shared by `wif-verify token`, `request` and `serve`: option declarations and the Policy built from them.
public struct PolicyOptions: Sendable {
    public static let specs: [OptionSpec] = [
        .values("jwks", "file", "JWKS or public JWK file; repeat to join sets (key rotation)."),
        .values("alg", "alg", "Allowed alg (default: the algs the keys fit). One of: \(Algorithm.namesList)."),
        .value("profile", "name", "Rule set: \(Profile.namesList) (default rfc7523)."),
        .values("iss", "iss", "Trusted issuer."),
        .values("aud", "aud", "This audience; the token's aud must contain one."),
        .values("sub", "sub", "Allowed subject."),
        .values("reject-sub", "sub", "Subject to reject (subject_rejected)."),
        .values("reject-jti", "jti", "jti to reject (jti_rejected)."),
        .values("require", "claim", "Claim that must be present."),
        .value("typ", "typ", "Required header typ (compared case-insensitively)."),
        .value("leeway", "duration", "Clock skew allowed for exp, nbf and iat (default 60s; at most 1h)."),
        .value("max-lifetime", "duration", "Longest exp − iat allowed."),
        .value("max-age", "duration", "Oldest iat allowed (now − iat)."),
        .value("now", "time", "Fixed clock: epoch seconds, RFC 3339 or an offset from now (+5m)."),
        .value("max-token-size", "bytes", "Longest token accepted, in bytes (default 65536)."),
        .value("trust-domain", "domain", "SPIFFE trust domain sub must belong to (profile spiffe)."),
        .value("client-id", "id", "Client id that sub must equal (client assertions)."),
        .value("max-delegation-depth", "n", "Deepest act chain allowed (default 8)."),
        .values("actor", "sub", "Allowed current actor (act.sub)."),
        .value("replay-cache", "file", "File remembering (iss, jti) until exp + leeway; a second sight is replayed_jti."),
    ]

    public let jwks: [String]
    public let alg: [String]
    public let profile: String
    public let iss: [String]
    public let aud: [String]
    public let sub: [String]
    public let rejectSub: [String]
    public let rejectJTI: [String]
    public let require: [String]
    public let typ: String?
    public let leeway: String?
    public let maxLifetime: String?
    public let maxAge: String?
    public let now: String?
    public let maxTokenSize: Int
    public let trustDomain: String?
    public let clientID: String?
    public let maxDelegationDepth: Int?
    public let actor: [String]
    public let replayCache: String?

    public init(_ a: ParsedArguments) throws(WIFError) {
        jwks = a.strings("jwks")
        alg = a.strings("alg")
        profile = a.string("profile") ?? "rfc7523"
        iss = a.strings("iss")
        aud = a.strings("aud")
        sub = a.strings("sub")
        rejectSub = a.strings("reject-sub")
        rejectJTI = a.strings("reject-jti")
        require = a.strings("require")
        typ = a.string("typ")
        leeway = a.string("leeway")
        maxLifetime = a.string("max-lifetime")
        maxAge = a.string("max-age")
        now = a.string("now")
        maxTokenSize = try a.int("max-token-size") ?? CompactJWS.defaultMaxSize
        trustDomain = a.string("trust-domain")
        clientID = a.string("client-id")
        maxDelegationDepth = try a.int("max-delegation-depth")
        actor = a.strings("actor")
        replayCache = a.string("replay-cache")
    }

    public func clock() throws(WIFError) -> Int64 {
        guard let now else { return NumericDate.systemNow() }
        return try NumericDate.parseInstant(now, now: NumericDate.systemNow(), what: "--now")
    }

    /// The policy; `defaultAudiences` (a server's own URLs, a trailing slash not mattering) when no --aud is given.
    public func policy(defaultAudiences: [String] = []) throws(WIFError) -> Policy {
        guard let prof = Profile(rawValue: profile) else {
            throw WIFError(.usage, "unknown profile \"\(profile)\"", hint: "profiles: \(Profile.namesList)")
        }
        var p = Policy(profile: prof)
        if !alg.isEmpty {
            var set = Set<Algorithm>()
            for a in alg { set.insert(try Algorithm.parse(a)) }
            p.algorithms = p.algorithms.map { $0.intersection(set) } ?? set
            if p.algorithms?.isEmpty == true {
                throw WIFError(.usage, "--alg leaves no algorithm that profile \(prof.rawValue) allows")
            }
        }
        p.issuers = iss
        p.audiences = aud
        if aud.isEmpty && !defaultAudiences.isEmpty {
            p.audiences = defaultAudiences
            p.audienceIgnoresTrailingSlash = true
        }
        p.subjects = sub
        p.rejectSubjects = rejectSub
        p.rejectJTIs = rejectJTI
        for r in require where !p.required.contains(r) { p.required.append(r) }
        if let typ { p.typ = typ }
        if let leeway {
            p.leeway = try NumericDate.parseDuration(leeway, what: "--leeway")
            if p.leeway > 3600 { throw WIFError(.usage, "--leeway \(leeway) is more than 1h", hint: "use --now to judge old tokens") }
        }
        if let maxLifetime { p.maxLifetime = try NumericDate.parseDuration(maxLifetime, what: "--max-lifetime") }
        if let maxAge { p.maxAge = try NumericDate.parseDuration(maxAge, what: "--max-age") }
        guard maxTokenSize >= 16, maxTokenSize <= 16 << 20 else {
            throw WIFError(.usage, "--max-token-size must be 16 to 16777216 bytes")
        }
        p.maxTokenSize = maxTokenSize
        if let trustDomain {
            guard prof == .spiffe else { throw WIFError(.usage, "--trust-domain applies to --profile spiffe") }
            p.trustDomain = trustDomain
        }
        p.clientID = clientID
        if let d = maxDelegationDepth {
            guard d >= 0, d <= Policy.hardMaxDelegationDepth else {
                throw WIFError(.usage, "--max-delegation-depth must be 0 to \(Policy.hardMaxDelegationDepth)")
            }
            p.maxDelegationDepth = d
        }
        p.actors = actor
        if prof != .none && p.audiences.isEmpty {
            throw WIFError(.usage, "profile \(prof.rawValue) needs --aud: the token must name this audience (RFC 7523 §3, RFC 8725 §3.9)",
                           hint: "give --aud, or --profile none to skip the audience check")
        }
        return p
    }

    public func validator(policy: Policy? = nil) throws(WIFError) -> Validator {
        guard !jwks.isEmpty else { throw WIFError(.usage, "--jwks is required: keys come only from JWKS files") }
        let p: Policy
        if let policy { p = policy } else { p = try self.policy() }
        return try Validator(keys: try KeyRing(paths: jwks), policy: p)
    }
}

/// The token endpoint options `request` and `serve` share, and the one construction of their TokenEndpoint.
public struct EndpointOptions: Sendable {
    public static let specs: [OptionSpec] = [
        .values("allow-grant", "grant", "Also accept this grant_type (client_credentials, the token-exchange URN)."),
        .values("reject-grant-type", "grant", "grant_type this client may not use (unauthorized_client)."),
        .values("allow-scope", "scope", "Allowed scope; any other requested scope is invalid_scope."),
        .values("reject-scope", "scope", "Scope answered with invalid_scope."),
        .values("unauthorized-scope", "scope", "Scope answered with unauthorized_client."),
        .value("expires-in", "duration", "Lifetime of issued access tokens (default 3600)."),
    ]

    public let allowGrant: [String]
    public let rejectGrantType: [String]
    public let allowScope: [String]
    public let rejectScope: [String]
    public let unauthorizedScope: [String]
    public let expiresIn: String

    public init(_ a: ParsedArguments) {
        allowGrant = a.strings("allow-grant")
        rejectGrantType = a.strings("reject-grant-type")
        allowScope = a.strings("allow-scope")
        rejectScope = a.strings("reject-scope")
        unauthorizedScope = a.strings("unauthorized-scope")
        expiresIn = a.string("expires-in") ?? "3600"
    }

    /// The endpoint judging with `options`' policy; `defaultAudiences` apply when no --aud is given (serve's
    /// own URLs). The issuer key, issuer and replay cache are the caller's.
    public func endpoint(_ options: PolicyOptions, defaultAudiences: [String] = []) throws(WIFError) -> TokenEndpoint {
        let policy = try options.policy(defaultAudiences: defaultAudiences)
        let validator = try options.validator(policy: policy)
        var endpoint = TokenEndpoint(validator: validator)
        // Client assertions are always judged as RFC 7523 §3 requires of them: iss = sub = the client id.
        var cp = policy
        cp.issEqualsSub = true
        endpoint.clientValidator = try Validator(keys: validator.keys, policy: cp)
        endpoint.allowGrants = allowGrant
        endpoint.rejectGrantTypes = rejectGrantType
        endpoint.allowScopes = allowScope.isEmpty ? nil : allowScope
        endpoint.rejectScopes = rejectScope
        endpoint.unauthorizedScopes = unauthorizedScope
        endpoint.expiresIn = try NumericDate.parseDuration(expiresIn, what: "--expires-in")
        guard endpoint.expiresIn >= 1 else { throw WIFError(.usage, "--expires-in must be at least 1 second") }
        return endpoint
    }
}
