// SPDX-License-Identifier: Apache-2.0

/// Explains tokens, keys and token requests (the engine of `wif-inspect`).
///
/// Detection, on the input with surrounding whitespace removed:
/// 1. `-----BEGIN` → a PEM key;
/// 2. `{` → JSON: `keys` → JWKS; `kty` → JWK; `grant_type` → token-request parameters; an object whose
///    values are all compact tokens → named tokens (`wif-mint fixtures`); `payload`/`signatures` → JWS JSON
///    serialization (named, not decoded);
/// 3. only base64url characters and dots: one line → a token (three segments JWS, five JWE);
///    several lines of them → one token a line;
/// 4. `name=value&...` with a `grant_type` → a form-encoded token request;
/// 5. anything else → `input_invalid` (exit 2).
/// Secrets are never shown: private key members and secret request parameters appear as their size only.
public struct Inspector {
    public var now: Int64
    /// With keys, tokens get exactly the checks of `wif-verify` and a verdict.
    public var validator: Validator?

    public init(now: Int64, validator: Validator? = nil) {
        self.now = now
        self.validator = validator
    }

    public static let maxInput = 1 << 20
    static let secretParams = ["client_secret", "password", "refresh_token", "code", "code_verifier"]

    /// Whether a request parameter may hold a secret: one of `secretParams`, or a name that starts with one or
    /// holds "secret" or "password" (fail closed: `client_secret%00` is shown by its size, never in clear).
    static func isSecretParameter(_ name: String) -> Bool {
        let lower = name.lowercased()
        return secretParams.contains { lower.hasPrefix($0) } || lower.contains("secret") || lower.contains("password")
    }
    static let tokenParams = ["assertion", "client_assertion", "subject_token", "actor_token"]

    /// The report for `input`.
    public func inspect(_ input: [UInt8]) throws(WIFError) -> InspectionReport {
        let t = Input.trim(input)
        if t.isEmpty { throw WIFError(.inputInvalid, "the input is empty") }
        if t.starts(with: Array("-----BEGIN".utf8)) { return try pem(t) }
        if t.first == UInt8(ascii: "{") { return try jsonInput(t) }
        if t.allSatisfy({ Inspector.isTokenChar($0) }) && t.contains(UInt8(ascii: ".")) { return .token(token(t)) }
        let lines = t.split(separator: 0x0A).map { Input.trim(Array($0)) }.filter { !$0.isEmpty }
        if lines.count > 1 && lines.allSatisfy({ $0.allSatisfy(Inspector.isTokenChar) && $0.contains(UInt8(ascii: ".")) }) {
            return .tokens(lines.map { token($0) })
        }
        if t.contains(UInt8(ascii: "=")), let body = try? FormEncoding.decode(t), body.contains(where: { $0.0.same("grant_type") }) {
            return .request(request(body))
        }
        throw WIFError(.inputInvalid, "the input is none of: a compact JWT, a JWK, a JWKS, a PEM key, a token request",
                       hint: "wif-inspect reads a token, key, key set or form-encoded token request")
    }

    public static func isTokenChar(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F || c == 0x2E
    }

    // MARK: Tokens

