// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// A JWS in compact serialization (RFC 7515 §7.1), split and decoded but not yet verified.
///
/// Parse order (REFERENCES D1.6, steps 1–2): size bound; only `A-Z a-z 0-9 - _ .` (RFC 8725bis format check:
/// JSON serialization, spaces or line breaks are not a compact JWT); exactly three segments (five is a JWE,
/// named as such); each segment strict base64url; the header a UTF-8 JSON object with unique members.
/// The signing input is the first two segments exactly as received (never re-serialized).
/// A class of constants, not a struct: a token is handed along the checks several times, and a copy of a struct
/// of five arrays was five reference-count updates each time (issue 12); a reference is one.
public final class CompactJWS: Sendable {
    public let bytes: [UInt8]
    public let header: JSONObject
    public let headerJSON: [UInt8]
    public let payload: [UInt8]
    public let signature: [UInt8]
    /// End of the signing input (the index of the second dot).
    public let signingInputEnd: Int
    /// Whether `headerJSON` is its own compact serialisation (`JSON.isCompactForm`), noted while parsing it.
    public let headerIsCompact: Bool

    init(bytes: [UInt8], header: JSONObject, headerJSON: [UInt8], payload: [UInt8], signature: [UInt8],
         signingInputEnd: Int, headerIsCompact: Bool) {
        self.bytes = bytes
        self.header = header
        self.headerJSON = headerJSON
        self.payload = payload
        self.signature = signature
        self.signingInputEnd = signingInputEnd
        self.headerIsCompact = headerIsCompact
    }

    public static let defaultMaxSize = 64 * 1024
    /// Largest decoded header accepted: headers carry a few short members.
    public static let maxHeaderSize = 8 * 1024

    public var signingInput: ArraySlice<UInt8> { bytes[0..<signingInputEnd] }

    /// End of the header segment (the index of the first dot).
    public var headerSegmentEnd: Int { bytes.firstIndex(of: UInt8(ascii: ".")) ?? 0 }

