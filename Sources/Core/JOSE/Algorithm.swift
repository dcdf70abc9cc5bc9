// SPDX-License-Identifier: Apache-2.0

/// A JWS algorithm (RFC 7518 §3, RFC 8037 §3.1, RFC 8812 §3.2, RFC 9864 §2). There is no `none`: wif never
/// produces or accepts an unsecured JWS (RFC 8725 §3.2).
public enum Algorithm: String, CaseIterable, Sendable {
    case hs256 = "HS256", hs384 = "HS384", hs512 = "HS512"
    case rs256 = "RS256", rs384 = "RS384", rs512 = "RS512"
    case ps256 = "PS256", ps384 = "PS384", ps512 = "PS512"
    case es256 = "ES256", es384 = "ES384", es512 = "ES512", es256k = "ES256K"
    case edDSA = "EdDSA", ed25519 = "Ed25519", ed448 = "Ed448"

    public enum Family: Sendable { case hmac, rsa, pss, ecdsa, eddsa }

    /// The algorithm named exactly `rawValue` (UTF-8 bytes, RFC 7515 §4.1.1). The synthesized initializer
    /// compares with `==`, under which "ES256" + U+212A KELVIN SIGN is "ES256K".
    public init?(rawValue: String) {
        guard let a = Algorithm.allCases.first(where: { $0.rawValue.same(rawValue) }) else { return nil }
        self = a
    }

    public var family: Family {
        switch self {
        case .hs256, .hs384, .hs512: return .hmac
        case .rs256, .rs384, .rs512: return .rsa
        case .ps256, .ps384, .ps512: return .pss
        case .es256, .es384, .es512, .es256k: return .ecdsa
        case .edDSA, .ed25519, .ed448: return .eddsa
        }
    }

    /// The key type this algorithm needs.
    public var keyType: KeyType {
        switch family {
        case .hmac: return .oct
        case .rsa, .pss: return .rsa
        case .ecdsa: return .ec
        case .eddsa: return .okp
        }
    }

    /// OpenSSL digest name, nil for EdDSA (PureEdDSA hashes internally).
    public var digestName: String? {
        switch self {
        case .hs256, .rs256, .ps256, .es256, .es256k: return "SHA256"
        case .hs384, .rs384, .ps384, .es384: return "SHA384"
        case .hs512, .rs512, .ps512, .es512: return "SHA512"
        case .edDSA, .ed25519, .ed448: return nil
        }
    }

    /// Output size of the hash in bytes: the minimum HMAC key length (RFC 7518 §3.2) and the PSS salt length.
    public var hashLength: Int {
        switch digestName {
        case "SHA256": return 32
        case "SHA384": return 48
        default: return 64
        }
    }

    /// The one curve an ECDSA algorithm allows (RFC 7518 §3.4, RFC 8812 §3.2), or the curve a fully specified
    /// EdDSA name fixes (RFC 9864); nil when any curve of the family fits (`EdDSA`) or the family has none.
    public var requiredCurve: Curve? {
        switch self {
        case .es256: return .p256
        case .es384: return .p384
        case .es512: return .p521
        case .es256k: return .secp256k1
        case .ed25519: return .ed25519
        case .ed448: return .ed448
        default: return nil
        }
    }

    /// Whether a key of this type and curve can be used with this algorithm.
    public func fits(keyType kt: KeyType, curve: Curve?) -> Bool {
        guard kt == keyType else { return false }
        if let c = requiredCurve { return c == curve }
        if family == .eddsa { return curve == .ed25519 || curve == .ed448 }
        return true
    }

    /// The accepted names, for help texts and errors.
    // Not `allCases.map(\.rawValue).joined(separator:)`: the key path and the generic `joined`, which the release
    // build does not specialise for [String], each cost 0.1 M instructions of run-time metadata lookups in every
    // start-up that builds a help text naming the algorithms (issue 12).
    public static let namesList: String = {
        var s = ""
        for a in allCases {
            if !s.isEmpty { s += ", " }
            s += a.rawValue
        }
        return s
    }()

    /// Parses an algorithm name exactly (case-sensitive, RFC 7515 §4.1.1).
    public static func parse(_ name: String) throws(WIFError) -> Algorithm {
        if let a = Algorithm(exactly: name) { return a }
        if name.sameIgnoringASCIICase("none") {
            throw WIFError(.usage, "alg \"none\" is never produced or accepted (RFC 8725 §3.2)",
                           hint: "accepted algs: \(namesList)")
        }
        throw WIFError(.usage, "unknown alg \"\(JSON.escapedForMessage(name))\"", hint: "accepted algs: \(namesList)")
    }
}

/// JWK key types (RFC 7518 §6.1, RFC 8037 §2).
public enum KeyType: String, Sendable, CaseIterable {
    case rsa = "RSA", ec = "EC", okp = "OKP", oct

    /// The key type named exactly `rawValue` (UTF-8 bytes: "O" + U+212A KELVIN SIGN + "P" is not OKP).
    public init?(rawValue: String) {
        guard let t = KeyType.allCases.first(where: { $0.rawValue.same(rawValue) }) else { return nil }
        self = t
    }
}

/// Curves for EC and OKP keys.
public enum Curve: String, Sendable, CaseIterable {
    case p256 = "P-256", p384 = "P-384", p521 = "P-521", secp256k1
    case ed25519 = "Ed25519", ed448 = "Ed448"

    /// The curve named exactly `rawValue` (UTF-8 bytes).
    public init?(rawValue: String) {
        guard let c = Curve.allCases.first(where: { $0.rawValue.same(rawValue) }) else { return nil }
        self = c
    }

    public var keyType: KeyType {
        switch self {
        case .ed25519, .ed448: return .okp
        default: return .ec
        }
    }

    /// Length of a coordinate, private scalar or raw key in bytes.
    public var size: Int {
        switch self {
        case .p256, .secp256k1, .ed25519: return 32
        case .p384: return 48
        case .p521: return 66
        case .ed448: return 57
        }
    }

    /// Whether the curve's group has prime order (cofactor 1): P-256, P-384, P-521 and secp256k1. On such a
    /// curve every point other than infinity has the group's order, so OpenSSL's quick public check suffices.
    var hasPrimeOrder: Bool {
        switch self {
        case .p256, .p384, .p521, .secp256k1: return true
        case .ed25519, .ed448: return false
        }
    }

    /// Name OpenSSL uses: group names for EC, key type names for OKP.
    var opensslName: String {
        switch self {
        case .p256: return "prime256v1"
        case .p384: return "secp384r1"
        case .p521: return "secp521r1"
        case .secp256k1: return "secp256k1"
        case .ed25519: return "ED25519"
        case .ed448: return "ED448"
        }
    }

    static func fromOpenSSLGroup(_ name: String) -> Curve? {
        switch name {
        case "prime256v1", "P-256": return .p256
        case "secp384r1", "P-384": return .p384
        case "secp521r1", "P-521": return .p521
        case "secp256k1": return .secp256k1
        default: return nil
        }
    }

    /// The default JWS algorithm for a key on this curve.
    public var defaultAlgorithm: Algorithm {
        switch self {
        case .p256: return .es256
        case .p384: return .es384
        case .p521: return .es512
        case .secp256k1: return .es256k
        case .ed25519, .ed448: return .edDSA
        }
    }
}
