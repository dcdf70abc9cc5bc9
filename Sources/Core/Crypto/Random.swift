// SPDX-License-Identifier: Apache-2.0
internal import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// Random bytes from OpenSSL's CSPRNG.
public enum Random {
    /// Public randomness (jti, opaque access tokens), straight from the kernel's getrandom(2): instantiating
    /// OpenSSL's DRBG costs more than a one-token run's signature, and nothing secret is derived from these bytes.
    public static func bytes(_ n: Int) throws(WIFError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        var filled = 0
        while filled < n {
            let r = out.withUnsafeMutableBytes { wif_getrandom($0.baseAddress! + filled, n - filled) }
            if r < 0 {
                if errno == EINTR { continue }
                throw WIFError(.cryptoFailure, "getrandom failed: \(String(cString: strerror(errno)))")
            }
            filled += Int(r)
        }
        return out
    }

    /// Secret randomness (keys, salts).
    public static func secretBytes(_ n: Int) throws(WIFError) -> [UInt8] {
        OpenSSLLibrary.ensure()
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
