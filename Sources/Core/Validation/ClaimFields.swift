// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// The registered claims of a payload found in place: where each value lies in the payload bytes, with no
/// JSONObject, String or array made (issue 12: building the claims object cost 7k of the 39k instructions of an
/// HS256 `--batch` token, and its destruction 2k more).
///
/// Rules:
/// - `scan` accepts a strict subset of what `JSON.parseObject` accepts, and answers nil for everything else, so
///   a caller that falls back to the full parser on nil judges exactly as before: a top-level object, nothing
///   around it; member names and string values of printable ASCII without escapes (no byte below 0x20, no `"`
///   or `\`, no DEL, nothing from 0x80: UTF-8 and escapes go to the full parser); numbers of the JSON grammar up
///   to 512 characters; `true`, `false`, `null`; a nested object or array read by the full reader (`JSONReader`)
///   at the same depth and with the same limits; no whitespace anywhere; at most `maxMembers` members, names
///   unique as exact bytes;
/// - a payload `scan` accepts is its own compact form (`JSON.isCompactForm`: no whitespace, escape or DEL);
/// - a span is where a value lies: for a string without its quotes, for anything else its whole text.
struct ClaimFields {
    /// The members a claim check reads, in the order of `MemberName.all` and then `wif_max_uses`.
    enum Claim: Int, CaseIterable {
        case iss, sub, aud, exp, nbf, iat, jti, act, mayAct, clientID, scope, cnf, maxUses
    }