    func token(_ bytes: [UInt8]) -> TokenReport {
        let dots = bytes.filter { $0 == UInt8(ascii: ".") }.count
        if dots == 4 {
            var r = TokenReport(kind: .jwe, size: bytes.count)
            let seg = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)[0]
            if let h = Base64URL.decode(Array(seg)), let obj = try? JSON.parseObject(h, what: "the header") {
                r.header = obj
            }
            r.findings.append(Finding("encrypted", .info, "a JWE (encrypted token): only its header can be shown"))
            return r
        }
        var r = TokenReport(kind: .jws, size: bytes.count)
        let jws: CompactJWS
        do {
            jws = try CompactJWS.parse(bytes, maxSize: Inspector.maxInput)
        } catch {
            r.findings.append(Finding("malformed", .error, error.detail))
            return r
        }
        let h = jws.header
        r.header = h
        var claims: JSONObject?
        do {
            claims = try jws.claims()
            r.payload = claims ?? JSONObject()
        } catch {
            if let s = String(validating: jws.payload, as: UTF8.self) { r.payloadText = s }
            r.findings.append(Finding("payload_not_json", .error, error.detail))
        }
        let alg = h["alg"]?.stringValue
        var sig = TokenReport.Signature(alg: alg, bytes: jws.signature.count, kid: h["kid"], verifiedBy: nil)
        r.findings += headerFindings(h, signatureBytes: jws.signature.count)
        if let c = claims {
            let (times, tf) = timeReport(c)
            r.times = times
            r.findings += tf
            r.findings += claimFindings(c)
            r.delegation = delegation(c)
        }
        if let validator, let a = alg.flatMap({ Algorithm(exactly: $0) }), a.family == .hmac {
            let kid = h["kid"]?.stringValue
            for k in validator.keys.keys where k.keyType == .oct && (kid == nil || k.kid.map { $0.same(kid ?? "") } == true) {
                if let n = k.secret?.count, n < a.hashLength {
                    r.findings.append(Finding("short_hmac_key", .error, "key\(k.kidLabel) has \(n) bytes, less than \(a.rawValue)'s \(a.hashLength) (RFC 7518 §3.2)"))
                }
            }
        }
        if let validator {
            do {
                let v = try validator.verify(bytes, now: now)
                sig.verifiedBy = v.key
                r.verdict = TokenReport.Verdict(valid: true, rejection: nil)
            } catch {
                // A token rejected for its claims (expired, wrong audience, ...) was still signed by a key.
                sig.verifiedBy = Inspector.signatureKey(jws, validator: validator)
                let oauth = error.reason.isRejection ? error.reason.oauthError.rawValue : "invalid_request"
                r.verdict = TokenReport.Verdict(valid: false, rejection: (oauth, error.reason, error.detail))
                if error.reason == .algKeyMismatch {
                    r.findings.append(Finding("alg_key_mismatch", .error, error.detail))
                }
            }
        }
        r.signature = sig
        return r
    }

    /// The key that the signature verifies with, by the validator's own steps 2-5 (alg, headers, key choice,
    /// signature), whatever the claims say; nil when a step before the claims fails.
    /// The loop repeats step 5 of `Validator.verify`; it belongs in Validator (one function for both callers).
    static func signatureKey(_ jws: CompactJWS, validator: Validator) -> JWK? {
        guard let (alg, candidates) = try? validator.checkHeaderAndKeys(jws.header) else { return nil }
        return jws.bytes.withUnsafeBytes { all -> JWK? in
            let input = UnsafeRawBufferPointer(rebasing: all[0..<jws.signingInputEnd])
            return jws.signature.withUnsafeBytes { sig -> JWK? in
                for i in candidates {
                    if let v = try? validator.verifier(i, alg), v.verify(signature: sig, message: input) {
                        return validator.keys.keys[i]
                    }
                }
                return nil
            }
        }
    }

    func headerFindings(_ h: JSONObject, signatureBytes: Int) -> [Finding] {
        var f: [Finding] = []
        let alg = h["alg"]?.stringValue
        if alg == nil {
            f.append(Finding("no_alg", .error, "the header has no alg string"))
        } else if let alg, alg.sameIgnoringASCIICase("none") {
            f.append(Finding("alg_none", .error, "alg \"\(alg)\": an unsecured token, never accepted (RFC 8725 §3.2)"))
        } else if let alg, Algorithm(exactly: alg) == nil {
            f.append(Finding("unknown_alg", .error, "alg \"\(JSON.escapedForMessage(alg))\" is not a JWS algorithm wif knows"))
        }
        if h["typ"] == nil { f.append(Finding("no_typ", .info, "no typ header (explicit typing, RFC 8725 §3.11)")) }
        if h["kid"] == nil { f.append(Finding("no_kid", .info, "no kid: a verifier must try every key that fits")) }
        for name in ["jwk", "jku", "x5u", "x5c"] where h[name] != nil {
            f.append(Finding("embedded_key", .warning, "header \(name) names a key inside the token; verifiers must not trust it (RFC 8725 §3.10)"))
        }
        if h["crit"] != nil { f.append(Finding("crit", .warning, "crit lists extensions a verifier must understand, or reject the token")) }
        if h["b64"] != nil { f.append(Finding("b64", .warning, "b64 (RFC 7797) changes the signing input; JWTs do not use it")) }
        if let cty = h["cty"]?.stringValue, Policy.sameTyp(cty, "JWT") {
            f.append(Finding("nested_jwt", .warning, "cty JWT marks a nested JWT"))
        }
        if let alg, let a = Algorithm(exactly: alg) {
            let expected: Int? = a.family == .hmac ? a.hashLength : a.family == .ecdsa ? 2 * (a.requiredCurve?.size ?? 32)
                : a == .ed25519 ? 64 : a == .ed448 ? 114 : nil
            if let expected, signatureBytes != expected {
                f.append(Finding("signature_length", .error, "\(alg) signatures have \(expected) bytes, this one \(signatureBytes)"))
            }
        }
        return f
    }

    func claimFindings(_ c: JSONObject) -> [Finding] {
        var f: [Finding] = []
        if c["exp"] == nil { f.append(Finding("no_exp", .warning, "no exp: the token never expires")) }
        if c["aud"] == nil { f.append(Finding("no_aud", .warning, "no aud: any relying party would accept it (RFC 8725 §3.9)")) }
        if c["jti"] == nil { f.append(Finding("no_jti", .warning, "no jti: replay cannot be detected (RFC 7523 §3)")) }
        if c["iss"] == nil { f.append(Finding("no_iss", .warning, "no iss: the issuer cannot be checked (RFC 7523 §3)")) }
        if let exp = c["exp"]?.doubleValue {
            let start = c["iat"]?.doubleValue ?? Double(now)
            let life = exp - start
            if life > 3600 {
                let span = life < 1e15 ? NumericDate.formatSpan(Int64(life)) : "beyond 30 million years"
                f.append(Finding("long_lifetime", .warning, "lifetime \(span) is over an hour"))
            }
        }
        for name in ["exp", "nbf", "iat"] {
            if let v = c[name], v.doubleValue == nil {
                f.append(Finding("bad_numeric_date", .error, "\(name) is \(v.serialized()), not a NumericDate number"))
            }
        }
        if let sub = c["sub"]?.stringValue, sub.hasPrefix("spiffe://"), let why = SPIFFEID.problem(sub) {
            f.append(Finding("bad_spiffe_id", .warning, "sub looks like a SPIFFE ID but \(why)"))
        }
        if c["cnf"] != nil {
            // The verdict of --jwks judges the token alone: a bound token also needs its proof (RFC 9449 §7).
            do {
                if let jkt = try DPoP.boundKey(c) {
                    f.append(Finding("dpop_bound", .warning, "bound to the DPoP key with thumbprint \(JSON.escapedForMessage(jkt))"
                                     + " (cnf.jkt): a verifier needs its proof too, which is not checked here"))
                }
            } catch {
                f.append(Finding("dpop_bound", .warning, error.detail + ": wif-verify rejects it (dpop_bound_token)"))
            }
        }
        do {
            if let n = try UseBudget.of(c) {
                let times = n == 1 ? "once" : "\(n) times"
                f.append(Finding("use_budget", .info,
                                 "\(UseBudget.claim) \(n): a verifier with a replay cache accepts it at most \(times)"))
            }
        } catch {
            f.append(Finding("bad_use_budget", .error, error.detail))
        }
        return f
    }

    func timeReport(_ c: JSONObject) -> ([TokenReport.Time], [Finding]) {
        var o: [TokenReport.Time] = []
        var f: [Finding] = []
        for name in ["exp", "nbf", "iat", "auth_time"] {
            guard let d = c[name]?.doubleValue, abs(d) < 1e12 else { continue }
            let t = Int64(d.rounded(.down))
            let delta = t - now
            let rel: String
            switch name {
            case "exp":
                rel = delta > 0 ? "expires in \(NumericDate.formatSpan(delta))" : "expired \(NumericDate.formatSpan(-delta)) ago"
                if delta <= 0 { f.append(Finding("expired", .warning, "expired \(NumericDate.formatSpan(-delta)) ago")) }
            case "nbf":
                rel = delta > 0 ? "valid in \(NumericDate.formatSpan(delta))" : "valid since \(NumericDate.formatSpan(-delta)) ago"
                if delta > 0 { f.append(Finding("not_yet_valid", .warning, "not valid for another \(NumericDate.formatSpan(delta))")) }
            default:
                rel = delta > 0 ? "in \(NumericDate.formatSpan(delta)) (in the future)" : "\(NumericDate.formatSpan(-delta)) ago"
                if name == "iat" && delta > 0 {
                    f.append(Finding("iat_in_future", .warning, "issued \(NumericDate.formatSpan(delta)) in the future"))
                }
            }
            o.append(TokenReport.Time(name: name, value: c[name] ?? .null, utc: NumericDate.formatRFC3339(t), relative: rel))
        }
        return (o, f)
    }

    /// The act chain, current actor first (RFC 8693 §4.1), or nil without act.
    func delegation(_ c: JSONObject) -> [JSONObject]? { Delegation.levels(c) }

    // MARK: JSON inputs

    func jsonInput(_ t: [UInt8]) throws(WIFError) -> InspectionReport {
        let o: JSONObject
        do { o = try JSON.parseObject(t, what: "the input") } catch { throw error }
        if EncryptedKey.isWIFFile(o) { return try encryptedKey(t) }
        if o["keys"] != nil && o["kty"] == nil { return .jwks(jwks(o)) }
        if o["kty"] != nil { return .jwk(jwk(o)) }
        if o["grant_type"] != nil {
            var pairs: [(String, String)] = []
            for m in o {
                if let s = m.value.stringValue { pairs.append((m.name, s)) }
                for e in m.value.arrayValue ?? [] { if let s = e.stringValue { pairs.append((m.name, s)) } }
            }
            return .request(request(pairs))
        }
        if o["payload"] != nil && (o["signatures"] != nil || o["signature"] != nil) {
            throw WIFError(.inputInvalid, "the input is a JWS in JSON serialization; wif handles compact tokens only")
        }
        let named = o.members.filter { m in
            guard let s = m.value.stringValue else { return false }
            return s.utf8.allSatisfy(Inspector.isTokenChar) && s.utf8.filter({ $0 == UInt8(ascii: ".") }).count == 2
        }
        if !named.isEmpty {
            return .namedTokens(tokens: named.map { ($0.name, token(Array(($0.value.stringValue ?? "").utf8))) },
                                jwks: o["jwks"]?.objectValue.map(jwks))
        }
        throw WIFError(.inputInvalid, "the input is a JSON object but not a JWK, JWKS, token request or set of tokens")
    }

    /// A JWK as shown: public members as they are, private members by their size only.
    func jwkDisplay(_ o: JSONObject) -> JSONObject {
        var out = JSONObject()
        for m in o {
            if ["d", "p", "q", "dp", "dq", "qi", "k", "oth"].contains(m.name) {
                let n = m.value.stringValue.flatMap { Base64URL.decode($0) }?.count ?? 0
                out[m.name] = .string("(secret, \(n) bytes)")
            } else {
                out[m.name] = m.value
            }
        }
        return out
    }

    func jwk(_ o: JSONObject) -> JWKReport {
        var findings: [Finding] = []
        var key: JWK?
        do {
            let k = try JWK.parse(o, what: "the key")
            key = k
            findings += KeySetLint.memberFindings(o, key: k, label: "the key")
            if k.isPrivate { findings.append(Finding("private_key", .info, "a private key: keep it secret; publish only `wif-mint jwks` output")) }
        } catch {
            let code: KeySetLint.Code = error.reason == .keyWeak ? .weakKey : .invalidKey
            findings.append(Finding(code.rawValue, code.severity, error.detail))
        }
        return JWKReport(members: jwkDisplay(o), key: key, findings: findings)
    }

    /// A key set, linted by `KeySetLint` (the linter of `jwks-check`). Entries that are not objects are only
    /// findings; the set's members other than `keys` follow (not `type` or `findings`, which are the report's).
    func jwks(_ o: JSONObject) -> KeySetReport {
        let lint = KeySetLint(o)
        var entries: [KeySetReport.Entry] = []
        for e in lint.entries {
            guard let raw = e.raw else { continue }
            if let k = e.key {
                entries.append(.key(k))
            } else {
                entries.append(.skipped(kid: raw["kid"], kty: raw["kty"], why: e.problem?.detail ?? "unusable"))
            }
        }
        var extra = JSONObject()
        for m in o where !["keys", "type", "findings"].contains(m.name) { extra[m.name] = m.value }
        return KeySetReport(entries: entries, extra: extra, findings: lint.findings)
    }

    /// A wif encrypted key file, shown from its clear members; it is not decrypted.
    func encryptedKey(_ t: [UInt8]) throws(WIFError) -> InspectionReport {
        // Shown, not opened: costs up to what --max-kdf-memory can allow are displayed.
        let e = try EncryptedKey.parse(t, what: "the encrypted key", maxMemory: Argon2.Parameters.hardMaxMemoryKiB)
        return .encryptedKey(EncryptedKeyReport(kid: e.kid, alg: e.alg, parameters: e.parameters, findings: [
            Finding("encrypted_key", .info, "a wif encrypted private key; wif-mint key decrypt opens it"),
        ]))
    }

    func pem(_ t: [UInt8]) throws(WIFError) -> InspectionReport {
        if KeySource.isEncryptedPEM(t) {
            return .encryptedPEM(findings: [
                Finding("encrypted_key", .info, "an encrypted PKCS#8 private key; wif-mint key decrypt opens it"),
            ])
        }
        let k = try JWK.fromPEM(t, what: "the PEM key")
        var findings: [Finding] = []
        if k.isPrivate { findings.append(Finding("private_key", .info, "a private key: keep it secret; publish only `wif-mint jwks` output")) }
        return .pem(PEMReport(key: k, findings: findings))
    }

    // MARK: Requests

    func request(_ pairs: [(String, String)]) -> RequestReport {
        var params: [(name: String, value: String)] = []
        var findings: [Finding] = []
        var seen: [String: Int] = [:]
        var tokens: [(name: String, token: TokenReport)] = []
        for (k, v) in pairs {
            seen[k, default: 0] += 1
            let shown = Inspector.isSecretParameter(k) ? "(secret, \(v.utf8.count) bytes)" : v
            params.append((k, shown))
            if Inspector.tokenParams.contains(k) {
                // A repeated token parameter keeps its first place and shows its last value.
                if let i = tokens.firstIndex(where: { $0.name.utf8.elementsEqual(k.utf8) }) { tokens[i].token = token(Array(v.utf8)) }
                else { tokens.append((k, token(Array(v.utf8)))) }
            }
        }
        for (k, n) in seen.sorted(by: { $0.key < $1.key }) where n > 1 && !FormEncoding.mayRepeat(k) {
            findings.append(Finding("repeated_parameter", .error, "\(k) appears \(n) times (RFC 6749 §3.2: invalid_request)"))
        }
        let grant = pairs.first { $0.0.same("grant_type") }?.1
        var name: String?
        switch grant {
        case TokenRequest.jwtBearerGrant?:
            name = "JWT bearer grant (RFC 7523 §2.1)"
            if seen["assertion"] == nil { findings.append(Finding("missing_parameter", .error, "assertion is missing (invalid_request)")) }
        case TokenRequest.tokenExchangeGrant?:
            name = "token exchange (RFC 8693)"
            for p in ["subject_token", "subject_token_type"] where seen[p] == nil {
                findings.append(Finding("missing_parameter", .error, "\(p) is missing (invalid_request)"))
            }
        case TokenRequest.clientCredentialsGrant?:
            name = "client credentials (RFC 6749 §4.4)"
        default:
            findings.append(Finding("unknown_grant", .warning, "grant_type \(grant ?? "(none)") is not one wif knows"))
        }
        if seen["client_assertion"] != nil,
           pairs.first(where: { $0.0.same("client_assertion_type") })?.1.same(TokenRequest.clientAssertionType) != true {
            findings.append(Finding("bad_client_assertion_type", .error, "client_assertion_type must be \(TokenRequest.clientAssertionType)"))
        }
        return RequestReport(grantType: grant, grant: name, parameters: params, tokens: tokens, findings: findings)
    }

    /// The input of `wif-inspect`: the one rule for token arguments (`Input.tokenArgument`), and besides a token
    /// a JSON object (`{...}`) or a form body (text with `=`) pasted as the argument; at most `maxInput` bytes;
    /// empty input is nothing to inspect (exit 2).
    public static func read(_ arg: String) throws(WIFError) -> [UInt8] {
        let path: String
        let kind: Input.TokenArgument
        do { kind = try Input.tokenArgument(arg, what: "the input") } catch {
            if arg.hasPrefix("{") || arg.contains("=") { return Array(arg.utf8) }
            throw error
        }
        switch kind {
        case .literal(let t): return Array(t.utf8)
        case .standardInput: path = "-"
        case .file(let p): path = p
        }
        let data = try Input.read(path, limit: maxInput)
        guard !Input.trim(data).isEmpty else { throw Input.emptyInput(path, what: "the input") }
        return data
    }

    /// What `--claim NAME` or `--header NAME` selects (they exclude each other), or nil for the whole view.
    public static func selection(claim: String?, header: String?) throws(WIFError) -> (name: String, inHeader: Bool)? {
        if claim != nil && header != nil { throw WIFError(.usage, "--claim and --header cannot be combined") }
        return claim.map { ($0, false) } ?? header.map { ($0, true) }
    }

    /// One claim or header member of each token in a report: the values found (strings raw, others as JSON),
    /// and whether some token lacks it. A report with no token is a usage error.
    public static func extract(_ report: InspectionReport, name: String,
                               inHeader: Bool) throws(WIFError) -> (found: [String], missing: Bool) {
        let tokens = report.tokens
        guard !tokens.isEmpty else { throw WIFError(.usage, "--\(inHeader ? "header" : "claim") needs a token in the input") }
        var found: [String] = []
        var missing = false
        for t in tokens {
            guard let v = (inHeader ? t.header : t.payload)?[name] else { missing = true; continue }
            found.append(v.stringValue ?? v.serialized())
        }
        return (found, missing)
    }
}
