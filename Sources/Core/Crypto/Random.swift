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
