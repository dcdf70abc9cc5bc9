// SPDX-License-Identifier: Apache-2.0

/// The policy options as given (on a command line, or by a server's configuration), and the one place they are
/// checked and turned into a `Policy` and a `Validator`. `wif-verify`, `wif-verify request`, `wif-inspect --jwks`
/// and the loopback server all build their judge here, so a limit or a combination rule exists once.
///
/// Rules, in the order they are checked:
/// - the profile must be one of `Profile.allCases` (default: `defaultProfile`);
/// - `--alg` names known JWS algorithms and must leave one the profile allows;
/// - `--leeway` is at most 1 h (judge old tokens with `--now` instead);
/// - `--max-token-size` is 16 B to 16 MiB;
/// - `--trust-domain` goes with profile spiffe only;
/// - `--max-delegation-depth` is 0 to `Policy.hardMaxDelegationDepth`;
/// - every profile but `none` needs an audience (RFC 7523 §3, RFC 8725 §3.9);
/// - keys come only from `--jwks` files (at least one).
public struct PolicySettings: Sendable {
    public var jwks: [String] = []
    public var algorithms: [String] = []
    /// The profile name; nil means `defaultProfile`.
    public var profile: String?
    public var issuers: [String] = []
    public var audiences: [String] = []
    public var subjects: [String] = []
    public var rejectSubjects: [String] = []
    public var rejectJTIs: [String] = []
    public var required: [String] = []
    public var typ: String?
    public var leeway: String?
    public var maxLifetime: String?
    public var maxAge: String?
    public var maxTokenSize: Int?
    public var trustDomain: String?
    public var clientID: String?
    public var maxDelegationDepth: Int?
    public var actors: [String] = []
    public var replayCache: String?
    /// Longest wait for the replay cache's lock (default 10 s); goes with `replayCache`.
    public var lockTimeout: String?
    /// Audiences used when `audiences` is empty (a server's own URLs); with them a trailing slash does not matter.
    public var defaultAudiences: [String] = []
    /// The profile when none is named: rfc7523 for `wif-verify`; `wif-inspect` picks none without `--aud`.
    public var defaultProfile: Profile = .rfc7523

    public init() {}

    public static let maxLeeway: Int64 = 3600
    public static let tokenSizeRange = 16...(16 << 20)

    /// The checked policy.
    public func policy() throws(WIFError) -> Policy {
        let prof: Profile
        if let profile {
            guard let p = Profile.named(profile) else {
                throw WIFError(.usage, "unknown profile \"\(JSON.escapedForMessage(profile))\"",
                               hint: "profiles: \(Profile.namesList)")
            }
            prof = p
        } else {
            prof = defaultProfile
        }
        var p = Policy(profile: prof)
        if !algorithms.isEmpty {
            var set = AlgorithmSet()
            for a in algorithms { set.insert(try Algorithm.parse(a)) }
            p.algorithms = p.algorithms.map { $0.intersection(set) } ?? set
            if p.algorithms?.isEmpty == true {
                throw WIFError(.usage, "--alg leaves no algorithm that profile \(prof.rawValue) allows")
            }
        }
        p.issuers = issuers
        p.audiences = audiences
        if audiences.isEmpty && !defaultAudiences.isEmpty {
            p.audiences = defaultAudiences
            p.audienceIgnoresTrailingSlash = true
        }
        p.subjects = subjects
        p.rejectSubjects = rejectSubjects
        p.rejectJTIs = rejectJTIs
        for r in required where !p.required.containsExactly(r) { p.required.append(r) }
        if let typ { p.typ = typ }
        if let leeway {
            p.leeway = try NumericDate.parseDuration(leeway, what: "--leeway")
            if p.leeway > PolicySettings.maxLeeway {
                throw WIFError(.usage, "--leeway \(JSON.escapedForMessage(leeway)) is more than 1h",
                               hint: "use --now to judge old tokens")
            }
        }
        if let maxLifetime { p.maxLifetime = try NumericDate.parseDuration(maxLifetime, what: "--max-lifetime") }
        if let maxAge { p.maxAge = try NumericDate.parseDuration(maxAge, what: "--max-age") }
        if let maxTokenSize {
            guard PolicySettings.tokenSizeRange.contains(maxTokenSize) else {
                throw WIFError(.usage, "--max-token-size must be 16 to 16777216 bytes")
            }
            p.maxTokenSize = maxTokenSize
        }
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
        p.actors = actors
        if prof != .none && p.audiences.isEmpty {
            throw WIFError(.usage, "profile \(prof.rawValue) needs --aud: the token must name this audience (RFC 7523 §3, RFC 8725 §3.9)",
                           hint: "give --aud, or --profile none to skip the audience check")
        }
        return p
    }

    /// The replay cache `--replay-cache` names, with its `--lock-timeout`; nil without one.
    public func replayCacheStore() throws(WIFError) -> ReplayCache? {
        guard let path = replayCache else {
            if lockTimeout != nil { throw WIFError(.usage, "--lock-timeout applies to --replay-cache") }
            return nil
        }
        let t = try lockTimeout.map { s throws(WIFError) in try NumericDate.parseDuration(s, what: "--lock-timeout") }
        return ReplayCache(path: path, lockTimeout: t.map(Double.init) ?? ReplayCache.defaultLockTimeout)
    }

    /// The keys of `--jwks`, loaded and checked.
    public func keyRing() throws(WIFError) -> KeyRing {
        guard !jwks.isEmpty else { throw WIFError(.usage, "--jwks is required: keys come only from JWKS files") }
        return try KeyRing(paths: jwks)
    }

    /// The judge: the checked policy over the `--jwks` keys. The policy is checked before any key file is read.
    public func validator() throws(WIFError) -> Validator {
        let p = try policy()
        return try Validator(keys: try keyRing(), policy: p)
    }

    /// The judge of `wif-inspect --jwks`: nil without `--jwks`; profile rfc7523 with `--aud`, none without,
    /// unless named. `--aud`, `--iss` and `--profile` without `--jwks` are an error: nothing would be checked.
    public func inspectionValidator() throws(WIFError) -> Validator? {
        guard !jwks.isEmpty else {
            if !audiences.isEmpty || !issuers.isEmpty || profile != nil {
                throw WIFError(.usage, "--aud, --iss and --profile go with --jwks")
            }
            return nil
        }
        var s = self
        s.defaultProfile = audiences.isEmpty ? .none : .rfc7523
        return try s.validator()
    }
}
