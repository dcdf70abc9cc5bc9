// SPDX-License-Identifier: Apache-2.0
internal import COpenSSL

/// Owns one OpenSSL `EVP_PKEY` (RSA, EC or Ed25519/Ed448) and frees it in `deinit`.
///
/// Rules: keys are built from their JWK members with `EVP_PKEY_fromdata` (EC public points always as the
/// uncompressed `pub` octet string, never `qx`/`qy`, see REFERENCES D9.5), then checked (`check`: a public-key
/// check, and a pairwise check when a private part is present). Private BIGNUMs are freed with `BN_clear_free`.
final class PKey: @unchecked Sendable {
    let raw: OpaquePointer

    init(taking raw: OpaquePointer) { self.raw = raw }
    deinit { EVP_PKEY_free(raw) }

    var bits: Int { Int(EVP_PKEY_get_bits(raw)) }

    /// The JOSE key type and curve of this key, or nil for a type wif does not sign with.
    var kind: (KeyType, Curve?)? {
        if EVP_PKEY_is_a(raw, "RSA") == 1 { return (.rsa, nil) }
        if EVP_PKEY_is_a(raw, "ED25519") == 1 { return (.okp, .ed25519) }
        if EVP_PKEY_is_a(raw, "ED448") == 1 { return (.okp, .ed448) }
        if EVP_PKEY_is_a(raw, "EC") == 1 {
            var name = [CChar](repeating: 0, count: 64)
            var len = 0
            guard EVP_PKEY_get_utf8_string_param(raw, "group", &name, name.count, &len) == 1 else { return nil }
            let group = String(decoding: name.prefix(len).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard let c = Curve.fromOpenSSLGroup(group) else { return nil }
            return (.ec, c)
        }
        return nil
    }

    // MARK: Generation

    static func generate(curve: Curve) throws(WIFError) -> PKey {
        OpenSSLLibrary.ensure()
        let p: OpaquePointer? = curve.keyType == .ec ? wif_keygen_ec(curve.opensslName) : wif_keygen_raw(curve.opensslName)
        guard let p else { throw OpenSSLError.error(.cryptoFailure, "cannot generate a \(curve.rawValue) key") }
        return PKey(taking: p)
    }

    static func generateRSA(bits: Int) throws(WIFError) -> PKey {
        OpenSSLLibrary.ensure()
        guard let p = wif_keygen_rsa(bits) else { throw OpenSSLError.error(.cryptoFailure, "cannot generate an RSA key") }
        return PKey(taking: p)
    }

    // MARK: Import

    /// Static C names for OSSL_PARAM_BLD (see `wif_param_name` in the shim).
    enum Param: Int32 {
        case n, e, d, factor1, factor2, exponent1, exponent2, coefficient1, group, pub, priv, digest
        var cName: UnsafePointer<CChar> { wif_param_name(rawValue) }
    }

    private static func bn(_ bytes: [UInt8]) -> OpaquePointer? {
        bytes.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), nil) }
    }

    private static func fromData(_ type: String, selection: Int32, what: String,
                                 _ build: (OpaquePointer) -> UnsafeMutablePointer<OSSL_PARAM>?) throws(WIFError) -> PKey {
        // OSSL_PARAM_BLD keeps pointers to pushed buffers until to_param, so `build` pushes and then calls
        // OSSL_PARAM_BLD_to_param itself, while its buffers are alive.
        OpenSSLLibrary.ensure()
        guard let bld = OSSL_PARAM_BLD_new() else { throw OpenSSLError.error(.cryptoFailure, "out of memory") }
        defer { OSSL_PARAM_BLD_free(bld) }
        guard let params = build(bld) else {
            throw OpenSSLError.error(.keyInvalid, "\(what): cannot build the key")
        }
        defer { OSSL_PARAM_free(params) }
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, type, nil) else {
            throw OpenSSLError.error(.cryptoFailure, "\(what): OpenSSL has no \(type) support")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var pkey: OpaquePointer?
        guard EVP_PKEY_fromdata_init(ctx) == 1, EVP_PKEY_fromdata(ctx, &pkey, selection, params) == 1, let pkey else {
            throw OpenSSLError.error(.keyInvalid, "\(what): OpenSSL rejects the key")
        }
        return PKey(taking: pkey)
    }

    static func fromRSA(n: [UInt8], e: [UInt8], priv: [[UInt8]]?, what: String) throws(WIFError) -> PKey {
        let names: [Param] = [.d, .factor1, .factor2, .exponent1, .exponent2, .coefficient1]
        var bns: [OpaquePointer] = []
        var secret: [OpaquePointer] = []
        defer {
            bns.forEach { BN_free($0) }
            secret.forEach { BN_clear_free($0) }
        }
        let key = try fromData("RSA", selection: priv == nil ? WIF_EVP_PKEY_PUBLIC_KEY : WIF_EVP_PKEY_KEYPAIR,
                               what: what) { bld in
            guard let nb = bn(n), let eb = bn(e) else { return nil }
            bns += [nb, eb]
            guard OSSL_PARAM_BLD_push_BN(bld, Param.n.cName, nb) == 1,
                  OSSL_PARAM_BLD_push_BN(bld, Param.e.cName, eb) == 1 else { return nil }
            for (name, value) in zip(names, priv ?? []) {
                guard let b = bn(value) else { return nil }
                secret.append(b)
                guard OSSL_PARAM_BLD_push_BN(bld, name.cName, b) == 1 else { return nil }
            }
            return OSSL_PARAM_BLD_to_param(bld)
        }
        try key.check(isPrivate: priv != nil, what: what)
        return key
    }

    static func fromEC(curve: Curve, x: [UInt8], y: [UInt8], d: [UInt8]?, what: String) throws(WIFError) -> PKey {
        var secret: OpaquePointer?
        defer { if let secret { BN_clear_free(secret) } }
        let pub = [0x04] + x + y
        let key = try fromData("EC", selection: d == nil ? WIF_EVP_PKEY_PUBLIC_KEY : WIF_EVP_PKEY_KEYPAIR,
                               what: what) { bld in
            curve.opensslName.withCString { group in
                pub.withUnsafeBytes { p in
                    guard OSSL_PARAM_BLD_push_utf8_string(bld, Param.group.cName, group, 0) == 1,
                          OSSL_PARAM_BLD_push_octet_string(bld, Param.pub.cName, p.baseAddress, p.count) == 1 else { return nil }
                    if let d {
                        guard let b = bn(d) else { return nil }
                        secret = b
                        guard OSSL_PARAM_BLD_push_BN(bld, Param.priv.cName, b) == 1 else { return nil }
                    }
                    return OSSL_PARAM_BLD_to_param(bld)
                }
            }
        }
        try key.check(isPrivate: d != nil, what: what)
        return key
    }

    static func fromOKP(curve: Curve, x: [UInt8], d: [UInt8]?, what: String) throws(WIFError) -> PKey {
        OpenSSLLibrary.ensure()
        let p: OpaquePointer?
        if let d {
            p = d.withUnsafeBufferPointer { EVP_PKEY_new_raw_private_key_ex(nil, curve.opensslName, nil, $0.baseAddress, $0.count) }
        } else {
            p = x.withUnsafeBufferPointer { EVP_PKEY_new_raw_public_key_ex(nil, curve.opensslName, nil, $0.baseAddress, $0.count) }
        }
        guard let p else { throw OpenSSLError.error(.keyInvalid, "\(what): OpenSSL rejects the \(curve.rawValue) key") }
        let key = PKey(taking: p)
        if d != nil, key.rawPublic() != x {
            throw WIFError(.keyInvalid, "\(what): private key \"d\" does not match public key \"x\"")
        }
        return key
    }

    /// Public-key validation, plus a pairwise consistency check for key pairs (REFERENCES D3.5), each in its
    /// cheapest correct form (callgrind, issue 12):
    /// - RSA is checked without OpenSSL's validators, which cost 4 ms (SP 800-56B public check) and 40 ms
    ///   (pairwise, with primality tests) for a 2048-bit key on every run: the modulus must be odd (sizes and
    ///   exponents are checked by the JWK and PEM readers); a private key must pass `rsaPrivateMatches` (done by
    ///   the callers that hold the JWK), and a `Signer` verifies its first signature with the public half.
    /// - EC on a prime-order curve (every curve wif reads has cofactor 1): OpenSSL's quick public check (the point
    ///   is on the curve, not at infinity, its coordinates in range), which there implies the full check's n·Q = O
    ///   (0.6 M instructions less); a private key must be in [1, n−1] and d·G must be Q. OpenSSL's pairwise check
    ///   would repeat the full public check first.
    /// - Ed25519/Ed448 (PEM only; a JWK's `x` is compared with the one derived from `d`): OpenSSL's checks.
    func check(isPrivate: Bool, what: String) throws(WIFError) {
        let kind = self.kind
        if kind?.0 == .rsa {
            guard let n = bnParam("n"), let last = n.last, last & 1 == 1 else {
                throw WIFError(.keyInvalid, "\(what): RSA modulus \"n\" is even")
            }
            return
        }
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, raw, nil) else {
            throw OpenSSLError.error(.cryptoFailure, "out of memory")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        if kind?.0 == .ec, let curve = kind?.1, curve.hasPrimeOrder {
            guard EVP_PKEY_public_check_quick(ctx) == 1 else {
                throw OpenSSLError.error(.keyInvalid, "\(what): public key fails validation (point not on the curve?)")
            }
            if isPrivate && !(EVP_PKEY_private_check(ctx) == 1 && ecPrivateMatches(curve)) {
                throw OpenSSLError.error(.keyInvalid, "\(what): private key does not match the public key")
            }
            return
        }
        guard EVP_PKEY_public_check(ctx) == 1 else {
            throw OpenSSLError.error(.keyInvalid, "\(what): public key fails validation (point not on the curve?)")
        }
        if isPrivate && EVP_PKEY_pairwise_check(ctx) != 1 {
            throw OpenSSLError.error(.keyInvalid, "\(what): private key does not match the public key")
        }
    }

    /// Whether d·G is the public point Q (the pairwise check of SP 800-56A §5.6.2.1.4, without the public check
    /// that OpenSSL's `EVP_PKEY_pairwise_check` repeats first). The fixed-base multiplication is OpenSSL's.
    private func ecPrivateMatches(_ curve: Curve) -> Bool {
        var d: OpaquePointer?
        guard EVP_PKEY_get_bn_param(raw, "priv", &d) == 1, let d else { return false }
        defer { BN_clear_free(d) }
        var pub = [UInt8](repeating: 0, count: 1 + 2 * 66)
        var len = 0
        guard EVP_PKEY_get_octet_string_param(raw, "pub", &pub, pub.count, &len) == 1 else { return false }
        let nid = OBJ_sn2nid(curve.opensslName)
        guard nid != 0, let group = EC_GROUP_new_by_curve_name_ex(nil, nil, nid) else { return false }
        defer { EC_GROUP_free(group) }
        guard let bnctx = BN_CTX_new(), let q = EC_POINT_new(group), let r = EC_POINT_new(group) else { return false }
        defer { BN_CTX_free(bnctx); EC_POINT_free(q); EC_POINT_clear_free(r) }
        guard EC_POINT_oct2point(group, q, pub, len, bnctx) == 1,
              EC_POINT_mul(group, r, d, nil, nil, bnctx) == 1 else { return false }
        return EC_POINT_cmp(group, r, q, bnctx) == 0
    }

    // MARK: PEM

    /// Whether PEM text holds an encrypted private key: PKCS#8 `ENCRYPTED PRIVATE KEY`, or a traditional key
    /// with `Proc-Type: 4,ENCRYPTED`.
    static func isEncryptedPEM(_ data: [UInt8]) -> Bool {
        let text = String(decoding: data, as: UTF8.self)
        return text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED")
    }

    /// Reads a PEM private key (PKCS#8, PKCS#1, SEC1) or public key (SPKI). An encrypted private key needs
    /// `passphrase`, handed to OpenSSL through a callback (never as a C string, so any byte may appear in it).
    static func fromPEM(_ data: [UInt8], what: String, passphrase: SecretBytes? = nil) throws(WIFError) -> (PKey, isPrivate: Bool) {
        OpenSSLLibrary.ensure()
        let text = String(decoding: data, as: UTF8.self)
        let isPrivate = text.contains("PRIVATE KEY-----")
        let encrypted = isEncryptedPEM(data)
        // Traditional encryption names its cipher in DEK-Info and OpenSSL looks it up in the legacy name table.
        if encrypted && text.contains("DEK-Info:") { OpenSSLLibrary.addPEMCiphers }
        if encrypted && passphrase == nil {
            // Callers with a passphrase source ask it first (KeySource), so this is a key read without one.
            throw WIFError(.keyInvalid, "\(what): the PEM private key is encrypted and no passphrase was given",
                           hint: Passphrase.howToGive)
        }
        if text.contains("-----BEGIN RSA PUBLIC KEY-----") || text.contains("-----BEGIN CERTIFICATE-----") {
            throw WIFError(.keyInvalid, "\(what): only SubjectPublicKeyInfo (BEGIN PUBLIC KEY) public keys are read")
        }
        let p: OpaquePointer? = data.withUnsafeBytes { buf in
            guard let bio = BIO_new_mem_buf(buf.baseAddress, Int32(buf.count)) else { return nil }
            defer { BIO_free(bio) }
            guard isPrivate else { return PEM_read_bio_PUBKEY(bio, nil, nil, nil) }
            guard encrypted, let passphrase else {
                // A callback that refuses makes OpenSSL fail on encrypted PEM instead of prompting on the terminal.
                return PEM_read_bio_PrivateKey(bio, nil, wif_no_passphrase, nil)
            }
            return passphrase.withBytes { pw in
                var view = pw
                return withUnsafeMutablePointer(to: &view) { u in
                    PEM_read_bio_PrivateKey(bio, nil, { out, size, _, u in
                        guard let out, let u else { return -1 }
                        let pw = u.assumingMemoryBound(to: UnsafeRawBufferPointer.self).pointee
                        guard pw.count <= Int(size), let base = pw.baseAddress else { return -1 }
                        UnsafeMutableRawPointer(out).copyMemory(from: base, byteCount: pw.count)
                        return Int32(pw.count)
                    }, u)
                }
            }
        }
        guard let p else {
            if encrypted {
                _ = OpenSSLError.drain()
                throw WIFError(.decryptFailed, "\(what): cannot decrypt the PEM private key: wrong passphrase, or the file was changed",
                               hint: "check the passphrase (--passphrase-file, --passphrase-fd, WIF_PASSPHRASE or the prompt)")
            }
            throw OpenSSLError.error(.keyInvalid, "\(what): not a readable PEM key")
        }
        let key = PKey(taking: p)
        guard key.kind != nil else { throw WIFError(.keyInvalid, "\(what): key type is not one wif signs with") }
        return (key, isPrivate)
    }

    func pem(includePrivate: Bool) throws(WIFError) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSLError.error(.cryptoFailure, "out of memory") }
        defer { BIO_free(bio) }
        let ok = includePrivate ? PEM_write_bio_PrivateKey(bio, raw, nil, nil, 0, nil, nil)
                                : PEM_write_bio_PUBKEY(bio, raw)
        guard ok == 1 else { throw OpenSSLError.error(.cryptoFailure, "cannot write PEM") }
        var ptr: UnsafeMutablePointer<CChar>?
        let len = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &ptr)
        guard let ptr, len > 0 else { throw OpenSSLError.error(.cryptoFailure, "cannot write PEM") }
        let bytes = UnsafeRawBufferPointer(start: ptr, count: len)
        let s = String(decoding: bytes, as: UTF8.self)
        OPENSSL_cleanse(ptr, len)
        return s
    }

    // MARK: Export

    /// A BIGNUM parameter as big-endian bytes: minimal length when `pad` is 0, else left-padded to `pad`.
    func bnParam(_ name: String, pad: Int = 0) -> [UInt8]? {
        var b: OpaquePointer?
        guard EVP_PKEY_get_bn_param(raw, name, &b) == 1, let b else { return nil }
        defer { BN_clear_free(b) }
        let n = pad > 0 ? pad : Int((BN_num_bits(b) + 7) / 8)
        var out = [UInt8](repeating: 0, count: max(n, 1))
        let r = out.withUnsafeMutableBufferPointer { BN_bn2binpad(b, $0.baseAddress, Int32($0.count)) }
        return r < 0 ? nil : out
    }

    func rawPublic() -> [UInt8]? {
        var len = 0
        guard EVP_PKEY_get_raw_public_key(raw, nil, &len) == 1 else { return nil }
        var out = [UInt8](repeating: 0, count: len)
        guard EVP_PKEY_get_raw_public_key(raw, &out, &len) == 1 else { return nil }
        return Array(out.prefix(len))
    }

    func rawPrivate() -> [UInt8]? {
        var len = 0
        guard EVP_PKEY_get_raw_private_key(raw, nil, &len) == 1 else { return nil }
        var out = [UInt8](repeating: 0, count: len)
        guard EVP_PKEY_get_raw_private_key(raw, &out, &len) == 1 else { return nil }
        return Array(out.prefix(len))
    }

    /// The JWK members of this key (RFC 7518 §6, RFC 8037 §2): public ones, then private ones when asked.
    func jwkMembers(includePrivate: Bool) throws(WIFError) -> [(String, [UInt8])] {
        guard let (kty, curve) = kind else { throw WIFError(.keyInvalid, "unsupported key type") }
        let fail = WIFError(.cryptoFailure, "cannot export the key")
        switch kty {
        case .rsa:
            guard let n = bnParam("n"), let e = bnParam("e") else { throw fail }
            var m = [("n", n), ("e", e)]
            if includePrivate {
                let names = [("d", "d"), ("p", "rsa-factor1"), ("q", "rsa-factor2"), ("dp", "rsa-exponent1"),
                             ("dq", "rsa-exponent2"), ("qi", "rsa-coefficient1")]
                for (j, o) in names {
                    guard let v = bnParam(o) else { throw fail }
                    m.append((j, v))
                }
            }
            return m
        case .ec:
            guard let curve else { throw fail }
            var pub = [UInt8](repeating: 0, count: 1 + 2 * curve.size)
            var len = 0
            guard EVP_PKEY_get_octet_string_param(raw, "pub", &pub, pub.count, &len) == 1, len == pub.count,
                  pub[0] == 0x04 else { throw fail }
            var m = [("x", Array(pub[1...curve.size])), ("y", Array(pub[(1 + curve.size)...]))]
            if includePrivate {
                guard let d = bnParam("priv", pad: curve.size) else { throw fail }
                m.append(("d", d))
            }
            return m
        case .okp:
            guard let x = rawPublic() else { throw fail }
            var m = [("x", x)]
            if includePrivate {
                guard let d = rawPrivate() else { throw fail }
                m.append(("d", d))
            }
            return m
        case .oct:
            throw fail
        }
    }

    /// Whether an RSA private key belongs to its public key, without a private-size exponentiation when the CRT
    /// members are present (JWKs from other tools and every PEM key have them): p·q = n; d·e ≡ 1 modulo p−1 and
    /// q−1 (so d inverts e modulo λ(n)); dp = d mod (p−1), dq = d mod (q−1) and qi·q ≡ 1 mod p (OpenSSL signs
    /// with these). A few multiplications of half-size numbers, where 2^(d·e) mod n cost 29 M instructions for
    /// 2048 bits. Without CRT members, one exponentiation: 2^(d·e) mod n = 2. A `Signer` then verifies its first
    /// RSA signature with the public half (the check a separate sign-and-verify probe used to make).
    func rsaPrivateMatches() -> Bool {
        func get(_ name: String) -> OpaquePointer? {
            var b: OpaquePointer?
            return EVP_PKEY_get_bn_param(raw, name, &b) == 1 ? b : nil
        }
        let names = ["n", "e", "d", "rsa-factor1", "rsa-factor2", "rsa-exponent1", "rsa-exponent2", "rsa-coefficient1"]
        let v = names.map(get)
        defer { v.forEach { if let b = $0 { BN_clear_free(b) } } }
        guard let n = v[0], let e = v[1], let d = v[2] else { return false }
        guard let ctx = BN_CTX_new() else { return false }
        defer { BN_CTX_free(ctx) }
        guard let p = v[3], let q = v[4], let dp = v[5], let dq = v[6], let qi = v[7] else {
            return Self.inverts(d: d, e: e, n: n, ctx: ctx)
        }
        guard let t = BN_new(), let p1 = BN_dup(p), let q1 = BN_dup(q), let de = BN_new() else { return false }
        defer { BN_clear_free(t); BN_clear_free(p1); BN_clear_free(q1); BN_clear_free(de) }
        // secret dividends: OpenSSL's constant-time division
        for b in [d, de] { BN_set_flags(b, BN_FLG_CONSTTIME) }
        guard BN_mul(t, p, q, ctx) == 1, BN_cmp(t, n) == 0,
              BN_sub_word(p1, 1) == 1, BN_sub_word(q1, 1) == 1, BN_is_zero(p1) == 0, BN_is_zero(q1) == 0,
              BN_mul(de, d, e, ctx) == 1,
              BN_div(nil, t, de, p1, ctx) == 1, BN_is_one(t) == 1,
              BN_div(nil, t, de, q1, ctx) == 1, BN_is_one(t) == 1,
              BN_div(nil, t, d, p1, ctx) == 1, BN_cmp(t, dp) == 0,
              BN_div(nil, t, d, q1, ctx) == 1, BN_cmp(t, dq) == 0,
              BN_mod_mul(t, qi, q, p, ctx) == 1, BN_is_one(t) == 1 else { return false }
        return true
    }

    /// 2^(d·e) mod n = 2: d inverts e (one private-size exponentiation, about 1 ms for 2048 bits).
    private static func inverts(d: OpaquePointer, e: OpaquePointer, n: OpaquePointer, ctx: OpaquePointer) -> Bool {
        guard let two = BN_new(), let s = BN_new(), let t = BN_new() else { return false }
        defer { BN_free(two); BN_clear_free(s); BN_free(t) }
        guard BN_set_word(two, 2) == 1, BN_mod_exp(s, two, d, n, ctx) == 1, BN_mod_exp(t, s, e, n, ctx) == 1 else {
            return false
        }
        return BN_cmp(t, two) == 0
    }

    func isPrivateKey() -> Bool {
        switch kind?.0 {
        case .rsa: return bnParam("d") != nil
        case .ec: return bnParam("priv") != nil
        case .okp: return rawPrivate() != nil
        default: return false
        }
    }
}