    /// A value's place in the payload, and its first byte (`"` for a string, which the span leaves out).
    struct Span {
        let start: Int
        let end: Int
        let first: UInt8
        var isString: Bool { first == UInt8(ascii: "\"") }
        var isNumber: Bool { first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39) }
        var count: Int { end - start }
    }

    /// Past this many members the full parser decides (its name index keeps big objects linear).
    static let maxMembers = 32

    private var spans: (Span?, Span?, Span?, Span?, Span?, Span?, Span?, Span?, Span?, Span?, Span?, Span?, Span?) =
        (nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil)

    subscript(_ c: Claim) -> Span? {
        get {
            switch c {
            case .iss: spans.0
            case .sub: spans.1
            case .aud: spans.2
            case .exp: spans.3
            case .nbf: spans.4
            case .iat: spans.5
            case .jti: spans.6
            case .act: spans.7
            case .mayAct: spans.8
            case .clientID: spans.9
            case .scope: spans.10
            case .cnf: spans.11
            case .maxUses: spans.12
            }
        }
        set {
            switch c {
            case .iss: spans.0 = newValue
            case .sub: spans.1 = newValue
            case .aud: spans.2 = newValue
            case .exp: spans.3 = newValue
            case .nbf: spans.4 = newValue
            case .iat: spans.5 = newValue
            case .jti: spans.6 = newValue
            case .act: spans.7 = newValue
            case .mayAct: spans.8 = newValue
            case .clientID: spans.9 = newValue
            case .scope: spans.10 = newValue
            case .cnf: spans.11 = newValue
            case .maxUses: spans.12 = newValue
            }
        }
    }

    /// The claim a member name is, by its `JSONObject.nameKey` (names of up to 7 bytes) or its bytes.
    static func claim(named p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Claim? {
        let n = end - start
        var k = UInt64(min(n, 255)) << 56
        for i in 0..<min(n, 7) { k |= UInt64(p[start + i]) << (UInt64(i) * 8) }
        switch k {
        case MemberName.iss.key: return .iss
        case MemberName.sub.key: return .sub
        case MemberName.aud.key: return .aud
        case MemberName.exp.key: return .exp
        case MemberName.nbf.key: return .nbf
        case MemberName.iat.key: return .iat
        case MemberName.jti.key: return .jti
        case MemberName.act.key: return .act
        case MemberName.mayAct.key: return .mayAct
        case MemberName.scope.key: return .scope
        case MemberName.cnf.key: return .cnf
        case MemberName.clientID.key: return same(p, start, end, "client_id") ? .clientID : nil
        case UseBudget.member.key: return same(p, start, end, "wif_max_uses") ? .maxUses : nil
        default: return nil
        }
    }

    /// Whether `p[start..<end]` is exactly the bytes of `s`.
    static func same(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ s: StaticString) -> Bool {
        end - start == s.utf8CodeUnitCount && memcmp(p.baseAddress! + start, s.utf8Start, end - start) == 0
    }

    /// Whether `p[span]` is exactly the bytes `b`.
    static func same(_ p: UnsafeBufferPointer<UInt8>, _ span: Span, _ b: [UInt8]) -> Bool {
        guard span.count == b.count else { return false }
        if b.isEmpty { return true }
        return b.withUnsafeBufferPointer { memcmp(p.baseAddress! + span.start, $0.baseAddress!, b.count) == 0 }
    }

    /// The payload's claims when it is in the subset described above, nil otherwise (the full parser decides).
    static func scan(_ p: UnsafeBufferPointer<UInt8>) -> ClaimFields? {
        let n = p.count
        guard n >= 2, p[0] == UInt8(ascii: "{") else { return nil }
        var f = ClaimFields()
        if p[1] == UInt8(ascii: "}") { return n == 2 ? f : nil }
        return withUnsafeTemporaryAllocation(of: (Int, Int).self, capacity: maxMembers) { names -> ClaimFields? in
            var count = 0
            var i = 1
            while true {
                // a member name
                guard i < n, p[i] == UInt8(ascii: "\""), let nameEnd = stringEnd(p, i) else { return nil }
                let nameStart = i + 1
                let length = nameEnd - nameStart
                for j in 0..<count where names[j].1 - names[j].0 == length
                    && (length == 0 || memcmp(p.baseAddress! + names[j].0, p.baseAddress! + nameStart, length) == 0) {
                    return nil  // a duplicate: the full parser names it
                }
                guard count < maxMembers else { return nil }
                names[count] = (nameStart, nameEnd)
                count += 1
                i = nameEnd + 1
                guard i < n, p[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                // its value
                guard i < n else { return nil }
                let first = p[i]
                let valueStart = i
                let span: Span
                switch first {
                case UInt8(ascii: "\""):
                    guard let e = stringEnd(p, i) else { return nil }
                    span = Span(start: i + 1, end: e, first: first)
                    i = e + 1
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    guard let e = numberEnd(p, i) else { return nil }
                    span = Span(start: i, end: e, first: first)
                    i = e
                case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                    let word: StaticString = first == UInt8(ascii: "t") ? "true" : first == UInt8(ascii: "f") ? "false" : "null"
                    let e = i + word.utf8CodeUnitCount
                    guard e <= n, same(p, i, e, word) else { return nil }
                    span = Span(start: i, end: e, first: first)
                    i = e
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    // Nested: the full reader, at the depth the full parse would be at (the payload is depth 1).
                    var r = JSONReader(buf: p, maxDepth: JSON.defaultMaxDepth)
                    r.pos = i
                    guard (try? r.value(depth: 1)) != nil, r.plain else { return nil }
                    span = Span(start: valueStart, end: r.pos, first: first)
                    i = r.pos
                default:
                    return nil
                }
                if let c = claim(named: p, nameStart, nameEnd) { f[c] = span }
                guard i < n else { return nil }
                if p[i] == UInt8(ascii: ",") { i += 1; continue }
                guard p[i] == UInt8(ascii: "}"), i + 1 == n else { return nil }
                return f
            }
        }
    }

    /// The index of the closing quote of the string opening at `open`, when it holds only printable ASCII
    /// other than `"` and `\`; nil for anything else.
    @inline(__always) static func stringEnd(_ p: UnsafeBufferPointer<UInt8>, _ open: Int) -> Int? {
        var i = open + 1
        while i < p.count {
            let c = p[i]
            if c == UInt8(ascii: "\"") { return i }
            if c < 0x20 || c >= 0x7F || c == UInt8(ascii: "\\") { return nil }
            i += 1
        }
        return nil
    }

    /// The end of the JSON number starting at `start` (RFC 8259 §6 grammar, at most 512 characters), or nil.
    static func numberEnd(_ p: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        let n = p.count
        func digit(_ i: Int) -> Bool { i < n && p[i] >= 0x30 && p[i] <= 0x39 }
        var i = start
        if p[i] == UInt8(ascii: "-") { i += 1 }
        guard digit(i) else { return nil }
        if p[i] == UInt8(ascii: "0") {
            i += 1
            if digit(i) { return nil }
        } else {
            while digit(i) { i += 1 }
        }
        if i < n && p[i] == UInt8(ascii: ".") {
            i += 1
            guard digit(i) else { return nil }
            while digit(i) { i += 1 }
        }
        if i < n && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            i += 1
            if i < n && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
            guard digit(i) else { return nil }
            while digit(i) { i += 1 }
        }
        return i - start > 512 ? nil : i
    }

    /// A NumericDate as `NumericDate.value` reads it, for an integer literal of at most 15 digits (so |d| < 1e15);
    /// nil for a fraction, an exponent or a longer number (the full check decides those).
    static func integerDate(_ p: UnsafeBufferPointer<UInt8>, _ s: Span) -> Double? {
        var i = s.start
        let negative = p[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let digits = s.end - i
        guard digits >= 1 && digits <= 15 else { return nil }
        var v: Int64 = 0
        while i < s.end {
            let d = p[i] &- 0x30
            guard d < 10 else { return nil }
            v = v * 10 + Int64(d)
            i += 1
        }
        return Double(negative ? -v : v)
    }
}
