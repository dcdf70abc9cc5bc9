// SPDX-License-Identifier: Apache-2.0

/// wif's encrypted key file, version 1: a private JWK sealed with AES-256-GCM under a key derived from a
/// passphrase with Argon2id (RFC 9106). The format is documented in wif-mint(1), ENCRYPTED KEY FILES.
///
/// ```
/// {"wif":"encrypted-key","version":1,"kid":"ci-1","alg":"ES256",
///  "kdf":{"alg":"argon2id","v":19,"m":65536,"t":3,"p":4,"salt":"<16 bytes, base64url>"},
///  "enc":{"alg":"A256GCM","nonce":"<12 bytes>","tag":"<16 bytes>"},"ciphertext":"<base64url>"}
/// ```
/// (one line, no spaces, then a newline). Rules:
/// - key-encryption key = Argon2id(passphrase, salt, m, t, p), 32 bytes; a fresh random salt and nonce per file;
/// - plaintext = the private JWK, compact JSON, whose `kid` and `alg` equal the file's;
/// - authenticated data = the file without `enc.tag` and `ciphertext`, in the same canonical form: every
///   member but the ciphertext and tag is bound, so a changed `kid`, `alg`, cost parameter, salt or nonce fails
///   the tag like a changed ciphertext byte;
/// - reading is strict: exactly these members, these algorithms, strict base64url, cost parameters within
///   `Argon2.Parameters`' limits (checked before any memory is allocated), and the bytes must be the canonical
///   form wif writes (one optional final newline), so every changed byte is an error, even one JSON would ignore;
/// - a wrong passphrase and a tampered file are the same error (`decrypt_failed`).
public struct EncryptedKey: Sendable, Equatable {
    public static let type = "encrypted-key"
    public static let version: Int64 = 1
    public static let saltLength = 16
    public static let kdfName = "argon2id"
    public static let encName = "A256GCM"

    public var kid: String
    public var alg: String
    public var parameters: Argon2.Parameters
    public var salt: [UInt8]
    public var box: Sealing.Box

    /// Whether a JSON object claims to be a wif file (it has a `wif` member) rather than a JWK or JWKS.
    public static func isWIFFile(_ o: JSONObject) -> Bool { o["wif"] != nil }

    // MARK: Writing

    /// Seals the private `key` under `passphrase`. The file's `kid` is the key's (its thumbprint when it has
    /// none) and its `alg` the key's (the key type's default when it has none); both are written into the JWK.
    public static func seal(_ key: JWK, passphrase: SecretBytes, parameters: Argon2.Parameters,
                            what: String) throws(WIFError) -> EncryptedKey {
        guard key.isPrivate else { throw WIFError(.keyInvalid, "\(what): key\(key.kidLabel) is public; only private keys are encrypted") }
        guard !passphrase.isEmpty else { throw WIFError(.usage, "the passphrase is empty") }
        try parameters.check(what: what)
        let kid = key.kid ?? key.thumbprint
        let alg: String
        if let a = key.algName { alg = a } else { alg = try key.defaultAlgorithm().rawValue }
        var jwk = key.json(includePrivate: true)
        jwk["kid"] = .string(kid)
        jwk["alg"] = .string(alg)
        var file = EncryptedKey(kid: kid, alg: alg, parameters: parameters, salt: try Random.bytes(saltLength),
                                box: Sealing.Box(nonce: try Random.bytes(Sealing.nonceLength), ciphertext: [], tag: []))
        var text: [UInt8] = []
        JSON.object(jwk).write(to: &text)
        let plaintext = SecretBytes(text)
        Digest.wipe(&text)
        defer { plaintext.wipe() }
        let kek = try Argon2.derive(password: passphrase, salt: file.salt, parameters: parameters, length: Sealing.keyLength)
        defer { kek.wipe() }
        file.box = try Sealing.seal(plaintext, key: kek, aad: file.authenticatedData, nonce: file.box.nonce)
        return file
    }

    /// The file's JSON, members in the documented order.
    func json(sealed: Bool) -> JSON {
        var kdf = JSONObject()
        kdf["alg"] = .string(EncryptedKey.kdfName)
        kdf["v"] = .integer(Int64(Argon2.version))
        kdf["m"] = .integer(Int64(parameters.memoryKiB))
        kdf["t"] = .integer(Int64(parameters.iterations))
        kdf["p"] = .integer(Int64(parameters.lanes))
        kdf["salt"] = .string(Base64URL.encode(salt))
        var enc = JSONObject()
        enc["alg"] = .string(EncryptedKey.encName)
        enc["nonce"] = .string(Base64URL.encode(box.nonce))
        if sealed { enc["tag"] = .string(Base64URL.encode(box.tag)) }
        var o = JSONObject()
        o["wif"] = .string(EncryptedKey.type)
        o["version"] = .integer(EncryptedKey.version)
        o["kid"] = .string(kid)
        o["alg"] = .string(alg)
        o["kdf"] = .object(kdf)
        o["enc"] = .object(enc)
        if sealed { o["ciphertext"] = .string(Base64URL.encode(box.ciphertext)) }
        return .object(o)
    }

