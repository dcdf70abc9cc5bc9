// SPDX-License-Identifier: Apache-2.0

/// A JSON Web Key (RFC 7517) of a type wif signs or verifies with, checked on import.
///
/// Import rules (REFERENCES D3):
/// - `kty` RSA, EC, OKP or oct; other types are refused (a JWKS reader skips them instead).
/// - every key member is strict base64url; EC `x`, `y`, `d` and OKP `x`, `d` have their curve's exact length;
///   EC points must be on their curve (OpenSSL's quick public check, complete on prime-order curves); a private
///   part must match the public one (`PKey.check`).
/// - RSA: 2048 to 16384 bits, `e` odd, at least 3 and at most 8 bytes; `oth` (multi-prime) refused; the CRT
///   members `p q dp dq qi` all present or all absent, and consistent with `n`, `e` and `d`
///   (`PKey.rsaPrivateMatches`).
/// - OKP: Ed25519 and Ed448 only (X25519 and X448 are key-agreement curves).
/// - oct: at least 32 bytes, and at least the hash length of its `alg` (RFC 7518 §3.2).
/// - a known `alg` must fit the key's type and curve (RFC 8725 §3.1); an unknown `alg` is kept as text (a
///   JWKS may hold encryption keys) and makes the key unusable for signatures.
/// - `use` and `key_ops` are strings / a duplicate-free array of strings.
public struct JWK: Sendable {
    /// What a key is, fixed when it is made: the OpenSSL key it owns (freed with it), the secret bytes of an HMAC
    /// key, the key material as text and its thumbprint. One private class owns them, as swift-crypto wraps its
    /// BoringSSL keys, so copies of a `JWK` share one OpenSSL key and the C object is never copied or freed twice.
    /// Never mutated after init, hence `@unchecked Sendable`.
    private final class Backing: @unchecked Sendable {
        let keyType: KeyType
        let curve: Curve?
        let isPrivate: Bool
        let material: [Member]
        let pkey: PKey?
        let secret: [UInt8]?
        let thumbprint: String

        init(keyType: KeyType, curve: Curve?, isPrivate: Bool, material: [Member],
             pkey: PKey?, secret: [UInt8]?) {
            self.keyType = keyType
            self.curve = curve
            self.isPrivate = isPrivate
            self.material = material
            self.pkey = pkey
            self.secret = secret
            thumbprint = JWK.computeThumbprint(JWK.thumbprintMembers(keyType, curve, material))
        }
    }

    /// One key material member as base64url text. A struct, not a tuple: an array of a tuple type costs the
    /// runtime a metadata instantiation by mangled name each time a key is read (issue 12).
    struct Member: Sendable {
        let name: String
        let value: String
        let secret: Bool
        init(_ name: String, _ value: String, _ secret: Bool) {
            self.name = name
            self.value = value
            self.secret = secret
        }
    }

    private let backing: Backing
    /// The members a publisher may set (RFC 7517 §4): a value of each copy.
    public var kid: String?
    public var algName: String?
    public var use: String?
    public var keyOps: [String]?

    public var keyType: KeyType { backing.keyType }
    public var curve: Curve? { backing.curve }
    public var isPrivate: Bool { backing.isPrivate }
    /// Key material members as base64url text, public first: (name, value, isPrivate).
    var material: [Member] { backing.material }
    var pkey: PKey? { backing.pkey }
    var secret: [UInt8]? { backing.secret }
    /// The RFC 7638 SHA-256 thumbprint, base64url (computed once, when the key is made).
    public var thumbprint: String { backing.thumbprint }
    /// Whether `other` is a copy of this key (the same key material object; kid and the other members may differ).
    func sameKeyMaterial(as other: JWK) -> Bool { backing === other.backing }

    public static let minRSABits = 2048
    public static let maxRSABits = 16384
    public static let minHMACKeyBytes = 32

    init(keyType: KeyType, curve: Curve?, kid: String?, algName: String?, use: String?, keyOps: [String]?,
         isPrivate: Bool, material: [Member], pkey: PKey?, secret: [UInt8]?) {
        backing = Backing(keyType: keyType, curve: curve, isPrivate: isPrivate,
                          material: material, pkey: pkey, secret: secret)
        self.kid = kid
        self.algName = algName
        self.use = use
        self.keyOps = keyOps
    }

    /// The key's `alg`, when it names a JWS algorithm wif knows.
    public var algorithm: Algorithm? { algName.flatMap { Algorithm(exactly: $0) } }

    /// Size in bits: RSA modulus, EC/OKP curve size, oct key length.
    public var bits: Int {
        if let pkey { return pkey.bits }
        return (secret?.count ?? 0) * 8
    }

