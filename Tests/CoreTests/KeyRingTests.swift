// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// The loading rules at the top of Sources/Core/Validation/KeyRing.swift, and which keys may verify
/// (`usable`, `fittingAlgorithms`).
@Suite struct KeyRingTests {
    let dir: TempDir
    let ec: JWK
    let ec2: JWK

    init() throws {
        dir = try TempDir()
        ec = try MirrorKeys.key(MirrorKeys.ec)
        ec2 = try MirrorKeys.key(MirrorKeys.ec2)
    }

    func publicJSON(_ k: JWK) -> String { JSON.object(k.json(includePrivate: false)).serialized() }

    // MARK: file forms

    @Test func aJWKSAJWKAndAPEMKeyAreEachAFile() throws {
        let set = try dir.jwks("set.json", [ec])
        let single = try dir.write("one.jwk", publicJSON(ec2))
        let pem = try dir.write("three.pem", try ec.pem(includePrivate: false))
        let ring = try KeyRing(paths: [set, single, pem])
        #expect(ring.keys.map(\.thumbprint) == [ec.thumbprint, ec2.thumbprint, ec.thumbprint])
        #expect(ring.keys.map(\.kid) == ["ec-1", "ec-2", ec.thumbprint])   // a PEM key is named by its thumbprint
        #expect(ring.keys.allSatisfy { !$0.isPrivate })
    }

    @Test func setsAreJoinedInOrder() throws {
        let old = try dir.jwks("old.json", [ec])
        let new = try dir.jwks("new.json", [ec2, ec])
        #expect(try KeyRing(paths: [old, new]).keys.map(\.kid) == ["ec-1", "ec-2", "ec-1"])
    }

    @Test func notAKeyFile() throws {
        #expect(reason { try KeyRing(paths: [try dir.write("x.txt", "hello")]) } == .keyInvalid)
        #expect(reason { try KeyRing(paths: [try dir.write("e.json", "")]) } == .keyInvalid)
        #expect(reason { try KeyRing(paths: [try dir.write("n.json", #"{"keys":5}"#)]) } == .keyInvalid)
        #expect(reason { try KeyRing(paths: [try dir.write("d.json", #"{"a":1,"a":2}"#)]) } == .keyInvalid)
        #expect(reason { try KeyRing(paths: [dir.file("absent.json")]) } == .inputUnreadable)
        #expect(reason { try KeyRing(paths: [dir.path]) } == .inputUnreadable)
    }

    @Test func aFileOverOneMiBIsRefused() throws {
        #expect(KeyRing.maxFileSize == 1 << 20)
        let big = try dir.write("big.json", [UInt8](repeating: 0x20, count: KeyRing.maxFileSize + 1))
        #expect(reason { try KeyRing(paths: [big]) } == .inputTooLarge)
    }

    @Test func standardInputOnlyOnce() {
        #expect(reason { try KeyRing(paths: ["-", "-"]) } == .usage)
    }

    @Test func atMost256KeysInAll() throws {
        let member = publicJSON(ec)
        let half = "{\"keys\":[" + Array(repeating: member, count: 129).joined(separator: ",") + "]}"
        let a = try dir.write("a.json", half), b = try dir.write("b.json", half)
        #expect(try KeyRing(paths: [a]).keys.count == 129)
        #expect(reason { try KeyRing(paths: [a, b]) } == .inputTooLarge)
        let tooMany = "{\"keys\":[" + Array(repeating: member, count: JWKSet.maxKeys + 1).joined(separator: ",") + "]}"
        #expect(reason { try KeyRing(paths: [try dir.write("c.json", tooMany)]) } == .inputTooLarge)
    }

    // MARK: skipped keys (RFC 7517 §5)

    @Test func unusableKeysAreSkippedAndListed() throws {
        let x25519 = jwkJSON([("kty", "OKP"), ("crv", "X25519"), ("kid", "dh"), ("x", RFC.ed25519X)])
        let unknown = #"{"kty":"XYZ","kid":"future"}"#
        let set = "{\"keys\":[" + [publicJSON(ec), x25519, unknown, "7"].joined(separator: ",") + "]}"
        let path = try dir.write("mixed.json", set)
        let ring = try KeyRing(paths: [path])
        #expect(ring.keys.map(\.kid) == ["ec-1"])
        #expect(ring.skipped.map(\.index) == [1, 2, 3])
        #expect(ring.skipped.map(\.kid) == ["dh", "future", nil])
        #expect(ring.skipped.allSatisfy { $0.file == path })
    }

