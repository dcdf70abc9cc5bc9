// SPDX-License-Identifier: Apache-2.0

/// A finding about inspected input: a stable code, a severity and a message.
public struct Finding: Sendable, Equatable {
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

    public var json: JSON {
        .object(JSONObject([("code", .string(code)), ("severity", .string(severity.rawValue)), ("message", .string(message))]))
    }
}

/// What `Inspector` found in its input, as Swift values: the JSON of `wif-inspect --json` is `json` (member names
/// are API, member order follows the input) and the human view is `InspectText.render`. Readers of a report
/// (`findings`, `rejected`, `tokens`) walk these values, never the JSON.
public enum InspectionReport: Sendable {
    case token(TokenReport)
    /// Several tokens, one a line.
    case tokens([TokenReport])
    /// `wif-mint fixtures` output: tokens by name, and its key set.
    case namedTokens(tokens: [(name: String, token: TokenReport)], jwks: KeySetReport?)
    case jwk(JWKReport)
    case jwks(KeySetReport)
    case pem(PEMReport)
    case encryptedKey(EncryptedKeyReport)
    case encryptedPEM(findings: [Finding])
    case request(RequestReport)

    /// Every finding, nested parts included, in report order (a part's own findings before those of its tokens).
    public var findings: [Finding] {
        switch self {
        case .token(let t): return t.findings
        case .tokens(let ts): return ts.flatMap(\.findings)
        case .namedTokens(let ts, let jwks): return ts.flatMap(\.token.findings) + (jwks?.findings ?? [])
        case .jwk(let k): return k.findings
        case .jwks(let s): return s.findings
        case .pem(let p): return p.findings
        case .encryptedKey(let e): return e.findings
        case .encryptedPEM(let f): return f
        case .request(let r): return r.findings + r.tokens.flatMap(\.token.findings)
        }
    }

    /// Every token of the report, in report order (for `--claim` and `--header`).
    public var tokens: [TokenReport] {
        switch self {
        case .token(let t): return [t]
        case .tokens(let ts): return ts
        case .namedTokens(let ts, _): return ts.map(\.token)
        case .request(let r): return r.tokens.map(\.token)
        case .jwk, .jwks, .pem, .encryptedKey, .encryptedPEM: return []
        }
    }

    /// Whether any token got a rejecting verdict (with a validator).
    public var rejected: Bool { tokens.contains { $0.verdict?.valid == false } }

    public var json: JSON {
        switch self {
        case .token(let t): return t.json
        case .tokens(let ts): return .object(JSONObject([("type", .string("tokens")), ("tokens", .array(ts.map(\.json)))]))
        case .namedTokens(let ts, let jwks):
            var o = JSONObject([("type", .string("named_tokens")),
                                ("tokens", .object(JSONObject(ts.map { ($0.name, $0.token.json) })))])
            if let jwks { o["jwks"] = jwks.json }
            return .object(o)
        case .jwk(let k): return k.json
        case .jwks(let s): return s.json
        case .pem(let p): return p.json
        case .encryptedKey(let e): return e.json
        case .encryptedPEM(let f):
            return .object(JSONObject([("type", .string("encrypted_pem")), ("findings", .array(f.map(\.json)))]))
        case .request(let r): return r.json
        }
    }
}

/// A compact token: a JWS decoded, or a JWE's protected header.
public struct TokenReport: Sendable {
    public enum Kind: String, Sendable { case jws, jwe }

    /// A time claim in words: its value, RFC 3339 UTC, and its distance from now.
    public struct Time: Sendable {
        public let name: String
        public let value: JSON
        public let utc: String
        public let relative: String
    }

    public struct Signature: Sendable {
        /// The header's alg when it is a string.
        public let alg: String?
        public let bytes: Int
        /// The header's kid member as given (any JSON), or nil.
        public let kid: JSON?
        /// The key the signature verified with (with a validator), whatever the claims say.
        public var verifiedBy: JWK?
        public var verified: Bool { verifiedBy != nil }
    }

    /// The judgement of `wif-verify`'s validator.
    public struct Verdict: Sendable {
        public let valid: Bool
        /// The OAuth error, the wif reason and the message when rejected.
        public let rejection: (error: String, reason: Reason, message: String)?
    }

    public let kind: Kind
    public let size: Int
    public var header: JSONObject?
    public var payload: JSONObject?
    /// The payload as text when it is not JSON but UTF-8.
    public var payloadText: String?
    public var times: [Time] = []
    /// The act chain, current actor first (RFC 8693 §4.1), each level without its inner act.
    public var delegation: [JSONObject]?
    public var verdict: Verdict?
    public var signature: Signature?
    public var findings: [Finding] = []

    public init(kind: Kind, size: Int) {
        self.kind = kind
        self.size = size
    }

