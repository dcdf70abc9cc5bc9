// SPDX-License-Identifier: Apache-2.0

extension JWK {
    /// Parses and checks one JWK object (rules at the top of JWK.swift). `what` names it in messages.
    public static func parse(_ o: JSONObject, what: String) throws(WIFError) -> JWK {
        func str(_ name: String) throws(WIFError) -> String? {
            guard let v = o[name] else { return nil }
            guard let s = v.stringValue else {
                throw WIFError(.keyInvalid, "\(what): member \"\(name)\" is a \(v.typeName), not a string")
            }
            return s
        }
        func bytes(_ name: String, size: Int? = nil, required: Bool = true) throws(WIFError) -> (String, [UInt8])? {
            guard let s = try str(name) else {
                if required { throw WIFError(.keyInvalid, "\(what): member \"\(name)\" is missing") }
                return nil
            }
            guard let b = Base64URL.decode(s), !b.isEmpty else {
                throw WIFError(.keyInvalid, "\(what): member \"\(name)\" is not valid base64url")
            }
            if let size, b.count != size {
                throw WIFError(.keyInvalid, "\(what): member \"\(name)\" has \(b.count) bytes, expected \(size)")
            }
            return (s, b)
        }
        guard let ktyName = try str("kty") else { throw WIFError(.keyInvalid, "\(what): member \"kty\" is missing") }
        guard let kty = KeyType(rawValue: ktyName) else {
            throw WIFError(.keyInvalid, "\(what): unsupported kty \"\(JSON.escapedForMessage(ktyName))\"")
        }
        let kid = try str("kid")
        let algName = try str("alg")
        let use = try str("use")
        var keyOps: [String]?
        if let v = o["key_ops"] {
            guard let a = v.arrayValue else { throw WIFError(.keyInvalid, "\(what): \"key_ops\" is not an array") }
            var ops: [String] = []
            for e in a {
                guard let s = e.stringValue else { throw WIFError(.keyInvalid, "\(what): \"key_ops\" holds a non-string") }
                if ops.contains(s) { throw WIFError(.keyInvalid, "\(what): \"key_ops\" lists \"\(s)\" twice") }
                ops.append(s)
            }
            keyOps = ops
        }
        var curve: Curve?
        var material: [(String, String, Bool)] = []
        var pkey: PKey?
        var secret: [UInt8]?
        var isPrivate = false

        switch kty {
        case .oct:
            guard let (ks, k) = try bytes("k") else { throw WIFError(.keyInvalid, "\(what): no k") }
            let need = max(minHMACKeyBytes, Algorithm(rawValue: algName ?? "")?.hashLength ?? 0)
            if k.count < need {
                throw WIFError(.keyWeak, "\(what): HMAC key has \(k.count) bytes; at least \(need) are required (RFC 7518 §3.2)")
            }
            material = [("k", ks, true)]
            secret = k
            isPrivate = true
        case .rsa:
            if o["oth"] != nil { throw WIFError(.keyInvalid, "\(what): multi-prime RSA keys (\"oth\") are not supported") }
            guard let (ns, n) = try bytes("n"), let (es, e) = try bytes("e") else { throw WIFError(.keyInvalid, what) }
            let bits = n.count * 8 - (n.first.map { $0.leadingZeroBitCount } ?? 0)
            if n.first == 0 { throw WIFError(.keyInvalid, "\(what): \"n\" has a leading zero byte (not Base64urlUInt)") }
            try checkRSABits(bits, what: what)
            try checkRSAExponent(e, what: what)
            material = [("n", ns, false), ("e", es, false)]
            var priv: [[UInt8]]?
            if let (ds, d) = try bytes("d", required: false) {
                isPrivate = true
                material.append(("d", ds, true))
                var crt: [[UInt8]] = []
                let names = ["p", "q", "dp", "dq", "qi"]
                for name in names {
                    if let (s, b) = try bytes(name, required: false) { crt.append(b); material.append((name, s, true)) }
                }
                if !crt.isEmpty && crt.count != names.count {
                    throw WIFError(.keyInvalid, "\(what): RSA private key needs all of p, q, dp, dq, qi or none")
                }
                priv = [d] + crt
            } else if ["p", "q", "dp", "dq", "qi"].contains(where: { o[$0] != nil }) {
                throw WIFError(.keyInvalid, "\(what): RSA CRT members without \"d\"")
            }
            pkey = try PKey.fromRSA(n: n, e: e, priv: priv, what: what)
        case .ec, .okp:
            guard let crvName = try str("crv") else { throw WIFError(.keyInvalid, "\(what): member \"crv\" is missing") }
            guard let c = Curve(rawValue: crvName), c.keyType == kty else {
                let why = ["X25519", "X448"].contains(crvName) ? " (a key-agreement curve, not for signatures)" : ""
                throw WIFError(.keyInvalid, "\(what): unsupported \(kty.rawValue) curve \"\(JSON.escapedForMessage(crvName))\"\(why)")
            }
            curve = c
            guard let (xs, x) = try bytes("x", size: c.size) else { throw WIFError(.keyInvalid, what) }
            material = [("x", xs, false)]
            var d: [UInt8]?
            if kty == .ec {
                guard let (ys, y) = try bytes("y", size: c.size) else { throw WIFError(.keyInvalid, what) }
                material.append(("y", ys, false))
                if let (ds, db) = try bytes("d", size: c.size, required: false) { d = db; material.append(("d", ds, true)) }
                pkey = try PKey.fromEC(curve: c, x: x, y: y, d: d, what: what)
            } else {
                if let (ds, db) = try bytes("d", size: c.size, required: false) { d = db; material.append(("d", ds, true)) }
                pkey = try PKey.fromOKP(curve: c, x: x, d: d, what: what)
            }
            isPrivate = d != nil
        }
        let key = JWK(keyType: kty, curve: curve, kid: kid, algName: algName, use: use, keyOps: keyOps,
                      isPrivate: isPrivate, material: material, pkey: pkey, secret: secret)
        if let algName, let alg = Algorithm(rawValue: algName), !alg.fits(keyType: kty, curve: curve) {
            throw WIFError(.keyInvalid, "\(what): alg \(algName) does not fit a \(key.summary) key")
        }
        if kty == .rsa && isPrivate { try checkRSAPair(key, what: what) }
        return key
    }

