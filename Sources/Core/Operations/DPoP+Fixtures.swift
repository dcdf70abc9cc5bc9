// SPDX-License-Identifier: Apache-2.0

extension DPoP {
    /// Named proofs for tests (`wif-mint dpop --fixtures`), each signed for real and wrong in exactly one way, with
    /// the reason `wif-verify dpop` gives it under the document's own `htm`, `htu`, `now`, `nonce`, `ath` (the
    /// document's `access_token`) and `jkt`. `reused_jti` repeats the jti of `valid`: it fails only when `valid`
    /// was verified first with the same replay cache.
    public static let fixtureReasons: [(name: String, reason: Reason?)] = [
        ("valid", nil), ("missing_jti", .dpopMalformed), ("crit_header", .dpopMalformed),
        ("b64_header", .dpopMalformed), ("wrong_typ", .dpopBadTyp), ("alg_none", .dpopAlgNotAllowed),
        ("symmetric_alg", .dpopAlgNotAllowed), ("missing_jwk", .dpopBadJWK), ("private_key_in_header", .dpopPrivateJWK),
        ("signature_by_another_key", .dpopBadSignature), ("wrong_htm", .dpopHTMMismatch), ("wrong_htu", .dpopHTUMismatch),
        ("stale_iat", .dpopIatStale), ("future_iat", .dpopIatFuture), ("missing_nonce", .dpopBadNonce),
        ("wrong_nonce", .dpopBadNonce), ("missing_ath", .dpopATHMissing), ("wrong_ath", .dpopATHMismatch),
        ("another_key", .dpopJKTMismatch), ("reused_jti", .dpopReplayedJTI),
    ]

    public static let fixtureAccessToken = "wif-dpop-fixture-access-token"
    public static let fixtureNonce = "wif-dpop-fixture-nonce"

    /// The fixtures document: the verification inputs, then `proofs` and `reasons` by name.
    public static func fixtures(key: JWK, alg: Algorithm?, htm: String, htu: String, accessToken: [UInt8]?,
                                nonce: String?, now: Int64) throws(WIFError) -> JSON {
        let at = accessToken ?? Array(fixtureAccessToken.utf8)
        let nonce = nonce ?? fixtureNonce
        let a: Algorithm
        if let alg { a = alg } else { a = try key.defaultAlgorithm() }
        var base = ProofSpec(htm: htm, htu: htu, iat: now)
        base.alg = a
        base.accessToken = at
        base.nonce = nonce
        func spec(_ edit: (inout ProofSpec) -> Void) -> ProofSpec { var s = base; edit(&s); return s }
        func header(_ edit: (inout JSONObject) -> Void = { _ in }) -> JSONObject {
            var h = JSONObject()
            h["typ"] = .string(typ)
            h["alg"] = .string(a.rawValue)
            h["jwk"] = .object(publicJWK(key))
            edit(&h)
            return h
        }
        func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }
        let validClaims = try claims(base)
        var proofs = JSONObject()
        proofs["valid"] = .string(text(try sign(header: header(), claims: validClaims, key: key, alg: a)))
        var noJTI = try claims(base)
        noJTI["jti"] = nil
        proofs["missing_jti"] = .string(text(try sign(header: header(), claims: noJTI, key: key, alg: a)))
        proofs["crit_header"] = .string(text(try sign(header: header {
            $0["crit"] = .array([.string("wif-unknown")]); $0["wif-unknown"] = .bool(true)
        }, claims: try claims(base), key: key, alg: a)))
        proofs["b64_header"] = .string(text(try sign(header: header { $0["b64"] = .bool(true) }, claims: try claims(base),
                                                     key: key, alg: a)))
        proofs["wrong_typ"] = .string(text(try sign(header: header { $0["typ"] = .string("JWT") }, claims: try claims(base),
                                                    key: key, alg: a)))
        var noneHeader = [UInt8](), body = [UInt8]()
        JSON.object(header { $0["alg"] = .string("none") }).write(to: &noneHeader)
        JSON.object(try claims(base)).write(to: &body)
        proofs["alg_none"] = .string(Base64URL.encode(noneHeader) + "." + Base64URL.encode(body) + ".")
        let secret = try JWK.generate(alg: .hs256)
        proofs["symmetric_alg"] = .string(text(try sign(header: header { $0["alg"] = .string("HS256") },
                                                        claims: try claims(base), key: secret, alg: .hs256)))
        proofs["missing_jwk"] = .string(text(try sign(header: header { $0["jwk"] = nil }, claims: try claims(base),
                                                      key: key, alg: a)))
        var priv = JSONObject()
        for m in key.json(includePrivate: true) where !["kid", "alg", "use", "key_ops"].containsExactly(m.name) {
            priv[m.name] = m.value
        }
        proofs["private_key_in_header"] = .string(text(try sign(header: header { $0["jwk"] = .object(priv) },
                                                                claims: try claims(base), key: key, alg: a)))
        let other = try JWK.generate(alg: a)
        proofs["signature_by_another_key"] = .string(text(try sign(header: header(), claims: try claims(base), key: other, alg: a)))
        proofs["wrong_htm"] = .string(text(try mint(spec { $0.htm = htm.same("GET") ? "POST" : "GET" }, key: key)))
        proofs["wrong_htu"] = .string(text(try mint(spec { $0.htu = targetURI(htu) + "/wrong" }, key: key)))
        proofs["stale_iat"] = .string(text(try mint(spec { $0.iat = now - 3600 }, key: key)))
        proofs["future_iat"] = .string(text(try mint(spec { $0.iat = now + 600 }, key: key)))
        proofs["missing_nonce"] = .string(text(try mint(spec { $0.nonce = nil }, key: key)))
        proofs["wrong_nonce"] = .string(text(try mint(spec { $0.nonce = "wrong-" + nonce }, key: key)))
        proofs["missing_ath"] = .string(text(try mint(spec { $0.accessToken = nil }, key: key)))
        proofs["wrong_ath"] = .string(text(try mint(spec { $0.accessToken = at + Array("-other".utf8) }, key: key)))
        proofs["another_key"] = .string(text(try mint(base, key: other)))
        var reused = try claims(base)
        reused["jti"] = validClaims["jti"]
        proofs["reused_jti"] = .string(text(try sign(header: header(), claims: reused, key: key, alg: a)))
        var reasons = JSONObject()
        for (n, r) in fixtureReasons { reasons[n] = r.map { .string($0.rawValue) } ?? .null }
        var o = JSONObject()
        o["htm"] = .string(htm)
        o["htu"] = .string(htu)
        o["now"] = .integer(now)
        o["nonce"] = .string(nonce)
        o["access_token"] = .string(String(decoding: at, as: UTF8.self))
        o["jkt"] = .string(key.thumbprint)
        o["proofs"] = .object(proofs)
        o["reasons"] = .object(reasons)
        return .object(o)
    }
}
