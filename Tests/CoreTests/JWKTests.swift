// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// JWK import checks (RFC 7517, RFC 7518 §6, RFC 8037 §2, RFC 8812 §3.1, REFERENCES D3.5), RFC 7638 thumbprints,
/// generation, export and PEM.
@Suite struct JWKTests {
    // MARK: Thumbprints (RFC 7638)

    /// RFC 7638 §3.1: the thumbprint of the example RSA key, which also carries `alg` and `kid`.
    @Test func rfc7638Thumbprint() throws {
        let key = try parseJWK(RFC.rfc7638Key)
        #expect(key.thumbprint == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        #expect(key.kid == "2011-04-29")
        #expect(key.bits == 2048)
    }

    /// RFC 8037 A.3: the Ed25519 key's thumbprint; a private key has its public key's thumbprint (RFC 7638 §3.2.1).
    @Test func rfc8037Thumbprint() throws {
        #expect(try parseJWK(RFC.ed25519PublicKey).thumbprint == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
        #expect(try parseJWK(RFC.ed25519Key).thumbprint == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    }

    /// Thumbprints of the RFC 7515 keys, computed with Python's hashlib over the RFC 7638 §3.2 member JSON.
    @Test func rfc7515KeyThumbprints() throws {
        #expect(try parseJWK(RFC.a3Key).thumbprint == "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U")
        #expect(try parseJWK(RFC.a3PublicKey).thumbprint == "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U")
        #expect(try parseJWK(RFC.a1Key).thumbprint == "y_x3gCJnL6oKGBBIXScabduwxTVy2Wd2bzRVEUbdUzc")
        #expect(try parseJWK(RFC.a2Key).thumbprint == "IsUn6_e04MaShXFIISMp4kG62LWzMIPy_MvSA5pJgX8")
    }

    /// RFC 7638 §3.2: optional members (`kid`, `use`, `alg`, `key_ops`, unknown ones) never change the thumbprint.
    @Test func thumbprintIgnoresOptionalMembers() throws {
        let extra = jwkJSON([("kty", "OKP"), ("use", "sig"), ("kid", "abc"), ("alg", "EdDSA"), ("x5t", "zzz"),
                             ("crv", "Ed25519"), ("x", RFC.ed25519X), ("ext", "true")])
        #expect(try parseJWK(extra).thumbprint == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    }

    // MARK: RSA import

    /// A 1024-bit and a 2047-bit modulus (made with Python `cryptography`): RFC 7518 §3.3 needs 2048 bits.
    static let rsa1024N = "t5uemu9yRa82rYWQWefkHeveXLhsKQE5XkJ933eJW4rABN0lAa6MehwXe7L1ANzKXf5bxP5Z5yfJ73ZX_s8WTSUGS_1C"
        + "bY8ZWvR-RUQHS2AIrxTNhXa91j7vx1uBU7U47hAki3g34QRH5WrkRqpQVu6JsTB999E-2eeOb7GSAEk"
    static let rsa2047N = "TIdXTJUk5i03sjIioyVGoXZKkdYD32bgNE9XosHbqFsn_mARnW1tkXB_Y7BE4_lKpKIri-s36QCR20Nenf35o4CiKrDu"
        + "w2UT63ijPmdX5bIT4z8aP4ocsfnVGvyb-lnqf2hnPCB6choBFLkCtlmMJKhxfnimTZ5-mlYI9D5wWU8aMQVDFzX27tbyCllpVZ02IZ8sQuVz"
        + "WzorBYh2w2SmG15AFRtMm_RECP5cXcfPz74hXBrNNzqMUajwXqAKF9imeOIwmalUY_QgSlKbgGiybqY9lrlfzfKL4YR7QCZAYF-PZPi83bX0"
        + "J7NHMnpY0JX8JKJgcVYezSC3fyy2GNu-PQ"

    @Test func weakRSAKeysAreRefused() throws {
        #expect(b64u(Self.rsa1024N).count == 128)
        for n in [Self.rsa1024N, Self.rsa2047N] {
            #expect(reason(of: { try parseJWK(jwkJSON([("kty", "RSA"), ("n", n), ("e", "AQAB")])) }) == .keyWeak)
        }
        #expect(reason(of: { try JWK.generate(alg: .rs256, rsaBits: 1024) }) == .keyWeak)
        #expect(reason(of: { try JWK.generate(alg: .ps256, rsaBits: 2040) }) == .keyWeak)
    }

    @Test func rsaImportChecks() throws {
        let n = try #require(try parseJWK(RFC.rfc7638Key).json(includePrivate: false)["n"]?.stringValue)
        func rsa(_ members: [(String, String)]) -> String { jwkJSON([("kty", "RSA"), ("n", n)] + members) }
        _ = try parseJWK(rsa([("e", "AQAB")]))
        _ = try parseJWK(rsa([("e", "Aw")]))                                            // e = 3
        #expect(reason(of: { try parseJWK(rsa([("e", "AQ")])) }) == .keyInvalid)        // e = 1
        #expect(reason(of: { try parseJWK(rsa([("e", "Ag")])) }) == .keyInvalid)        // e = 2
        #expect(reason(of: { try parseJWK(rsa([("e", "AQAA")])) }) == .keyInvalid)      // e = 65536, even
        #expect(reason(of: { try parseJWK(rsa([("e", "AAEAAQ")])) }) == .keyInvalid)    // leading zero byte
        #expect(reason(of: { try parseJWK(rsa([])) }) == .keyInvalid)                   // e missing
        #expect(reason(of: { try parseJWK(rsa([("e", "AQAB="), ])) }) == .keyInvalid)   // padded base64
        // An even modulus is no RSA modulus (OpenSSL's public-key check).
        var even = b64u(n)
        even[even.count - 1] &= 0xFE
        let evenN = Base64URL.encode(even)
        #expect(reason(of: { try parseJWK(jwkJSON([("kty", "RSA"), ("n", evenN), ("e", "AQAB")])) }) == .keyInvalid)
        // Base64urlUInt has no leading zero octets (RFC 7518 §2).
        let padded = Base64URL.encode([0] + b64u(n))
        #expect(reason(of: { try parseJWK(jwkJSON([("kty", "RSA"), ("n", padded), ("e", "AQAB")])) }) == .keyInvalid)
        // Multi-prime keys and partial CRT parameters (RFC 7518 §6.3.2).
        let a2 = try #require(try JSON.parse(RFC.a2Key).objectValue)
        var oth = a2
        oth["oth"] = .array([])
        #expect(reason(of: { try JWK.parse(oth, what: "k") }) == .keyInvalid)
        var partial = a2
        partial["qi"] = nil
        #expect(reason(of: { try JWK.parse(partial, what: "k") }) == .keyInvalid)
        var crtOnly = a2
        crtOnly["d"] = nil
        #expect(reason(of: { try JWK.parse(crtOnly, what: "k") }) == .keyInvalid)
        // A private exponent that does not belong to the modulus.
        var wrongD = a2
        let dp: JSON = try #require(try parseJWK(RFC.a2Key).json(includePrivate: true)["dp"])
        wrongD["d"] = dp
        #expect(reason(of: { try JWK.parse(wrongD, what: "k") }) == .keyInvalid)
        // CRT members that do not belong to d, p and q (OpenSSL signs with them). Each is refused by the algebra
        // of `PKey.rsaPrivateMatches`; before, OpenSSL's CRT fault check redid a probe signature with d, so a
        // wrong dp, dq or qi passed.
        for (member, from) in [("dp", "dq"), ("dq", "dp"), ("qi", "dp"), ("p", "q"), ("q", "p")] {
            var k = a2
            k[member] = a2[from]
            #expect(reason(of: { try JWK.parse(k, what: "k") }) == .keyInvalid, "\(member) = \(from)")
        }
        var swapped = a2
        (swapped["p"], swapped["q"], swapped["dp"], swapped["dq"]) = (a2["q"], a2["p"], a2["dq"], a2["dp"])
        #expect(reason(of: { try JWK.parse(swapped, what: "k") }) == .keyInvalid)   // qi is q⁻¹ mod p, not p⁻¹ mod q
        // The full RFC 7515 A.2 key is fine, with and without its CRT members.
        #expect(try JWK.parse(a2, what: "k").isPrivate)
        var noCRT = a2
        for name in ["p", "q", "dp", "dq", "qi"] { noCRT[name] = nil }
        #expect(try JWK.parse(noCRT, what: "k").isPrivate)
    }

    // MARK: EC import

    static func flipLastBit(_ s: String) -> String {
        var b = b64u(s)
        b[b.count - 1] ^= 1
        return Base64URL.encode(b)
    }

    static func ec(_ crv: String, x: String, y: String, d: String? = nil) -> String {
        var m = [("kty", "EC"), ("crv", crv), ("x", x), ("y", y)]
        if let d { m.append(("d", d)) }
        return jwkJSON(m)
    }

    /// Valid points on other curves, from the Wycheproof P-384 and secp256k1 vector files.
    static let p384X = "LaV92hCJJ2pUP5_9rAv_DZdsrXHrcoDn2b_Z_uS9svIPR_-IgnQ4l3LZjMV1ITiq"
    static let p384Y = "S20FTWnc8-JexJ34cHFeNIg7GDYZfXb4rZYuePZXG7x0B7DWCR-eTYjwFCdEBhdP"
    static let k1X = "uDj_ROW8F3vyEYnQdmCC_J2EMiaIf8l2A3EQC37iCm8"
    static let k1Y = "8MnXW_unsxpryhl0SW7rVt41cHGVXYPEsbraoLIYMuk"

    @Test func badECKeysAreRefused() throws {
        _ = try parseJWK(RFC.a3PublicKey)
        let x = b64u(RFC.a3X), y = b64u(RFC.a3Y)
        let cases: [(String, String)] = [
            ("off-curve y", Self.ec("P-256", x: RFC.a3X, y: Self.flipLastBit(RFC.a3Y))),
            ("off-curve x", Self.ec("P-256", x: Self.flipLastBit(RFC.a3X), y: RFC.a3Y)),
            ("x of 31 bytes", Self.ec("P-256", x: Base64URL.encode(x.dropFirst()), y: RFC.a3Y)),
            ("x of 33 bytes", Self.ec("P-256", x: Base64URL.encode([0] + x), y: RFC.a3Y)),
            ("y of 31 bytes", Self.ec("P-256", x: RFC.a3X, y: Base64URL.encode(y.dropFirst()))),
            ("y of 33 bytes", Self.ec("P-256", x: RFC.a3X, y: Base64URL.encode([0] + y))),
            ("all-zero point", Self.ec("P-256", x: Base64URL.encode([UInt8](repeating: 0, count: 32)),
                                       y: Base64URL.encode([UInt8](repeating: 0, count: 32)))),
            ("P-384 point labelled P-256", Self.ec("P-256", x: Self.p384X, y: Self.p384Y)),
            ("secp256k1 point labelled P-256", Self.ec("P-256", x: Self.k1X, y: Self.k1Y)),
            ("P-256 point labelled secp256k1", Self.ec("secp256k1", x: RFC.a3X, y: RFC.a3Y)),
            ("unknown curve", Self.ec("P-192", x: RFC.a3X, y: RFC.a3Y)),
            ("lower-case curve", Self.ec("p-256", x: RFC.a3X, y: RFC.a3Y)),
            ("OKP curve on EC", Self.ec("Ed25519", x: RFC.a3X, y: RFC.a3Y)),
            ("y missing", jwkJSON([("kty", "EC"), ("crv", "P-256"), ("x", RFC.a3X)])),
            ("crv missing", jwkJSON([("kty", "EC"), ("x", RFC.a3X), ("y", RFC.a3Y)])),
            ("d of 31 bytes", Self.ec("P-256", x: RFC.a3X, y: RFC.a3Y, d: Base64URL.encode(b64u(RFC.a3D).dropFirst()))),
            ("d of another key", Self.ec("P-256", x: RFC.a3X, y: RFC.a3Y, d: Self.flipLastBit(RFC.a3D))),
            // outside [1, n-1] (the private-key check): zero, and the group order n of P-256
            ("d zero", Self.ec("P-256", x: RFC.a3X, y: RFC.a3Y, d: Base64URL.encode([UInt8](repeating: 0, count: 32)))),
            ("d = n", Self.ec("P-256", x: RFC.a3X, y: RFC.a3Y,
                              d: Base64URL.encode(hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")))),
        ]
        for (what, json) in cases {
            #expect(reason(of: { try parseJWK(json) }) == .keyInvalid, "\(what)")
        }
        // The secp256k1 point is fine under its own name (RFC 8812 §3.1).
        let k1 = try parseJWK(Self.ec("secp256k1", x: Self.k1X, y: Self.k1Y))
        #expect(k1.curve == .secp256k1)
    }

    // MARK: OKP import

    @Test func badOKPKeysAreRefused() throws {
        let x = b64u(RFC.ed25519X)
        let x25519 = "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"
        let x448 = Base64URL.encode([UInt8](repeating: 9, count: 56))
        let cases: [(String, String)] = [
            // RFC 8037 A.6: an X25519 key is for ECDH, not signatures.
            ("X25519", jwkJSON([("kty", "OKP"), ("crv", "X25519"), ("x", x25519)])),
            ("X448", jwkJSON([("kty", "OKP"), ("crv", "X448"), ("x", x448)])),
            ("EC curve on OKP", jwkJSON([("kty", "OKP"), ("crv", "P-256"), ("x", RFC.ed25519X)])),
            ("x of 31 bytes", jwkJSON([("kty", "OKP"), ("crv", "Ed25519"), ("x", Base64URL.encode(x.dropLast()))])),
            ("x of 33 bytes", jwkJSON([("kty", "OKP"), ("crv", "Ed25519"), ("x", Base64URL.encode(x + [0]))])),
            ("Ed25519 x as Ed448", jwkJSON([("kty", "OKP"), ("crv", "Ed448"), ("x", RFC.ed25519X)])),
            ("d of another key", jwkJSON([("kty", "OKP"), ("crv", "Ed25519"), ("x", RFC.ed25519X),
                                          ("d", Self.flipLastBit(RFC.ed25519D))])),
            ("x missing", jwkJSON([("kty", "OKP"), ("crv", "Ed25519")])),
        ]
        for (what, json) in cases {
            #expect(reason(of: { try parseJWK(json) }) == .keyInvalid, "\(what)")
        }
    }

    // MARK: oct import

    @Test func shortHMACKeysAreRefused() throws {
        func oct(_ n: Int, alg: String? = nil) -> String {
            var m = [("kty", "oct"), ("k", Base64URL.encode([UInt8](repeating: 0xA5, count: n)))]
            if let alg { m.append(("alg", alg)) }
            return jwkJSON(m)
        }
        #expect(reason(of: { try parseJWK(oct(31)) }) == .keyWeak)        // RFC 7518 §3.2: ≥ hash size
        #expect(reason(of: { try parseJWK(oct(16)) }) == .keyWeak)
        #expect(reason(of: { try parseJWK(oct(1)) }) == .keyWeak)
        #expect(try parseJWK(oct(32)).bits == 256)
        #expect(reason(of: { try parseJWK(oct(47, alg: "HS384")) }) == .keyWeak)
        #expect(reason(of: { try parseJWK(oct(32, alg: "HS384")) }) == .keyWeak)
        _ = try parseJWK(oct(48, alg: "HS384"))
        #expect(reason(of: { try parseJWK(oct(63, alg: "HS512")) }) == .keyWeak)
        _ = try parseJWK(oct(64, alg: "HS512"))
        #expect(reason(of: { try parseJWK(#"{"kty":"oct","k":""}"#) }) == .keyInvalid)
        #expect(reason(of: { try parseJWK(#"{"kty":"oct"}"#) }) == .keyInvalid)
        // A key without alg that is long enough for HS256 only still cannot be used for HS512.
        let k32 = try parseJWK(oct(32))
        #expect(reason(of: { try k32.checkFits(.hs512) }) == .keyWeak)
        #expect(reason(of: { try k32.checkFits(.hs256) }) == nil)
    }

    // MARK: alg, kty and member checks

    @Test func algThatDoesNotFitIsRefused() throws {
        func with(_ json: String, alg: String) throws -> String {
            var o = try #require(try JSON.parse(json).objectValue)
            o["alg"] = .string(alg)
            return JSON.object(o).serialized()
        }
        let misfits: [(String, String)] = [
            (RFC.ed25519PublicKey, "ES256"), (RFC.ed25519PublicKey, "Ed448"), (RFC.ed25519PublicKey, "RS256"),
            (RFC.a3PublicKey, "ES384"), (RFC.a3PublicKey, "ES256K"), (RFC.a3PublicKey, "EdDSA"),
            (RFC.a3PublicKey, "HS256"), (RFC.rfc7638Key, "HS256"), (RFC.rfc7638Key, "ES256"),
            (RFC.a1Key, "RS256"), (RFC.a1Key, "EdDSA"),
        ]
        for (key, alg) in misfits {
            #expect(reason(of: { try parseJWK(try with(key, alg: alg)) }) == .keyInvalid, "\(alg)")
        }
        let fits = [(RFC.ed25519PublicKey, "EdDSA"), (RFC.ed25519PublicKey, "Ed25519"), (RFC.a3PublicKey, "ES256"),
                    (RFC.rfc7638Key, "PS512"), (RFC.a1Key, "HS512")]
        for (key, alg) in fits {
            #expect(try parseJWK(try with(key, alg: alg)).algorithm?.rawValue == alg)
        }
        // An unknown alg (e.g. an encryption key in a JWKS) is kept as text but makes the key unusable for JWS.
        let enc = try parseJWK(try with(RFC.rfc7638Key, alg: "RSA-OAEP"))
        #expect(enc.algorithm == nil)
        #expect(reason(of: { try enc.checkFits(.rs256) }) == .keyInvalid)
        // A key with alg fits only that alg (RFC 8725 §3.1).
        let rs = try parseJWK(RFC.rfc7638Key)
        #expect(reason(of: { try rs.checkFits(.ps256) }) == .keyInvalid)
        #expect(reason(of: { try rs.checkFits(.rs256) }) == nil)
    }

    @Test func memberTypesAndKeyTypes() {
        let ed = #""kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo""#
        let bad: [String] = [
            #"{"crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,       // kty missing
            #"{"kty":"okp","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#, // case-sensitive
            #"{"kty":"Bogus"}"#,
            #"{"kty":1}"#,
            #"{\#(ed),"kid":7}"#,
            #"{\#(ed),"key_ops":"verify"}"#,
            #"{\#(ed),"key_ops":["sign","sign"]}"#,
            #"{\#(ed),"key_ops":[1]}"#,
            #"{\#(ed),"use":["sig"]}"#,
            #"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo=="}"#,
            #"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
            #"{"kty":"OKP","crv":"Ed25519","x":11}"#,
        ]
        for json in bad {
            #expect(reason(of: { try parseJWK(json) }) == .keyInvalid, "\(json)")
        }
        // Duplicate member names are a JSON error before they are a key error.
        #expect(reason(of: { try parseJWK(#"{"kty":"oct","kty":"RSA"}"#) }) == .inputInvalid)
    }

    // MARK: Generation

    @Test(arguments: Algorithm.allCases)
    func generateAndRoundTrip(_ alg: Algorithm) throws {
        let key = try GeneratedKeys.key(alg)
        #expect(key.keyType == alg.keyType)
        #expect(key.isPrivate)
        #expect(key.algName == alg.rawValue)
        #expect(key.kid == key.thumbprint)
        #expect(reason(of: { try key.checkFits(alg) }) == nil)
        if let c = alg.requiredCurve { #expect(key.curve == c) }
        if alg == .edDSA { #expect(key.curve == .ed25519) }

        // Private JWK → parse: same key.
        let priv = key.json(includePrivate: true)
        let back = try JWK.parse(priv, what: "generated")
        #expect(back.isPrivate)
        #expect(back.thumbprint == key.thumbprint)
        #expect(back.json(includePrivate: true) == priv)

        // Public JWK: no private member, parses as a public key with the same thumbprint.
        let pub = key.json(includePrivate: false)
        #expect(Set(pub.keys).isDisjoint(with: privateJWKMembers), "\(pub.keys)")
        if alg.family != .hmac {
            let pubKey = try JWK.parse(pub, what: "generated public")
            #expect(!pubKey.isPrivate)
            #expect(pubKey.thumbprint == key.thumbprint)
        }

        // Member sizes (RFC 7518 §6.2.1.2, §6.2.2.1, §6.3.1.1, §6.4.1; RFC 8037 §2).
        func bytes(_ name: String) -> [UInt8] { b64u(priv[name]?.stringValue ?? "") }
        switch alg.family {
        case .hmac:
            #expect(bytes("k").count == alg.hashLength)
        case .rsa, .pss:
            #expect(key.bits == 2048)
            #expect(bytes("n").count == 256 && bytes("n").first != 0)
            #expect(priv["e"]?.stringValue == "AQAB")
            for m in ["d", "p", "q", "dp", "dq", "qi"] { #expect(!bytes(m).isEmpty, "\(m)") }
        case .ecdsa:
            let size = key.curve?.size ?? 0
            for m in ["x", "y", "d"] { #expect(bytes(m).count == size, "\(m)") }
        case .eddsa:
            let size = key.curve?.size ?? 0
            for m in ["x", "d"] { #expect(bytes(m).count == size, "\(m)") }
            #expect(priv["y"] == nil)
        }
    }

    /// Fixed-length EC members keep their leading zero bytes (RFC 7518 §6.2.1.2): about 1 key in 128 has a
    /// coordinate or scalar that starts with 0x00, so make enough keys to meet several.
    @Test(arguments: [(.es256, 400), (.es256k, 200), (.es384, 150), (.es512, 100)] as [(Algorithm, Int)])
    func ecMembersKeepTheirFullLength(_ alg: Algorithm, _ count: Int) throws {
        let size = alg.requiredCurve?.size ?? 0
        for _ in 0..<count {
            let o = try JWK.generate(alg: alg).json(includePrivate: true)
            for m in ["x", "y", "d"] {
                #expect(b64u(o[m]?.stringValue ?? "").count == size, "\(alg.rawValue) \(m)")
            }
        }
    }

    @Test func generateOptions() throws {
        let ed448 = try JWK.generate(alg: .edDSA, curve: .ed448, kid: "mine")
        #expect(ed448.curve == .ed448)
        #expect(ed448.kid == "mine")
        #expect(reason(of: { try JWK.generate(alg: .edDSA, curve: .p256) }) == .usage)
        #expect(try JWK.generate(alg: .rs512, rsaBits: 2056).bits == 2056)
        #expect(reason(of: { try JWK.generate(alg: .rs256, rsaBits: 2049) }) == .keyWeak)
        #expect(reason(of: { try JWK.generate(alg: .rs256, rsaBits: 16392) }) == .keyWeak)
    }

    // MARK: PEM

    @Test(arguments: Algorithm.allCases.filter { $0.family != .hmac })
    func pemRoundTrip(_ alg: Algorithm) throws {
        let key = try GeneratedKeys.key(alg)
        let privPEM = try key.pem(includePrivate: true)
        #expect(privPEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let priv = try JWK.fromPEM(Array(privPEM.utf8), what: "key.pem")
        #expect(priv.isPrivate)
        #expect(priv.thumbprint == key.thumbprint)
        #expect(priv.kid == key.thumbprint)
        #expect(priv.json(includePrivate: true)["d"] == key.json(includePrivate: true)["d"])

        let pubPEM = try key.pem(includePrivate: false)
        #expect(pubPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        #expect(!pubPEM.contains("PRIVATE"))
        let pub = try JWK.fromPEM(Array(pubPEM.utf8), what: "key.pub")
        #expect(!pub.isPrivate)
        #expect(pub.thumbprint == key.thumbprint)
        #expect(Set(pub.json(includePrivate: true).keys).isDisjoint(with: privateJWKMembers))
    }

    @Test func hmacKeysHaveNoPEM() throws {
        #expect(reason(of: { try parseJWK(RFC.a1Key).pem(includePrivate: true) }) == .usage)
    }

    /// PEM written by Python `cryptography` for the RFC 7515 A.3 and RFC 8037 keys reads back to the RFC keys.
    @Test func pemFromAnotherImplementation() throws {
        let sec1 = """
            -----BEGIN EC PRIVATE KEY-----
            MHcCAQEEII6bEJ5xkJi/mASH3x9dd+nLKWBuvtImO19XwhPfhPSyoAoGCCqGSM49
            AwEHoUQDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEXH8UTNG72b
            focs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==
            -----END EC PRIVATE KEY-----
            """
        let ecPub = """
            -----BEGIN PUBLIC KEY-----
            MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7
            6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==
            -----END PUBLIC KEY-----
            """
        let edPriv = """
            -----BEGIN PRIVATE KEY-----
            MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
            -----END PRIVATE KEY-----
            """
        let edPub = """
            -----BEGIN PUBLIC KEY-----
            MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
            -----END PUBLIC KEY-----
            """
        let ec = try JWK.fromPEM(Array(sec1.utf8), what: "ec.pem")
        #expect(ec.isPrivate)
        #expect(ec.json(includePrivate: true) == JSONObject([
            ("kty", .string("EC")), ("kid", .string("oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U")),
            ("crv", .string("P-256")), ("x", .string(RFC.a3X)), ("y", .string(RFC.a3Y)), ("d", .string(RFC.a3D)),
        ]))
        #expect(try JWK.fromPEM(Array(ecPub.utf8), what: "ec.pub").thumbprint == ec.thumbprint)
        let ed = try JWK.fromPEM(Array(edPriv.utf8), what: "ed.pem")
        #expect(ed.thumbprint == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
        #expect(ed.json(includePrivate: true)["d"] == .string(RFC.ed25519D))
        #expect(try JWK.fromPEM(Array(edPub.utf8), what: "ed.pub").thumbprint == ed.thumbprint)
        // And our own PEM of the RFC keys reads back to the same keys.
        for json in [RFC.a2Key, RFC.a3Key, RFC.ed25519Key] {
            let k = try parseJWK(json)
            let again = try JWK.fromPEM(Array(try k.pem(includePrivate: true).utf8), what: "k.pem")
            #expect(again.json(includePrivate: true)["d"] == k.json(includePrivate: true)["d"])
            #expect(again.thumbprint == k.thumbprint)
        }
    }

    @Test func badPEMIsRefused() {
        let cases = [
            "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "",
        ]
        for pem in cases {
            #expect(reason(of: { try JWK.fromPEM(Array(pem.utf8), what: "k.pem") }) == .keyInvalid, "\(pem)")
        }
    }

    // MARK: Export and sets

    @Test func publicExportNeverHasPrivateMembers() throws {
        var keys: [JWK] = []
        for json in [RFC.a1Key, RFC.a2Key, RFC.a3Key, RFC.ed25519Key] { keys.append(try parseJWK(json)) }
        for alg in Algorithm.allCases { keys.append(try GeneratedKeys.key(alg)) }
        for key in keys {
            let pub = key.json(includePrivate: false)
            #expect(Set(pub.keys).isDisjoint(with: privateJWKMembers), "\(key.summary): \(pub.keys)")
            #expect(pub["key_ops"] == nil)
        }
        let set = JWKSet(keys: keys).publicJSON()
        let text = set.serialized()
        for m in privateJWKMembers { #expect(!text.contains("\"\(m)\":"), "\(m)") }
        #expect(set.objectValue?["keys"]?.arrayValue?.count == keys.count)
    }

    @Test func jwksSkipsUnusableKeysWhenLenient() throws {
        let x25519 = #"{"kty":"OKP","crv":"X25519","kid":"x","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}"#
        let weak = #"{"kty":"RSA","kid":"weak","n":"\#(Self.rsa1024N)","e":"AQAB"}"#
        let text = #"{"keys":[\#(RFC.a3PublicKey),\#(x25519),7,\#(weak),\#(RFC.ed25519PublicKey)],"spiffe_sequence":1}"#
        let o = try JSON.parseObject(Array(text.utf8), what: "jwks")
        let set = try JWKSet.parse(o, what: "jwks", lenient: true)
        #expect(set.keys.map(\.thumbprint) == ["oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U",
                                                "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"])
        #expect(set.skipped.map(\.index) == [1, 2, 3])
        #expect(set.skipped.map(\.kid) == ["x", nil, "weak"])
        #expect(set.extra["spiffe_sequence"] == .number("1"))
        #expect(reason(of: { try JWKSet.parse(o, what: "jwks", lenient: false) }) == .keyInvalid)
        let notArray = JSONObject([("keys", .object(JSONObject()))])
        #expect(reason(of: { try JWKSet.parse(notArray, what: "j", lenient: true) }) == .keyInvalid)
        #expect(reason(of: { try JWKSet.parse(JSONObject(), what: "j", lenient: true) }) == .keyInvalid)
    }

    @Test func keySourceDetectsTheFormat() throws {
        let pemText = "\n  " + (try parseJWK(RFC.a3Key).pem(includePrivate: false))
        guard case .key(let pem) = try KeySource.parse(Array(pemText.utf8), what: "k") else {
            Issue.record("PEM not read as one key")
            return
        }
        #expect(pem.thumbprint == "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U")
        guard case .key(let jwk) = try KeySource.parse(Array(RFC.ed25519Key.utf8), what: "k") else {
            Issue.record("JWK not read as one key")
            return
        }
        #expect(jwk.isPrivate)
        guard case .set(let set) = try KeySource.parse(Array(#"{"keys":[\#(RFC.a1Key)]}"#.utf8), what: "k") else {
            Issue.record("JWKS not read as a set")
            return
        }
        #expect(set.keys.count == 1)
        #expect(reason(of: { try KeySource.parse(Array("hello".utf8), what: "k") }) == .keyInvalid)
        #expect(reason(of: { try KeySource.parse(Array("{\"kty\":".utf8), what: "k") }) == .keyInvalid)
    }
}
