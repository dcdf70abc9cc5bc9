// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// `application/x-www-form-urlencoded` (RFC 6749 Appendix B, WHATWG URL §5).
///
/// Encoding: UTF-8, then `A-Z a-z 0-9 - . _ *` stay, space becomes `+`, every other byte `%XX` (uppercase).
/// Decoding: split on `&`, then on the first `=`; `+` is a space; `%XX` must be two hex digits; the result must
/// be valid UTF-8. Any violation is an error naming the parameter.
public enum FormEncoding {
    /// Whether a token-request parameter may appear more than once: only `resource` (RFC 8707 §2) and
    /// `audience` (RFC 8693 §2.1); any other repeated parameter is `invalid_request` (RFC 6749 §3.2).
    public static func mayRepeat(_ name: String) -> Bool { name.same("resource") || name.same("audience") }

    static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    public static func encodeComponent(_ s: String) -> String {
        var out = [UInt8]()
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "*"):
                out.append(c)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "%"), hex[Int(c >> 4)], hex[Int(c & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func encode(_ params: [(String, String)]) -> String {
        params.map { encodeComponent($0.0) + "=" + encodeComponent($0.1) }.joined(separator: "&")
    }

    /// Parameters as a JSON object; a repeated name becomes an array of its values, in order.
    public static func jsonObject(_ params: [(String, String)]) -> JSON {
        var o = JSONObject()
        for (k, v) in params {
            switch o[k] {
            case nil: o[k] = .string(v)
            case .array(let a)?: o[k] = .array(a + [.string(v)])
            case let prev?: o[k] = .array([prev, .string(v)])
            }
        }
        return .object(o)
    }

    /// Decodes a form body into ordered (name, value) pairs.
    public static func decode(_ body: [UInt8]) throws(WIFError) -> [(String, String)] {
        if body.isEmpty { return [] }
        // The '&'s found with memchr: splitting as a Collection was 5 instructions a byte of a 700-byte body.
        let ends: [Int] = body.withUnsafeBufferPointer { b in
            var ends: [Int] = []
            guard let base = b.baseAddress else { return ends }
            var at = 0
            while let p = memchr(base + at, 0x26, b.count - at) {
                let e = UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self) - base
                ends.append(e)
                at = e + 1
            }
            ends.append(b.count)
            return ends
        }
        var out: [(String, String)] = []
        out.reserveCapacity(ends.count)
        var start = 0
        for (i, end) in ends.enumerated() {
            let part = body[start..<end]
            start = end + 1
            if part.isEmpty { throw WIFError(.invalidRequest, "parameter \(i + 1) is empty (stray '&')") }
            let eq = part.firstIndex(of: UInt8(ascii: "="))
            let rawName = eq.map { part[part.startIndex..<$0] } ?? part[...]
            let rawValue = eq.map { part[($0 + 1)...] } ?? []
            guard let name = component(rawName) else {
                throw WIFError(.invalidRequest, "parameter \(i + 1): its name is not valid form encoding")
            }
            guard let value = component(rawValue) else {
                throw WIFError(.invalidRequest, "parameter \"\(JSON.escapedForMessage(name))\": value is not valid form encoding")
            }
            out.append((name, value))
        }
        return out
    }

    /// One name or value. Most components (a JWT, a grant URN already %-encoded) hold no `+` or `%` run worth
    /// rewriting byte by byte: a component without `+` and `%` is validated as UTF-8 in one pass, and the others
    /// are rewritten through raw buffers (issue 13: the byte-wise loop was 100 instructions a byte).
    static func component(_ b: ArraySlice<UInt8>) -> String? {
        // memchr for the two bytes: the per-byte closure was 4 instructions a byte of a 700-byte assertion.
        let plain = b.withUnsafeBytes { r in
            guard let p = r.baseAddress else { return true }
            return memchr(p, 0x2B, r.count) == nil && memchr(p, 0x25, r.count) == nil
        }
        if plain { return String(validating: b, as: UTF8.self) }
        func hv(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        var valid = true
        let out = [UInt8](unsafeUninitializedCapacity: b.count) { dst, written in
            b.withUnsafeBufferPointer { src in
                var i = 0, o = 0
                let n = src.count
                while i < n {
                    let c = src[i]
                    if c == UInt8(ascii: "+") {
                        dst[o] = 0x20; i += 1
                    } else if c == UInt8(ascii: "%") {
                        guard i + 2 < n, let h = hv(src[i + 1]), let l = hv(src[i + 2]) else { valid = false; break }
                        dst[o] = h << 4 | l; i += 3
                    } else {
                        dst[o] = c; i += 1
                    }
                    o += 1
                }
                written = o
            }
        }
        guard valid else { return nil }
        return String(validating: out, as: UTF8.self)
    }
}

/// A form's parameters by name, empty values dropped, names matched as exact bytes (`String.same`), each name's
/// values in order. A token request has a handful, searched in order; a table by hash is built only past
/// `indexThreshold` names (hashing every name of every lookup was most of the parameter cost of a token request,
/// issue 13), so a 256 KiB body of distinct names stays linear.
struct FormParameters {
    /// The distinct names, in the order they first appear.
    private(set) var names: [String] = []
    private var values: [[String]] = []
    private var index: [ExactName: Int]?
    static let indexThreshold = 8

    init(_ pairs: [(String, String)]) {
        names.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        for (k, v) in pairs where !v.isEmpty {
            if let i = position(of: k) { values[i].append(v); continue }
            names.append(k)
            values.append([v])
            if index != nil {
                index?[ExactName(k)] = names.count - 1
            } else if names.count > FormParameters.indexThreshold {
                var t = [ExactName: Int](minimumCapacity: pairs.count)
                for (i, n) in names.enumerated() { t[ExactName(n)] = i }
                index = t
            }
        }
    }

    private func position(of name: String) -> Int? {
        if let index { return index[ExactName(name)] }
        return names.firstIndex { $0.same(name) }
    }

    /// The values of `name`, nil when it has none.
    subscript(_ name: ExactName) -> [String]? { position(of: name.name).map { values[$0] } }
}
