// SPDX-License-Identifier: Apache-2.0
import Core

struct Token {
    static let spec = CommandSpec(
        "token",
        abstract: "Mint a signed JWT assertion (the default subcommand).",
        discussion: "Times take epoch seconds, RFC 3339 (2026-01-02T03:04:05Z) or an offset from now (+300, +5m, -1h, +2d).",
        options: [
            .value("key", short: "k", "file", "Private key: JWK, JWKS (with --kid) or PEM; \"-\" reads stdin.", required: true),
            .value("alg", "alg", "Signing algorithm (default: from the key). \(algHelp)"),
            .value("kid", "kid", "Header kid (default: the key's kid; \"\" omits it). Picks the key in a JWKS."),
            .value("typ", "typ", "Header typ (default JWT; \"\" omits it)."),
            .value("iss", "iss", "Issuer claim."),
            .value("sub", "sub", "Subject claim."),
            .values("aud", "aud", "Audience; repeat for an array."),
            .value("exp", "time", "Expiry time (default +5m).", dashValue: true),
            .value("nbf", "time", "Not-before time.", dashValue: true),
            .value("iat", "time", "Issued-at time (default now).", dashValue: true),
            .flag("no-exp", "Leave out exp (for negative tests)."),
            .flag("no-iat", "Leave out iat."),
            .flag("no-jti", "Leave out jti."),
            .value("jti", "jti", "JWT ID (default: 128 random bits, base64url)."),
            .value("scope", "scope", "Scope claim (space-separated)."),
            .values("act", "sub", "Delegation: actor sub; repeat to nest, current actor first (RFC 8693 §4.1)."),
            .values("act-claim", "name=value", "Extra member of the innermost act object."),
            .value("may-act", "json", "may_act claim, a JSON object (RFC 8693 §4.4)."),
            .values("claim", "name=value", "Claim; VALUE is JSON when it parses, else a string; NAME=@FILE reads JSON."),
            .value("claims", "file", "Claims from a JSON object file; \"-\" reads stdin."),
            .values("header", "name=value", "Header member, like --claim; may replace alg, typ or kid."),
            .value("now", "time", "Fixed clock: epoch seconds or RFC 3339."),
            .value("count", "n", "Mint N tokens (default 1), one a line, each with its own jti."),
        ] + PassphraseOptions.readingSpecs)

    let key: String
    let alg: String?
    let kid: String?
    let typ: String
    let iss: String?
    let sub: String?
    let aud: [String]
    let exp: String?
    let nbf: String?
    let iat: String?
    let noExp: Bool
    let noIat: Bool
    let noJTI: Bool
    let jti: String?
    let scope: String?
    let act: [String]
    let actClaim: [String]
    let mayAct: String?
    let claim: [String]
    let claims: String?
    let header: [String]
    let now: String?
    let count: Int
    let passphrase: PassphraseOptions

    init(_ a: ParsedArguments) throws {
        key = a.string("key") ?? ""
        alg = a.string("alg")
        kid = a.string("kid")
        typ = a.string("typ") ?? "JWT"
        iss = a.string("iss")
        sub = a.string("sub")
        aud = a.strings("aud")
        exp = a.string("exp")
        nbf = a.string("nbf")
        iat = a.string("iat")
        noExp = a.flag("no-exp")
        noIat = a.flag("no-iat")
        noJTI = a.flag("no-jti")
        jti = a.string("jti")
        scope = a.string("scope")
        act = a.strings("act")
        actClaim = a.strings("act-claim")
        mayAct = a.string("may-act")
        claim = a.strings("claim")
        claims = a.string("claims")
        header = a.strings("header")
        now = a.string("now")
        count = try a.int("count") ?? 1
        passphrase = try PassphraseOptions(a)
    }

    func run() throws {
        if key == "-" && claims == "-" { throw WIFError(.usage, "--key and --claims cannot both read standard input") }
        guard count >= 1 else { throw WIFError(.usage, "--count must be at least 1, not \(count)") }
        let clock = try now.map { try NumericDate.parseInstant($0, now: NumericDate.systemNow(), what: "--now") }
            ?? NumericDate.systemNow()
        var spec = TokenSpec(now: clock)
        if let alg { spec.alg = try Algorithm.parse(alg) }
        spec.kid = kid
        spec.typ = typ
        spec.iss = iss
        spec.sub = sub
        spec.aud = aud
        spec.exp = try exp.map { try NumericDate.parseInstant($0, now: clock, what: "--exp") }
        spec.nbf = try nbf.map { try NumericDate.parseInstant($0, now: clock, what: "--nbf") }
        spec.iat = try iat.map { try NumericDate.parseInstant($0, now: clock, what: "--iat") }
        if noExp && exp != nil { throw WIFError(.usage, "--no-exp and --exp cannot be combined") }
        if noIat && iat != nil { throw WIFError(.usage, "--no-iat and --iat cannot be combined") }
        if noJTI && jti != nil { throw WIFError(.usage, "--no-jti and --jti cannot be combined") }
        spec.noExp = noExp
        spec.noIat = noIat
        spec.jti = noJTI ? .omitted : jti.map { .fixed($0) } ?? .random
        spec.scope = scope
        spec.act = act
        for a in actClaim { let (n, v) = try Assignment.parse(a, flag: "--act-claim"); spec.actClaims[n] = v }
        if !actClaim.isEmpty && act.isEmpty { throw WIFError(.usage, "--act-claim needs at least one --act") }
        if let mayAct {
            guard let v = try? JSON.parse(mayAct), v.objectValue != nil else {
                throw WIFError(.usage, "--may-act must be a JSON object, e.g. '{\"sub\":\"admin\"}'")
            }
            spec.mayAct = v
        }
        if let claims {
            let o: JSONObject
            do { o = try JSON.parseObject(try Input.read(claims), what: Input.label(claims)) }
            catch { throw WIFError(.usage, "--claims: \(error.detail)") }
            for m in o { spec.claims[m.name] = m.value }
        }
        for c in claim { let (n, v) = try Assignment.parse(c, flag: "--claim"); spec.claims[n] = v }
        for h in header { let (n, v) = try Assignment.parse(h, flag: "--header"); spec.headers[n] = v }

        if count > 1 && (spec.claims["jti"] != nil || spec.jti != .random) && !noJTI {
            throw WIFError(.usage, "a fixed jti cannot be combined with --count above 1: each token gets its own")
        }
        let signingKey = try KeySource.loadSigningKey(path: key, kid: kid?.isEmpty == false ? kid : nil,
                                                      passphrase: try passphrase.passphrase(stdinUsed: key == "-" || claims == "-"))
        let minter = try Minter(spec: spec, key: signingKey)
        var w = StdoutWriter()
        for _ in 0..<count {
            var t = try minter.next()
            t.append(0x0A)
            try w.write(t)
        }
        try w.flush()
    }
}
