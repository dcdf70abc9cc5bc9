// SPDX-License-Identifier: Apache-2.0

/// Loading keys from files in whatever form they come: JWK, JWKS or PEM, detected by content.
public enum KeySource {
    /// The parsed content of a key file.
    public enum Content {
        case key(JWK)
        case set(JWKSet)
    }

    /// Parses key-file bytes: PEM when it starts with `-----BEGIN`, otherwise a JSON JWK or JWKS.
    public static func parse(_ data: [UInt8], what: String, lenient: Bool = false) throws(WIFError) -> Content {
        let trimmed = Input.trim(data)
        if trimmed.starts(with: Array("-----BEGIN".utf8)) { return .key(try JWK.fromPEM(trimmed, what: what)) }
        guard trimmed.first == UInt8(ascii: "{") else {
            throw WIFError(.keyInvalid, "\(what): not a JWK, JWKS or PEM key")
        }
        let o: JSONObject
        do { o = try JSON.parseObject(trimmed, what: what) } catch { throw WIFError(.keyInvalid, error.detail) }
        if o["keys"] != nil && o["kty"] == nil { return .set(try JWKSet.parse(o, what: what, lenient: lenient)) }
        return .key(try JWK.parse(o, what: what))
    }

    /// Loads one private signing key from a file: a private JWK, a JWKS (the key named by `kid`, or its only
    /// key), or a PEM private key. For a single key, `kid` does not select: the caller puts it in the header.
    public static func loadSigningKey(path: String, kid: String?) throws(WIFError) -> JWK {
        let what = Input.label(path)
        let key: JWK
        switch try parse(try Input.read(path), what: what) {
        case .key(let k):
            // A single key is used whatever its kid: --kid then only names it in the token header.
            key = k
        case .set(let s):
            if let kid {
                guard let k = s.keys.first(where: { $0.kid == kid }) else {
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

    /// Loads every key from the files (JWK, JWKS or PEM each), in order.
    public static func loadAll(paths: [String], lenient: Bool = false) throws(WIFError) -> [JWK] {
        var keys: [JWK] = []
        for p in paths {
            switch try parse(try Input.read(p), what: Input.label(p), lenient: lenient) {
            case .key(let k): keys.append(k)
            case .set(let s): keys += s.keys
            }
        }
        return keys
    }
}
