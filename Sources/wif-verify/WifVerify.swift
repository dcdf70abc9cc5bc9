// SPDX-License-Identifier: Apache-2.0
import Core

@main
struct WifVerify {
    static let spec = CommandSpec(
        "wif-verify",
        abstract: "Judge workload-identity assertions offline, as a token endpoint would (RFC 7523, RFC 7519, RFC 8725).",
        discussion: "Exit status: 0 valid, 1 rejected, 2 usage or input error. See wif-verify(1).",
        subcommands: [Check.spec, Request.spec, Serve.spec, JWKSCheck.spec],
        defaultSubcommand: "token")

    static func main() {
        CLI.main(tool: "wif-verify", spec: spec) { a in
            switch a.command {
            case "request": try Request(a).run()
            case "serve": try Serve(a).run()
            case "jwks-check": try JWKSCheck(a).run()
            default: try Check(a).run()
            }
        }
    }
}

/// The checks shared by `wif-verify token` and `wif-verify request`.
struct PolicyOptions {
    static let specs: [OptionSpec] = [
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

    let jwks: [String]
    let alg: [String]
    let profile: String
    let iss: [String]
    let aud: [String]
    let sub: [String]
    let rejectSub: [String]
    let rejectJTI: [String]
    let require: [String]
    let typ: String?
    let leeway: String?
    let maxLifetime: String?
    let maxAge: String?
    let now: String?
    let maxTokenSize: Int
    let trustDomain: String?
    let clientID: String?
    let maxDelegationDepth: Int?
    let actor: [String]
    let replayCache: String?

    init(_ a: ParsedArguments) throws {
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

    func clock() throws -> Int64 {
        try now.map { try NumericDate.parseInstant($0, now: NumericDate.systemNow(), what: "--now") } ?? NumericDate.systemNow()
    }

    /// The policy; `defaultAudiences` (a server's own URLs, a trailing slash not mattering) when no --aud is given.
    func policy(defaultAudiences: [String] = []) throws -> Policy {
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

    func validator(policy: Policy? = nil) throws -> Validator {
        guard !jwks.isEmpty else { throw WIFError(.usage, "--jwks is required: keys come only from JWKS files") }
        return try Validator(keys: try KeyRing(paths: jwks), policy: try policy ?? self.policy())
    }
}
