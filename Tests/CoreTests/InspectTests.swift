// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// wif-inspect's engine through its typed report: what each input is, the JSON member order of `--json`, the
/// readers (findings, verdicts, tokens) on values, and `signature.verified` whenever the signature verified.
@Suite struct InspectTests {
    static let now: Int64 = 1767323400
    static let aud = "https://as.example/token"

    static func key() throws(WIFError) -> JWK { try RotationCheckTests.old }

    static func token(exp: Int64? = nil, aud: String = InspectTests.aud) throws(WIFError) -> [UInt8] {
        var spec = TokenSpec(now: now)
        spec.iss = "https://ci.example"
        spec.sub = "job"
        spec.aud = [aud]
        spec.exp = exp
        spec.jti = .fixed("j-1")
        return try Minter(spec: spec, key: try key()).next()
    }

    static func validator() throws(WIFError) -> Validator {
        let pub = try reparse(try key(), includePrivate: false)
        var policy = Policy(profile: .rfc7523)
        policy.audiences = [aud]
        return try Validator(keys: KeyRing(keys: [pub]), policy: policy)
    }

    static func names(_ j: JSON) -> [String] { j.objectValue?.keys ?? [] }

    @Test func tokenReportIsTyped() throws {
        let r = try Inspector(now: Self.now).inspect(try Self.token())
        guard case .token(let t) = r else { Issue.record("not a token: \(r.json.serialized())"); return }
        #expect(t.kind == .jws && t.header?["kid"] == .string("old") && t.payload?["sub"] == .string("job"))
        #expect(t.times.map(\.name) == ["exp", "iat"] && t.times[0].relative == "expires in 5m")
        #expect(t.signature?.verified == false && t.verdict == nil)
        #expect(Self.names(r.json) == ["size", "type", "header", "payload", "times", "signature", "findings"])
        #expect(r.findings.isEmpty && !r.rejected && r.tokens.count == 1)
    }

    /// The members of `--json` keep their order: verdict before signature, as in every earlier version.
    @Test func verdictAndSignatureOrder() throws {
        let r = try Inspector(now: Self.now, validator: try Self.validator()).inspect(try Self.token())
        #expect(Self.names(r.json) == ["size", "type", "header", "payload", "times", "verdict", "signature", "findings"])
        #expect(r.json.objectValue?["verdict"] == .object(JSONObject([("valid", .bool(true))])))
    }

    /// An expired, correctly signed token: rejected, and its signature verified with the key (kid, thumbprint).
    @Test func signatureVerifiedWhenClaimsAreRejected() throws {
        let key = try Self.key()
        for bytes in [try Self.token(exp: Self.now - 120), try Self.token(aud: "https://other")] {
            let r = try Inspector(now: Self.now, validator: try Self.validator()).inspect(bytes)
            guard case .token(let t) = r else { Issue.record("not a token"); continue }
            #expect(t.verdict?.valid == false && r.rejected)
            #expect(t.signature?.verifiedBy?.thumbprint == key.thumbprint)
            let sig = r.json.objectValue?["signature"]?.objectValue
            #expect(sig?["verified"] == .bool(true) && sig?["key"] == .string(key.thumbprint) && sig?["key_kid"] == .string("old"))
            #expect(InspectText.render(r, color: false).contains(": verified with key \(key.thumbprint) (kid old)\n"))
        }
        // A forged signature is not verified.
        var forged = try Self.token()
        forged[forged.count - 2] = forged[forged.count - 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let r = try Inspector(now: Self.now, validator: try Self.validator()).inspect(forged)
        guard case .token(let t) = r else { Issue.record("not a token"); return }
        #expect(t.verdict?.rejection?.reason == .badSignature && t.signature?.verified == false)
    }

    /// A request's own findings and its tokens' findings, read from values; --claim reads the tokens.
    @Test func requestReaders() throws {
        let tok = String(decoding: try Self.token(exp: Self.now - 10), as: UTF8.self)
        let body = Array("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(tok)&scope=a&scope=b".utf8)
        let r = try Inspector(now: Self.now).inspect(body)
        guard case .request(let req) = r else { Issue.record("not a request"); return }
        #expect(req.grant == "JWT bearer grant (RFC 7523 §2.1)")
        #expect(req.parameters.map(\.name) == ["grant_type", "assertion", "scope", "scope"])
        #expect(r.findings.map(\.code) == ["repeated_parameter", "expired"])
        #expect(r.tokens.first?.payload?["jti"] == .string("j-1"))
        #expect(Self.names(r.json) == ["type", "grant_type", "grant", "parameters", "tokens", "findings"])
    }

    /// Key sets come from KeySetLint: an unsupported curve is invalid_key, from the error's reason, not its text.
    @Test func keySetEntries() throws {
        let x25519 = JSON.object(JSONObject([("kty", .string("OKP")), ("crv", .string("X25519")), ("kid", .string("x")),
                                             ("x", .string(Base64URL.encode([UInt8](repeating: 9, count: 32))))]))
        let set = RotationCheckTests.set([RotationCheckTests.pub(try Self.key()), x25519, .string("junk")])
        let r = try Inspector(now: Self.now).inspect(set)
        guard case .jwks(let s) = r else { Issue.record("not a key set"); return }
        #expect(s.entries.count == 2)
        guard case .skipped(let kid, _, let why) = s.entries[1] else { Issue.record("not skipped"); return }
        #expect(kid == .string("x") && why.contains("X25519"))
        #expect(r.findings.map(\.code) == ["invalid_key", "missing_alg", "missing_use", "invalid_key"])
        #expect(InspectText.render(r, color: false).contains("1. skipped: "))
    }

    /// The set's own members are shown, but cannot replace the report's `type` or `findings`.
    @Test func keySetExtraMembersDoNotReplaceTheReportsOwn() throws {
        let text = "{\"keys\":[],\"type\":\"x\",\"findings\":1,\"note\":\"hi\"}"
        let r = try Inspector(now: Self.now).inspect(Array(text.utf8))
        #expect(r.json.objectValue?["type"] == .string("jwks"))
        #expect(Self.names(r.json) == ["type", "keys", "note", "findings"])
    }
}
