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
        if let done: Void = data.withContiguousStorageIfAvailable({ encode(UnsafeRawBufferPointer($0), into: &out) }) {
            return done
        }
        Array(data).withUnsafeBytes { encode($0, into: &out) }
    }

    static func encode(_ src: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let n = src.count
        let outLen = (n * 4 + 2) / 3
        let base = out.count
        out.append(contentsOf: repeatElement(0, count: outLen))
        alphabet.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { o in
                var i = 0, j = base
                while i + 3 <= n {
                    let v = UInt32(src[i]) << 16 | UInt32(src[i + 1]) << 8 | UInt32(src[i + 2])
                    o[j] = a[Int(v >> 18)]; o[j + 1] = a[Int(v >> 12 & 63)]
                    o[j + 2] = a[Int(v >> 6 & 63)]; o[j + 3] = a[Int(v & 63)]
                    i += 3; j += 4
                }
                if n - i == 1 {
                    let v = UInt32(src[i]) << 16
                    o[j] = a[Int(v >> 18)]; o[j + 1] = a[Int(v >> 12 & 63)]
                } else if n - i == 2 {
                    let v = UInt32(src[i]) << 16 | UInt32(src[i + 1]) << 8
                    o[j] = a[Int(v >> 18)]; o[j + 1] = a[Int(v >> 12 & 63)]; o[j + 2] = a[Int(v >> 6 & 63)]
                }
            }
        }
    }

    /// Decodes strict unpadded base64url, or returns nil.
    public static func decode<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        if let r = text.withContiguousStorageIfAvailable({ decode(UnsafeRawBufferPointer($0)) }) { return r }
        return Array(text).withUnsafeBytes { decode($0) }
    }

    static func decode(_ src: UnsafeRawBufferPointer) -> [UInt8]? {
        let n = src.count
        if n % 4 == 1 { return nil }
        let outLen = n * 3 / 4
        // Decoded into scratch space, then copied into an Array: `[UInt8](repeating:count:)` and
        // `init(unsafeUninitializedCapacity:)` reach the array buffer initialiser unspecialised, which looks up its
        // generic metadata on every call (2% of an HS256 batch, issue 12); copying a buffer does not.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Swift.max(outLen, 1)) { o -> [UInt8]? in
            let ok: Bool = decodeTable.withUnsafeBufferPointer { t in
                var i = 0, j = 0
                while i + 4 <= n {
                    let a = t[Int(src[i])], b = t[Int(src[i + 1])], c = t[Int(src[i + 2])], d = t[Int(src[i + 3])]
                    if (a | b | c | d) & 0xC0 != 0 { return false }
                    let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    o[j] = UInt8(truncatingIfNeeded: v >> 16); o[j + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    o[j + 2] = UInt8(truncatingIfNeeded: v)
                    i += 4; j += 3
                }
                let rest = n - i
                if rest == 2 {
                    let a = t[Int(src[i])], b = t[Int(src[i + 1])]
                    // Unused trailing bits must be zero (non-canonical tails rejected).
                    if (a | b) & 0xC0 != 0 || b & 0x0F != 0 { return false }
                    o[j] = a << 2 | b >> 4
                } else if rest == 3 {
                    let a = t[Int(src[i])], b = t[Int(src[i + 1])], c = t[Int(src[i + 2])]
                    if (a | b | c) & 0xC0 != 0 || c & 0x03 != 0 { return false }
                    o[j] = a << 2 | b >> 4
                    o[j + 1] = (b & 0x0F) << 4 | c >> 2
                }
                return true
            }
            return ok ? Array(UnsafeBufferPointer(rebasing: o[0..<outLen])) : nil
        }
    }

    public static func decode(_ text: String) -> [UInt8]? { decode(Array(text.utf8)) }
}