    /// The AES-GCM associated data: the canonical file without `enc.tag` and `ciphertext`.
    public var authenticatedData: [UInt8] {
        var out: [UInt8] = []
        json(sealed: false).write(to: &out)
        return out
    }

    /// The file's bytes: canonical compact JSON and a newline.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        json(sealed: true).write(to: &out)
        out.append(0x0A)
        return out
    }

    // MARK: Reading

    /// Parses and checks an encrypted key file (rules at the top), without decrypting it.
    public static func parse(_ data: [UInt8], what: String) throws(WIFError) -> EncryptedKey {
        func bad(_ why: String) -> WIFError { WIFError(.keyInvalid, "\(what): \(why)") }
        let o: JSONObject
        do { o = try JSON.parseObject(data, what: what) } catch { throw WIFError(.keyInvalid, error.detail) }
        guard let type = o["wif"]?.stringValue, type == EncryptedKey.type else {
            throw bad("not a wif encrypted key (member \"wif\" is not \"\(EncryptedKey.type)\")")
        }
        guard let v = o["version"]?.int64Value else { throw bad("member \"version\" is missing or not an integer") }
        guard v == EncryptedKey.version else {
            throw WIFError(.keyInvalid, "\(what): encrypted key version \(v) is not supported (this wif reads version 1)",
                           hint: "a newer wif wrote this file")
        }
        try exactMembers(o, ["wif", "version", "kid", "alg", "kdf", "enc", "ciphertext"], in: "the file", what: what)
        guard let kid = o["kid"]?.stringValue else { throw bad("member \"kid\" is not a string") }
        guard let alg = o["alg"]?.stringValue, !alg.isEmpty else { throw bad("member \"alg\" is not a non-empty string") }
        guard let kdf = o["kdf"]?.objectValue else { throw bad("member \"kdf\" is not an object") }
        guard let enc = o["enc"]?.objectValue else { throw bad("member \"enc\" is not an object") }
        try exactMembers(kdf, ["alg", "v", "m", "t", "p", "salt"], in: "\"kdf\"", what: what)
        try exactMembers(enc, ["alg", "nonce", "tag"], in: "\"enc\"", what: what)
        guard kdf["alg"]?.stringValue == kdfName else { throw bad("kdf alg is not \"\(kdfName)\"") }
        guard kdf["v"]?.int64Value == Int64(Argon2.version) else { throw bad("kdf v is not \(Argon2.version) (Argon2 1.3)") }
        func cost(_ name: String, max: UInt32) throws(WIFError) -> UInt32 {
            guard let n = kdf[name]?.int64Value, n >= 1, n <= Int64(max) else {
                throw bad("kdf \(name) is not an integer from 1 to \(max)")
            }
            return UInt32(n)
        }
        let params = Argon2.Parameters(memoryKiB: try cost("m", max: Argon2.Parameters.maxMemoryKiB),
                                       iterations: try cost("t", max: Argon2.Parameters.maxIterations),
                                       lanes: try cost("p", max: Argon2.Parameters.maxLanes))
        try params.check(what: what)
        guard enc["alg"]?.stringValue == encName else { throw bad("enc alg is not \"\(encName)\"") }
        func b64(_ o: JSONObject, _ name: String, _ label: String, sizes: ClosedRange<Int>) throws(WIFError) -> [UInt8] {
            guard let s = o[name]?.stringValue, let b = Base64URL.decode(s), sizes.contains(b.count) else {
                let size = sizes.lowerBound == sizes.upperBound ? "\(sizes.lowerBound)" : "\(sizes.lowerBound) to \(sizes.upperBound)"
                throw bad("\(label) is not \(size) bytes of base64url")
            }
            return b
        }
        let salt = try b64(kdf, "salt", "kdf salt", sizes: saltLength...64)
        let nonce = try b64(enc, "nonce", "enc nonce", sizes: Sealing.nonceLength...Sealing.nonceLength)
        let tag = try b64(enc, "tag", "enc tag", sizes: Sealing.tagLength...Sealing.tagLength)
        let ciphertext = try b64(o, "ciphertext", "ciphertext", sizes: 1...Sealing.maxLength)
        let file = EncryptedKey(kid: kid, alg: alg, parameters: params, salt: salt,
                                box: Sealing.Box(nonce: nonce, ciphertext: ciphertext, tag: tag))
        let canonical = file.serialized()
        guard data.elementsEqual(canonical) || data.elementsEqual(canonical.dropLast()) else {
            throw WIFError(.keyInvalid, "\(what): the encrypted key is not in the exact form wif writes",
                           hint: "it was edited or reformatted; every byte counts, restore the file wif wrote")
        }
        return file
    }

    private static func exactMembers(_ o: JSONObject, _ names: [String], in place: String, what: String) throws(WIFError) {
        for m in o where !names.contains(where: { $0.utf8.elementsEqual(m.name.utf8) }) {
            throw WIFError(.keyInvalid, "\(what): unknown member \"\(JSON.escapedForMessage(m.name))\" in \(place)")
        }
        for n in names where !o.contains(n) {
            throw WIFError(.keyInvalid, "\(what): member \"\(n)\" is missing from \(place)")
        }
    }

    /// Derives the key-encryption key, opens the box and parses the private JWK inside.
    public func open(passphrase: SecretBytes, what: String) throws(WIFError) -> JWK {
        let kek = try Argon2.derive(password: passphrase, salt: salt, parameters: parameters, length: Sealing.keyLength)
        defer { kek.wipe() }
        let plaintext: SecretBytes
        do {
            plaintext = try Sealing.open(box, key: kek, aad: authenticatedData, what: what)
        } catch {
            throw WIFError(error.reason, error.detail, hint: error.reason == .decryptFailed
                           ? "check the passphrase (--passphrase-file, --passphrase-fd, WIF_PASSPHRASE or the prompt)"
                           : error.hint)
        }
        defer { plaintext.wipe() }
        // Parsed in place (JSON.parse would copy the plaintext into an array that nobody wipes).
        let key: JWK = try plaintext.withBytes { (raw) throws(WIFError) -> JWK in
            let inner = "\(what) (decrypted)"
            let bytes = raw.bindMemory(to: UInt8.self)
            var reader = JSONReader(buf: bytes, maxDepth: JSON.defaultMaxDepth)
            reader.skipWhitespace()
            let v: JSON
            do throws(WIFError) { v = try reader.value(depth: 0) } catch { throw WIFError(.keyInvalid, "\(inner): \(error.detail)") }
            reader.skipWhitespace()
            guard reader.pos == bytes.count, let o = v.objectValue else { throw WIFError(.keyInvalid, "\(inner): not a JWK") }
            return try JWK.parse(o, what: inner)
        }
        guard key.isPrivate else { throw WIFError(.keyInvalid, "\(what): the sealed key is not a private key") }
        guard key.kid.map({ $0.utf8.elementsEqual(kid.utf8) }) == true,
              key.algName.map({ $0.utf8.elementsEqual(alg.utf8) }) == true else {
            throw WIFError(.keyInvalid, "\(what): the sealed key's kid or alg differs from the file's")
        }
        return key
    }
}

