// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Small-order and non-canonical Ed25519/Ed448 public keys are refused on import (issue 11, item 2). The point
/// encodings are RFC 8032 §5.1.2 and §5.2.2; the eight Ed25519 small-order points are libsodium's list, their
/// orders checked in Python with the curve equations.
@Suite struct EdwardsPublicKeyTests {
    static func fill(_ first: String, _ byte: String, _ last: String, count: Int) -> String {
        first + String(repeating: byte, count: count - 2) + last
    }

    /// The eight points of small order, each with its canonical encoding.
    static let ed25519SmallOrder: [(String, String)] = [
        ("identity (order 1)", fill("01", "00", "00", count: 32)),
        ("order 2", fill("ec", "ff", "7f", count: 32)),
        ("order 4, x > 0", fill("00", "00", "00", count: 32)),
        ("order 4, x < 0", fill("00", "00", "80", count: 32)),
        ("order 8 (a)", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        ("order 8 (b)", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
        ("order 8 (c)", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
        ("order 8 (d)", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
    ]

    /// Encodings with y ≥ p (y = p, p + 1, 2^255 − 1) and x = −0 for y = ±1: not canonical.
    static let ed25519NonCanonical: [(String, String)] = [
        ("y = p", fill("ed", "ff", "7f", count: 32)),
        ("y = p + 1", fill("ee", "ff", "7f", count: 32)),
        ("y = 2^255 - 1", fill("ff", "ff", "7f", count: 32)),
        ("identity, x = -0", fill("01", "00", "80", count: 32)),
        ("order 2, x = -0", fill("ec", "ff", "ff", count: 32)),
    ]

    /// Ed448 (cofactor 4): identity, (0, −1), (±1, 0); y = p; a final byte with more than the sign bit.
    static let ed448Refused: [(String, String)] = [
        ("identity", fill("01", "00", "00", count: 57)),
        ("order 2", "fe" + String(repeating: "ff", count: 27) + "fe" + String(repeating: "ff", count: 27) + "00"),
        ("order 4", fill("00", "00", "00", count: 57)),
        ("order 4, x < 0", fill("00", "00", "80", count: 57)),
        ("y = p", String(repeating: "ff", count: 28) + "fe" + String(repeating: "ff", count: 27) + "00"),
        ("final byte 01", fill("03", "00", "01", count: 57)),
    ]

    static func jwk(_ crv: String, _ xHex: String) -> String {
        jwkJSON([("kty", "OKP"), ("crv", crv), ("x", Base64URL.encode(hex(xHex)))])
    }

    static func spkiPEM(_ crv: String, _ xHex: String) -> [UInt8] {
        let prefix = crv == "Ed25519" ? "302a300506032b6570032100" : "3043300506032b6571033a00"
        var b64 = Base64URL.encode(hex(prefix + xHex)).replacingOccurrences("-", "+").replacingOccurrences("_", "/")
        while b64.utf8.count % 4 != 0 { b64 += "=" }
        return Array("-----BEGIN PUBLIC KEY-----\n\(b64)\n-----END PUBLIC KEY-----\n".utf8)
    }

    static var all: [(String, String, String)] {
        ed25519SmallOrder.map { ("Ed25519", $0.0, $0.1) } + ed25519NonCanonical.map { ("Ed25519", $0.0, $0.1) }
            + ed448Refused.map { ("Ed448", $0.0, $0.1) }
    }

    @Test func everyRefusedPointAsJWK() {
        for (crv, name, x) in Self.all {
            do {
                _ = try parseJWK(Self.jwk(crv, x))
                Issue.record("\(crv) \(name) was accepted")
            } catch {
                #expect(error.reason == .keyInvalid, "\(crv) \(name)")
                #expect(error.detail.contains("small order") || error.detail.contains("canonical"), "\(crv) \(name): \(error.detail)")
            }
        }
    }

    @Test func smallOrderMessageNamesSmallOrder() {
        for (name, x) in Self.ed25519SmallOrder {
            #expect(throws: WIFError.self, "\(name)") { try parseJWK(Self.jwk("Ed25519", x)) }
            if case .failure(let e) = Result(catching: { () throws(WIFError) in try parseJWK(Self.jwk("Ed25519", x)) }) {
                #expect(e.detail.contains("small order"), "\(name): \(e.detail)")
            }
        }
    }

    @Test func everyRefusedPointAsPEM() {
        for (crv, name, x) in Self.all {
            #expect(reason { try JWK.fromPEM(Self.spkiPEM(crv, x), what: "pem") } == .keyInvalid, "\(crv) \(name)")
        }
    }

    @Test func realKeysStillLoad() throws {
        let k = try parseJWK(RFC.ed25519PublicKey)
        #expect(k.curve == .ed25519)
        // RFC 8032 §7.4 test 1 public key (Ed448).
        let ed448 = "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180"
        #expect(try parseJWK(Self.jwk("Ed448", ed448)).curve == .ed448)
        #expect(try JWK.fromPEM(Self.spkiPEM("Ed448", ed448), what: "pem").curve == .ed448)
        #expect(try JWK.fromPEM(Self.spkiPEM("Ed25519", Self.x25519RFC), what: "pem").curve == .ed25519)
    }

    static let x25519RFC = "d75a980182b10ab7d54bfef3c964073a0ee172f3daa62325af021a68f707511a"

    /// The issue's forgery: with the identity as public key, R = identity and S = 0 verify on any claims.
    static let forgedToken = "eyJhbGciOiJFZERTQSJ9."
        + Base64URL.encode(Array(#"{"iss":"a","sub":"b","aud":"c","exp":9999999999}"#.utf8)) + "."
        + Base64URL.encode([1] + [UInt8](repeating: 0, count: 63))

    @Test func identityKeyForgeryIsRefused() throws {
        let dir = try ScratchDir()
        let jwks = try dir.write("jwks.json", #"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}"#)
        #expect(reason { try KeySource.parse(try Input.read(jwks), what: "jwks") } == .keyInvalid)
        // The verifier skips the key (RFC 7517 §5) and then has none: it cannot judge, and never says valid.
        let r = reason { () throws(WIFError) -> VerifiedToken in
            var p = Policy(profile: .none)
            p.audiences = ["c"]
            return try Validator(keys: try KeyRing(paths: [jwks]), policy: p)
                .verify(Array(Self.forgedToken.utf8), now: 1_767_323_400)
        }
        #expect(r == .keyNotFound)
    }
}

extension String {
    func replacingOccurrences(_ a: Character, _ b: Character) -> String { String(map { $0 == a ? b : $0 }) }
}
