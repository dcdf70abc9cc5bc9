// SPDX-License-Identifier: Apache-2.0
internal import COpenSSL

/// Random bytes from OpenSSL's CSPRNG.
public enum Random {
    /// Public randomness (jti, nonces).
    public static func bytes(_ n: Int) throws(WIFError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(n)) }
        guard ok == 1 else { throw OpenSSLError.error(.cryptoFailure, "random number generator failed") }
        return out
    }

    /// Secret randomness (keys, salts).
    public static func secretBytes(_ n: Int) throws(WIFError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        let ok = out.withUnsafeMutableBufferPointer { RAND_priv_bytes($0.baseAddress, Int32(n)) }
        guard ok == 1 else { throw OpenSSLError.error(.cryptoFailure, "random number generator failed") }
        return out
    }
}

/// Hashes and comparisons.
public enum Digest {
    /// SHA-256 of `data` (RFC 7638 thumbprints, replay keys).
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
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
