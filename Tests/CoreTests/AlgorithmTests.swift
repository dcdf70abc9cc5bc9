// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Names in Sources/Core/JOSE/Algorithm.swift are protocol identifiers: they match as exact UTF-8 bytes
/// (RFC 7515 §4.1.1, RFC 7517 §4.1), never by Swift's `==`, which treats canonically equivalent strings as equal
/// ("ES256" + U+212A KELVIN SIGN == "ES256K", "O" + U+212A + "P" == "OKP").
@Suite struct AlgorithmTests {
    static let kelvin = "\u{212A}"

    @Test func swiftEqualityIsNotByteEquality() {
        // The premise of these tests: if this stops holding, they still pass but test less.
        #expect("ES256\(Self.kelvin)" == "ES256K")
        #expect(!"ES256\(Self.kelvin)".same("ES256K"))
    }

    @Test func algorithmNamesAreExact() {
        for a in Algorithm.allCases { #expect(Algorithm(rawValue: a.rawValue) == a) }
        #expect(Algorithm(rawValue: "ES256\(Self.kelvin)") == nil)
        #expect(Algorithm(rawValue: "es256") == nil)
        #expect(Algorithm(rawValue: "ES256 ") == nil)
        #expect(reason { try Algorithm.parse("ES256\(Self.kelvin)") } == .usage)
        #expect(reason { try Algorithm.parse("none") } == .usage)
        #expect((try? Algorithm.parse("ES256K")) == .es256k)
    }

    @Test func keyTypeAndCurveNamesAreExact() {
        for t in KeyType.allCases { #expect(KeyType(rawValue: t.rawValue) == t) }
        for c in Curve.allCases { #expect(Curve(rawValue: c.rawValue) == c) }
        #expect(KeyType(rawValue: "O\(Self.kelvin)P") == nil)
        #expect(KeyType(rawValue: "okp") == nil)
        #expect(Curve(rawValue: "p-256") == nil)
    }

    @Test func aKeyTypeSpelledWithAKelvinSignIsRefused() {
        let json = jwkJSON([("kty", "O\(Self.kelvin)P"), ("crv", "Ed25519"), ("x", RFC.ed25519X)])
        #expect(reason { try parseJWK(json) } == .keyInvalid)
        #expect((try? parseJWK(RFC.ed25519PublicKey)) != nil)
    }

    /// A key whose own alg only looks like ES256K is not an ES256K key: it verifies nothing.
    @Test func aKeyAlgSpelledWithAKelvinSignFitsNoAlgorithm() throws {
        let signing = try MirrorKeys.key(MirrorKeys.es256k)
        var pub = try MirrorKeys.publicHalf(signing)
        pub.algName = "ES256\(Self.kelvin)"
        #expect(pub.algorithm == nil)
        #expect(reason { try Validator(keys: KeyRing(keys: [pub]), policy: Policy(profile: .none)) } == .keyNotFound)
        var priv = try reparse(signing, includePrivate: true)
        priv.algName = "ES256\(Self.kelvin)"
        #expect(reason { try priv.checkFits(.es256k) } == .keyInvalid)
        #expect(reason { try priv.defaultAlgorithm() } == .keyInvalid)
    }
}