    /// Proves an RSA private key matches its public half without OpenSSL's pairwise check (40 ms for 2048
    /// bits): `PKey.rsaPrivateMatches`, algebra on the CRT members; a `Signer` also verifies its first signature.
    static func checkRSAPair(_ key: JWK, what: String) throws(WIFError) {
        guard key.pkey?.rsaPrivateMatches() == true else {
            throw WIFError(.keyInvalid, "\(what): the RSA private key does not match its public key")
        }
    }
}

/// A JWK Set (RFC 7517 §5).
public struct JWKSet: Sendable {
    public var keys: [JWK]
    /// Keys that were skipped, with the reason (RFC 7517 §5: unusable keys are ignored, not fatal).
    public var skipped: [(index: Int, kid: String?, why: String)]
    /// Top-level members other than `keys`, kept for display (e.g. `spiffe_sequence`).
    public var extra: JSONObject

    public static let maxKeys = 256

    public init(keys: [JWK]) {
        self.keys = keys
        self.skipped = []
        self.extra = JSONObject()
    }

    /// Parses a JWKS object. With `lenient`, invalid or unsupported keys are skipped and listed; otherwise the
    /// first one is an error.
    public static func parse(_ o: JSONObject, what: String, lenient: Bool) throws(WIFError) -> JWKSet {
        guard let v = o["keys"] else { throw WIFError(.keyInvalid, "\(what): a JWKS needs a \"keys\" member") }
        guard let arr = v.arrayValue else { throw WIFError(.keyInvalid, "\(what): \"keys\" is not an array") }
        if arr.count > maxKeys { throw WIFError(.inputTooLarge, "\(what): more than \(maxKeys) keys") }
        var set = JWKSet(keys: [])
        for m in o where m.name != "keys" { set.extra[m.name] = m.value }
        for (i, e) in arr.enumerated() {
            let label = "\(what): key \(i)"
            guard let ko = e.objectValue else {
                if lenient { set.skipped.append((i, nil, "not a JSON object")); continue }
                throw WIFError(.keyInvalid, "\(label) is not a JSON object")
            }
            do {
                set.keys.append(try JWK.parse(ko, what: label))
            } catch {
                if !lenient { throw error }
                let prefix = label + ": "
                let why = error.detail.hasPrefix(prefix) ? String(error.detail.dropFirst(prefix.count)) : error.detail
                set.skipped.append((i, ko["kid"]?.stringValue, why))
            }
        }
        return set
    }

    /// The public JWKS JSON: no private member, ever.
    public func publicJSON() -> JSON {
        var o = JSONObject()
        o["keys"] = .array(keys.map { .object($0.json(includePrivate: false)) })
        return .object(o)
    }
}
