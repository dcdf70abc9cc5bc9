// SPDX-License-Identifier: Apache-2.0
internal import COpenSSL

/// Hashes and comparisons.
public enum Digest {
    /// SHA-256 of `data` (RFC 7638 thumbprints, replay keys).
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        OpenSSLLibrary.ensure()
        var out = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        data.withUnsafeBufferPointer { d in
            out.withUnsafeMutableBufferPointer { o in
                _ = EVP_Digest(d.baseAddress, d.count, o.baseAddress, &len, EVP_sha256(), nil)
            }
        }
        return out
    }

    /// Constant-time equality for MACs: lengths are public and compared first, then CRYPTO_memcmp.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) } } == 0
    }

    /// Overwrites secret bytes.
    public static func wipe(_ a: inout [UInt8]) {
        a.withUnsafeMutableBytes { if let p = $0.baseAddress { OPENSSL_cleanse(p, $0.count) } }
    }
}

/// A digest fetched once with one context kept and re-initialised per message: EVP_Digest fetches and allocates
/// per call, 5k instructions for a short message (issue 13). A signer's or verifier's hash and a memory replay
/// cache's key each keep one. One thread at a time.
final class KeptDigest {
    let md: OpaquePointer?           // EVP_MD
    private let ctx: OpaquePointer?  // EVP_MD_CTX

    init(_ name: String) {
        OpenSSLLibrary.ensure()
        md = EVP_MD_fetch(nil, name, nil)
        ctx = EVP_MD_CTX_new()
    }

    deinit {
        if let ctx { EVP_MD_CTX_free(ctx) }
        if let md { EVP_MD_free(md) }
    }

    var isReady: Bool { md != nil && ctx != nil }

    /// Hashes `data` into `out`; its length, or nil when OpenSSL fails or `out` is too short.
    func digest(_ data: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        guard let md, let ctx, let o = out.baseAddress, out.count >= Int(EVP_MD_get_size(md)),
              EVP_DigestInit_ex2(ctx, md, nil) == 1, EVP_DigestUpdate(ctx, data.baseAddress, data.count) == 1 else { return nil }
        var len: UInt32 = 0
        return EVP_DigestFinal_ex(ctx, o.assumingMemoryBound(to: UInt8.self), &len) == 1 ? Int(len) : nil
    }

    /// A 32-byte digest (SHA-256) of `data` as four words (native byte order); nil when OpenSSL fails.
    func words(_ data: UnsafeRawBufferPointer) -> (UInt64, UInt64, UInt64, UInt64)? {
        var out: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let n = withUnsafeMutableBytes(of: &out) { digest(data, into: $0) }
        return n == 32 ? out : nil
    }
}
