// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import Core

/// The validator reuses the outcome of the header checks for a header byte-for-byte equal to the last one that
/// passed; every other check still runs per token.
@Suite struct ValidatorMemoTests {
    func reason(_ body: () throws(WIFError) -> Void) -> Reason? {
        do { try body(); return nil } catch { return error.reason }
    }

    @Test func sameHeaderStillChecksSignatureAndClaimsPerToken() throws {
        let now: Int64 = 1_767_323_400
        let key = try JWK.generate(alg: .es256, kid: "k1")
        var spec = TokenSpec(now: now)
        spec.iss = "i"
        spec.sub = "s"
        spec.aud = ["a"]
        let good = try Minter(spec: spec, key: key).next()
        var expiredSpec = spec
        expiredSpec.exp = now - 3600
        expiredSpec.iat = now - 3700
        let expired = try Minter(spec: expiredSpec, key: key).next()
        var forged = good
        forged[forged.count - 3] = forged[forged.count - 3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        var policy = Policy(profile: .rfc7523)
        policy.audiences = ["a"]
        let public_ = try JWK.parse(key.json(includePrivate: false), what: "k")
        let v = try Validator(keys: KeyRing(keys: [public_]), policy: policy)
        // The three tokens share one header segment.
        #expect(good.split(separator: UInt8(ascii: "."))[0] == expired.split(separator: UInt8(ascii: "."))[0])
        #expect(reason { () throws(WIFError) in _ = try v.verify(good, now: now) } == nil)
        #expect(reason { () throws(WIFError) in _ = try v.verify(forged, now: now) } == .badSignature)
        #expect(reason { () throws(WIFError) in _ = try v.verify(expired, now: now) } == .expired)
        #expect(reason { () throws(WIFError) in _ = try v.verify(good, now: now) } == nil)
    }

    @Test func aDifferentHeaderIsCheckedAfresh() throws {
        let now: Int64 = 1_767_323_400
        let key = try JWK.generate(alg: .es256, kid: "k1")
        var spec = TokenSpec(now: now)
        spec.iss = "i"
        spec.sub = "s"
        spec.aud = ["a"]
        let good = try Minter(spec: spec, key: key).next()
        var other = spec
        other.kid = "unknown"
        let unknownKid = try Minter(spec: other, key: key).next()
        var crit = spec
        crit.headers["crit"] = .array([.string("x")])
        crit.headers["x"] = .integer(1)
        let critical = try Minter(spec: crit, key: key).next()
        var policy = Policy(profile: .rfc7523)
        policy.audiences = ["a"]
        let public_ = try JWK.parse(key.json(includePrivate: false), what: "k")
        let v = try Validator(keys: KeyRing(keys: [public_]), policy: policy)
        #expect(reason { () throws(WIFError) in _ = try v.verify(good, now: now) } == nil)
        #expect(reason { () throws(WIFError) in _ = try v.verify(unknownKid, now: now) } == .unknownKid)
        #expect(reason { () throws(WIFError) in _ = try v.verify(critical, now: now) } == .unsupportedCrit)
        #expect(reason { () throws(WIFError) in _ = try v.verify(good, now: now) } == nil)
    }
}
