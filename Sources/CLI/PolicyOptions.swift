// SPDX-License-Identifier: Apache-2.0
import Core

/// Options several tools share, declared once.
public enum CommonOptions {
    public static let now = Opt.time("now", "Fixed clock: epoch seconds, RFC 3339 or an offset from now (+5m, -1h).")

    /// The clock `--now` names (the system clock without it).
    public static func clock(_ a: ParsedArguments) throws(WIFError) -> Clock { try Clock(now: a.value(now)) }
}

/// The policy options of `wif-verify` (token, request, serve), read into Core's `PolicySettings`, where every
/// limit and combination is checked.
public enum PolicyOptions {
    public static let jwks = Multi.strings(
        "jwks", "file", "JWKS or public JWK file; repeat to join sets (key rotation).")
    public static let alg = Multi.strings(
        "alg", "alg", "Allowed alg (default: the algs the keys fit). One of: \(Algorithm.namesList).")
    public static let profile = Opt.string("profile", "name", "Rule set: \(Profile.namesList) (default rfc7523).")
    public static let iss = Multi.strings("iss", "iss", "Trusted issuer.")
    public static let aud = Multi.strings("aud", "aud", "This audience; the token's aud must contain one.")
    public static let sub = Multi.strings("sub", "sub", "Allowed subject.")
    public static let rejectSub = Multi.strings("reject-sub", "sub", "Subject to reject (subject_rejected).")
    public static let rejectJTI = Multi.strings("reject-jti", "jti", "jti to reject (jti_rejected).")
    public static let require = Multi.strings("require", "claim", "Claim that must be present.")
    public static let typ = Opt.string("typ", "typ", "Required header typ (compared case-insensitively).")
    public static let leeway = Opt.duration(
        "leeway", "Clock skew allowed for exp, nbf and iat (default 60s; at most 1h).")
    public static let maxLifetime = Opt.duration("max-lifetime", "Longest exp − iat allowed.")
    public static let maxAge = Opt.duration("max-age", "Oldest iat allowed (now − iat).")
    public static let maxTokenSize = Opt.int(
        "max-token-size", "bytes", "Longest token accepted, in bytes (default 65536).")
    public static let trustDomain = Opt.string(
        "trust-domain", "domain", "SPIFFE trust domain sub must belong to (profile spiffe).")
    public static let clientID = Opt.string("client-id", "id", "Client id that sub must equal (client assertions).")
    public static let maxDelegationDepth = Opt.int(
        "max-delegation-depth", "n", "Deepest act chain allowed (default 8).")
    public static let actor = Multi.strings("actor", "sub", "Allowed current actor (act.sub).")
    public static let replayCache = Opt.string("replay-cache", "file",
                                               "File remembering (iss, jti) until exp + leeway; a second sight is replayed_jti.")

    public static let all: [any OptionDeclaration] = [
        jwks, alg, profile, iss, aud, sub, rejectSub, rejectJTI, require, typ, leeway, maxLifetime, maxAge,
        CommonOptions.now, maxTokenSize, trustDomain, clientID, maxDelegationDepth, actor, replayCache,
    ]

    /// The settings the command line gives.
    public static func settings(_ a: ParsedArguments) throws(WIFError) -> PolicySettings {
        var s = PolicySettings()
        s.jwks = a.values(jwks)
        s.algorithms = a.values(alg)
        s.profile = a.value(profile)
        s.issuers = a.values(iss)
        s.audiences = a.values(aud)
        s.subjects = a.values(sub)
        s.rejectSubjects = a.values(rejectSub)
        s.rejectJTIs = a.values(rejectJTI)
        s.required = a.values(require)
        s.typ = a.value(typ)
        s.leeway = a.value(leeway)
        s.maxLifetime = a.value(maxLifetime)
        s.maxAge = a.value(maxAge)
        s.maxTokenSize = try a.value(maxTokenSize)
        s.trustDomain = a.value(trustDomain)
        s.clientID = a.value(clientID)
        s.maxDelegationDepth = try a.value(maxDelegationDepth)
        s.actors = a.values(actor)
        s.replayCache = a.value(replayCache)
        return s
    }
}
