// SPDX-License-Identifier: Apache-2.0
internal import COpenSSL

/// Signs JWS signing inputs with one key and one algorithm; contexts are set up once and reused, so that
/// signing many tokens costs little more than the primitive.
///
/// - HMAC: an `EVP_MAC_CTX` keyed once, re-initialised per message.
/// - RSA, PSS, ECDSA: hash with `EVP_Digest`, then `EVP_PKEY_sign` on a context prepared once (PKCS#1 v1.5, or
///   PSS with salt = hash length and MGF1 with the same hash, RFC 7518 §3.5). ECDSA's DER output becomes
///   fixed-length R‖S (RFC 7518 §3.4).
/// - EdDSA: one-shot `EVP_DigestSign` (PureEdDSA has no pre-hash, RFC 8037 §3.1) on a context initialised
///   once (`EdDSAContext`).
///
/// The first RSA signature is verified with the key's public half before it is returned: the pairwise proof
/// that the CRT members OpenSSL signs with belong to `n` and `e` (JWK import checks the algebra; a separate
/// sign-and-verify probe at import cost 11 M instructions on every RS256 run).
/// The OpenSSL contexts a `Signer` or a `Verifier` prepares once for one key and one algorithm, and frees with
/// itself: an HMAC context keyed once, an EdDSA digest context initialised once, or a digest and a public-key
/// context set up (padding, salt) for signing or verifying.
final class PreparedContext {
    private(set) var mac: OpaquePointer?        // EVP_MAC_CTX
    private(set) var pctx: OpaquePointer?       // EVP_PKEY_CTX
    private(set) var mdctx: OpaquePointer?      // EVP_MD_CTX
    /// The digest of RSA, PSS and ECDSA, with its context kept (`KeptDigest`).
    private var kept: KeptDigest?
    var md: OpaquePointer? { kept?.md }         // EVP_MD

    init(key: JWK, algorithm: Algorithm, sign: Bool) throws(WIFError) {
        let what = sign ? "signing" : "verification"
        switch algorithm.family {
        case .hmac:
            guard let secret = key.secret, let m = EVP_MAC_fetch(nil, "HMAC", nil) else {
                throw OpenSSLError.error(.cryptoFailure, "HMAC is unavailable")
            }
            defer { EVP_MAC_free(m) }
            mac = EVP_MAC_CTX_new(m)
            guard let mac, try Signer.initMAC(mac, secret: secret, digest: algorithm.digestName ?? "SHA256") else {
                throw OpenSSLError.error(.cryptoFailure, "cannot key HMAC")
            }
        case .eddsa:
            guard let pkey = key.pkey?.raw else { throw WIFError(.keyInvalid, "key has no key material") }
            mdctx = EVP_MD_CTX_new()
            guard let mdctx, EdDSAContext.initialise(mdctx, pkey, sign: sign) else {
                throw OpenSSLError.error(.cryptoFailure, "cannot set up EdDSA \(what)")
            }
        case .rsa, .pss, .ecdsa:
            guard let pkey = key.pkey?.raw else { throw WIFError(.keyInvalid, "key has no key material") }
            let kept = KeptDigest(algorithm.digestName ?? "SHA256")
            self.kept = kept
            pctx = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil)
            guard kept.isReady, let md = kept.md, let pctx, (sign ? EVP_PKEY_sign_init(pctx) : EVP_PKEY_verify_init(pctx)) == 1 else {
                throw OpenSSLError.error(.cryptoFailure, "cannot set up \(algorithm.rawValue) \(what)")
            }
            try Signer.configure(pctx, md: md, algorithm: algorithm)
        }
    }

    /// Hashes `message` with `md` into `digest`; returns its length.
    func hash(_ message: UnsafeRawBufferPointer, into digest: inout [UInt8]) -> Int? {
        digest.withUnsafeMutableBytes { kept?.digest(message, into: $0) }
    }

    deinit {
        if let mac { EVP_MAC_CTX_free(mac) }
        if let pctx { EVP_PKEY_CTX_free(pctx) }
        if let mdctx { EVP_MD_CTX_free(mdctx) }
    }
}

public final class Signer {
    public let algorithm: Algorithm
    public let key: JWK
    private let context: PreparedContext
    private var mac: OpaquePointer? { context.mac }
    private var pctx: OpaquePointer? { context.pctx }
    private var mdctx: OpaquePointer? { context.mdctx }
    private var firstCheck: OpaquePointer? // EVP_PKEY_CTX verifying the first RSA signature, then freed
    private var digest = [UInt8](repeating: 0, count: 64)
    private var out: [UInt8]

