// SPDX-License-Identifier: Apache-2.0

/// The option values of `wif-mint token`, checked and turned into a `TokenSpec` here.
///
/// Rules:
/// - `--count` is at least 1, and a fixed jti (`--jti` or a `jti` claim) cannot be combined with a count above 1;
/// - `--no-exp`/`--exp`, `--no-iat`/`--iat`, `--no-jti`/`--jti` exclude each other;
/// - `--act-claim` needs an `--act`; `--may-act` is a JSON object;
/// - `--max-uses` is a whole number from 1 to 1000000 (`UseBudget.parse`) and needs an exp: a replay cache
///   counts uses only of a token it can remember for its whole life;
/// - `--key` and `--claims` cannot both read standard input;
/// - times are resolved against one clock; an absolute time before 2001 (`--exp 300`) is kept but warned about,
///   since it almost always meant the offset `+300`.
public struct MintSettings: Sendable {
    public var key = ""
    public var alg: String?
    public var kid: String?
    public var typ: String?
    public var iss: String?
    public var sub: String?
    public var aud: [String] = []
    public var exp: String?
    public var nbf: String?
    public var iat: String?
    public var noExp = false
    public var noIat = false
    public var noJTI = false
    public var jti: String?
    public var scope: String?
    public var act: [String] = []
    public var actClaims: [String] = []
    public var mayAct: String?
    public var maxUses: String?
    public var claims: [String] = []
    public var claimsFile: String?
    public var headers: [String] = []
    public var count = 1
    /// `id-jag`: an ID-JAG (typ oauth-id-jag+jwt) with iss, sub, aud, client_id, jti, exp and iat required.
    public var profile: String?
    public var clientID: String?
    /// `resource` claim of an ID-JAG: a string for one, an array for more.
    public var resource: [String] = []

    public init() {}

    /// NumericDate of 2001-01-01T00:00:00Z: an absolute time before it is warned about.
    public static let implausiblyEarly: Int64 = 978_307_200

    /// The checked spec, and warnings for the user.
    public func spec(clock: Clock) throws(WIFError) -> (spec: TokenSpec, warnings: [String]) {
        if key == "-" && claimsFile == "-" { throw WIFError(.usage, "--key and --claims cannot both read standard input") }
        guard count >= 1 else { throw WIFError(.usage, "--count must be at least 1, not \(count)") }
        if noExp && exp != nil { throw WIFError(.usage, "--no-exp and --exp cannot be combined") }
        if noIat && iat != nil { throw WIFError(.usage, "--no-iat and --iat cannot be combined") }
        if noJTI && jti != nil { throw WIFError(.usage, "--no-jti and --jti cannot be combined") }
        if !actClaims.isEmpty && act.isEmpty { throw WIFError(.usage, "--act-claim needs at least one --act") }
        if maxUses != nil && noExp {
            throw WIFError(.usage, "--max-uses and --no-exp cannot be combined: a replay cache counts uses only of a token with exp")
        }
        let now = clock.now()
        var warnings: [String] = []
        func instant(_ text: String?, _ flag: String) throws(WIFError) -> Int64? {
            guard let text else { return nil }
            let v = try NumericDate.parseInstant(text, now: now, what: flag)
            if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), v < MintSettings.implausiblyEarly {
                warnings.append("\(flag) \(JSON.escapedForMessage(text)) is an absolute time before 2001 (\(NumericDate.formatRFC3339(v))); for an offset from now write \(flag) +\(JSON.escapedForMessage(text))")
            }
            return v
        }
        var spec = TokenSpec(now: now)
        if let alg { spec.alg = try Algorithm.parse(alg) }
        spec.kid = kid
        spec.typ = typ ?? "JWT"
        spec.iss = iss
        spec.sub = sub
        spec.aud = aud
        spec.exp = try instant(exp, "--exp")
        spec.nbf = try instant(nbf, "--nbf")
        spec.iat = try instant(iat, "--iat")
        spec.noExp = noExp
        spec.noIat = noIat
        spec.jti = noJTI ? .omitted : jti.map { .fixed($0) } ?? .random
        spec.scope = scope
        if let maxUses { spec.maxUses = try UseBudget.parse(maxUses) }
        spec.act = act
        for a in actClaims { let (n, v) = try Assignment.parse(a, flag: "--act-claim"); spec.actClaims[n] = v }
        if let mayAct {
            guard let v = try? JSON.parse(mayAct), v.objectValue != nil else {
                throw WIFError(.usage, "--may-act must be a JSON object, e.g. '{\"sub\":\"admin\"}'")
            }
            spec.mayAct = v
        }
        if let claimsFile {
            let o: JSONObject
            do { o = try JSON.parseObject(try Input.read(claimsFile), what: Input.label(claimsFile)) }
            catch { throw WIFError(.usage, "--claims: \(error.detail)") }
            for m in o { spec.claims[m.name] = m.value }
        }
        for c in claims { let (n, v) = try Assignment.parse(c, flag: "--claim"); spec.claims[n] = v }
        for h in headers { let (n, v) = try Assignment.parse(h, flag: "--header"); spec.headers[n] = v }
        if count > 1 && (spec.claims["jti"] != nil || spec.jti != .random) && !noJTI {
            throw WIFError(.usage, "a fixed jti cannot be combined with --count above 1: each token gets its own")
        }
        if let profile {
            guard profile == "id-jag" else {
                throw WIFError(.usage, "wif-mint token --profile takes id-jag only, not \"\(JSON.escapedForMessage(profile))\"")
            }
            guard iss != nil, sub != nil, !aud.isEmpty, let clientID else {
                throw WIFError(.usage, "--profile id-jag needs --iss, --sub, --aud (the authorization server's issuer) and --client-id")
            }
            if noExp || noIat || noJTI { throw WIFError(.usage, "--profile id-jag requires exp, iat and jti: --no-exp, --no-iat and --no-jti do not go with it") }
            if typ == nil { spec.typ = "oauth-id-jag+jwt" }
            spec.claims["client_id"] = .string(clientID)
            if resource.count == 1 { spec.claims["resource"] = .string(resource[0]) }
            if resource.count > 1 { spec.claims["resource"] = .array(resource.map { .string($0) }) }
        } else if clientID != nil || !resource.isEmpty {
            throw WIFError(.usage, "--client-id and --resource go with --profile id-jag")
        }
        return (spec, warnings)
    }

    /// Whether standard input carries other input than a passphrase.
    public var readsStandardInput: Bool { key == "-" || claimsFile == "-" }
}
