// SPDX-License-Identifier: Apache-2.0

/// A finding about inspected input: a stable code, a severity and a message.
public struct Finding: Sendable {
    public enum Severity: String, Sendable, Comparable {
        case info, warning, error
        var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }
    public let code: String
    public let severity: Severity
    public let message: String

    public init(_ code: String, _ severity: Severity, _ message: String) {
        self.code = code
        self.severity = severity
        self.message = message
    }

    var json: JSON {
        .object(JSONObject([("code", .string(code)), ("severity", .string(severity.rawValue)), ("message", .string(message))]))
    }
}

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
    static let secretParams: Set<String> = ["client_secret", "password", "refresh_token", "code", "code_verifier"]
    static let tokenParams = ["assertion", "client_assertion", "subject_token", "actor_token"]

    /// The report for `input`, as JSON; `findings` are collected across nested parts.
    public func inspect(_ input: [UInt8]) throws(WIFError) -> JSON {
        let t = Input.trim(input)
        if t.isEmpty { throw WIFError(.inputInvalid, "the input is empty") }
        if t.starts(with: Array("-----BEGIN".utf8)) { return try pem(t) }
        if t.first == UInt8(ascii: "{") { return try jsonInput(t) }
        if t.allSatisfy({ Inspector.isTokenChar($0) }) && t.contains(UInt8(ascii: ".")) { return token(t) }
        let lines = t.split(separator: 0x0A).map { Input.trim(Array($0)) }.filter { !$0.isEmpty }
        if lines.count > 1 && lines.allSatisfy({ $0.allSatisfy(Inspector.isTokenChar) && $0.contains(UInt8(ascii: ".")) }) {
            var o = JSONObject()
            o["type"] = .string("tokens")
            o["tokens"] = .array(lines.map { token($0) })
            return .object(o)
        }
        if t.contains(UInt8(ascii: "=")), let body = try? FormEncoding.decode(t), body.contains(where: { $0.0.same("grant_type") }) {
            return request(body)
        }
        throw WIFError(.inputInvalid, "the input is none of: a compact JWT, a JWK, a JWKS, a PEM key, a token request",
                       hint: "wif-inspect reads a token, key, key set or form-encoded token request")
    }

    public static func isTokenChar(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F || c == 0x2E
    }

    // MARK: Tokens

    func token(_ bytes: [UInt8]) -> JSON {
        var o = JSONObject()
        var findings: [Finding] = []
        let dots = bytes.filter { $0 == UInt8(ascii: ".") }.count
        o["size"] = .integer(Int64(bytes.count))
        if dots == 4 {
            o["type"] = .string("jwe")
            let seg = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)[0]
            if let h = Base64URL.decode(Array(seg)), let obj = try? JSON.parseObject(h, what: "the header") {
                o["header"] = .object(obj)
            }
            findings.append(Finding("encrypted", .info, "a JWE (encrypted token): only its header can be shown"))
            o["findings"] = .array(findings.map(\.json))
            return .object(o)
        }
        o["type"] = .string("jws")
        let jws: CompactJWS
        do {
            jws = try CompactJWS.parse(bytes, maxSize: Inspector.maxInput)
        } catch {
            findings.append(Finding("malformed", .error, error.detail))
            o["findings"] = .array(findings.map(\.json))
            return .object(o)
        }
        let h = jws.header
        o["header"] = .object(h)
        var claims: JSONObject?
        do {
            claims = try jws.claims()
            o["payload"] = .object(claims ?? JSONObject())
        } catch {
            if let s = String(validating: jws.payload, as: UTF8.self) { o["payload_text"] = .string(s) }
            findings.append(Finding("payload_not_json", .error, error.detail))
        }
        // Signature
        let alg = h["alg"]?.stringValue
        var sig = JSONObject()
        sig["alg"] = alg.map { .string($0) } ?? .null
        sig["bytes"] = .integer(Int64(jws.signature.count))
        sig["kid"] = h["kid"] ?? .null
        findings += headerFindings(h, signatureBytes: jws.signature.count)
        if let c = claims {
            let (times, tf) = timeReport(c)
            if !times.isEmpty { o["times"] = .object(times) }
            findings += tf
            findings += claimFindings(c)
            if let chain = delegation(c) { o["delegation"] = .array(chain) }
        }
        if let validator, let a = alg.flatMap({ Algorithm(exactly: $0) }), a.family == .hmac {
            let kid = h["kid"]?.stringValue
            for k in validator.keys.keys where k.keyType == .oct && (kid == nil || k.kid.map { $0.same(kid ?? "") } == true) {
                if let n = k.secret?.count, n < a.hashLength {
                    findings.append(Finding("short_hmac_key", .error, "key\(k.kidLabel) has \(n) bytes, less than \(a.rawValue)'s \(a.hashLength) (RFC 7518 §3.2)"))
                }
            }
        }
        if let validator {
            do {
                let v = try validator.verify(bytes, now: now)
                sig["verified"] = .bool(true)
                sig["key"] = .string(v.key.thumbprint)
                o["verdict"] = .object(JSONObject([("valid", .bool(true))]))
            } catch {
                sig["verified"] = .bool(false)
                var verdict = JSONObject()
                verdict["valid"] = .bool(false)
                verdict["error"] = .string(error.reason.isRejection ? error.reason.oauthError.rawValue : "invalid_request")
                verdict["reason"] = .string(error.reason.rawValue)
                verdict["message"] = .string(error.detail)
                o["verdict"] = .object(verdict)
                if error.reason == .algKeyMismatch {
                    findings.append(Finding("alg_key_mismatch", .error, error.detail))
                }
            }
        } else {
            sig["verified"] = .bool(false)
        }
        o["signature"] = .object(sig)
        o["findings"] = .array(findings.map(\.json))
        return .object(o)
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
        return f
    }

    func timeReport(_ c: JSONObject) -> (JSONObject, [Finding]) {
        var o = JSONObject()
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
            o[name] = .object(JSONObject([("value", c[name] ?? .null), ("utc", .string(NumericDate.formatRFC3339(t))),
                                          ("relative", .string(rel))]))
        }
        return (o, f)
    }

    /// The act chain, current actor first (RFC 8693 §4.1), or nil without act.
    func delegation(_ c: JSONObject) -> [JSON]? {
        guard var level = c["act"] else { return nil }
        var out: [JSON] = []
        while out.count < Policy.hardMaxDelegationDepth, let o = level.objectValue {
            var entry = o
            entry["act"] = nil
            out.append(.object(entry))
            guard let next = o["act"] else { break }
            level = next
        }
        return out
    }

    // MARK: JSON inputs

    func jsonInput(_ t: [UInt8]) throws(WIFError) -> JSON {
        let o: JSONObject
        do { o = try JSON.parseObject(t, what: "the input") } catch { throw error }
        if EncryptedKey.isWIFFile(o) { return try encryptedKey(t) }
        if o["keys"] != nil && o["kty"] == nil { return jwks(o) }
        if o["kty"] != nil { return jwk(o) }
        if o["grant_type"] != nil {
            var pairs: [(String, String)] = []
            for m in o {
                if let s = m.value.stringValue { pairs.append((m.name, s)) }
                for e in m.value.arrayValue ?? [] { if let s = e.stringValue { pairs.append((m.name, s)) } }
            }
            return request(pairs)
        }
        if o["payload"] != nil && (o["signatures"] != nil || o["signature"] != nil) {
            throw WIFError(.inputInvalid, "the input is a JWS in JSON serialization; wif handles compact tokens only")
        }
        let named = o.members.filter { m in
            guard let s = m.value.stringValue else { return false }
            return s.utf8.allSatisfy(Inspector.isTokenChar) && s.utf8.filter({ $0 == UInt8(ascii: ".") }).count == 2
        }
        if !named.isEmpty {
            var out = JSONObject()
            out["type"] = .string("named_tokens")
            var toks = JSONObject()
            for m in named { toks[m.name] = token(Array((m.value.stringValue ?? "").utf8)) }
            out["tokens"] = .object(toks)
            if let k = o["jwks"]?.objectValue { out["jwks"] = jwks(k) }
            return .object(out)
        }
        throw WIFError(.inputInvalid, "the input is a JSON object but not a JWK, JWKS, token request or set of tokens")
    }

    func keyEntry(_ k: JWK) -> JSONObject {
        var e = JSONObject()
        e["kid"] = k.kid.map { .string($0) } ?? .null
        e["kty"] = .string(k.keyType.rawValue)
        if let c = k.curve { e["crv"] = .string(c.rawValue) } else { e["bits"] = .integer(Int64(k.bits)) }
        e["alg"] = k.algName.map { .string($0) } ?? .null
        e["use"] = k.use.map { .string($0) } ?? .null
        if let ops = k.keyOps { e["key_ops"] = .array(ops.map { .string($0) }) }
        e["private"] = .bool(k.isPrivate)
        e["thumbprint"] = .string(k.thumbprint)
        return e
    }

    func keyFindings(_ k: JWK, label: String, inSet: Bool) -> [Finding] {
        var f: [Finding] = []
        if inSet && k.keyType == .oct {
            f.append(Finding("symmetric_key", .error, "\(label) is a symmetric (oct) key: its secret must never be published"))
        } else if inSet && k.isPrivate {
            f.append(Finding("private_members", .error, "\(label) carries private key material (RFC 7517 §9.2)"))
        }
        if k.kid == nil { f.append(Finding("no_kid", .warning, "\(label) has no kid")) }
        if k.algName == nil { f.append(Finding("no_alg", .warning, "\(label) has no alg (RFC 8725 §3.1: one key, one algorithm)")) }
        if k.use == nil && k.keyOps == nil { f.append(Finding("no_use", .warning, "\(label) has no use")) }
        if let a = k.algName, Algorithm(exactly: a) == nil {
            f.append(Finding("non_signature_alg", .info, "\(label) is for alg \(a), not a JWS signature algorithm"))
        }
        return f
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

    func jwk(_ o: JSONObject) -> JSON {
        var out = JSONObject()
        out["type"] = .string("jwk")
        out["members"] = .object(jwkDisplay(o))
        var findings: [Finding] = []
        do {
            let k = try JWK.parse(o, what: "the key")
            out["key"] = .object(keyEntry(k))
            findings += keyFindings(k, label: "the key", inSet: false)
            if k.isPrivate { findings.append(Finding("private_key", .info, "a private key: keep it secret; publish only `wif-mint jwks` output")) }
        } catch {
            findings.append(Finding(error.reason == .keyWeak ? "weak_key" : "invalid_key", .error, error.detail))
        }
        out["findings"] = .array(findings.map(\.json))
        return .object(out)
    }

    func jwks(_ o: JSONObject) -> JSON {
        var out = JSONObject()
        out["type"] = .string("jwks")
        var findings: [Finding] = []
        var entries: [JSON] = []
        var kids: [String: String] = [:]
        let arr = o["keys"]?.arrayValue
        if arr == nil { findings.append(Finding("no_keys", .error, "\"keys\" is missing or not an array")) }
        for (i, e) in (arr ?? []).prefix(JWKSet.maxKeys).enumerated() {
            let label = "key \(i)"
            guard let ko = e.objectValue else {
                findings.append(Finding("invalid_key", .error, "\(label) is not a JSON object"))
                continue
            }
            do {
                let k = try JWK.parse(ko, what: label)
                entries.append(.object(keyEntry(k)))
                findings += keyFindings(k, label: "\(label)\(k.kidLabel)", inSet: true)
                if let kid = k.kid {
                    if let t = kids[kid] {
                        findings.append(Finding("duplicate_kid", .error, "kid \"\(JSON.escapedForMessage(kid))\" names \(t == k.thumbprint ? "the same key twice" : "two different keys")"))
                    }
                    kids[kid] = k.thumbprint
                }
            } catch {
                var entry = JSONObject()
                entry["kid"] = ko["kid"] ?? .null
                entry["kty"] = ko["kty"] ?? .null
                entry["skipped"] = .string(error.detail)
                entries.append(.object(entry))
                let code = error.reason == .keyWeak ? "weak_key" : error.detail.contains("unsupported") ? "unsupported_key" : "invalid_key"
                findings.append(Finding(code, code == "unsupported_key" ? .warning : .error, error.detail))
            }
        }
        if (arr?.count ?? 0) > JWKSet.maxKeys { findings.append(Finding("too_many_keys", .error, "more than \(JWKSet.maxKeys) keys")) }
        if arr?.isEmpty == true { findings.append(Finding("empty_jwks", .warning, "the set has no keys: every token signed for it is invalid")) }
        out["keys"] = .array(entries)
        for m in o where m.name != "keys" { out[m.name] = m.value }
        out["findings"] = .array(findings.map(\.json))
        return .object(out)
    }

    /// A wif encrypted key file, shown from its clear members; it is not decrypted.
    func encryptedKey(_ t: [UInt8]) throws(WIFError) -> JSON {
        // Shown, not opened: costs up to what --max-kdf-memory can allow are displayed.
        let e = try EncryptedKey.parse(t, what: "the encrypted key", maxMemory: Argon2.Parameters.hardMaxMemoryKiB)
        var out = JSONObject()
        out["type"] = .string("encrypted_key")
        out["kid"] = .string(e.kid)
        out["alg"] = .string(e.alg)
        out["kdf"] = .object(JSONObject([("alg", .string(EncryptedKey.kdfName)),
                                         ("memory_kib", .integer(Int64(e.parameters.memoryKiB))),
                                         ("time", .integer(Int64(e.parameters.iterations))),
                                         ("lanes", .integer(Int64(e.parameters.lanes)))]))
        out["enc"] = .string(EncryptedKey.encName)
        out["findings"] = .array([Finding("encrypted_key", .info, "a wif encrypted private key; wif-mint key decrypt opens it").json])
        return .object(out)
    }

    func pem(_ t: [UInt8]) throws(WIFError) -> JSON {
        if KeySource.isEncryptedPEM(t) {
            var out = JSONObject()
            out["type"] = .string("encrypted_pem")
            out["findings"] = .array([Finding("encrypted_key", .info, "an encrypted PKCS#8 private key; wif-mint key decrypt opens it").json])
            return .object(out)
        }
        let k = try JWK.fromPEM(t, what: "the PEM key")
        var out = JSONObject()
        out["type"] = .string("pem")
        out["key"] = .object(keyEntry(k))
        out["jwk"] = .object(k.json(includePrivate: false))
        var findings: [Finding] = []
        if k.isPrivate { findings.append(Finding("private_key", .info, "a private key: keep it secret; publish only `wif-mint jwks` output")) }
        out["findings"] = .array(findings.map(\.json))
        return .object(out)
    }

    // MARK: Requests

    func request(_ pairs: [(String, String)]) -> JSON {
        var out = JSONObject()
        out["type"] = .string("request")
        var params: [JSON] = []
        var findings: [Finding] = []
        var seen: [String: Int] = [:]
        var tokens = JSONObject()
        for (k, v) in pairs {
            seen[k, default: 0] += 1
            let shown = Inspector.secretParams.contains(k) ? "(secret, \(v.utf8.count) bytes)" : v
            params.append(.object(JSONObject([("name", .string(k)), ("value", .string(shown))])))
            if Inspector.tokenParams.contains(k) { tokens[k] = token(Array(v.utf8)) }
        }
        for (k, n) in seen.sorted(by: { $0.key < $1.key }) where n > 1 && k != "resource" && k != "audience" {
            findings.append(Finding("repeated_parameter", .error, "\(k) appears \(n) times (RFC 6749 §3.2: invalid_request)"))
        }
        let grant = pairs.first { $0.0.same("grant_type") }?.1
        out["grant_type"] = grant.map { .string($0) } ?? .null
        switch grant {
        case TokenRequest.jwtBearerGrant?:
            out["grant"] = .string("JWT bearer grant (RFC 7523 §2.1)")
            if seen["assertion"] == nil { findings.append(Finding("missing_parameter", .error, "assertion is missing (invalid_request)")) }
        case TokenRequest.tokenExchangeGrant?:
            out["grant"] = .string("token exchange (RFC 8693)")
            for p in ["subject_token", "subject_token_type"] where seen[p] == nil {
                findings.append(Finding("missing_parameter", .error, "\(p) is missing (invalid_request)"))
            }
        case TokenRequest.clientCredentialsGrant?:
            out["grant"] = .string("client credentials (RFC 6749 §4.4)")
        default:
            findings.append(Finding("unknown_grant", .warning, "grant_type \(grant ?? "(none)") is not one wif knows"))
        }
        if seen["client_assertion"] != nil,
           pairs.first(where: { $0.0.same("client_assertion_type") })?.1.same(TokenRequest.clientAssertionType) != true {
            findings.append(Finding("bad_client_assertion_type", .error, "client_assertion_type must be \(TokenRequest.clientAssertionType)"))
        }
        out["parameters"] = .array(params)
        if !tokens.isEmpty { out["tokens"] = .object(tokens) }
        out["findings"] = .array(findings.map(\.json))
        return .object(out)
    }

    // MARK: Summary

    /// Every finding in a report, nested parts included.
    public static func allFindings(_ report: JSON) -> [Finding] {
        var out: [Finding] = []
        func walk(_ j: JSON) {
            guard let o = j.objectValue else { return }
            for f in o["findings"]?.arrayValue ?? [] {
                if let fo = f.objectValue, let c = fo["code"]?.stringValue,
                   let s = fo["severity"]?.stringValue.flatMap(Finding.Severity.init(rawValue:)) {
                    out.append(Finding(c, s, fo["message"]?.stringValue ?? ""))
                }
            }
            for key in ["tokens", "jwks"] {
                if let a = o[key]?.arrayValue { a.forEach(walk) }
                if let n = o[key]?.objectValue { if n["type"] != nil { walk(.object(n)) } else { n.forEach { walk($0.value) } } }
            }
        }
        walk(report)
        return out
    }

    /// Whether any token in the report got a rejecting verdict.
    public static func anyRejected(_ report: JSON) -> Bool {
        guard let o = report.objectValue else { return false }
        if o["verdict"]?.objectValue?["valid"]?.boolValue == false { return true }
        for key in ["tokens"] {
            if let a = o[key]?.arrayValue, a.contains(where: anyRejected) { return true }
            if let n = o[key]?.objectValue, n.contains(where: { anyRejected($0.value) }) { return true }
        }
        return false
    }
}