    public init(key: JWK, algorithm: Algorithm) throws(WIFError) {
        OpenSSLLibrary.ensure()
        try key.checkFits(algorithm)
        guard key.isPrivate else { throw WIFError(.keyInvalid, "key\(key.kidLabel) is public; signing needs a private key") }
        self.algorithm = algorithm
        self.key = key
        out = [UInt8](repeating: 0, count: 1024)
        context = try PreparedContext(key: key, algorithm: algorithm, sign: true)
        if algorithm.family == .rsa || algorithm.family == .pss, let pkey = key.pkey?.raw, let md = context.md {
            out = [UInt8](repeating: 0, count: key.bits / 8 + 16)
            firstCheck = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil)
            guard let firstCheck, EVP_PKEY_verify_init(firstCheck) == 1 else {
                throw OpenSSLError.error(.cryptoFailure, "cannot set up \(algorithm.rawValue) verification")
            }
            try Signer.configure(firstCheck, md: md, algorithm: algorithm)
        }
    }

    deinit {
        if let firstCheck { EVP_PKEY_CTX_free(firstCheck) }
    }

    static func initMAC(_ mac: OpaquePointer, secret: [UInt8], digest: String) throws(WIFError) -> Bool {
        var name = Array(digest.utf8CString)
        return name.withUnsafeMutableBufferPointer { n in
            var params = [OSSL_PARAM_construct_utf8_string(PKey.Param.digest.cName, n.baseAddress, 0), OSSL_PARAM_construct_end()]
            return secret.withUnsafeBufferPointer { EVP_MAC_init(mac, $0.baseAddress, $0.count, &params) } == 1
        }
    }

    /// Sets signature digest and padding on a sign or verify context.
    static func configure(_ pctx: OpaquePointer, md: OpaquePointer, algorithm: Algorithm) throws(WIFError) {
        var ok = EVP_PKEY_CTX_set_signature_md(pctx, md) == 1
        if algorithm.family == .pss {
            ok = ok && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1
                && EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1
        } else if algorithm.family == .rsa {
            ok = ok && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
        }
        guard ok else { throw OpenSSLError.error(.cryptoFailure, "cannot configure \(algorithm.rawValue)") }
    }

    /// Signs `message` (the JWS signing input) and returns the JWS signature bytes.
    public func sign(_ message: [UInt8]) throws(WIFError) -> [UInt8] {
        let r = message.withUnsafeBytes { m in Result { () throws(WIFError) -> [UInt8] in try sign(m) } }
        return try r.get()
    }

    public func sign(_ message: UnsafeRawBufferPointer) throws(WIFError) -> [UInt8] {
        let fail = { () -> WIFError in OpenSSLError.error(.cryptoFailure, "\(self.algorithm.rawValue) signing failed") }
        switch algorithm.family {
        case .hmac:
            guard let mac, EVP_MAC_init(mac, nil, 0, nil) == 1, EVP_MAC_update(mac, message.baseAddress, message.count) == 1
            else { throw fail() }
            var len = 0
            let ok = out.withUnsafeMutableBufferPointer { EVP_MAC_final(mac, $0.baseAddress, &len, $0.count) }
            guard ok == 1 else { throw fail() }
            return Array(out[0..<len])
        case .eddsa:
            guard let mdctx, let pkey = key.pkey?.raw else { throw fail() }
            var len = 0
            let sign = { () -> Bool in
                len = self.out.count
                return self.out.withUnsafeMutableBufferPointer {
                    EVP_DigestSign(mdctx, $0.baseAddress, &len, message.bindMemory(to: UInt8.self).baseAddress,
                                   message.count)
                } == 1
            }
            guard sign() || (EdDSAContext.initialise(mdctx, pkey, sign: true) && sign()) else { throw fail() }
            return Array(out[0..<len])
        case .rsa, .pss, .ecdsa:
            guard let pctx, let dlen = context.hash(message, into: &digest) else { throw fail() }
            var len = out.count
            let ok = out.withUnsafeMutableBufferPointer { o in
                digest.withUnsafeBufferPointer { EVP_PKEY_sign(pctx, o.baseAddress, &len, $0.baseAddress, dlen) }
            }
            guard ok == 1 else { throw fail() }
            if algorithm.family != .ecdsa {
                if let check = firstCheck {
                    let good = out.withUnsafeBufferPointer { o in
                        digest.withUnsafeBufferPointer { EVP_PKEY_verify(check, o.baseAddress, len, $0.baseAddress, dlen) }
                    } == 1
                    ERR_clear_error()
                    guard good else {
                        throw WIFError(.keyInvalid, "key\(key.kidLabel): the RSA private key does not match its public key")
                    }
                    EVP_PKEY_CTX_free(check)
                    firstCheck = nil
                }
                return Array(out[0..<len])
            }
            guard let raw = ECDSASignature.derToRaw(out, length: len, size: key.curve?.size ?? 32) else { throw fail() }
            return raw
        }
    }
}

