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

    /// SHA-256 of `data` as four words (native byte order), without an array: a memory-only replay cache's key.
    static func sha256Words(_ data: UnsafeRawBufferPointer) -> (UInt64, UInt64, UInt64, UInt64) {
        OpenSSLLibrary.ensure()
        var out: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var len: UInt32 = 0
        withUnsafeMutableBytes(of: &out) { o in
            _ = EVP_Digest(data.baseAddress, data.count, o.baseAddress, &len, EVP_sha256(), nil)
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
