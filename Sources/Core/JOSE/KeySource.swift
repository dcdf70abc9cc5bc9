// SPDX-License-Identifier: Apache-2.0

/// Loading keys from files in whatever form they come: JWK, JWKS or PEM, detected by content.
public enum KeySource {
    /// The parsed content of a key file.
    public enum Content {
        case key(JWK)
        case set(JWKSet)
    }

    /// Parses key-file bytes: PEM when it starts with `-----BEGIN`, otherwise a JSON JWK or JWKS, or wif's
    /// encrypted key file (EncryptedKey.swift). Encrypted keys (that file, or encrypted PEM) are opened with
    /// `passphrase`, which is read only then; without one they are refused.
    public static func parse(_ data: [UInt8], what: String, lenient: Bool = false,
                             passphrase: Passphrase? = nil) throws(WIFError) -> Content {
        let trimmed = Input.trim(data)
        if trimmed.starts(with: Array("-----BEGIN".utf8)) {
            var secret: SecretBytes?
            if PKey.isEncryptedPEM(trimmed) {
                guard let passphrase else { throw encryptedNotRead(what) }
                secret = try passphrase.existing(for: what)
            }
            return .key(try JWK.fromPEM(trimmed, what: what, passphrase: secret))
        }
        guard trimmed.first == UInt8(ascii: "{") else {
            throw WIFError(.keyInvalid, "\(what): not a JWK, JWKS or PEM key")
        }
        let o: JSONObject
        do { o = try JSON.parseObject(trimmed, what: what) } catch { throw WIFError(.keyInvalid, error.detail) }
        if EncryptedKey.isWIFFile(o) {
            guard let passphrase else { throw encryptedNotRead(what) }
            let file = try EncryptedKey.parse(data, what: what)  // a broken file fails before any prompt
            return .key(try file.open(passphrase: try passphrase.existing(for: what), what: what))
        }
        if o["keys"] != nil && o["kty"] == nil { return .set(try JWKSet.parse(o, what: what, lenient: lenient)) }
        return .key(try JWK.parse(o, what: what))
    }

    /// Whether key-file bytes hold an encrypted private key (wif's encrypted key file or encrypted PEM).
    public static func isEncrypted(_ data: [UInt8]) -> Bool {
        let trimmed = Input.trim(data)
        if trimmed.starts(with: Array("-----BEGIN".utf8)) { return PKey.isEncryptedPEM(trimmed) }
        guard trimmed.first == UInt8(ascii: "{"), let o = try? JSON.parseObject(trimmed, what: "") else { return false }
        return EncryptedKey.isWIFFile(o)
    }

    /// Whether key-file bytes hold an OpenSSL-encrypted PEM private key.
    public static func isEncryptedPEM(_ data: [UInt8]) -> Bool {
        let trimmed = Input.trim(data)
        return trimmed.starts(with: Array("-----BEGIN".utf8)) && PKey.isEncryptedPEM(trimmed)
    }

    static func encryptedNotRead(_ what: String) -> WIFError {
        WIFError(.keyInvalid, "\(what) holds an encrypted private key, which this command does not read",
                 hint: "publish its public half with wif-mint jwks, which asks for the passphrase")
    }

    /// Loads one private signing key from a file: a private JWK, a JWKS (the key named by `kid`, or its only
    /// key), a PEM private key, or an encrypted key (opened with `passphrase`). For a single key, `kid` does not
    /// select: the caller puts it in the header.
    public static func loadSigningKey(path: String, kid: String?, passphrase: Passphrase? = nil) throws(WIFError) -> JWK {
        try signingKey(try Input.read(path), what: Input.label(path), kid: kid, passphrase: passphrase)
    }

    /// The private signing key in key-file bytes already read (rules of `loadSigningKey`).
    public static func signingKey(_ data: [UInt8], what: String, kid: String?,
                                  passphrase: Passphrase? = nil) throws(WIFError) -> JWK {
        let key: JWK
        switch try parse(data, what: what, passphrase: passphrase) {
        case .key(let k):
            // A single key's own kid must agree with --kid (wif-mint(1)); a key without one is named by it. A PEM
            // key has none of its own (its thumbprint stands in for one until --kid names it).
            let pem = Input.trim(data).starts(with: Array("-----BEGIN".utf8))
            if let kid, !kid.isEmpty, !pem, let own = k.kid, !own.same(kid) {
                throw WIFError(.usage, "\(what): the key's kid is \"\(JSON.escapedForMessage(own))\", not \"\(JSON.escapedForMessage(kid))\"",
                               hint: "to put another kid in the header, use --header kid=\(JSON.escapedForMessage(kid))")
            }
            key = k
        case .set(let s):
            if let kid {
                guard let k = s.keys.first(where: { $0.kid?.same(kid) == true }) else {
                    throw WIFError(.keyNotFound, "\(what): no key with kid \"\(JSON.escapedForMessage(kid))\"")
                }
                key = k
            } else {
                guard s.keys.count == 1 else {
                    throw WIFError(.usage, "\(what): the JWKS holds \(s.keys.count) keys", hint: "choose one with --kid")
                }
                key = s.keys[0]
            }
        }
        guard key.isPrivate else {
            throw WIFError(.keyInvalid, "\(what): key\(key.kidLabel) is a public key; signing needs the private key")
        }
        return key
    }

    /// Loads every key from the files (JWK, JWKS, PEM or an encrypted key each), in order.
    public static func loadAll(paths: [String], lenient: Bool = false, passphrase: Passphrase? = nil) throws(WIFError) -> [JWK] {
        var keys: [JWK] = []
        for p in paths {
            switch try parse(try Input.read(p), what: Input.label(p), lenient: lenient, passphrase: passphrase) {
            case .key(let k): keys.append(k)
            case .set(let s): keys += s.keys
            }
        }
        return keys
    }
}
