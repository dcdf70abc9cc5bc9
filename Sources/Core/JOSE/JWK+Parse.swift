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
        guard let kty = KeyType(exactly: ktyName) else {
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
                if ops.containsExactly(s) { throw WIFError(.keyInvalid, "\(what): \"key_ops\" lists \"\(s)\" twice") }
                ops.append(s)
            }
            keyOps = ops
        }
        var curve: Curve?
        var material: [JWK.Member] = []
        var pkey: PKey?
        var secret: [UInt8]?
        var isPrivate = false

        switch kty {
        case .oct:
            guard let (ks, k) = try bytes("k") else { throw WIFError(.keyInvalid, "\(what): no k") }
            let need = max(minHMACKeyBytes, Algorithm(exactly: algName ?? "")?.hashLength ?? 0)
            if k.count < need {
                throw WIFError(.keyWeak, "\(what): HMAC key has \(k.count) bytes; at least \(need) are required (RFC 7518 §3.2)")
            }
            material = [JWK.Member("k", ks, true)]
            secret = k
            isPrivate = true
        case .rsa:
            if o["oth"] != nil { throw WIFError(.keyInvalid, "\(what): multi-prime RSA keys (\"oth\") are not supported") }
            guard let (ns, n) = try bytes("n"), let (es, e) = try bytes("e") else { throw WIFError(.keyInvalid, what) }
            let bits = n.count * 8 - (n.first.map { $0.leadingZeroBitCount } ?? 0)
            if n.first == 0 { throw WIFError(.keyInvalid, "\(what): \"n\" has a leading zero byte (not Base64urlUInt)") }
            try checkRSABits(bits, what: what)
            try checkRSAExponent(e, what: what)
            material = [JWK.Member("n", ns, false), JWK.Member("e", es, false)]
            var priv: [[UInt8]]?
            if let (ds, d) = try bytes("d", required: false) {
                isPrivate = true
                material.append(JWK.Member("d", ds, true))
                var crt: [[UInt8]] = []
                let names = ["p", "q", "dp", "dq", "qi"]
                for name in names {
                    if let (s, b) = try bytes(name, required: false) { crt.append(b); material.append(JWK.Member(name, s, true)) }
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
            guard let c = Curve(exactly: crvName), c.keyType == kty else {
                let why = ["X25519", "X448"].containsExactly(crvName) ? " (a key-agreement curve, not for signatures)" : ""
                throw WIFError(.keyInvalid, "\(what): unsupported \(kty.rawValue) curve \"\(JSON.escapedForMessage(crvName))\"\(why)")
            }
            curve = c
            guard let (xs, x) = try bytes("x", size: c.size) else { throw WIFError(.keyInvalid, what) }
            material = [JWK.Member("x", xs, false)]
            var d: [UInt8]?
            if kty == .ec {
                guard let (ys, y) = try bytes("y", size: c.size) else { throw WIFError(.keyInvalid, what) }
                material.append(JWK.Member("y", ys, false))
                if let (ds, db) = try bytes("d", size: c.size, required: false) { d = db; material.append(JWK.Member("d", ds, true)) }
                pkey = try PKey.fromEC(curve: c, x: x, y: y, d: d, what: what)
            } else {
                if let (ds, db) = try bytes("d", size: c.size, required: false) { d = db; material.append(JWK.Member("d", ds, true)) }
                pkey = try PKey.fromOKP(curve: c, x: x, d: d, what: what)
            }
            isPrivate = d != nil
        }
        let key = JWK(keyType: kty, curve: curve, kid: kid, algName: algName, use: use, keyOps: keyOps,
                      isPrivate: isPrivate, material: material, pkey: pkey, secret: secret)
        if let algName, let alg = Algorithm(exactly: algName), !alg.fits(keyType: kty, curve: curve) {
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