    @Test func aSetOfOnlySkippedKeysGivesNoValidator() throws {
        let path = try dir.write("none.json", #"{"keys":[{"kty":"XYZ"}]}"#)
        let ring = try KeyRing(paths: [path])
        #expect(ring.keys.isEmpty)
        let e = wifError { try Validator(keys: ring, policy: Policy(profile: .none)) }
        #expect(e?.reason == .keyNotFound)
        #expect(e?.hint?.contains("skipped keys") == true)
    }

    @Test func aSingleJWKIsNotLenient() throws {
        let path = try dir.write("x.jwk", #"{"kty":"XYZ"}"#)
        #expect(reason { try KeyRing(paths: [path]) } == .keyInvalid)
    }

    // MARK: private material (RFC 7517 §9.2)

    @Test func privateAsymmetricKeysAreRefused() throws {
        let privateSet = JSON.object(JSONObject([("keys", .array([.object(ec2.json(includePrivate: false)),
                                                                   .object(ec.json(includePrivate: true))]))]))
        let set = try dir.write("leak.json", privateSet.serialized())
        let e = wifError { try KeyRing(paths: [set]) }
        #expect(e?.reason == .keyInvalid)
        #expect(e?.detail == "\(set): key \"ec-1\" holds private key material")
        #expect(e?.hint == "verify against the public set: wif-mint jwks \(set)")
        let single = try dir.write("leak.jwk", JSON.object(ec.json(includePrivate: true)).serialized())
        #expect(reason { try KeyRing(paths: [single]) } == .keyInvalid)
        let pem = try dir.write("leak.pem", try ec.pem(includePrivate: true))
        #expect(reason { try KeyRing(paths: [pem]) } == .keyInvalid)
    }

    /// The private-member check runs on the JSON before any key is built, so even a key the set would skip is
    /// refused when it carries `d`.
    @Test func privateMembersAreFoundBeforeKeysAreBuilt() throws {
        let path = try dir.write("odd.json", #"{"keys":[{"kty":"XYZ","kid":"z","d":"AAAA"}]}"#)
        let e = wifError { try KeyRing(paths: [path]) }
        #expect(e?.reason == .keyInvalid)
        #expect(e?.detail == "\(path): key \"z\" holds private key material")
    }

    @Test func symmetricKeysAreTheException() throws {
        let hs = try hmacKey()
        let path = try dir.jwks("hmac.json", [hs])
        let ring = try KeyRing(paths: [path])
        #expect(ring.keys.count == 1)
        #expect(ring.keys[0].keyType == .oct)
        #expect(verdict(try Validator(keys: ring, policy: Policy(profile: .none)), try mint(hs)) == nil)
    }

    // MARK: usable

    @Test func useAndKeyOps() throws {
        let ring = KeyRing(keys: [])
        let none = Policy(profile: .none)
        var k = try MirrorKeys.publicHalf(ec)
        #expect(ring.usable(k, policy: none))             // use sig
        k.use = nil
        #expect(ring.usable(k, policy: none))             // absent
        k.use = "enc"
        #expect(!ring.usable(k, policy: none))
        k.use = "jwt-svid"
        #expect(!ring.usable(k, policy: none))
        #expect(ring.usable(k, policy: Policy(profile: .spiffe)))
        k.use = "sig"
        #expect(!ring.usable(k, policy: Policy(profile: .spiffe)))
        k.keyOps = ["sign"]
        #expect(!ring.usable(k, policy: none))
        k.keyOps = ["sign", "verify"]
        #expect(ring.usable(k, policy: none))
        k.algName = "RSA-OAEP"
        #expect(!ring.usable(k, policy: none))
    }

    @Test func fittingAlgorithms() throws {
        let hs = try hmacKey()
        let ring = KeyRing(keys: [try MirrorKeys.publicHalf(ec), hs])
        #expect(ring.fittingAlgorithms(policy: Policy(profile: .none)) == [.es256, .hs256])
        var p = Policy(profile: .none)
        p.algorithms = [.hs256, .rs256]
        #expect(ring.fittingAlgorithms(policy: p) == [.hs256])
        // A key without alg fits every algorithm of its type and curve; an oct key only those its size allows.
        let loose = try parseJWK(jwkJSON([("kty", "oct"), ("k", Base64URL.encode([UInt8](repeating: 1, count: 48)))]))
        #expect(KeyRing(keys: [loose]).fittingAlgorithms(policy: Policy(profile: .none)) == [.hs256, .hs384])
        let ed = try parseJWK(RFC.ed25519PublicKey)
        #expect(KeyRing(keys: [ed]).fittingAlgorithms(policy: Policy(profile: .none)) == [.edDSA, .ed25519])
    }
}
