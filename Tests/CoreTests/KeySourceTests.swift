// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Sources/Core/JOSE/KeySource.swift: key files detected by content, the signing-key rules (a single key's own kid
/// must agree with `--kid`, wif-mint(1); a JWKS key is chosen by kid), and `wif-mint jwks`' public set.
@Suite struct KeySourceTests {
    let dir: TempDir
    let ec: JWK

    init() throws {
        dir = try TempDir()
        ec = try MirrorKeys.key(MirrorKeys.ec)
    }

    func privateJWK(_ k: JWK) -> String { JSON.object(k.json(includePrivate: true)).serialized() }

    @Test func contentDecidesTheForm() throws {
        if case .key(let k) = try KeySource.parse(Array(privateJWK(ec).utf8), what: "k") { #expect(k.kid == "ec-1") } else {
            Issue.record("not a key")
        }
        let set = #"{"keys":[\#(privateJWK(ec))]}"#
        if case .set(let s) = try KeySource.parse(Array(set.utf8), what: "s") { #expect(s.keys.count == 1) } else {
            Issue.record("not a set")
        }
        if case .key(let k) = try KeySource.parse(Array(try ec.pem(includePrivate: true).utf8), what: "p") {
            #expect(k.isPrivate)
            #expect(k.thumbprint == ec.thumbprint)
        } else {
            Issue.record("not a key")
        }
        #expect(reason { try KeySource.parse(Array("ssh-ed25519 AAAA".utf8), what: "x") } == .keyInvalid)
        #expect(reason { try KeySource.parse(Array("{\"kty\":".utf8), what: "x") } == .keyInvalid)
    }

    // MARK: signing keys

    @Test func aSingleKeysKidMustAgree() throws {
        let path = try dir.write("k.jwk", privateJWK(ec))
        #expect(try KeySource.loadSigningKey(path: path, kid: nil).kid == "ec-1")
        #expect(try KeySource.loadSigningKey(path: path, kid: "ec-1").kid == "ec-1")
        let e = wifError { try KeySource.loadSigningKey(path: path, kid: "other") }
        #expect(e?.reason == .usage)
        #expect(e?.hint == "to put another kid in the header, use --header kid=other")
        // Exact bytes: a canonically equivalent kid is another kid.
        let cafe = try JWK.generate(alg: .es256, kid: "caf\u{E9}")
        let cafePath = try dir.write("cafe.jwk", privateJWK(cafe))
        #expect(reason { try KeySource.loadSigningKey(path: cafePath, kid: "cafe\u{301}") } == .usage)
    }

    @Test func aKeyWithoutKidIsNamedByIt() throws {
        var k = try JWK.generate(alg: .es256)
        k.kid = nil
        let path = try dir.write("nokid.jwk", privateJWK(k))
        #expect(try KeySource.loadSigningKey(path: path, kid: "named").isPrivate)
        // A PEM key has no kid of its own: --kid names it.
        let pem = try dir.write("k.pem", try ec.pem(includePrivate: true))
        #expect(try KeySource.loadSigningKey(path: pem, kid: "anything").isPrivate)
    }

    @Test func aJWKSKeyIsChosenByKid() throws {
        let ec2 = try MirrorKeys.key(MirrorKeys.ec2)
        let two = try dir.write("two.json", #"{"keys":[\#(privateJWK(ec)),\#(privateJWK(ec2))]}"#)
        #expect(try KeySource.loadSigningKey(path: two, kid: "ec-2").thumbprint == ec2.thumbprint)
        #expect(reason { try KeySource.loadSigningKey(path: two, kid: nil) } == .usage)
        #expect(reason { try KeySource.loadSigningKey(path: two, kid: "ec-3") } == .keyNotFound)
        let one = try dir.write("one.json", #"{"keys":[\#(privateJWK(ec))]}"#)
        #expect(try KeySource.loadSigningKey(path: one, kid: nil).kid == "ec-1")
    }

    @Test func signingNeedsAPrivateKey() throws {
        let path = try dir.write("pub.jwk", JSON.object(ec.json(includePrivate: false)).serialized())
        #expect(reason { try KeySource.loadSigningKey(path: path, kid: nil) } == .keyInvalid)
        let pem = try dir.write("pub.pem", try ec.pem(includePrivate: false))
        #expect(reason { try KeySource.loadSigningKey(path: pem, kid: nil) } == .keyInvalid)
    }

    // MARK: public sets

    @Test func publicSet() throws {
        let a = try dir.write("a.jwk", privateJWK(ec))
        let b = try dir.write("b.jwk", privateJWK(try MirrorKeys.key(MirrorKeys.ec2)))
        let set = try KeySetPublisher(alg: nil, kid: nil, use: "jwt-svid").publish(paths: [a, b], passphrase: nil)
        let keys = set.objectValue?["keys"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(keys.map { $0["kid"]?.stringValue } == ["ec-1", "ec-2"])
        #expect(keys.allSatisfy { $0["use"]?.stringValue == "jwt-svid" })
        #expect(keys.allSatisfy { o in !o.keys.contains { privateJWKMembers.contains($0) } })
    }

    @Test func publicSetRules() throws {
        let a = try dir.write("a.jwk", privateJWK(ec))
        #expect(reason { try KeySetPublisher(alg: nil, kid: nil, use: nil).publish(paths: ["-", "-"], passphrase: nil) } == .usage)
        let hs = try dir.write("h.jwk", privateJWK(try hmacKey()))
        #expect(reason { try KeySetPublisher(alg: nil, kid: nil, use: nil).publish(paths: [hs], passphrase: nil) } == .usage)
        let other = try JWK.generate(alg: .es256, kid: "ec-1")
        let clash = try dir.write("clash.jwk", privateJWK(other))
        #expect(reason { try KeySetPublisher(alg: nil, kid: nil, use: nil).publish(paths: [a, clash], passphrase: nil) } == .usage)
    }

    @Test func encryptedKeysAreNotReadWithoutAPassphrase() throws {
        let pem = try dir.write("enc.pem", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n")
        #expect(KeySource.isEncrypted(try Input.read(pem)))
        #expect(KeySource.isEncryptedPEM(try Input.read(pem)))
        #expect(reason { try KeySource.parse(try Input.read(pem), what: "enc.pem") } == .keyInvalid)
        #expect(!KeySource.isEncrypted(Array(privateJWK(ec).utf8)))
    }
}
