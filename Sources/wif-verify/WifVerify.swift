// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Core

@main
struct WifVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wif-verify",
        abstract: "Judge workload-identity assertions offline, as a token endpoint would (RFC 7523, RFC 7519, RFC 8725).",
        discussion: "Exit status: 0 valid, 1 rejected, 2 usage or input error. See wif-verify(1).",
        version: WIFVersion.string,
        subcommands: [Check.self, Request.self, JWKSCheck.self],
        defaultSubcommand: Check.self
    )

    static func main() {
        CLI.run(tool: "wif-verify") { () throws -> Void in
            var command = try parseAsRoot()
            try command.run()
        } parseError: { error in
            (exitCode(for: error).rawValue, fullMessage(for: error))
        }
    }
}

/// The checks shared by `wif-verify token` and `wif-verify request`.
struct PolicyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("JWKS or public JWK file; repeat to join sets (key rotation).", valueName: "file"))
    var jwks: [String] = []

    @Option(help: ArgumentHelp("Allowed alg; repeatable (default: the algs the keys fit). One of: \(Algorithm.namesList).",
                               valueName: "alg"))
    var alg: [String] = []

    @Option(help: ArgumentHelp("Rule set: \(Profile.namesList).", valueName: "name"))
    var profile: String = "rfc7523"

    @Option(help: ArgumentHelp("Trusted issuer; repeatable.", valueName: "iss")) var iss: [String] = []
    @Option(help: ArgumentHelp("This audience; repeatable, the token's aud must contain one.", valueName: "aud"))
    var aud: [String] = []
    @Option(help: ArgumentHelp("Allowed subject; repeatable.", valueName: "sub")) var sub: [String] = []
    @Option(name: .customLong("reject-sub"), help: ArgumentHelp("Subject to reject (subject_rejected); repeatable.", valueName: "sub"))
    var rejectSub: [String] = []
    @Option(name: .customLong("reject-jti"), help: ArgumentHelp("jti to reject (jti_rejected); repeatable.", valueName: "jti"))
    var rejectJTI: [String] = []
    @Option(help: ArgumentHelp("Claim that must be present; repeatable.", valueName: "claim")) var require: [String] = []
    @Option(help: ArgumentHelp("Required header typ (compared case-insensitively).", valueName: "typ")) var typ: String?
    @Option(help: ArgumentHelp("Clock skew allowed for exp, nbf and iat (default 60s; at most 1h).", valueName: "duration"))
    var leeway: String?
    @Option(name: .customLong("max-lifetime"), help: ArgumentHelp("Longest exp − iat allowed.", valueName: "duration"))
    var maxLifetime: String?
    @Option(name: .customLong("max-age"), help: ArgumentHelp("Oldest iat allowed (now − iat).", valueName: "duration"))
    var maxAge: String?
    @Option(help: ArgumentHelp("Fixed clock: epoch seconds, RFC 3339 or an offset from now (+5m).", valueName: "time")) var now: String?
    @Option(name: .customLong("max-token-size"), help: ArgumentHelp("Longest token accepted, in bytes.", valueName: "bytes"))
    var maxTokenSize: Int = CompactJWS.defaultMaxSize
    @Option(name: .customLong("trust-domain"), help: ArgumentHelp("SPIFFE trust domain sub must belong to (profile spiffe).", valueName: "domain"))
    var trustDomain: String?
    @Option(name: .customLong("client-id"), help: ArgumentHelp("Client id that sub must equal (client assertions).", valueName: "id"))
    var clientID: String?
    @Option(name: .customLong("max-delegation-depth"), help: ArgumentHelp("Deepest act chain allowed (default 8).", valueName: "n"))
    var maxDelegationDepth: Int?
    @Option(help: ArgumentHelp("Allowed current actor (act.sub); repeatable.", valueName: "sub")) var actor: [String] = []
    @Option(name: .customLong("replay-cache"), help: ArgumentHelp("File remembering (iss, jti) until exp + leeway; a second sight is replayed_jti.", valueName: "file"))
    var replayCache: String?

    func clock() throws -> Int64 {
        try now.map { try NumericDate.parseInstant($0, now: NumericDate.systemNow(), what: "--now") } ?? NumericDate.systemNow()
    }

    func policy() throws -> Policy {
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
        if prof != .none && aud.isEmpty {
            throw WIFError(.usage, "profile \(prof.rawValue) needs --aud: the token must name this audience (RFC 7523 §3, RFC 8725 §3.9)",
                           hint: "give --aud, or --profile none to skip the audience check")
        }
        return p
    }

    func validator() throws -> Validator {
        guard !jwks.isEmpty else { throw WIFError(.usage, "--jwks is required: keys come only from JWKS files") }
        return try Validator(keys: try KeyRing(paths: jwks), policy: try policy())
    }
}