    public var json: JSON {
        var o = JSONObject([("size", .integer(Int64(size))), ("type", .string(kind.rawValue))])
        if let header { o["header"] = .object(header) }
        if let payload { o["payload"] = .object(payload) }
        if let payloadText { o["payload_text"] = .string(payloadText) }
        if !times.isEmpty {
            o["times"] = .object(JSONObject(times.map {
                ($0.name, .object(JSONObject([("value", $0.value), ("utc", .string($0.utc)), ("relative", .string($0.relative))])))
            }))
        }
        if let delegation { o["delegation"] = .array(delegation.map { .object($0) }) }
        if let verdict {
            var v = JSONObject([("valid", .bool(verdict.valid))])
            if let r = verdict.rejection {
                v["error"] = .string(r.error)
                v["reason"] = .string(r.reason.rawValue)
                v["message"] = .string(r.message)
            }
            o["verdict"] = .object(v)
        }
        if let s = signature {
            var j = JSONObject([("alg", s.alg.map { .string($0) } ?? .null), ("bytes", .integer(Int64(s.bytes))),
                                ("kid", s.kid ?? .null), ("verified", .bool(s.verified))])
            if let key = s.verifiedBy {
                j["key"] = .string(key.thumbprint)
                j["key_kid"] = key.kid.map { .string($0) } ?? .null
            }
            o["signature"] = .object(j)
        }
        o["findings"] = .array(findings.map(\.json))
        return .object(o)
    }
}

/// A key as shown: kid, type and size, alg, use, key_ops, whether it is private, and its RFC 7638 thumbprint.
func keySummaryJSON(_ k: JWK) -> JSONObject {
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

/// A single JWK: its members (secrets by size), the key when it can be used, and the findings.
public struct JWKReport: Sendable {
    public let members: JSONObject
    public let key: JWK?
    public let findings: [Finding]

    public var json: JSON {
        var o = JSONObject([("type", .string("jwk")), ("members", .object(members))])
        if let key { o["key"] = .object(keySummaryJSON(key)) }
        o["findings"] = .array(findings.map(\.json))
        return .object(o)
    }
}

/// A JWK Set: one entry per object in `keys`, the set's other members, and `KeySetLint`'s findings.
public struct KeySetReport: Sendable {
    public enum Entry: Sendable {
        case key(JWK)
        /// An entry that cannot be used: its kid and kty as given, and why.
        case skipped(kid: JSON?, kty: JSON?, why: String)
    }
    public let entries: [Entry]
    /// The set's members other than `keys`, in order.
    public let extra: JSONObject
    public let findings: [Finding]

    public var json: JSON {
        var o = JSONObject([("type", .string("jwks")), ("keys", .array(entries.map { e in
            switch e {
            case .key(let k): return .object(keySummaryJSON(k))
            case .skipped(let kid, let kty, let why):
                return .object(JSONObject([("kid", kid ?? .null), ("kty", kty ?? .null), ("skipped", .string(why))]))
            }
        }))])
        for m in extra { o[m.name] = m.value }
        o["findings"] = .array(findings.map(\.json))
        return .object(o)
    }
}

/// A PEM key, shown by its public half.
public struct PEMReport: Sendable {
    public let key: JWK
    public let findings: [Finding]

    public var json: JSON {
        .object(JSONObject([("type", .string("pem")), ("key", .object(keySummaryJSON(key))),
                            ("jwk", .object(key.json(includePrivate: false))), ("findings", .array(findings.map(\.json)))]))
    }
}

/// A wif encrypted key file, from its clear members.
public struct EncryptedKeyReport: Sendable {
    public let kid: String
    public let alg: String
    public let parameters: Argon2.Parameters
    public let findings: [Finding]

    public var json: JSON {
        .object(JSONObject([
            ("type", .string("encrypted_key")), ("kid", .string(kid)), ("alg", .string(alg)),
            ("kdf", .object(JSONObject([("alg", .string(EncryptedKey.kdfName)),
                                        ("memory_kib", .integer(Int64(parameters.memoryKiB))),
                                        ("time", .integer(Int64(parameters.iterations))),
                                        ("lanes", .integer(Int64(parameters.lanes)))]))),
            ("enc", .string(EncryptedKey.encName)), ("findings", .array(findings.map(\.json))),
        ]))
    }
}

/// A token request: its parameters in order (secrets by size), the tokens inside, and the findings.
public struct RequestReport: Sendable {
    public let grantType: String?
    /// The grant in words, when wif knows it.
    public let grant: String?
    public let parameters: [(name: String, value: String)]
    /// The tokens of the token parameters, by parameter name (a repeated one keeps its first place, last value).
    public let tokens: [(name: String, token: TokenReport)]
    public let findings: [Finding]

    public var json: JSON {
        var o = JSONObject([("type", .string("request")), ("grant_type", grantType.map { .string($0) } ?? .null)])
        if let grant { o["grant"] = .string(grant) }
        o["parameters"] = .array(parameters.map { .object(JSONObject([("name", .string($0.name)), ("value", .string($0.value))])) })
        if !tokens.isEmpty { o["tokens"] = .object(JSONObject(tokens.map { ($0.name, $0.token.json) })) }
        o["findings"] = .array(findings.map(\.json))
        return .object(o)
    }
}
