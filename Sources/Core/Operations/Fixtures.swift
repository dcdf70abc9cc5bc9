// SPDX-License-Identifier: Apache-2.0

/// Named tokens for client tests, each signed with the real key and wrong in exactly one way.
///
/// Under `wif-verify --profile mcp-wif --iss ISS --aud AUD --jwks JWKS --now NOW`, each fixture fails with the
/// reason code its name gives (`valid` passes; `missing_exp` and `missing_jti` give `missing_claim`).
public enum Fixtures {
    /// The fixture names with the reason `wif-verify` gives them (nil: valid).
    public static let expected: [(name: String, reason: Reason?)] = [
        ("valid", nil), ("expired", .expired), ("not_yet_valid", .notYetValid), ("wrong_audience", .badAudience),
        ("wrong_issuer", .badIssuer), ("bad_signature", .badSignature), ("alg_none", .algNone),
        ("missing_exp", .missingClaim), ("missing_jti", .missingClaim), ("unknown_kid", .unknownKid),
        ("lifetime_too_long", .lifetimeTooLong), ("issued_in_future", .issuedInFuture),
    ]

    public static func make(key: JWK, iss: String, sub: String, aud: [String], now: Int64,
                            alg: Algorithm? = nil) throws(WIFError) -> [(String, String)] {
        func spec(_ edit: (inout TokenSpec) -> Void) -> TokenSpec {
            var s = TokenSpec(now: now)
            s.alg = alg
            s.iss = iss
            s.sub = sub
            s.aud = aud
            edit(&s)
            return s
        }
        func mint(_ s: TokenSpec) throws(WIFError) -> String {
            String(decoding: try Minter(spec: s, key: key).next(), as: UTF8.self)
        }
        var out: [(String, String)] = []
        let valid = try mint(spec { _ in })
        out.append(("valid", valid))
        out.append(("expired", try mint(spec { $0.iat = now - 900; $0.exp = now - 600 })))
        out.append(("not_yet_valid", try mint(spec { $0.nbf = now + 600; $0.exp = now + 900 })))
        out.append(("wrong_audience", try mint(spec { $0.aud = ["https://wrong-audience.invalid"] })))
        out.append(("wrong_issuer", try mint(spec { $0.iss = "https://wrong-issuer.invalid" })))
        // Same token with one signature bit flipped: still well-formed, fails only the signature check.
        let parts = valid.split(separator: ".", omittingEmptySubsequences: false)
        var sig = Base64URL.decode(Array(parts[2].utf8)) ?? []
        if !sig.isEmpty { sig[sig.count / 2] ^= 0x01 }
        out.append(("bad_signature", "\(parts[0]).\(parts[1]).\(Base64URL.encode(sig))"))
        // alg none: the valid payload under an unsecured header, empty signature (RFC 7519 §6.1).
        let noneHeader = Base64URL.encode(Array("{\"alg\":\"none\",\"typ\":\"JWT\"}".utf8))
        out.append(("alg_none", "\(noneHeader).\(parts[1])."))
        out.append(("missing_exp", try mint(spec { $0.noExp = true })))
        out.append(("missing_jti", try mint(spec { $0.jti = .omitted })))
        out.append(("unknown_kid", try mint(spec { $0.kid = "unknown-" + key.thumbprint.prefix(8) })))
        out.append(("lifetime_too_long", try mint(spec { $0.exp = now + 7200 })))
        out.append(("issued_in_future", try mint(spec { $0.iat = now + 600; $0.exp = now + 900 })))
        return out
    }

    /// Output formats of `wif-mint fixtures`.
    public enum Format: String, CaseIterable, Sendable {
        case json
        /// The MCP conformance suite's context: client_id, valid_jwt, wrong_audience_jwt, expired_jwt.
        case mcpConformance = "mcp-conformance"
        /// ID-JAGs (`idJAGExpected`): each fails `wif-verify --profile id-jag --client-id ID` as its name says.
        case idJAG = "id-jag"
    }

    /// The ID-JAG fixture names with the reason `wif-verify --profile id-jag --client-id ID` gives them.
    public static let idJAGExpected: [(name: String, reason: Reason?)] = [
        ("valid", nil), ("wrong_typ", .badTyp), ("missing_client_id", .missingClaim),
        ("other_client", .clientIDMismatch), ("wrong_audience", .badAudience), ("expired", .expired),
        ("missing_jti", .missingClaim),
    ]

    /// ID-JAGs (draft-ietf-oauth-identity-assertion-authz-grant) for `clientID`, each wrong in one way.
    public static func makeIDJAG(key: JWK, iss: String, sub: String, aud: [String], now: Int64, alg: Algorithm?,
                                 clientID: String) throws(WIFError) -> [(String, String)] {
        func mint(_ edit: (inout TokenSpec) -> Void) throws(WIFError) -> String {
            var s = TokenSpec(now: now)
            s.alg = alg
            s.typ = TokenEndpoint.idJAGTyp
            s.iss = iss
            s.sub = sub
            s.aud = aud
            s.claims["client_id"] = .string(clientID)
            edit(&s)
            return String(decoding: try Minter(spec: s, key: key).next(), as: UTF8.self)
        }
        return [
            ("valid", try mint { _ in }),
            ("wrong_typ", try mint { $0.typ = "JWT" }),
            ("missing_client_id", try mint { $0.claims = JSONObject() }),
            ("other_client", try mint { $0.claims["client_id"] = .string("other-" + clientID) }),
            ("wrong_audience", try mint { $0.aud = ["https://wrong-audience.invalid"] }),
            ("expired", try mint { $0.iat = now - 900; $0.exp = now - 600 }),
            ("missing_jti", try mint { $0.jti = .omitted }),
        ]
    }

    /// `wif-mint fixtures`: every fixture and the public JWKS (`json`), or the conformance context. `--aud` is
    /// required; the key's own kid must agree with `kid` (`KeySource.signingKey`), a key without one is named by it.
    public static func document(key: JWK, kid: String?, iss: String, sub: String, aud: [String], now: Int64,
                                alg: String?, format: String, clientID: String?) throws(WIFError) -> JSON {
        guard !aud.isEmpty else { throw WIFError(.usage, "--aud is required") }
        guard let f = Format.allCases.first(where: { $0.rawValue.same(format) }) else {
            throw WIFError(.usage, "unknown --format \"\(JSON.escapedForMessage(format))\"", hint: "formats: json, mcp-conformance, id-jag")
        }
        var key = key
        if let kid, !kid.isEmpty { key.kid = kid }
        let algorithm = try alg.map { a throws(WIFError) in try Algorithm.parse(a) }
        let tokens = f == .idJAG
            ? try makeIDJAG(key: key, iss: iss, sub: sub, aud: aud, now: now, alg: algorithm, clientID: clientID ?? sub)
            : try make(key: key, iss: iss, sub: sub, aud: aud, now: now, alg: algorithm)
        var o = JSONObject()
        switch f {
        case .mcpConformance:
            let find = { (n: String) in tokens.first { $0.0 == n }?.1 ?? "" }
            o["client_id"] = .string(clientID ?? sub)
            o["valid_jwt"] = .string(find("valid"))
            o["wrong_audience_jwt"] = .string(find("wrong_audience"))
            o["expired_jwt"] = .string(find("expired"))
        case .json, .idJAG:
            for (n, t) in tokens { o[n] = .string(t) }
            if key.keyType != .oct { o["jwks"] = JWKSet(keys: [key]).publicJSON() }
        }
        return .object(o)
    }
}

