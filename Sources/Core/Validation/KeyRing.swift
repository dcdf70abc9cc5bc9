// SPDX-License-Identifier: Apache-2.0

/// The verification keys, from JWKS or JWK files only (RFC 8725 §3.10: never `jwk`, `jku`, `x5u` or `x5c`
/// from a token header).
///
/// Loading rules: each file is a JWKS or a single JWK (or a PEM public key); the sets are joined, as during a
/// rotation. Keys a JWKS reader cannot use are skipped and listed (RFC 7517 §5). A file that carries private
/// asymmetric key material is refused: a published set must not (RFC 7517 §9.2), and it signals a leak.
/// Symmetric (oct) keys are the one exception, since HMAC verification needs the secret.
/// A KeyRing is immutable and may be shared between threads; each thread verifies through its own Validator.
public final class KeyRing: Sendable {
    public let keys: [JWK]
    public let skipped: [Skipped]

    /// A key a JWKS file skipped (RFC 7517 §5). A struct, not a tuple, for the reason JWKSet.Skipped is one.
    public struct Skipped: Sendable {
        public let file: String
        public let index: Int
        public let kid: String?
        public let why: String
    }

    public static let maxFileSize = 1 << 20

    public init(keys: [JWK]) {
        self.keys = keys
        self.skipped = []
    }

    public init(paths: [String]) throws(WIFError) {
        var keys: [JWK] = []
        var skipped: [Skipped] = []
        if paths.filter({ $0 == "-" }).count > 1 { throw WIFError(.usage, "standard input (-) can be read only once") }
        for p in paths {
            let what = Input.label(p)
            let data = try Input.read(p, limit: KeyRing.maxFileSize)
            try KeyRing.refusePrivateMembers(data, what: what, path: p)
            let found: [JWK]
            switch try KeySource.parse(data, what: what, lenient: true) {
            case .key(let k): found = [k]
            case .set(let s):
                found = s.keys
                for k in s.skipped { skipped.append(Skipped(file: what, index: k.index, kid: k.kid, why: k.why)) }
            }
            for k in found where k.isPrivate && k.keyType != .oct { throw KeyRing.privateMaterial(what, k.kidLabel, p) }
            keys += found
        }
        if keys.count > JWKSet.maxKeys { throw WIFError(.inputTooLarge, "more than \(JWKSet.maxKeys) keys in all") }
        self.keys = keys
        self.skipped = skipped
    }

    static func privateMaterial(_ what: String, _ kidLabel: String, _ path: String) -> WIFError {
        WIFError(.keyInvalid, "\(what): key\(kidLabel) holds private key material",
                 hint: "verify against the public set: wif-mint jwks \(path == "-" ? "KEY" : path)")
    }

    /// Refuses a JWK or JWK Set with private asymmetric members before any of its keys is built: the file is
    /// refused anyway, and proving a private RSA key takes up to seconds (16384 bits without CRT members: about
    /// 2 s), so a 1 MiB set of them kept wif-verify busy for minutes before saying so.
    static func refusePrivateMembers(_ data: [UInt8], what: String, path: String) throws(WIFError) {
        let t = Input.trim(data)
        guard t.first == UInt8(ascii: "{"), let o = try? JSON.parseObject(t, what: what) else { return }
        let isSet = o["keys"] != nil && o["kty"] == nil
        let objects = isSet ? (o["keys"]?.arrayValue ?? []).compactMap(\.objectValue) : [o]
        for k in objects where k["d"] != nil && k["kty"]?.stringValue?.same("oct") != true {
            throw privateMaterial(what, k["kid"]?.stringValue.map { " \"\(JSON.escapedForMessage($0))\"" } ?? "", path)
        }
    }

    /// Whether `key` may verify signatures under `policy`: `use` and `key_ops` allow it, and its `alg`, if any,
    /// is a JWS algorithm.
    public func usable(_ key: JWK, policy: Policy) -> Bool {
        if let want = policy.keyUse {
            if key.use?.same(want) != true { return false }
        } else if let use = key.use, !use.same("sig") {
            return false
        }
        if let ops = key.keyOps, !ops.containsExactly("verify") { return false }
        if key.algName != nil && key.algorithm == nil { return false }
        return true
    }

    /// The algorithms some usable key fits, within the policy's allow-list.
    public func fittingAlgorithms(policy: Policy) -> AlgorithmSet {
        var out = AlgorithmSet()
        for k in keys where usable(k, policy: policy) {
            for a in Algorithm.allCases where a.fits(keyType: k.keyType, curve: k.curve) {
                if let ka = k.algorithm, ka != a { continue }
                if k.keyType == .oct, (k.secret?.count ?? 0) < a.hashLength { continue }
                out.insert(a)
            }
        }
        if let allow = policy.algorithms { out.formIntersection(allow) }
        return out
    }
}