    static let charClass: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for c in Base64URL.alphabet { t[Int(c)] = 1 }
        t[Int(UInt8(ascii: "."))] = 2
        return t
    }()

    static func malformed(_ why: String) -> WIFError { WIFError(.malformed, why) }

    /// Whether `text` has the shape of a compact JWS or JWE: three or five segments of base64url characters
    /// joined by dots, the first one non-empty. Shape only: it decides what an argument is, never a verdict.
    public static func hasCompactShape<C: Collection>(_ text: C) -> Bool where C.Element == UInt8 {
        var dots = 0
        var first = true
        var firstEmpty = true
        for c in text {
            switch charClass[Int(c)] {
            case 1: if first { firstEmpty = false }
            case 2: dots += 1; first = false
            default: return false
            }
        }
        return !firstEmpty && (dots == 2 || dots == 4)
    }

    /// Splits and decodes a compact JWS.
    /// - Throws: `.malformed` naming the segment and what is wrong with it.
    public static func parse(_ token: [UInt8], maxSize: Int = defaultMaxSize,
                             reusing known: CompactJWS? = nil) throws(WIFError) -> CompactJWS {
        if token.isEmpty { throw malformed("the token is empty") }
        if token.count > maxSize { throw malformed("the token has \(token.count) bytes, more than the limit of \(maxSize)") }
        // Fast path: find the two dots with memchr and let the strict base64url decoder, which refuses every byte
        // outside the alphabet (dots and '=' included), check the segments. Any failure there goes to the
        // byte-by-byte path below, which names the first wrong byte exactly as it always has: the fast path only
        // skips a second pass over tokens that pass.
        if let jws = fastParse(token, known: known) { return jws }
        var dots: [Int] = []
        // One table lookup a byte: 1 for the base64url alphabet, 2 for '.', 0 for anything else.
        let bad: Int? = token.withUnsafeBufferPointer { t in
            CompactJWS.charClass.withUnsafeBufferPointer { cls in
                for i in 0..<t.count {
                    let k = cls[Int(t[i])]
                    if k == 1 { continue }
                    if k == 0 { return i }
                    dots.append(i)
                    if dots.count > 4 { return -1 }
                }
                return nil
            }
        }
        if let i = bad {
            if i < 0 { throw malformed("the token has more than five segments") }
            let c = token[i]
            let what = c == UInt8(ascii: "=") ? "base64 padding '='" :
                c < 0x21 || c > 0x7E ? String(format: c) : "'\(Character(Unicode.Scalar(c)))'"
            throw malformed("byte \(i) is \(what): a compact JWS holds only base64url characters and dots")
        }
        if dots.count == 4 { throw malformed("the token has five segments: a JWE (encrypted), which wif does not decrypt") }
        if dots.count != 2 { throw malformed("the token has \(dots.count + 1) segment\(dots.count == 0 ? "" : "s"), a JWS has three") }
        return try split(token, dot1: dots[0], dot2: dots[1], known: known)
    }

    /// The JWS when its two dots are found and every segment decodes; nil for anything else, which the strict
    /// path then judges (and names).
    static func fastParse(_ token: [UInt8], known: CompactJWS?) -> CompactJWS? {
        let dots: (Int, Int)? = token.withUnsafeBytes { t in
            guard let base = t.baseAddress, let d1 = memchr(base, 0x2E, t.count) else { return nil }
            let i1 = base.distance(to: UnsafeRawPointer(d1))
            guard let d2 = memchr(base + i1 + 1, 0x2E, t.count - i1 - 1) else { return nil }
            let i2 = base.distance(to: UnsafeRawPointer(d2))
            // a third dot: five segments (a JWE) or more, which the strict path names
            if memchr(base + i2 + 1, 0x2E, t.count - i2 - 1) != nil { return nil }
            return (i1, i2)
        }
        guard let (d1, d2) = dots else { return nil }
        return try? split(token, dot1: d1, dot2: d2, known: known)
    }

    /// Steps after the character check: segments decoded, the header parsed.
    static func split(_ token: [UInt8], dot1: Int, dot2: Int, known: CompactJWS?) throws(WIFError) -> CompactJWS {
        let h = token[0..<dot1], p = token[(dot1 + 1)..<dot2], s = token[(dot2 + 1)...]
        if h.isEmpty { throw malformed("the header segment is empty") }
        // base64url of L characters decodes to L * 3 / 4 bytes: at most maxHeaderSize for L <= (4 * max + 2) / 3.
        if h.count > (maxHeaderSize * 4 + 2) / 3 {
            throw malformed("the decoded header is larger than \(maxHeaderSize) bytes")
        }
        // A header segment byte-for-byte equal to one already parsed (tokens of one issuer in a batch) is taken
        // from it: the same bytes decode and parse to the same header.
        if let known, known.signingInputEnd > 0, h.elementsEqual(known.bytes[0..<known.headerSegmentEnd]) {
            guard let payload = Base64URL.decode(p) else { throw malformed("the payload segment is not valid base64url") }
            guard let signature = Base64URL.decode(s) else { throw malformed("the signature segment is not valid base64url") }
            return CompactJWS(bytes: token, header: known.header, headerJSON: known.headerJSON, payload: payload,
                              signature: signature, signingInputEnd: dot2, headerIsCompact: known.headerIsCompact)
        }
        guard let headerJSON = Base64URL.decode(h) else { throw malformed("the header segment is not valid base64url") }
        guard let payload = Base64URL.decode(p) else { throw malformed("the payload segment is not valid base64url") }
        guard let signature = Base64URL.decode(s) else { throw malformed("the signature segment is not valid base64url") }
        let header: JSONObject
        var compact = false
        do {
            header = try JSON.parseObject(headerJSON, what: "the header", compact: &compact)
        } catch {
            throw malformed(error.detail.hasPrefix("invalid JSON") ? "the header: " + error.detail : error.detail)
        }
        return CompactJWS(bytes: token, header: header, headerJSON: headerJSON, payload: payload,
                          signature: signature, signingInputEnd: dot2, headerIsCompact: compact)
    }

    /// The payload as a JSON object (RFC 7519 §7.2 step 10), or `.malformed`.
    public func claims() throws(WIFError) -> JSONObject { try claimsNotingForm().claims }

    /// The claims, and whether the payload is its own compact serialisation (`JSON.isCompactForm`).
    public func claimsNotingForm() throws(WIFError) -> (claims: JSONObject, compact: Bool) {
        var compact = false
        do {
            let c = try JSON.parseObject(payload, what: "the payload", compact: &compact)
            return (c, compact)
        } catch {
            throw CompactJWS.malformed(error.detail.hasPrefix("invalid JSON") ? "the payload: " + error.detail : error.detail)
        }
    }

    private static func String(format c: UInt8) -> Swift.String {
        let hex = Array("0123456789abcdef")
        return "byte 0x\(hex[Int(c >> 4)])\(hex[Int(c & 15)])"
    }
}