    /// A short description: `RSA 2048`, `EC P-256`, `OKP Ed25519`, `oct 256`.
    public var summary: String {
        if let curve { return "\(keyType.rawValue) \(curve.rawValue)" }
        return "\(keyType.rawValue) \(bits)"
    }

    /// The algorithm a token signed with this key uses by default: its `alg`, else the family default.
    public func defaultAlgorithm() throws(WIFError) -> Algorithm {
        if let algName {
            guard let a = Algorithm(exactly: algName) else {
                throw WIFError(.keyInvalid, "key\(kidLabel) has alg \"\(JSON.escapedForMessage(algName))\", not a JWS algorithm")
            }
            return a
        }
        switch keyType {
        case .rsa: return .rs256
        case .oct:
            let n = secret?.count ?? 0
            return n >= 64 ? .hs512 : n >= 48 ? .hs384 : .hs256
        case .ec, .okp: return curve?.defaultAlgorithm ?? .es256
        }
    }

    /// ` "kid"` for messages, or an empty string.
    public var kidLabel: String { kid.map { " \"\(JSON.escapedForMessage($0))\"" } ?? "" }

    /// Checks that this key can be used with `alg` (RFC 8725 §3.1: one key, one algorithm).
    public func checkFits(_ alg: Algorithm) throws(WIFError) {
        guard alg.fits(keyType: keyType, curve: curve) else {
            throw WIFError(.keyInvalid, "alg \(alg.rawValue) does not fit key\(kidLabel) (\(summary))",
                           hint: "this key signs with \((try? defaultAlgorithm())?.rawValue ?? "another alg")")
        }
        if let algName, !algName.same(alg.rawValue) {
            throw WIFError(.keyInvalid, "key\(kidLabel) is for alg \(algName), not \(alg.rawValue)")
        }
        if alg.family == .hmac, let secret, secret.count < alg.hashLength {
            throw WIFError(.keyWeak, "key\(kidLabel) has \(secret.count) bytes, \(alg.rawValue) needs at least \(alg.hashLength) (RFC 7518 §3.2)")
        }
    }

    // MARK: Thumbprint (RFC 7638)

    /// The required public members of RFC 7638 §3.2, in lexicographic order.
    static func thumbprintMembers(_ keyType: KeyType, _ curve: Curve?,
                                  _ material: [Member]) -> [Member] {
        let find = { (n: String) in material.first { $0.name.same(n) }?.value ?? "" }
        switch keyType {
        case .rsa: return [Member("e", find("e"), false), Member("kty", "RSA", false), Member("n", find("n"), false)]
        case .ec:
            return [Member("crv", curve?.rawValue ?? "", false), Member("kty", "EC", false), Member("x", find("x"), false),
                    Member("y", find("y"), false)]
        case .okp: return [Member("crv", curve?.rawValue ?? "", false), Member("kty", "OKP", false), Member("x", find("x"), false)]
        case .oct: return [Member("k", find("k"), true), Member("kty", "oct", false)]
        }
    }


    static func computeThumbprint(_ members: [Member]) -> String {
        var json = "{"
        for (i, m) in members.enumerated() { json += (i > 0 ? "," : "") + "\"\(m.name)\":\"\(m.value)\"" }
        json += "}"
        return Base64URL.encode(Digest.sha256(Array(json.utf8)))
    }

    // MARK: Export

    /// The JWK as JSON. Without `includePrivate`, no private member is written, and `key_ops` is dropped.
    public func json(includePrivate: Bool) -> JSONObject {
        var o = JSONObject()
        o["kty"] = .string(keyType.rawValue)
        if let kid { o["kid"] = .string(kid) }
        if let use { o["use"] = .string(use) }
        if includePrivate, let keyOps { o["key_ops"] = .array(keyOps.map { .string($0) }) }
        if let algName { o["alg"] = .string(algName) }
        if let curve { o["crv"] = .string(curve.rawValue) }
        for m in material where includePrivate || !m.secret { o[m.name] = .string(m.value) }
        return o
    }

    /// The PEM form: PKCS#8 private key, or SubjectPublicKeyInfo.
    public func pem(includePrivate: Bool) throws(WIFError) -> String {
        guard let pkey else { throw WIFError(.usage, "an oct (HMAC) key has no PEM form") }
        return try pkey.pem(includePrivate: includePrivate && isPrivate)
    }

    // MARK: Generation

