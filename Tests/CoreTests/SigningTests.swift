// SPDX-License-Identifier: Apache-2.0
@testable import Core
import Testing

/// `Signer` and `Verifier` against the RFC 7515 Appendix A tokens, RFC 8037 A.4 and RFC 8032 §7.4, and the
/// signature-format rules of RFC 7518 §3 (exact lengths, raw R‖S, PSS salt = hash length).
@Suite struct SigningTests {
    func verify(_ token: String, key json: String, _ alg: Algorithm) throws -> Bool {
        let jws = try CompactJWS.parse(Array(token.utf8))
        return try Verifier(key: try parseJWK(json), algorithm: alg).verify(signature: jws.signature,
                                                                            message: Array(jws.signingInput))
    }

    // MARK: RFC vectors

    /// RFC 7515 A.1: HS256. HMAC is deterministic, so `Signer` must reproduce the MAC exactly.
    @Test func rfc7515A1HS256() throws {
        let jws = try CompactJWS.parse(Array(RFC.a1Token.utf8))
        #expect(jws.headerJSON == Array("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}".utf8))
        #expect(jws.payload == Array(RFC.payload.utf8))
        #expect(jws.header["alg"] == .string("HS256"))
        #expect(try verify(RFC.a1Token, key: RFC.a1Key, .hs256))
        let key = try parseJWK(RFC.a1Key)
        let mac = try Signer(key: key, algorithm: .hs256).sign(Array(jws.signingInput))
        #expect(Base64URL.encode(mac) == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        // The same key under HS384/HS512 produces a different MAC; the A.1 MAC does not verify there.
        #expect(try !verify(RFC.a1Token, key: RFC.a1Key, .hs512))
    }

    /// RFC 7515 A.2: RS256. PKCS#1 v1.5 is deterministic, so `Signer` must reproduce the signature exactly.
    @Test func rfc7515A2RS256() throws {
        #expect(try verify(RFC.a2Token, key: RFC.a2Key, .rs256))
        let key = try parseJWK(RFC.a2Key)
        let pub = try reparse(key, includePrivate: false)
        let jws = try CompactJWS.parse(Array(RFC.a2Token.utf8))
        let input = Array(jws.signingInput)
        #expect(try Verifier(key: pub, algorithm: .rs256).verify(signature: jws.signature, message: input))
        let sig = try Signer(key: key, algorithm: .rs256).sign(input)
        #expect(sig == jws.signature)
        // A PKCS#1 v1.5 signature is not a PSS signature (RFC 7518 §3.3 vs §3.5), nor one over another hash.
        #expect(try !Verifier(key: pub, algorithm: .ps256).verify(signature: jws.signature, message: input))
        #expect(try !Verifier(key: pub, algorithm: .rs384).verify(signature: jws.signature, message: input))
    }