/// A one-shot EdDSA context, initialised once per key and reused: OpenSSL 3.0 accepts further one-shot calls on
/// it, and re-initialising per token (a fetch and a key export each time) cost more than an Ed25519
/// verification's own arithmetic in `--batch`. Where a library refuses the reuse (it marks the context
/// finalised), the call fails with an error queued; the caller then initialises again and retries once.
enum EdDSAContext {
    static func initialise(_ mdctx: OpaquePointer, _ pkey: OpaquePointer, sign: Bool) -> Bool {
        sign ? EVP_DigestSignInit_ex(mdctx, nil, nil, nil, nil, pkey, nil) == 1
             : EVP_DigestVerifyInit_ex(mdctx, nil, nil, nil, nil, pkey, nil) == 1
    }
}

/// ECDSA signature encodings: OpenSSL's DER and JOSE's fixed-length R‖S (RFC 7518 §3.4), converted by hand, with no
/// OpenSSL objects: a DER ECDSA-Sig-Value is a SEQUENCE of two positive INTEGERs (X.690 §8.3: minimal big-endian
/// bytes, a 0x00 first when the top bit is set). Through ECDSA_SIG and two BIGNUMs the conversion was 9k
/// instructions of a verification and 5k of a signature (issue 13). OpenSSL re-encodes what it parses and refuses
/// any DER that is not exactly this, so an encoding slip here fails closed (the signature does not verify);
/// SigningTests compares both directions with OpenSSL's own i2d/d2i.
enum ECDSASignature {
    /// OpenSSL's DER signature (`length` bytes of `der`) to R‖S of `size` bytes each; nil for anything but a
    /// well-formed SEQUENCE of two INTEGERs that fit.
    static func derToRaw(_ der: [UInt8], length: Int, size: Int) -> [UInt8]? {
        guard length <= der.count else { return nil }
        var out = [UInt8](repeating: 0, count: 2 * size)
        let ok = der.withUnsafeBufferPointer { d -> Bool in
            var i = 0
            func len() -> Int? {
                guard i < length else { return nil }
                let b = Int(d[i]); i += 1
                if b < 0x80 { return b }
                guard b == 0x81, i < length, d[i] >= 0x80 else { return nil }
                defer { i += 1 }
                return Int(d[i])
            }
            guard length > 0, d[0] == 0x30 else { return false }
            i = 1
            guard let total = len(), i + total == length else { return false }
            for k in 0..<2 {
                guard i < length, d[i] == 0x02 else { return false }
                i += 1
                guard var n = len(), n > 0, i + n <= length else { return false }
                var at = i
                i += n
                // Positive and minimal (X.690 §8.3.2): no top bit first, a 0x00 only before one.
                if d[at] >= 0x80 { return false }
                if d[at] == 0 && n > 1 {
                    if d[at + 1] < 0x80 { return false }
                    at += 1; n -= 1
                }
                guard n <= size else { return false }
                for j in 0..<n { out[k * size + size - n + j] = d[at + j] }
            }
            return i == length
        }
        return ok ? out : nil
    }

    /// R‖S to DER; nil when the length is wrong or R or S is zero (CVE-2022-21449).
    static func rawToDER(_ raw: UnsafeRawBufferPointer, size: Int) -> [UInt8]? {
        var out = [UInt8]()
        return rawToDER(raw, size: size, into: &out) ? out : nil
    }

