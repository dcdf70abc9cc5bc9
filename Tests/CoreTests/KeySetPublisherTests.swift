// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// `wif-mint jwks`'s engine: alg, kid and use for keys that carry none, the thumbprint as default kid, the same key
/// twice refused, and a set that passes KeySetLint.
@Suite struct KeySetPublisherTests {
    /// A key as a PEM key is read: no kid, no alg, no use.
    static func bare(_ alg: Algorithm) throws(WIFError) -> JWK {
        let k = try JWK.generate(alg: alg)
        let pem = try k.pem(includePrivate: false)
        let pub = try JWK.fromPEM(Array(pem.utf8), what: "k.pem")
        pub.kid = nil
        return pub
    }

    static func keys(_ set: JSON) -> [JSONObject] { set.objectValue?["keys"]?.arrayValue?.compactMap(\.objectValue) ?? [] }

    @Test func bareKeysGetAlgThumbprintAndUse() throws {
        let a = try Self.bare(.es256), b = try Self.bare(.es256)
        let set = try KeySetPublisher(alg: "ES256").publish([(a, "a.pem"), (b, "b.pem")])
        #expect(Self.keys(set).map { $0["kid"] } == [.string(a.thumbprint), .string(b.thumbprint)])
        #expect(Self.keys(set).allSatisfy { $0["alg"] == .string("ES256") && $0["use"] == .string("sig") })
        #expect(KeySetLint(set.objectValue ?? JSONObject()).findings.isEmpty)
        // Without --alg the set says what is missing.
        let without = try KeySetPublisher().publish([(try Self.bare(.es256), "c.pem")])
        #expect(KeySetLint(without.objectValue ?? JSONObject()).findings.map(\.code) == ["missing_alg"])
    }

    @Test func kidForTheOneKeyWithout() throws {
        let named = try JWK.generate(alg: .es256, kid: "k1")
        let set = try KeySetPublisher(kid: "edge").publish([(try Self.bare(.edDSA), "e.pem"), (named, "k1.jwk")])
        #expect(Self.keys(set).map { $0["kid"] } == [.string("edge"), .string("k1")])
        #expect(reason { try KeySetPublisher(kid: "x").publish([(try Self.bare(.es256), "a"), (try Self.bare(.es256), "b")]) } == .usage)
        #expect(reason { try KeySetPublisher(kid: "other").publish([(named, "k1.jwk")]) } == .usage)
        #expect(reason { try KeySetPublisher(kid: "k1").publish([(named, "k1.jwk")]) } == nil)
        #expect(reason { try KeySetPublisher(kid: "k1").publish([(try Self.bare(.es256), "a"), (named, "k1.jwk")]) } == .usage)
    }

    @Test func algMustFitAndNotDiffer() throws {
        #expect(reason { try KeySetPublisher(alg: "EdDSA").publish([(try Self.bare(.es256), "a.pem")]) } == .keyInvalid)
        #expect(reason { try KeySetPublisher(alg: "ES384").publish([(try JWK.generate(alg: .es256), "k.jwk")]) } == .usage)
        #expect(reason { try KeySetPublisher(alg: "none").publish([(try Self.bare(.es256), "a.pem")]) } != nil)
    }

    @Test func sameKeyTwiceAndSymmetricKeysAreRefused() throws {
        let k = try JWK.generate(alg: .es256, kid: "k1")
        let again = try reparse(k, includePrivate: false)
        #expect(reason { try KeySetPublisher().publish([(k, "k1.jwk"), (again, "k1.pub")]) } == .usage)
        #expect(reason { try KeySetPublisher().publish([(try JWK.generate(alg: .hs256), "h.jwk")]) } == .usage)
    }

    /// --use replaces every key's use (SPIFFE bundles say jwt-svid).
    @Test func useReplacesEveryKeysUse() throws {
        let set = try KeySetPublisher(use: "jwt-svid").publish([(try JWK.generate(alg: .es256, kid: "k"), "k.jwk")])
        #expect(Self.keys(set).first?["use"] == .string("jwt-svid"))
    }
}