    /// RFC 7515 A.3: ES256. ECDSA is randomized: the RFC token verifies, and our signatures verify.
    @Test func rfc7515A3ES256() throws {
        #expect(try verify(RFC.a3Token, key: RFC.a3PublicKey, .es256))
        #expect(try verify(RFC.a3Token, key: RFC.a3Key, .es256))
        let jws = try CompactJWS.parse(Array(RFC.a3Token.utf8))
        let key = try parseJWK(RFC.a3Key)
        let sig = try Signer(key: key, algorithm: .es256).sign(Array(jws.signingInput))
        #expect(sig.count == 64)
        #expect(try Verifier(key: try parseJWK(RFC.a3PublicKey), algorithm: .es256)
            .verify(signature: sig, message: Array(jws.signingInput)))
    }

    /// RFC 8037 A.4/A.5: Ed25519 is deterministic, so `Signer` must reproduce the signature byte for byte.
    @Test func rfc8037A4Ed25519() throws {
        let jws = try CompactJWS.parse(Array(RFC.ed25519Token.utf8))
        #expect(jws.payload == Array("Example of Ed25519 signing".utf8))
        let key = try parseJWK(RFC.ed25519Key)
        for alg in [Algorithm.edDSA, .ed25519] {
            let sig = try Signer(key: key, algorithm: alg).sign(Array(jws.signingInput))
            #expect(sig == jws.signature)
            #expect(Base64URL.encode(sig) == "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7"
                    + "sVvpAr_MuM0KAg")
            #expect(try verify(RFC.ed25519Token, key: RFC.ed25519PublicKey, alg))
        }
        #expect(reason(of: { try Verifier(key: try parseJWK(RFC.ed25519PublicKey), algorithm: .ed448) }) == .keyInvalid)
    }

    /// RFC 8032 §7.4 "Blank": Ed448 over the empty message.
    @Test func rfc8032Ed448() throws {
        let d = hex("6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3"
            + "528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b")
        let x = hex("5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778"
            + "edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180")
        let expected = hex("533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f"
            + "2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a"
            + "9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4db"
            + "b61149f05a7363268c71d95808ff2e652600")
        let key = try parseJWK(jwkJSON([("kty", "OKP"), ("crv", "Ed448"), ("x", Base64URL.encode(x)),
                                        ("d", Base64URL.encode(d))]))
        let pub = try reparse(key, includePrivate: false)
        for alg in [Algorithm.edDSA, .ed448] {
            #expect(try Signer(key: key, algorithm: alg).sign([]) == expected)
            #expect(try Verifier(key: pub, algorithm: alg).verify(signature: expected, message: []))
        }
    }

    // MARK: Round trips

    static let messages: [[UInt8]] = [[], [0], Array("eyJhbGciOiJIUzI1NiJ9.e30".utf8),
                                      (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }]

    @Test(arguments: Algorithm.allCases)
    func signVerifyRoundTrip(_ alg: Algorithm) throws {
        let key = try GeneratedKeys.key(alg)
        let signer = try Signer(key: key, algorithm: alg)
        let verifiers = [try Verifier(key: key, algorithm: alg)]
            + (alg.family == .hmac ? [] : [try Verifier(key: try reparse(key, includePrivate: false), algorithm: alg)])
        for m in Self.messages {
            let sig = try signer.sign(m)  // the signer's contexts are reused from message to message
            #expect(sig.count == signatureLength(alg, key: key))
            for v in verifiers {
                #expect(v.verify(signature: sig, message: m), "\(alg.rawValue), \(m.count)-byte message")
                // A failed verification leaves the reused context (EdDSA: initialised once) usable.
                var bad = sig
                bad[bad.count / 2] ^= 1
                #expect(!v.verify(signature: bad, message: m))
                #expect(v.verify(signature: sig, message: m))
            }
        }
        // A key written as PEM and read back signs for the original public key.
        if alg.family != .hmac {
            let fromPEM = try JWK.fromPEM(Array(try key.pem(includePrivate: true).utf8), what: "key.pem")
            let sig = try Signer(key: fromPEM, algorithm: alg).sign(Self.messages[2])
            #expect(verifiers[1].verify(signature: sig, message: Self.messages[2]))
        }
    }

    @Test(arguments: Algorithm.allCases)
    func oneFlippedBitFails(_ alg: Algorithm) throws {
        let key = try GeneratedKeys.key(alg)
        let message = Self.messages[2]
        let sig = try Signer(key: key, algorithm: alg).sign(message)
        let verifier = try Verifier(key: key, algorithm: alg)
        #expect(verifier.verify(signature: sig, message: message))
        for byte in Set([0, 1, sig.count / 2, sig.count - 2, sig.count - 1]) {
            for bit in [0, 3, 7] {
                var bad = sig
                bad[byte] ^= UInt8(1 << bit)
                #expect(!verifier.verify(signature: bad, message: message),
                        "\(alg.rawValue): signature byte \(byte) bit \(bit)")
            }
        }
        for byte in [0, message.count / 2, message.count - 1] {
            for bit in 0..<8 {
                var bad = message
                bad[byte] ^= UInt8(1 << bit)
                #expect(!verifier.verify(signature: sig, message: bad),
                        "\(alg.rawValue): message byte \(byte) bit \(bit)")
            }
        }
        // Exact lengths only (RFC 7518 §3.2: the whole MAC; §3.4: 2n octets; RSA: the modulus length).
        #expect(!verifier.verify(signature: Array(sig.dropLast()), message: message))
        #expect(!verifier.verify(signature: sig + [0], message: message))
        #expect(!verifier.verify(signature: [0] + sig, message: message))
        #expect(!verifier.verify(signature: [], message: message))
        #expect(!verifier.verify(signature: sig + sig, message: message))
        // Another key of the same kind does not verify it (for RSA the RFC 7515 A.2 key: generation is slow).
        let other = alg.keyType == .rsa ? try parseJWK(RFC.a2Key) : try JWK.generate(alg: alg)
        #expect(try !Verifier(key: other, algorithm: alg).verify(signature: sig, message: message))
    }

    // MARK: ECDSA encoding (RFC 7518 §3.4, CVE-2022-21449)

    /// The group order of each curve (SEC 2, as `openssl ecparam -param_enc explicit` prints it).
    static let order: [Algorithm: String] = [
        .es256: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        .es256k: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        .es384: "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
        .es512: "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
            + "fa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
    ]

    /// DER `SEQUENCE { INTEGER r, INTEGER s }` (X.690), as OpenSSL would produce it.
    static func der(r: [UInt8], s: [UInt8]) -> [UInt8] {
        func length(_ n: Int) -> [UInt8] { n < 128 ? [UInt8(n)] : [0x81, UInt8(n)] }
        func integer(_ v: [UInt8]) -> [UInt8] {
            var b = Array(v.drop { $0 == 0 })
            if b.isEmpty || b[0] & 0x80 != 0 { b.insert(0, at: 0) }
            return [0x02] + length(b.count) + b
        }
        let body = integer(r) + integer(s)
        return [0x30] + length(body.count) + body
    }

    /// R‖S and its DER, as Python's `cryptography` (`encode_dss_signature`) writes it, for the three curve sizes:
    /// values 1, 0x7f, 0x80 (a 0x00 pad), leading zero bytes, the top bit set across the whole width, P-521's
    /// long-form SEQUENCE length, and random ones. ECDSASignature converts by hand, so these pin it both ways.
    static let derVectors: [(Int, String, String)] = [
        (32, "000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000ff", "3007020101020200ff"),
        (32, "000000000000000000000000000000000000000000000000000000000000007fd23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439", "302602017f022100d23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439"),
        (32, "000000000000000000000000000000000000000000000000000000000000008000000000000000000000000000000000000000000000000000000000000000ff", "300802020080020200ff"),
        (32, "00000000000000000000000000000000000000000000000000000000000000ffd23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439", "3027020200ff022100d23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439"),
        (32, "000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000000ff", "300802020100020200ff"),
        (32, "8000000000000000000000000000000000000000000000000000000000000000d23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439", "30460221008000000000000000000000000000000000000000000000000000000000000000022100d23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439"),
        (32, "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00000000000000000000000000000000000000000000000000000000000000ff", "302602207fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff020200ff"),
        (32, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439", "3046022100ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff022100d23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439"),
        (32, "008000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", "302602200080000000000000000000000000000000000000000000000000000000000000020200ff"),
        (32, "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffd23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439", "3045022000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff022100d23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439"),
        (32, "d23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b43900000000000000000000000000000000000000000000000000000000000000ff", "3027022100d23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439020200ff"),
        (32, "36f675cc81e74ef5e8e25d940ed904759531985d5d9dc9f81818e811892f902cd23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439", "3045022036f675cc81e74ef5e8e25d940ed904759531985d5d9dc9f81818e811892f902c022100d23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439"),
        (32, "8d116ece1738f7d93d9c172411e20b8f6b0d549b6f03675a1600a35a099950d900000000000000000000000000000000000000000000000000000000000000ff", "30270221008d116ece1738f7d93d9c172411e20b8f6b0d549b6f03675a1600a35a099950d9020200ff"),
        (32, "a170b33839263059f28c105d1fb17c2390c192cfd3ac94af0f21ddb66cad4a27d23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439", "3046022100a170b33839263059f28c105d1fb17c2390c192cfd3ac94af0f21ddb66cad4a27022100d23f0824128b2f330c5c7fd0a6a3a4506513270e269e0d37f2a74de452e6b439"),
        (48, "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", "3007020101020200ff"),
        (48, "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000007f8e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b6", "303602017f0231008e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b6"),
        (48, "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000800000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", "300802020080020200ff"),
        (48, "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff8e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b6", "3037020200ff0231008e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b6"),
        (48, "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", "300802020100020200ff"),
        (48, "8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000008e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b6", "30660231008000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000231008e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b6"),
        (48, "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", "303602307fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff020200ff"),
        (48, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff8e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b6", "3066023100ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0231008e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b6"),
        (48, "0080000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", "30360230008000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000020200ff"),
        (48, "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff8e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b6", "3065023000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0231008e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b6"),
        (48, "8e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b60000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", "30370231008e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b6020200ff"),
        (48, "ae97ba94d0eda82f8f6d05584ef8aa38922766581e27a1c08a6a63ec24ede6a46b4cb2424a23d5962217beaddbc496cc8e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b6", "3066023100ae97ba94d0eda82f8f6d05584ef8aa38922766581e27a1c08a6a63ec24ede6a46b4cb2424a23d5962217beaddbc496cc0231008e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b6"),
        (48, "907a70c31012f037b64ce4228c38fb2918f135d25f557203301850c5a38fd547923a736994e3bf911a61dbe22e44158c0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", "3037023100907a70c31012f037b64ce4228c38fb2918f135d25f557203301850c5a38fd547923a736994e3bf911a61dbe22e44158c020200ff"),
        (48, "ec66a78795e761d17731af10506bf2efc6f877186d76b07e881ed162ae2eb1547f15052434b9b5df9e7769b10f4205b58e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b6", "3066023100ec66a78795e761d17731af10506bf2efc6f877186d76b07e881ed162ae2eb1547f15052434b9b5df9e7769b10f4205b50231008e81973e0becd7b03898d190f9ebdacc0cb1e29c658cda1495e60af593bd04cf0fd630f1f29d0da9953f48f1a09f76b6"),
        (66, "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", "3007020101020200ff"),
        (66, "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000007f017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e431", "304702017f0242017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e431"),
        (66, "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000800000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", "300802020080020200ff"),
        (66, "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e431", "3048020200ff0242017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e431"),
        (66, "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", "300802020100020200ff"),
        (66, "800000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e431", "3081890243008000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000242017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e431"),
        (66, "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", "304802427fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff020200ff"),
        (66, "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e431", "308188024201ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0242017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e431"),
        (66, "0080000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", "30480242008000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000020200ff"),
        (66, "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e431", "308188024200ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0242017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e431"),
        (66, "017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e4310000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", "30480242017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e431020200ff"),
        (66, "01ec0a097c976bf46c697d2caf82eeeacbe226e875555790f82ec1d3fcff2a3af4d46b0a18e8830e07bc1e398f1012bd4acefaecbd389be4bcfc49b64a0872e6cc3b017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e431", "308188024201ec0a097c976bf46c697d2caf82eeeacbe226e875555790f82ec1d3fcff2a3af4d46b0a18e8830e07bc1e398f1012bd4acefaecbd389be4bcfc49b64a0872e6cc3b0242017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e431"),
        (66, "00e9cc011cdd9474031b7f26144b98289fcd59a54a7bb1fee08f571242425051c1ccd17f9acae01f5057ca02135e92b1d3f28ede0d7ac3baea9e13deef86ab1031d10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff", "3048024200e9cc011cdd9474031b7f26144b98289fcd59a54a7bb1fee08f571242425051c1ccd17f9acae01f5057ca02135e92b1d3f28ede0d7ac3baea9e13deef86ab1031d1020200ff"),
        (66, "015cfe3b890b93f448b3a5aa3c814f426dcbb394fb36bb2d420f0f88080b10a3d6b2aa05e11ab2715945795e8229451abd81f1d69ed617f5e837d70820fe119a72d2017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e431", "3081880242015cfe3b890b93f448b3a5aa3c814f426dcbb394fb36bb2d420f0f88080b10a3d6b2aa05e11ab2715945795e8229451abd81f1d69ed617f5e837d70820fe119a72d20242017557ee05cde00902c77ebff206867347214cdd2055930d6eaf14f4733f3e7d1bfbc7a2ea20b2f14c942e05319acb5c74273f98e2774cbd87ad5c90a9587403e431")
    ]

    @Test func ecdsaDERConversionMatchesCryptography() {
        for (size, raw, der) in Self.derVectors {
            let r = hex(raw), d = hex(der)
            let encoded = r.withUnsafeBytes { ECDSASignature.rawToDER($0, size: size) }
            #expect(encoded == d, "raw \(raw)")
            #expect(ECDSASignature.derToRaw(d, length: d.count, size: size) == r, "der \(der)")
        }
    }

    /// derToRaw refuses what is not exactly a SEQUENCE of two INTEGERs that fit: a wrong tag, a length that
    /// disagrees, a long-form length where the short form fits, a value wider than the curve, trailing bytes.
    @Test func derToRawRefusesMalformedDER() {
        let good = hex("3006020101020102")
        #expect(ECDSASignature.derToRaw(good, length: good.count, size: 32) != nil)
        let bad: [String] = [
            "", "30", "3106020101020102", "3007020101020102", "3005020101020102", "300603010102010200",
            "30810602010102010200", "3006020001020102", "3006020101020202", "300602010102010201",
            "3026022101" + String(repeating: "ff", count: 32) + "020101",
            "300702010102010200",
            // A negative INTEGER, and a 0x00 that does not stand before a byte with its top bit set (X.690 §8.3.2).
            "3006020180020101", "30070202007f020101", "3007020101020200" + "01",
        ]
        for b in bad {
            let d = hex(b)
            #expect(ECDSASignature.derToRaw(d, length: d.count, size: 32) == nil, "\(b)")
        }
        #expect(ECDSASignature.derToRaw(good, length: good.count + 1, size: 32) == nil)
        let padded = hex("30070202008002" + "0101")
        #expect(ECDSASignature.derToRaw(padded, length: padded.count, size: 32) == hex(String(repeating: "00", count: 31) + "80" + String(repeating: "00", count: 31) + "01"))
    }

    @Test(arguments: [Algorithm.es256, .es256k, .es384, .es512])
    func ecdsaSignatureEncoding(_ alg: Algorithm) throws {
        let key = try GeneratedKeys.key(alg)
        let n = key.curve?.size ?? 0
        let message = Array("eyJhbGciOiJFUzI1NiJ9.e30".utf8)
        let sig = try Signer(key: key, algorithm: alg).sign(message)
        let verifier = try Verifier(key: key, algorithm: alg)
        #expect(sig.count == 2 * n)
        #expect(verifier.verify(signature: sig, message: message))
        let r = Array(sig[..<n]), s = Array(sig[n...])
        let zero = [UInt8](repeating: 0, count: n)
        let q = hex(Self.order[alg] ?? "")
        #expect(q.count == n)
        var qPlus1 = q
        qPlus1[n - 1] += 1
        let cases: [(String, [UInt8])] = [
            ("all-zero R‖S", zero + zero),
            ("r = 0", zero + s),
            ("s = 0", r + zero),
            ("r = s = n", q + q),
            ("r = n", q + s),
            ("s = n", r + q),
            ("r = n + 1", qPlus1 + s),
            ("DER", Self.der(r: r, s: s)),
            ("DER padded to 2n", Array((Self.der(r: r, s: s) + zero + zero).prefix(2 * n))),
            ("s‖r", s + r),
            ("r alone", r),
        ]
        for (what, bad) in cases {
            #expect(!verifier.verify(signature: bad, message: message), "\(alg.rawValue): \(what)")
        }
        // ES512 is P-521: 132 bytes, not 128 (RFC 7518 §3.4).
        if alg == .es512 {
            #expect(!verifier.verify(signature: Array(sig[2...65]) + Array(sig[68...]), message: message))
        }
    }

    // MARK: RSASSA-PSS salt (RFC 7518 §3.5)

    /// PS256 signatures by Python `cryptography` with the RFC 7515 A.2 key over `message`, with salt lengths 32 (the
    /// hash length, as JWS requires), 0, and the maximum (222): only the first is a PS256 signature.
    static let pssMessage = Array("eyJhbGciOiJQUzI1NiJ9.eyJpc3MiOiJqb2UifQ".utf8)
    static let pssSalt32 =
        "huzK0TEIeSnQpv7Q9tqboDkXZ8DmnQ-eRoDBiG9Z-eJ4wDZJNyTq3sGRrliXpKoIS-mkVp18xMkzxC_dwEtg7NTHxbeAc1EZxNgm"
        + "wha05PUpGJFKeHAUPufdav8GaxoDHA9cWklJdXHO0RhSWItt7bwRBwdXhe2sCcqlgeKLoC4w0oZfLBaFaNs6Q9qfQfOXcuDHpFXo"
        + "GmqDq_-JdBdxcBf9JnxQ_URgmM75LCD9UDy0-dqLqtPfMDE7oXl-k0Iwf69NhknECpD-AVUXQvfUD0IH9MbRS8srqXxAoBi7bKs2"
        + "VUQ4UlMM1Si0zKzIlkMxj5vzV7XdrY__EWLU3lnvoA"
    static let pssSalt0 =
        "nkiV_OxhNq38otV9gpuXZJmlIxjYSHAAcQLHLN6uq-uPBuxQUfmFl3jAfle8Dn_7YMTm4_06njlXKid--3Vu4sFMyYwYqMkv8QL1"
        + "QxvK415IkTkoWxkAcxUvlkRi5I_Nn0b8rDWvskQXHLSFd8WUHQoRcRTuyK9bEZHUcqYFlX24_H1BvZmYpJaED1CSZFJ4rpYHRueD"
        + "mUKj8H28OniGMjBLORDZwWS4Fat64fSNCvzTqg409yRgDdRrJN2cfSVrwSZh566YJkmJnMI8ulGUn26LqprIlBeudvTa9qquG6RQ"
        + "_fBI25lgwqHC7Lnh1P4RrrSsZUYDJ_nDIFVOra09DQ"
    static let pssSaltMax =
        "Fc2DJYcze4M7aZ5BBcXHcxBr8mgQvHyRmLEM7z2t0dCtcJO372iBlenRwrofFEWMZcgJMIpHhCkwSN_UjgTco45P0woDjqt0Ud_E"
        + "yS1PYz8cHtAni93HNj5vdEaQ5Ay_DRhQhhekT7VXPLbUSiTrKqIeweTiR42u8MA7Fao7VEypEHAO4UNawUCLJFe6Oq-gVhxCPZiy"
        + "m5xmrp328QXquasfKwJVyLlxQ41z7gBNagxb1BrKNvpxt7d5ISmZcILM4FZiiHL69Cy0ohMzpW0_3CMCk-qQGpYAtjjenWLtZevM"
        + "HT2feaFN_d15BLIAGS7a4mjOFm7hzErMohUw6Wre3Q"

    @Test func pssSaltLengthMustBeTheHashLength() throws {
        let pub = try reparse(try parseJWK(RFC.a2Key), includePrivate: false)
        let ps256 = try Verifier(key: pub, algorithm: .ps256)
        for sig in [Self.pssSalt32, Self.pssSalt0, Self.pssSaltMax] { #expect(b64u(sig).count == 256) }
        #expect(ps256.verify(signature: b64u(Self.pssSalt32), message: Self.pssMessage))
        #expect(!ps256.verify(signature: b64u(Self.pssSalt0), message: Self.pssMessage))
        #expect(!ps256.verify(signature: b64u(Self.pssSaltMax), message: Self.pssMessage))
        let rs256 = try Verifier(key: pub, algorithm: .rs256)
        #expect(!rs256.verify(signature: b64u(Self.pssSalt32), message: Self.pssMessage))
        // Our PS256 signatures use salt = 32: Python's verdict on them is the same as ours, via a fresh signature
        // checked by the same verifier that rejects salt 0.
        let mine = try Signer(key: try parseJWK(RFC.a2Key), algorithm: .ps256).sign(Self.pssMessage)
        #expect(ps256.verify(signature: mine, message: Self.pssMessage))
        #expect(mine != b64u(Self.pssSalt32))  // randomized salt
    }

    // MARK: Keys and algorithms

    /// A `Signer` verifies its first RSA signature with the public half: a key whose private members belong to
    /// another modulus (built here past the JWK reader's checks) signs nothing.
    @Test(arguments: [Algorithm.rs256, .ps256])
    func firstRSASignatureIsVerified(_ alg: Algorithm) throws {
        let a = try parseJWK(RFC.a2Key).json(includePrivate: false)
        let b = try JWK.generate(alg: .rs256).json(includePrivate: true)
        func bytes(_ o: JSONObject, _ name: String) throws -> [UInt8] { b64u(try #require(o[name]?.stringValue)) }
        let priv = try ["d", "p", "q", "dp", "dq", "qi"].map { try bytes(b, $0) }
        let mixed = try PKey.fromRSA(n: try bytes(a, "n"), e: try bytes(a, "e"), priv: priv, what: "mixed")
        let key = try JWK.fromPKey(mixed, isPrivate: true, alg: alg.rawValue)
        let signer = try Signer(key: key, algorithm: alg)
        #expect(reason(of: { try signer.sign(Array("probe".utf8)) }) == .keyInvalid)
        // A good key signs, and only the first signature is checked (no context is left behind).
        let good = try Signer(key: try parseJWK(RFC.a2Key), algorithm: alg)
        for _ in 0..<3 { #expect(try good.sign(Array("m".utf8)).count == 256) }
    }

    @Test func keyMustFitTheAlgorithm() throws {
        let ec = try parseJWK(RFC.a3Key)
        let ed = try parseJWK(RFC.ed25519Key)
        let rsa = try parseJWK(RFC.a2Key)
        let oct = try parseJWK(RFC.a1Key)
        let k1 = try GeneratedKeys.key(.es256k)
        let misfits: [(JWK, Algorithm)] = [
            (ec, .es384), (ec, .es512), (ec, .es256k), (ec, .edDSA), (ec, .rs256), (ec, .hs256),
            (ed, .es256), (ed, .ed448), (ed, .hs256),
            (rsa, .hs256), (rsa, .es256), (rsa, .edDSA),                // HS/RS confusion (CVE-2015-9235)
            (oct, .rs256), (oct, .es256), (oct, .edDSA),
            (k1, .es256),                                               // RFC 8812 §3.2: ES256 is P-256 only
        ]
        for (key, alg) in misfits {
            let what = "\(key.summary) \(alg.rawValue)"
            #expect(reason(of: { try Verifier(key: key, algorithm: alg) }) == .keyInvalid, "\(what)")
            #expect(reason(of: { try Signer(key: key, algorithm: alg) }) == .keyInvalid, "\(what)")
        }
        // Signing needs the private key.
        let pub = try parseJWK(RFC.a3PublicKey)
        #expect(reason(of: { try Signer(key: pub, algorithm: .es256) }) == .keyInvalid)
        #expect(reason(of: { try Signer(key: try parseJWK(RFC.ed25519PublicKey), algorithm: .edDSA) }) == .keyInvalid)
        // A 32-byte HMAC key is too short for HS384/HS512 (RFC 7518 §3.2).
        let k32 = try parseJWK(jwkJSON([("kty", "oct"), ("k", Base64URL.encode([UInt8](repeating: 7, count: 32)))]))
        #expect(reason(of: { try Signer(key: k32, algorithm: .hs384) }) == .keyWeak)
        #expect(reason(of: { try Verifier(key: k32, algorithm: .hs512) }) == .keyWeak)
        _ = try Signer(key: k32, algorithm: .hs256)
    }

    @Test func algorithmNames() throws {
        for alg in Algorithm.allCases { #expect(try Algorithm.parse(alg.rawValue) == alg) }
        for name in ["none", "None", "NONE", "nOnE"] {
            #expect(reason(of: { try Algorithm.parse(name) }) == .usage)
        }
        for name in ["hs256", "Hs256", "ES256 ", "", "HS1", "RS1", "ES512K", "EDDSA", "PS256\u{0}"] {
            #expect(reason(of: { try Algorithm.parse(name) }) == .usage, "\(name)")
        }
    }
}