    /// Generates a key for `alg`: RSA of `rsaBits`, the curve the alg fixes (or `curve` for EdDSA), or an HMAC
    /// key of the hash length. The kid defaults to the RFC 7638 thumbprint.
    public static func generate(alg: Algorithm, curve: Curve? = nil, rsaBits: Int = 2048,
                                kid: String? = nil) throws(WIFError) -> JWK {
        var key: JWK
        switch alg.family {
        case .hmac:
            let k = try Random.secretBytes(alg.hashLength)
            key = JWK(keyType: .oct, curve: nil, kid: nil, algName: alg.rawValue, use: "sig", keyOps: nil,
                      isPrivate: true, material: [Member("k", Base64URL.encode(k), true)], pkey: nil, secret: k)
        case .rsa, .pss:
            guard rsaBits >= minRSABits, rsaBits <= maxRSABits, rsaBits % 8 == 0 else {
                throw WIFError(.keyWeak, "RSA keys must have 2048 to 16384 bits (a multiple of 8), not \(rsaBits)",
                               hint: "RFC 7518 §3.3 requires at least 2048 bits")
            }
            key = try fromPKey(try PKey.generateRSA(bits: rsaBits), isPrivate: true, alg: alg.rawValue)
        case .ecdsa, .eddsa:
            let c = alg.requiredCurve ?? curve ?? .ed25519
            guard alg.fits(keyType: c.keyType, curve: c) else {
                throw WIFError(.usage, "curve \(c.rawValue) does not fit alg \(alg.rawValue)")
            }
            key = try fromPKey(try PKey.generate(curve: c), isPrivate: true, alg: alg.rawValue)
        }
        key.kid = kid ?? key.thumbprint
        return key
    }

    static func fromPKey(_ pkey: PKey, isPrivate: Bool, alg: String?) throws(WIFError) -> JWK {
        guard let (kty, curve) = pkey.kind else { throw WIFError(.keyInvalid, "unsupported key type") }
        if kty == .rsa { try checkRSABits(pkey.bits, what: "RSA key") }
        let members = try pkey.jwkMembers(includePrivate: isPrivate)
        let pub = kty == .rsa ? ["n", "e"] : ["x", "y"]
        let mat = members.map { Member($0.0, Base64URL.encode($0.1), !pub.contains($0.0)) }
        return JWK(keyType: kty, curve: curve, kid: nil, algName: alg, use: "sig", keyOps: nil, isPrivate: isPrivate,
                   material: mat, pkey: pkey, secret: nil)
    }

    static func checkRSABits(_ bits: Int, what: String) throws(WIFError) {
        if bits < minRSABits {
            throw WIFError(.keyWeak, "\(what) has \(bits) bits; RS* and PS* need at least \(minRSABits) (RFC 7518 §3.3)")
        }
        if bits > maxRSABits {
            throw WIFError(.keyInvalid, "\(what) has \(bits) bits; wif refuses moduli above \(maxRSABits) bits")
        }
    }

    /// The RSA public exponent rule: odd, at least 3, at most 64 bits (`e` big-endian without leading zeros).
    static func checkRSAExponent(_ e: [UInt8], what: String) throws(WIFError) {
        guard !e.isEmpty, e.count <= 8, e.last.map({ $0 & 1 == 1 }) == true, e.count > 1 || e[0] >= 3, e.first != 0 else {
            throw WIFError(.keyInvalid, "\(what): public exponent \"e\" must be odd, at least 3 and at most 64 bits")
        }
    }

    /// Reads a PEM key (PKCS#8, PKCS#1 or SEC1 private, encrypted with `passphrase` or not; SPKI public).
    /// The kid defaults to the thumbprint. The import rules are those of a JWK: an RSA key's size and exponent
    /// are checked first (cheap; OpenSSL's checks of a 16384-bit key take seconds), then OpenSSL's public check,
    /// and the pairwise check for a private key.
    public static func fromPEM(_ data: [UInt8], what: String, passphrase: SecretBytes? = nil) throws(WIFError) -> JWK {
        let (pkey, isPrivate) = try PKey.fromPEM(data, what: what, passphrase: passphrase)
        if pkey.kind?.0 == .rsa {
            try checkRSABits(pkey.bits, what: what)
            try checkRSAExponent(pkey.bnParam("e") ?? [], what: what)
        }
        try pkey.check(isPrivate: isPrivate, what: what)
        var key: JWK
        do { key = try fromPKey(pkey, isPrivate: isPrivate, alg: nil) } catch { throw error.located(what) }
        if isPrivate && key.keyType == .rsa { try checkRSAPair(key, what: what) }
        key.use = nil
        key.kid = key.thumbprint
        return key
    }
}
