// SPDX-License-Identifier: Apache-2.0
import CLI
import Core

/// `wif-mint [token]`: signed assertions from Core's `MintSettings` and `Minter`.
enum Token: Command {
    static let key = Opt.string(
        "key", short: "k", "file", "Private key: JWK, JWKS (with --kid) or PEM; \"-\" reads stdin.", required: true)
    static let alg = Opt.string("alg", "alg", "Signing algorithm (default: from the key). \(algHelp)")
    static let kid = Opt.string(
        "kid", "kid", "Header kid (default: the key's kid; \"\" omits it). Picks the key in a JWKS; a key with " +
            "another kid is an error.")
    static let typ = Opt.string("typ", "typ", "Header typ (default JWT; \"\" omits it).")
    static let iss = Opt.string("iss", "iss", "Issuer claim.")
    static let sub = Opt.string("sub", "sub", "Subject claim.")
    static let aud = Multi.strings("aud", "aud", "Audience; repeat for an array.")
    static let exp = Opt.time("exp", "Expiry time (default +5m).")
    static let nbf = Opt.time("nbf", "Not-before time.")
    static let iat = Opt.time("iat", "Issued-at time (default now).")
    static let noExp = Flag("no-exp", "Leave out exp (for negative tests).")
    static let noIat = Flag("no-iat", "Leave out iat.")
    static let noJTI = Flag("no-jti", "Leave out jti.")
    static let jti = Opt.string("jti", "jti", "JWT ID (default: 128 random bits, base64url).")
    static let scope = Opt.string("scope", "scope", "Scope claim (space-separated).")
    static let act = Multi.strings(
        "act", "sub", "Delegation: actor sub; repeat to nest, current actor first (RFC 8693 §4.1).")
    static let actClaim = Multi.strings("act-claim", "name=value", "Extra member of the innermost act object.")
    static let mayAct = Opt.string("may-act", "json", "may_act claim, a JSON object (RFC 8693 §4.4).")
    static let claim = Multi.strings(
        "claim", "name=value", "Claim; VALUE is JSON when it parses, else a string; NAME=@FILE reads JSON.")
    static let claims = Opt.string("claims", "file", "Claims from a JSON object file; \"-\" reads stdin.")
    static let header = Multi.strings(
        "header", "name=value", "Header member, like --claim; may replace alg, typ or kid.")
    static let maxUses = Opt.string(
        "max-uses", "n", "Use budget: a verifier with a replay cache accepts the token at most N times " +
            "(1 to 1000000; claim wif_max_uses, see wif(7)).")
    static let count = Opt.int("count", "n", "Mint N tokens (default 1), one a line, each with its own jti.")
    static let profile = Opt.string("profile", "name", "id-jag: an ID-JAG (typ oauth-id-jag+jwt; needs --iss, --sub, --aud, --client-id).")
    static let clientID = Opt.string("client-id", "id", "client_id claim of an ID-JAG (--profile id-jag).")
    static let resource = Multi.strings("resource", "uri", "resource claim of an ID-JAG (--profile id-jag); repeat for an array.")

    static let spec = CommandSpec(
        "token",
        abstract: "Mint a signed JWT assertion (the default subcommand).",
        discussion: "Times take epoch seconds, RFC 3339 (2026-01-02T03:04:05Z) or an offset from now (+300, +5m, -1h, +2d).",
        options: [key, alg, kid, typ, iss, sub, aud, exp, nbf, iat, noExp, noIat, noJTI, jti, scope, act, actClaim,
                  mayAct, maxUses, claim, claims, header, CommonOptions.now, count, profile, clientID, resource]
                  + PassphraseOptions.reading,
        command: Token.self)

    static func run(_ a: ParsedArguments) throws {
        var s = MintSettings()
        s.key = a.value(key) ?? ""
        s.alg = a.value(alg)
        s.kid = a.value(kid)
        s.typ = a.value(typ)
        s.iss = a.value(iss)
        s.sub = a.value(sub)
        s.aud = a.values(aud)
        s.exp = a.value(exp)
        s.nbf = a.value(nbf)
        s.iat = a.value(iat)
        s.noExp = a.flag(noExp)
        s.noIat = a.flag(noIat)
        s.noJTI = a.flag(noJTI)
        s.jti = a.value(jti)
        s.scope = a.value(scope)
        s.act = a.values(act)
        s.actClaims = a.values(actClaim)
        s.mayAct = a.value(mayAct)
        s.maxUses = a.value(maxUses)
        s.claims = a.values(claim)
        s.claimsFile = a.value(claims)
        s.headers = a.values(header)
        s.count = try a.value(count) ?? 1
        s.profile = a.value(profile)
        s.clientID = a.value(clientID)
        s.resource = a.values(resource)
        let (spec, warnings) = try s.spec(clock: try CommonOptions.clock(a))
        warnings.forEach(Diagnostics.warning)
        let signingKey = try KeySource.loadSigningKey(path: s.key, kid: s.kid?.isEmpty == false ? s.kid : nil,
                                                      passphrase: try PassphraseOptions.passphrase(a, stdinUsed: s.readsStandardInput))
        let minter = try Minter(spec: spec, key: signingKey)
        var w = StdoutWriter()
        for _ in 0..<s.count {
            var t = try minter.next()
            t.append(0x0A)
            try w.write(t)
        }
        try w.flush()
    }
}
