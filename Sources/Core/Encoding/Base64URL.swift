// SPDX-License-Identifier: Apache-2.0

/// base64url without padding (RFC 7515 §2, RFC 4648 §5), strict.
///
/// Decoding rejects: `=` padding, any character outside `A-Z a-z 0-9 - _` (so whitespace too), a length of
/// 1 mod 4, and non-zero unused bits in the last character, so that one value has exactly one spelling.
public enum Base64URL {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    static let decodeTable: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    /// Encodes bytes as unpadded base64url.
    public static func encode<C: Collection>(_ data: C) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        encode(data, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the unpadded base64url encoding of `data` to `out`.
    public static func encode<C: Collection>(_ data: C, into out: inout [UInt8]) where C.Element == UInt8 {
        out.reserveCapacity(out.count + (data.count * 4 + 2) / 3)
        alphabet.withUnsafeBufferPointer { a in
            var it = data.makeIterator()
            while let b0 = it.next() {
                let b1 = it.next()
                let b2 = b1 == nil ? nil : it.next()
                let n = UInt32(b0) << 16 | UInt32(b1 ?? 0) << 8 | UInt32(b2 ?? 0)
                out.append(a[Int(n >> 18 & 63)])
                out.append(a[Int(n >> 12 & 63)])
                if b1 != nil { out.append(a[Int(n >> 6 & 63)]) }
                if b2 != nil { out.append(a[Int(n & 63)]) }
            }
        }
    }

    /// Decodes strict unpadded base64url, or returns nil.
    public static func decode<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        let count = text.count
        if count % 4 == 1 { return nil }
        var out = [UInt8]()
        out.reserveCapacity(count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        let ok: Bool = decodeTable.withUnsafeBufferPointer { t in
            for c in text {
                let v = t[Int(c)]
                if v == 0xFF { return false }
                acc = acc << 6 | UInt32(v)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
                    acc &= (1 << UInt32(bits)) - 1
                }
            }
            return true
        }
        // Unused trailing bits must be zero (non-canonical tails rejected).
        if !ok || acc != 0 { return nil }
        return out
    }

    public static func decode(_ text: String) -> [UInt8]? { decode(Array(text.utf8)) }
}
