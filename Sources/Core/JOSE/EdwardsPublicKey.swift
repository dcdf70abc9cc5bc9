// SPDX-License-Identifier: Apache-2.0

/// The import rule for Ed25519 and Ed448 public keys that OpenSSL does not enforce (RFC 8032 §5.1.3, §5.2.3).
///
/// Rules, checked on the encoded point before any key is built, for JWK `x` and PEM keys alike:
/// - the encoding is canonical: y (the point without its sign bit) is below the field prime p; RFC 8032 decoding
///   fails for y ≥ p, yet a lenient decoder reduces it and accepts a second name for the same point;
/// - the point is not of small order: not the identity, nor of order 2, 4 or 8 (Ed25519's cofactor is 8,
///   Ed448's 4). With A = the identity, R = the identity and S = 0 satisfy [S]B = R + [k]A for every message,
///   so such a "key" verifies a forged signature on any token (OpenSSL 3 accepts it).
/// The small-order points are exactly those whose y is 0, 1, p − 1 (both curves) or, on Ed25519, one of the two
/// order-8 values y₈ and p − y₈ (libsodium's blocklist); x is ±the root for either sign bit, so the sign bit is
/// ignored, which also refuses the non-canonical "x = −0" encodings of y = ±1.
enum EdwardsPublicKey {
    /// Why `encoded` (the raw 32- or 57-byte public key) is not an acceptable key on `curve`, or nil.
    static func problem(curve: Curve, encoded: [UInt8]) -> String? {
        let table: (p: [UInt8], smallOrderY: [[UInt8]])
        switch curve {
        case .ed25519: table = ed25519
        case .ed448: table = ed448
        default: return nil
        }
        guard encoded.count == table.p.count else { return "has \(encoded.count) bytes, expected \(table.p.count)" }
        var y = encoded
        y[y.count - 1] &= 0x7F
        if !lessThan(y, table.p) {
            return "is not a canonical encoding (y is not below the field prime, RFC 8032 §5.1.3)"
        }
        if table.smallOrderY.contains(where: { $0.elementsEqual(y) }) {
            return "is a point of small order, which verifies forged signatures (RFC 8032 §5.1.7; use a real key)"
        }
        return nil
    }

    /// Whether little-endian `a` < `b` (same length).
    private static func lessThan(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        for i in stride(from: a.count - 1, through: 0, by: -1) where a[i] != b[i] { return a[i] < b[i] }
        return false
    }

    private static func bytes(_ hex: String) -> [UInt8] {
        let d = Array(hex.utf8).map { $0 <= 0x39 ? $0 - 0x30 : $0 - 0x61 + 10 }
        return stride(from: 0, to: d.count, by: 2).map { d[$0] << 4 | d[$0 + 1] }
    }

    private static func small(_ v: UInt8, count: Int) -> [UInt8] { [v] + [UInt8](repeating: 0, count: count - 1) }

    // p = 2^255 − 19; y₈ and p − y₈ from libsodium's ed25519 small-order list, checked in Python to have order 8.
    private static let ed25519: (p: [UInt8], smallOrderY: [[UInt8]]) = (
        bytes("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        [small(0, count: 32), small(1, count: 32),
         bytes("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
         bytes("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
         bytes("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")])

    // p = 2^448 − 2^224 − 1, as 57 bytes (the last byte holds only the sign bit).
    private static let ed448: (p: [UInt8], smallOrderY: [[UInt8]]) = (
        bytes("ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
              + "feffffffffffffffffffffffffffffffffffffffffffffffffffffff00"),
        [small(0, count: 57), small(1, count: 57),
         bytes("feffffffffffffffffffffffffffffffffffffffffffffffffffffff"
               + "feffffffffffffffffffffffffffffffffffffffffffffffffffffff00")])
}