    /// `rawToDER` into `out` (replaced), for a verifier that reuses one buffer; false where that gives nil.
    static func rawToDER(_ raw: UnsafeRawBufferPointer, size: Int, into out: inout [UInt8]) -> Bool {
        guard raw.count == 2 * size, size > 0, size <= 66 else { return false }
        let bytes = raw.bindMemory(to: UInt8.self)
        // Each INTEGER: its bytes from the first non-zero one, after a 0x00 when that byte's top bit is set.
        var first = (0, 0), body = (0, 0)
        for k in 0..<2 {
            var f = k * size
            while f < (k + 1) * size && bytes[f] == 0 { f += 1 }
            if f == (k + 1) * size { return false }
            let n = (k + 1) * size - f + (bytes[f] >= 0x80 ? 1 : 0)
            if k == 0 { first.0 = f; body.0 = n } else { first.1 = f; body.1 = n }
        }
        let content = 2 + body.0 + 2 + body.1
        out.removeAll(keepingCapacity: true)
        out.append(0x30)
        if content >= 0x80 { out.append(0x81) }
        out.append(UInt8(content))
        func integer(from f: Int, count n: Int, end: Int) {
            out.append(0x02)
            out.append(UInt8(n))
            if n > end - f { out.append(0) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[f..<end]))
        }
        integer(from: first.0, count: body.0, end: size)
        integer(from: first.1, count: body.1, end: 2 * size)
        return true
    }
}

/// Verifies JWS signatures with one key and one algorithm; contexts are prepared once.
///
/// Returns `false` for any signature that does not verify, including one of the wrong length (ECDSA R‖S must be
/// exactly 2n bytes, RSA exactly the modulus length, HMAC exactly the hash length), never throws for that.
public final class Verifier {
    public let algorithm: Algorithm
    public let key: JWK
    private let context: PreparedContext
    private var mac: OpaquePointer? { context.mac }
    private var pctx: OpaquePointer? { context.pctx }
    private var mdctx: OpaquePointer? { context.mdctx }
    private var digest = [UInt8](repeating: 0, count: 64)
    private var macOut = [UInt8](repeating: 0, count: 64)
    private var der: [UInt8] = []

    public init(key: JWK, algorithm: Algorithm) throws(WIFError) {
        OpenSSLLibrary.ensure()
        try key.checkFits(algorithm)
        self.algorithm = algorithm
        self.key = key
        context = try PreparedContext(key: key, algorithm: algorithm, sign: false)
    }



    public func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        signature.withUnsafeBytes { s in message.withUnsafeBytes { m in verify(signature: s, message: m) } }
    }

    public func verify(signature: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> Bool {
        // Clearing an empty error queue still wipes its 16 slots: 2.4% of an HS256 batch. Peek first.
        defer { if ERR_peek_error() != 0 { ERR_clear_error() } }
        switch algorithm.family {
        case .hmac:
            guard let mac, signature.count == algorithm.hashLength,
                  EVP_MAC_init(mac, nil, 0, nil) == 1, EVP_MAC_update(mac, message.baseAddress, message.count) == 1
            else { return false }
            var len = 0
            let ok = macOut.withUnsafeMutableBufferPointer { EVP_MAC_final(mac, $0.baseAddress, &len, $0.count) }
            guard ok == 1, len == signature.count else { return false }
            return macOut.withUnsafeBytes { CRYPTO_memcmp($0.baseAddress, signature.baseAddress, len) } == 0
        case .eddsa:
            let expected = key.curve == .ed448 ? 114 : 64
            guard signature.count == expected, let mdctx, let pkey = key.pkey?.raw else { return false }
            let verify = {
                EVP_DigestVerify(mdctx, signature.bindMemory(to: UInt8.self).baseAddress, signature.count,
                                 message.bindMemory(to: UInt8.self).baseAddress, message.count) == 1
            }
            if verify() { return true }
            // A signature that does not verify queues no error; a refused reuse does.
            guard ERR_peek_error() != 0 else { return false }
            ERR_clear_error()
            return EdDSAContext.initialise(mdctx, pkey, sign: false) && verify()
        case .rsa, .pss:
            guard let pctx, signature.count == (key.bits + 7) / 8,
                  let dlen = context.hash(message, into: &digest) else { return false }
            return digest.withUnsafeBufferPointer {
                EVP_PKEY_verify(pctx, signature.bindMemory(to: UInt8.self).baseAddress, signature.count, $0.baseAddress, dlen)
            } == 1
        case .ecdsa:
            guard let pctx, ECDSASignature.rawToDER(signature, size: key.curve?.size ?? 32, into: &der),
                  let dlen = context.hash(message, into: &digest) else { return false }
            return digest.withUnsafeBufferPointer { d in
                der.withUnsafeBufferPointer { EVP_PKEY_verify(pctx, $0.baseAddress, $0.count, d.baseAddress, dlen) }
            } == 1
        }
    }
}
