// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Core

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mint a signed JWT assertion (the default subcommand).",
        discussion: "Times take epoch seconds, RFC 3339 (2026-01-02T03:04:05Z) or an offset from now (+300, +5m, -1h, +2d).")

    @Option(name: .shortAndLong, help: ArgumentHelp("Private key: JWK, JWKS (with --kid) or PEM; \"-\" reads stdin.", valueName: "file"))
    var key: String

    @Option(help: ArgumentHelp("Signing algorithm (default: from the key). \(algHelp)", valueName: "alg"))
    var alg: String?

    @Option(help: ArgumentHelp("Header kid (default: the key's kid; \"\" omits it). Picks the key in a JWKS.", valueName: "kid"))
    var kid: String?

    @Option(help: ArgumentHelp("Header typ (\"\" omits it).", valueName: "typ"))
    var typ: String = "JWT"

    @Option(help: ArgumentHelp("Issuer claim.", valueName: "iss")) var iss: String?
    @Option(help: ArgumentHelp("Subject claim.", valueName: "sub")) var sub: String?
    @Option(help: ArgumentHelp("Audience; repeat for an array.", valueName: "aud")) var aud: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp("Expiry time (default +5m).", valueName: "time"))
    var exp: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Not-before time.", valueName: "time"))
    var nbf: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Issued-at time (default now).", valueName: "time"))
    var iat: String?

    @Flag(name: .customLong("no-exp"), help: "Leave out exp (for negative tests).") var noExp = false
    @Flag(name: .customLong("no-iat"), help: "Leave out iat.") var noIat = false
    @Flag(name: .customLong("no-jti"), help: "Leave out jti.") var noJTI = false

    @Option(help: ArgumentHelp("JWT ID (default: 128 random bits, base64url).", valueName: "jti")) var jti: String?
    @Option(help: ArgumentHelp("Scope claim (space-separated).", valueName: "scope")) var scope: String?

    @Option(help: ArgumentHelp("Delegation: actor sub; repeat to nest, current actor first (RFC 8693 §4.1).", valueName: "sub"))
    var act: [String] = []
    @Option(name: .customLong("act-claim"), help: ArgumentHelp("Extra member of the innermost act object.", valueName: "name=value"))
    var actClaim: [String] = []
    @Option(name: .customLong("may-act"), help: ArgumentHelp("may_act claim, a JSON object (RFC 8693 §4.4).", valueName: "json"))
    var mayAct: String?

    @Option(help: ArgumentHelp("Claim; VALUE is JSON when it parses, else a string; NAME=@FILE reads JSON. Repeatable.",
                               valueName: "name=value"))
    var claim: [String] = []
    @Option(help: ArgumentHelp("Claims from a JSON object file; \"-\" reads stdin.", valueName: "file"))
    var claims: String?
    @Option(help: ArgumentHelp("Header member, like --claim; may replace alg, typ or kid. Repeatable.", valueName: "name=value"))
    var header: [String] = []

    @Option(help: ArgumentHelp("Fixed clock: epoch seconds or RFC 3339.", valueName: "time"))
    var now: String?
    @Option(help: ArgumentHelp("Mint N tokens, one a line, each with its own jti.", valueName: "n"))
    var count: Int = 1

    @OptionGroup var passphrase: PassphraseOptions

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
        if let warning = Input.keyFileWarning(key) { Diagnostics.writeStderr("wif-mint: \(warning)\n") }
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
