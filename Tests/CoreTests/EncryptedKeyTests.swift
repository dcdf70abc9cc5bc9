// SPDX-License-Identifier: Apache-2.0
import Core
import Foundation
import Testing

/// wif's encrypted key file (version 1) and encrypted PKCS#8 PEM: the committed fixtures written by an independent
/// implementation of the documented format (Tests/Fixtures/argon2/make-fixtures.py) open; round trips for every
/// key type; every changed byte of a file is refused; hostile cost parameters are refused before allocation.
@Suite struct EncryptedKeyTests {
    static let passphrase = "correct horse battery staple"
    /// Small cost parameters so the tests are fast (a real file uses at least t = 3, m = 64 MiB).
    static let fast = Argon2.Parameters(memoryKiB: 64, iterations: 1, lanes: 1)

    static func secret(_ s: String = passphrase) -> SecretBytes { SecretBytes(Array(s.utf8)) }

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: fixturesDirectory() + "/argon2/" + name)))
    }

    // MARK: The committed fixtures (format stability)

    @Test func fixtureFileOpens() throws {
        let data = try EncryptedKeyTests.fixture("rfc7515-a3.wif-key")
        let file = try EncryptedKey.parse(data, what: "fixture")
        #expect(file.kid == "rfc7515-a3")
        #expect(file.alg == "ES256")
        #expect(file.parameters == Argon2.Parameters(memoryKiB: 64, iterations: 1, lanes: 1))
        #expect(file.salt == Array(0..<16))
        #expect(file.box.nonce == Array(100..<112))
        let key = try file.open(passphrase: EncryptedKeyTests.secret(), what: "fixture")
        #expect(key.isPrivate)
        #expect(key.thumbprint == "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U")  // RFC 7515 A.3, REFERENCES D3.7
        #expect(key.kid == "rfc7515-a3")
        #expect(key.algName == "ES256")
        // Re-serializing the parsed file gives back the fixture byte for byte: the format is canonical.
        #expect(file.serialized() == data)
    }

    @Test func fixtureThroughKeySource() throws {
        let data = try EncryptedKeyTests.fixture("rfc7515-a3.wif-key")
        guard case .key(let key) = try KeySource.parse(data, what: "fixture", passphrase: Passphrase(EncryptedKeyTests.secret())) else {
            Issue.record("not a single key")
            return
        }
        #expect(key.thumbprint == "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U")
        #expect(KeySource.isEncrypted(data))
        // Without a passphrase source the file is refused, by a command that reads no passphrase ...
        #expect(reason { try KeySource.parse(data, what: "fixture") } == .keyInvalid)
        // ... and by one that has no source to read it from.
        let none = try Passphrase(Passphrase.Source(environment: false, prompt: false))
        #expect(reason { try KeySource.parse(data, what: "fixture", passphrase: none) } == .passphraseRequired)
    }

    @Test func fixtureWrongPassphrase() throws {
        let file = try EncryptedKey.parse(try EncryptedKeyTests.fixture("rfc7515-a3.wif-key"), what: "fixture")
        for wrong in ["correct horse battery stapl", "correct horse battery staple ", "Correct horse battery staple", "x"] {
            #expect(reason { try file.open(passphrase: EncryptedKeyTests.secret(wrong), what: "fixture") } == .decryptFailed)
        }
    }

    /// OpenSSL-encrypted PKCS#8 (PBES2, PBKDF2, AES-256-CBC), as `openssl pkcs8 -topk8 -v2 aes256` writes it.
    @Test func encryptedPEMFixture() throws {
        let pem = try EncryptedKeyTests.fixture("rfc7515-a3.pkcs8-aes256.pem")
        #expect(KeySource.isEncrypted(pem))
        let key = try JWK.fromPEM(pem, what: "pem", passphrase: EncryptedKeyTests.secret())
        #expect(key.isPrivate)
        #expect(key.thumbprint == "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U")
        #expect(reason { try JWK.fromPEM(pem, what: "pem", passphrase: EncryptedKeyTests.secret("wrong")) } == .decryptFailed)
        #expect(reason { try JWK.fromPEM(pem, what: "pem") } == .keyInvalid)
        #expect(reason { try KeySource.parse(pem, what: "pem") } == .keyInvalid)
        let none = try Passphrase(Passphrase.Source(environment: false, prompt: false))
        #expect(reason { try KeySource.parse(pem, what: "pem", passphrase: none) } == .passphraseRequired)
        guard case .key(let k2) = try KeySource.parse(pem, what: "pem", passphrase: Passphrase(EncryptedKeyTests.secret())) else {
            Issue.record("not a single key")
            return
        }
        #expect(k2.thumbprint == key.thumbprint)
    }

    // MARK: Round trips

    @Test(arguments: [Algorithm.es256, .es384, .es512, .es256k, .edDSA, .ed448, .rs256, .ps256, .hs256, .hs512])
    func roundTrip(alg: Algorithm) throws {
        let key = try GeneratedKeys.key(alg)
        let file = try EncryptedKey.seal(key, passphrase: EncryptedKeyTests.secret(), parameters: EncryptedKeyTests.fast,
                                         what: "test")
        let bytes = file.serialized()
        let again = try EncryptedKey.parse(bytes, what: "test")
        #expect(again == file)
        let opened = try again.open(passphrase: EncryptedKeyTests.secret(), what: "test")
        #expect(opened.thumbprint == key.thumbprint)
        #expect(opened.isPrivate)
        #expect(opened.kid == file.kid)
        #expect(opened.algName == file.alg)
        #expect(opened.json(includePrivate: true)["d"] == key.json(includePrivate: true)["d"])
        #expect(opened.json(includePrivate: true)["k"] == key.json(includePrivate: true)["k"])
    }

    /// kid defaults to the thumbprint and alg to the key type's default when the key has none (a PEM key).
    @Test func kidAndAlgDefaults() throws {
        let pem = try EncryptedKeyTests.fixture("rfc7515-a3.pkcs8-aes256.pem")
        var key = try JWK.fromPEM(pem, what: "pem", passphrase: EncryptedKeyTests.secret())
        key.kid = nil
        #expect(key.algName == nil)
        let file = try EncryptedKey.seal(key, passphrase: EncryptedKeyTests.secret(), parameters: EncryptedKeyTests.fast,
                                         what: "test")
        #expect(file.kid == key.thumbprint)
        #expect(file.alg == "ES256")
        let opened = try file.open(passphrase: EncryptedKeyTests.secret(), what: "test")
        #expect(opened.kid == key.thumbprint)
        #expect(opened.algName == "ES256")
    }

    @Test func shapeOfTheFile() throws {
        let key = try GeneratedKeys.key(.es256)
        let a = try EncryptedKey.seal(key, passphrase: EncryptedKeyTests.secret(), parameters: .recommended, what: "test")
        let b = try EncryptedKey.seal(key, passphrase: EncryptedKeyTests.secret(), parameters: .recommended, what: "test")
        #expect(a.salt.count == 16 && a.box.nonce.count == 12 && a.box.tag.count == 16)
        #expect(a.salt != b.salt && a.box.nonce != b.box.nonce && a.box.ciphertext != b.box.ciphertext)
        let bytes = a.serialized()
        #expect(bytes.last == 0x0A)
        #expect(!bytes.dropLast().contains(0x0A) && !bytes.contains(0x20))
        let o = try JSON.parseObject(bytes, what: "test")
        #expect(o.keys == ["wif", "version", "kid", "alg", "kdf", "enc", "ciphertext"])
        #expect(o["kdf"]?.objectValue?.keys == ["alg", "v", "m", "t", "p", "salt"])
        #expect(o["enc"]?.objectValue?.keys == ["alg", "nonce", "tag"])
        #expect(o["kdf"]?.objectValue?["m"] == .integer(65536))
        #expect(o["kdf"]?.objectValue?["t"] == .integer(3))
        #expect(o["kdf"]?.objectValue?["p"] == .integer(4))
        #expect(o["kdf"]?.objectValue?["v"] == .integer(19))
        // The associated data is the file without enc.tag and ciphertext, in the same canonical form.
        let aad = String(decoding: a.authenticatedData, as: UTF8.self)
        #expect(aad.hasPrefix("{\"wif\":\"encrypted-key\",\"version\":1,\"kid\":"))
        #expect(aad.hasSuffix("\"enc\":{\"alg\":\"A256GCM\",\"nonce\":\"\(Base64URL.encode(a.box.nonce))\"}}"))
        #expect(!aad.contains("tag") && !aad.contains("ciphertext"))
        // No private member appears in the clear.
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.contains(key.json(includePrivate: true)["d"]?.stringValue ?? "?"))
    }

    // MARK: Tampering

    /// Every byte of a file, changed in two ways, makes it unreadable: either the parse refuses it or the tag fails.
    @Test func everyChangedByteIsRefused() throws {
        let key = try GeneratedKeys.key(.edDSA)
        let bytes = try EncryptedKey.seal(key, passphrase: EncryptedKeyTests.secret(), parameters: EncryptedKeyTests.fast,
                                          what: "test").serialized()
        var outcomes: [Reason: Int] = [:]
        for i in 0..<bytes.count {
            for mask: UInt8 in [0x01, 0x80] {
                var b = bytes
                b[i] ^= mask
                let r = reason {
                    try EncryptedKey.parse(b, what: "test").open(passphrase: EncryptedKeyTests.secret(), what: "test")
                }
                #expect(r == .keyInvalid || r == .decryptFailed, "byte \(i) ^ \(mask): \(String(describing: r))")
                if let r { outcomes[r, default: 0] += 1 }
            }
        }
        #expect(outcomes.values.reduce(0, +) == 2 * bytes.count)
        #expect((outcomes[.decryptFailed] ?? 0) > 0)
        // Dropping the final newline is not a change; dropping anything else is.
        #expect(reason { try EncryptedKey.parse(Array(bytes.dropLast()), what: "test") } == nil)
        #expect(reason { try EncryptedKey.parse(Array(bytes.dropLast(2)), what: "test") } == .keyInvalid)
        #expect(reason { try EncryptedKey.parse(bytes + [0x0A], what: "test") } == .keyInvalid)
        #expect(reason { try EncryptedKey.parse([0x20] + bytes, what: "test") } == .keyInvalid)
    }

    /// A header member changed and written back canonically still fails: the header is authenticated data.
    @Test func headerIsAuthenticated() throws {
        let key = try GeneratedKeys.key(.es256)
        let file = try EncryptedKey.seal(key, passphrase: EncryptedKeyTests.secret(), parameters: EncryptedKeyTests.fast,
                                         what: "test")
        var changed: [EncryptedKey] = []
        var f = file; f.kid = "other"; changed.append(f)
        f = file; f.alg = "ES384"; changed.append(f)
        f = file; f.parameters.iterations = 2; changed.append(f)
        f = file; f.parameters.memoryKiB = 72; changed.append(f)
        f = file; f.parameters.lanes = 2; changed.append(f)
        f = file; f.salt[0] ^= 1; changed.append(f)
        f = file; f.box.nonce[0] ^= 1; changed.append(f)
        f = file; f.box.tag[15] ^= 1; changed.append(f)
        f = file; f.box.ciphertext[0] ^= 1; changed.append(f)
        for c in changed {
            let reparsed = try EncryptedKey.parse(c.serialized(), what: "test")
            #expect(reason { try reparsed.open(passphrase: EncryptedKeyTests.secret(), what: "test") } == .decryptFailed)
        }
    }

    static func text(m: String = "64", t: String = "1", p: String = "1", version: String = "1", extra: String = "",
                     salt: String = "AAECAwQFBgcICQoLDA0ODw", nonce: String = "ZGVmZ2hpamtsbW5v", alg: String = "\"ES256\"") -> [UInt8] {
        Array(("{\"wif\":\"encrypted-key\",\"version\":\(version),\"kid\":\"k\",\"alg\":\(alg),\"kdf\":{\"alg\":\"argon2id\","
            + "\"v\":19,\"m\":\(m),\"t\":\(t),\"p\":\(p),\"salt\":\"\(salt)\"},\"enc\":{\"alg\":\"A256GCM\",\"nonce\":\"\(nonce)\","
            + "\"tag\":\"tdcHY4DiXNek3IWwET0saA\"},\"ciphertext\":\"eQjw\"\(extra)}\n").utf8)
    }

    /// Hostile or unknown values are refused by the parse, before any memory is allocated for Argon2.
    @Test(arguments: [
        text(m: "4194305"), text(m: "4294967295"), text(m: "18446744073709551616"), text(m: "-1"), text(m: "0"),
        text(m: "64.0"), text(m: "\"64\""), text(t: "101"), text(t: "11"), text(t: "0"), text(p: "65"), text(p: "17"),
        text(p: "0"), text(m: "8", p: "2"), text(m: "4194304", t: "1", p: "64"), text(m: "1048577"), text(m: "1048576", t: "4"),
        text(version: "2"), text(version: "0"), text(version: "\"1\""), text(extra: ",\"x\":1"), text(salt: "AAECAwQFBgcICQoLDA0O"),
        text(salt: "AAECAwQFBgcICQoLDA0ODx"), text(nonce: "ZGVmZ2hpamtsbW4"), text(alg: "\"\""), text(alg: "null"),
        Array("{\"wif\":\"encrypted-key\"}".utf8), Array("{\"wif\":\"other\",\"version\":1}".utf8), Array("[]".utf8),
    ])
    func hostileFilesRefused(bytes: [UInt8]) {
        #expect(reason { try EncryptedKey.parse(bytes, what: "test") } == .keyInvalid)
    }

    /// The file as written parses (the hostile cases above differ from it in one value each).
    @Test func baselineParses() throws {
        _ = try EncryptedKey.parse(EncryptedKeyTests.text(), what: "test")
        _ = try EncryptedKey.parse(EncryptedKeyTests.text(m: "1048576", t: "3", p: "16"), what: "test")
        _ = try EncryptedKey.parse(EncryptedKeyTests.text(m: "65536", t: "10", p: "16"), what: "test")
        // A larger memory cost only when the reader raises the bound (--max-kdf-memory).
        #expect(reason { try EncryptedKey.parse(EncryptedKeyTests.text(m: "4194304", t: "1", p: "4"), what: "test") } == .keyInvalid)
        _ = try EncryptedKey.parse(EncryptedKeyTests.text(m: "4194304", t: "1", p: "4"), what: "test", maxMemory: 4 << 20)
    }

    /// A reformatted file (same JSON, other spelling) is refused: only the canonical bytes are read.
    @Test func reformattedRefused() throws {
        let data = try EncryptedKeyTests.fixture("rfc7515-a3.wif-key")
        let pretty = Array(try JSON.parse(data).pretty().utf8)
        #expect(reason { try EncryptedKey.parse(pretty, what: "test") } == .keyInvalid)
        let reordered = String(decoding: data, as: UTF8.self).replacingOccurrences(
            of: "\"kid\":\"rfc7515-a3\",\"alg\":\"ES256\"", with: "\"alg\":\"ES256\",\"kid\":\"rfc7515-a3\"")
        #expect(reason { try EncryptedKey.parse(Array(reordered.utf8), what: "test") } == .keyInvalid)
    }

    @Test func publicKeyNotSealed() throws {
        let pub = try parseJWK(RFC.a3PublicKey)
        #expect(reason { try EncryptedKey.seal(pub, passphrase: EncryptedKeyTests.secret(), parameters: EncryptedKeyTests.fast,
                                               what: "test") } == .keyInvalid)
        #expect(reason { try EncryptedKey.seal(try parseJWK(RFC.a3Key), passphrase: SecretBytes([]),
                                               parameters: EncryptedKeyTests.fast, what: "test") } == .usage)
    }
}
