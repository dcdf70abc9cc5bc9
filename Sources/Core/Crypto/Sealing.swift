// SPDX-License-Identifier: Apache-2.0
internal import COpenSSL

/// AES-256-GCM (NIST SP 800-38D) through OpenSSL's EVP cipher API: authenticated encryption of a key file.
///
/// Rules:
/// - a 32-byte key, a 12-byte nonce (random unless a test gives one; never reused with the same key, which a
///   fresh salt per file already guarantees), a 16-byte tag, and associated data that is authenticated too;
/// - `open` releases nothing unless the tag verifies: on failure the partial plaintext is wiped and the one
///   error says only that the box does not open (wrong key, or any changed byte), never which part failed;
/// - plaintext comes back in `SecretBytes`, wiped when released.
public enum Sealing {
    public static let keyLength = 32
    public static let nonceLength = 12
    public static let tagLength = 16
    /// The largest plaintext sealed or opened (a key file is far smaller).
    public static let maxLength = 1 << 20

    /// A sealed message: nonce, ciphertext (as long as the plaintext) and tag.
    public struct Box: Sendable, Equatable {
        public var nonce: [UInt8]
        public var ciphertext: [UInt8]
        public var tag: [UInt8]

        public init(nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
            self.nonce = nonce
            self.ciphertext = ciphertext
            self.tag = tag
        }
    }

    /// Owns one `EVP_CIPHER_CTX` and frees it in `deinit`.
    private final class CipherContext {
        let raw: OpaquePointer
        init() throws(WIFError) {
            OpenSSLLibrary.ensure()
            guard let c = EVP_CIPHER_CTX_new() else { throw OpenSSLError.error(.cryptoFailure, "out of memory") }
            raw = c
        }
        deinit { EVP_CIPHER_CTX_free(raw) }
    }

    /// Encrypts `plaintext` under `key` with `aad` authenticated; `nonce` defaults to 12 random bytes.
    public static func seal(_ plaintext: SecretBytes, key: SecretBytes, aad: [UInt8], nonce: [UInt8]? = nil) throws(WIFError) -> Box {
        guard key.count == keyLength else { throw WIFError(.usage, "AES-256-GCM needs a \(keyLength)-byte key") }
        let iv: [UInt8]
        if let nonce { iv = nonce } else { iv = try Random.bytes(nonceLength) }
        guard iv.count == nonceLength else { throw WIFError(.usage, "AES-256-GCM needs a \(nonceLength)-byte nonce") }
        guard plaintext.count <= maxLength, aad.count <= maxLength else {
            throw WIFError(.inputTooLarge, "the data to seal is larger than \(maxLength) bytes")
        }
        let ctx = try CipherContext()
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: tagLength)
        let ok: Bool = key.withBytes { k in
            plaintext.withBytes { pt in
                ciphertext.withUnsafeMutableBytes { ct in
                    guard EVP_EncryptInit_ex2(ctx.raw, EVP_aes_256_gcm(), k.bindMemory(to: UInt8.self).baseAddress,
                                              iv, nil) == 1,
                          addAAD(ctx.raw, aad, encrypt: true) else { return false }
                    var n: Int32 = 0
                    if pt.count > 0 {
                        guard EVP_EncryptUpdate(ctx.raw, ct.bindMemory(to: UInt8.self).baseAddress, &n,
                                                pt.bindMemory(to: UInt8.self).baseAddress, Int32(pt.count)) == 1,
                              Int(n) == pt.count else { return false }
                    }
                    var fin: Int32 = 0
                    var scratch = [UInt8](repeating: 0, count: 16)
                    guard EVP_EncryptFinal_ex(ctx.raw, &scratch, &fin) == 1, fin == 0 else { return false }
                    return EVP_CIPHER_CTX_ctrl(ctx.raw, EVP_CTRL_AEAD_GET_TAG, Int32(tagLength), &tag) == 1
                }
            }
        }
        guard ok else { throw OpenSSLError.error(.cryptoFailure, "AES-256-GCM encryption failed") }
        return Box(nonce: iv, ciphertext: ciphertext, tag: tag)
    }

    /// Decrypts and authenticates `box` under `key` and `aad`. Any mismatch throws `.decryptFailed`.
    public static func open(_ box: Box, key: SecretBytes, aad: [UInt8], what: String) throws(WIFError) -> SecretBytes {
        guard key.count == keyLength else { throw WIFError(.usage, "AES-256-GCM needs a \(keyLength)-byte key") }
        guard box.nonce.count == nonceLength, box.tag.count == tagLength else {
            throw WIFError(.decryptFailed, "\(what): the nonce or tag has the wrong length")
        }
        guard box.ciphertext.count <= maxLength, aad.count <= maxLength else {
            throw WIFError(.inputTooLarge, "\(what): larger than \(maxLength) bytes")
        }
        let ctx = try CipherContext()
        let out = SecretBytes(capacity: box.ciphertext.count + 16)
        var tag = box.tag
        var ok = false
        out.fill { o in
            key.withBytes { k in
                box.ciphertext.withUnsafeBytes { ct in
                    guard EVP_DecryptInit_ex2(ctx.raw, EVP_aes_256_gcm(), k.bindMemory(to: UInt8.self).baseAddress,
                                              box.nonce, nil) == 1,
                          addAAD(ctx.raw, aad, encrypt: false) else { return 0 }
                    var n: Int32 = 0
                    if ct.count > 0 {
                        guard EVP_DecryptUpdate(ctx.raw, o.bindMemory(to: UInt8.self).baseAddress, &n,
                                                ct.bindMemory(to: UInt8.self).baseAddress, Int32(ct.count)) == 1,
                              Int(n) == ct.count else { return 0 }
                    }
                    guard EVP_CIPHER_CTX_ctrl(ctx.raw, EVP_CTRL_AEAD_SET_TAG, Int32(tagLength), &tag) == 1 else { return 0 }
                    var fin: Int32 = 0
                    let final = EVP_DecryptFinal_ex(ctx.raw, o.bindMemory(to: UInt8.self).baseAddress.map { $0 + Int(n) }, &fin)
                    ok = final > 0 && fin == 0
                    return ok ? ct.count : 0
                }
            }
        }
        guard ok else {
            out.wipe()
            _ = OpenSSLError.drain()
            throw WIFError(.decryptFailed, "\(what): cannot decrypt: wrong passphrase, or the file was changed")
        }
        return out
    }

    private static func addAAD(_ ctx: OpaquePointer, _ aad: [UInt8], encrypt: Bool) -> Bool {
        guard !aad.isEmpty else { return true }
        var n: Int32 = 0
        let r = aad.withUnsafeBufferPointer { a in
            encrypt ? EVP_EncryptUpdate(ctx, nil, &n, a.baseAddress, Int32(a.count))
                    : EVP_DecryptUpdate(ctx, nil, &n, a.baseAddress, Int32(a.count))
        }
        return r == 1
    }
}