extension EncryptedKey {
    /// `wif-mint key encrypt`: the key in `path` (JWK, JWKS with `kid`, PEM or encrypted PEM, whose passphrase
    /// is kept) sealed into a wif encrypted key file. An already sealed wif file is refused.
    public static func sealFile(_ path: String, kid: String?, passphrase: Passphrase,
                                parameters: Argon2.Parameters) throws(WIFError) -> [UInt8] {
        let data = try Input.read(path)
        if KeySource.isEncrypted(data) && !KeySource.isEncryptedPEM(data) {
            throw WIFError(.usage, "\(Input.label(path)) is already encrypted", hint: "wif-mint key decrypt prints the plain key")
        }
        let key = try KeySource.signingKey(data, what: Input.label(path), kid: kid, passphrase: passphrase)
        return try seal(key, passphrase: try passphrase.new(for: Input.label(path)), parameters: parameters,
                        what: Input.label(path)).serialized()
    }

    /// `wif-mint key decrypt`: the private key of an encrypted key file (wif's or encrypted PEM).
    public static func openFile(_ path: String, passphrase: Passphrase) throws(WIFError) -> JWK {
        let data = try Input.read(path)
        guard KeySource.isEncrypted(data) else {
            throw WIFError(.usage, "\(Input.label(path)) is not encrypted", hint: "wif-mint key encrypt encrypts it")
        }
        return try KeySource.signingKey(data, what: Input.label(path), kid: nil, passphrase: passphrase)
    }
}

