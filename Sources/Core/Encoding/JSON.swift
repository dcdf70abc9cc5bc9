// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// A JSON value for JOSE headers, claims and keys (RFC 8259), read strictly.
///
/// Rules the reader enforces:
/// - the input is one value with optional surrounding whitespace, nothing after it;
/// - member names in an object are unique (RFC 7515 §4, RFC 7519 §4: duplicates are rejected, never resolved);
/// - strings are valid UTF-8 with no raw control characters and no lone surrogate escapes (RFC 8725 §3.7);
/// - nesting is bounded (`maxDepth`), so hostile input cannot exhaust the stack;
/// - numbers keep their literal text, so integers stay exact and fractional NumericDates survive.
/// Objects keep member order, for display and for re-serialization. Not `indirect`: arrays and objects already
/// hold their elements on the heap, and boxing every value cost an allocation per member (issue 12).
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    public var arrayValue: [JSON]? { if case .array(let a) = self { return a } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    /// The number as a Double, if this is a number and it is finite.
    public var doubleValue: Double? {
        guard case .number(let t) = self, let d = Double(t), d.isFinite else { return nil }
        return d
    }

    /// The number as an exact Int64, if it is an integer literal in range.
    public var int64Value: Int64? {
        guard case .number(let t) = self else { return nil }
        return Int64(t)
    }

    /// The JSON type name, for messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public static func integer(_ v: Int64) -> JSON { .number(String(v)) }
}

/// A JSON object with unique member names in their original order.
///
/// Lookups and updates stay linear in the total work however many members an object has: small objects are
/// scanned, and past `indexThreshold` members a hash index of exact names (UTF-8 bytes, no Unicode
/// normalization) is kept alongside, so hostile input with tens of thousands of members costs no more than
/// its size.
public struct JSONObject: Sendable, Equatable, Sequence {
    public struct Member: Sendable, Equatable {
        public let name: String
        public var value: JSON
        /// The name's length and first bytes in one word (`JSONObject.nameKey`): a lookup compares words, and
        /// bytes only for names longer than 7 (a linear search of String comparisons cost 6k instructions a token,
        /// issue 12).
        let key: UInt64

        init(name: String, value: JSON, key: UInt64? = nil) {
            self.name = name
            self.value = value
            self.key = key ?? JSONObject.nameKey(name)
        }

        public static func == (a: Member, b: Member) -> Bool { a.name.same(b.name) && a.value == b.value }
    }

    /// Length (top byte, saturated at 255) and the first 7 UTF-8 bytes of `name`: equal names have equal keys,
    /// and for names of at most 7 bytes equal keys mean equal names.
    @inline(__always) static func nameKey(_ name: String) -> UInt64 {
        let n = name.utf8.count
        var k = UInt64(Swift.min(n, 255)) << 56
        let packed: UInt64? = name.utf8.withContiguousStorageIfAvailable { b in
            var v: UInt64 = 0
            for i in 0..<Swift.min(b.count, 7) { v |= UInt64(b[i]) << (UInt64(i) * 8) }
            return v
        }
        if let packed { k |= packed } else {
            for (i, c) in name.utf8.prefix(7).enumerated() { k |= UInt64(c) << (UInt64(i) * 8) }
        }
        return k
    }
    public private(set) var members: [Member] = []
    /// In a class, not a `[ExactName: Int]?`: copying and destroying an object then needs no metadata of a
    /// Dictionary with a custom Hashable key, whose instantiation by mangled name (with a scan of the
    /// conformance records) cost 0.1 M instructions in every process that parses JSON (issue 12). Shared
    /// between copies; `appendUnchecked` copies it before changing a shared one.
    private var index: NameIndex?
    static let indexThreshold = 16

    private final class NameIndex: @unchecked Sendable {
        var positions: [ExactName: Int]
        init(_ positions: [ExactName: Int]) { self.positions = positions }
    }

    public init() {}
    /// An empty object with room for `minimumCapacity` members (a server's event line sets a dozen, one by one).
    public init(minimumCapacity: Int) { members.reserveCapacity(minimumCapacity) }
    public init(_ pairs: [(String, JSON)]) { for (k, v) in pairs { self[k] = v } }

    public static func == (a: JSONObject, b: JSONObject) -> Bool { a.members == b.members }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.name) }
    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    /// Member names are compared code point by code point, without normalization (RFC 7515 §5.3, RFC 8259 §8.3):
    /// Swift's `==` on String would treat canonically equivalent names (`é` and `e` + U+0301) as the same.
    static func sameName(_ a: String, _ b: String) -> Bool { a.same(b) }

    private func position(of name: String) -> Int? {
        if let index { return index.positions[ExactName(name)] }
        return position(of: name, key: JSONObject.nameKey(name))
    }

    /// `position(of:)` with the name's key already known (`nameKey(name)`).
    private func position(of name: String, key k: UInt64) -> Int? {
        if index != nil { return index?.positions[ExactName(name)] }
        // The key's top byte is the length: names of up to 7 bytes are decided by the key alone.
        let long = k >> 56 > 7
        for i in members.indices where members[i].key == k {
            if !long || JSONObject.sameName(members[i].name, name) { return i }
        }
        return nil
    }

    private mutating func reindex() {
        guard members.count > JSONObject.indexThreshold else { index = nil; return }
        var i = [ExactName: Int](minimumCapacity: members.count)
        for (n, m) in members.enumerated() { i[ExactName(m.name)] = n }
        index = NameIndex(i)
    }

    /// Reads a member; setting replaces it in place or appends it; setting nil removes it.
    public subscript(name: String) -> JSON? {
        get { position(of: name).map { members[$0].value } }
        set {
            if let i = position(of: name) {
                if let v = newValue {
                    members[i].value = v
                } else {
                    members.remove(at: i)
                    reindex()
                }
            } else if let v = newValue {
                appendUnchecked(name, v)
            }
        }
    }

    /// Reads a member by a name whose key is made once (`MemberName`): the claim checks look up a dozen names a
    /// token, and making each key again cost more than the search (issue 12).
    public subscript(_ name: MemberName) -> JSON? { position(of: name.name, key: name.key).map { members[$0].value } }

    public func contains(_ name: String) -> Bool { position(of: name) != nil }
    func contains(_ name: String, key: UInt64) -> Bool { position(of: name, key: key) != nil }

    /// Appends a member the caller knows is not there yet (checked only in debug builds), without the search a
    /// subscript set makes: a server's event line is built member by member (issue 13).
    public mutating func appendNew(_ name: String, _ value: JSON) {
        assert(!contains(name), "appendNew: \(name) is already a member")
        appendUnchecked(name, value)
    }

    /// Appends without checking for an existing member: only for callers that checked (the parser does).
    mutating func appendUnchecked(_ name: String, _ value: JSON) {
        appendUnchecked(name, value, key: JSONObject.nameKey(name))
    }

    mutating func appendUnchecked(_ name: String, _ value: JSON, key: UInt64) {
        // Room for a token's claims at once: growing from 1 to 2 to 4 to 8 cost three reallocations a payload.
        if members.capacity == 0 { members.reserveCapacity(8) }
        members.append(Member(name: name, value: value, key: key))
        if index != nil {
            if !isKnownUniquelyReferenced(&index) { index = index.map { NameIndex($0.positions) } }
            index?.positions[ExactName(name)] = members.count - 1
        } else if members.count > JSONObject.indexThreshold {
            reindex()
        }
    }
}

// MARK: - Reading

extension JSON {
    public static let defaultMaxDepth = 32

    /// Parses one JSON value from UTF-8 bytes.
    /// - Throws: `WIFError(.inputInvalid)` naming the byte offset and what was wrong there.
    public static func parse<C: Collection>(_ bytes: C, maxDepth: Int = defaultMaxDepth) throws(WIFError) -> JSON
    where C.Element == UInt8 {
        var compact = false
        return try parse(bytes, maxDepth: maxDepth, compact: &compact)
    }

    /// Parses one JSON value and sets `compact` to whether the text is what `write(to:)` writes for it
    /// (`isCompactForm`; false may also mean only "serialise it": the reader is conservative about escapes).
    public static func parse<C: Collection>(_ bytes: C, maxDepth: Int = defaultMaxDepth, compact: inout Bool)
    throws(WIFError) -> JSON where C.Element == UInt8 {
        let array = Array(bytes)
        let r = try array.withUnsafeBufferPointer { (buf) throws(WIFError) -> (JSON, Bool) in
            var p = JSONReader(buf: buf, maxDepth: maxDepth)
            p.skipWhitespace()
            let v = try p.value(depth: 0)
            p.skipWhitespace()
            if p.pos != buf.count { throw p.fail("unexpected data after the JSON value") }
            return (v, p.plain)
        }
        compact = r.1
        return r.0
    }

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(WIFError) -> JSON {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// Parses a JSON object, or throws naming `what` when the value is another type.
    public static func parseObject<C: Collection>(_ bytes: C, what: String, maxDepth: Int = defaultMaxDepth)
    throws(WIFError) -> JSONObject where C.Element == UInt8 {
        var compact = false
        return try parseObject(bytes, what: what, maxDepth: maxDepth, compact: &compact)
    }

    /// `parseObject`, setting `compact` as `parse(_:maxDepth:compact:)` does.
    public static func parseObject<C: Collection>(_ bytes: C, what: String, maxDepth: Int = defaultMaxDepth,
                                                  compact: inout Bool) throws(WIFError) -> JSONObject
    where C.Element == UInt8 {
        let v: JSON
        do { v = try parse(bytes, maxDepth: maxDepth, compact: &compact) } catch { throw error.located(what) }
        guard case .object(let o) = v else { throw WIFError(.inputInvalid, "\(what) is a JSON \(v.typeName), not an object") }
        return o
    }
}

/// A member name with its `JSONObject.nameKey` made once, for names looked up again and again.
public struct MemberName: Sendable {
    public let name: String
    let key: UInt64
    public init(_ name: String) {
        self.name = name
        key = JSONObject.nameKey(name)
    }

    /// A name with its key written out, so the constants below are static data: made with `init(_:)`, each use
    /// went through swift_once (1.3% of an HS256 batch). A JSONTests test checks every key against `nameKey`.
    init(_ name: String, key: UInt64) {
        self.name = name
        self.key = key
    }

    public static let iss = MemberName("iss", key: 0x0300_0000_0073_7369)
    public static let sub = MemberName("sub", key: 0x0300_0000_0062_7573)
    public static let aud = MemberName("aud", key: 0x0300_0000_0064_7561)
    public static let exp = MemberName("exp", key: 0x0300_0000_0070_7865)
    public static let nbf = MemberName("nbf", key: 0x0300_0000_0066_626E)
    public static let iat = MemberName("iat", key: 0x0300_0000_0074_6169)
    public static let jti = MemberName("jti", key: 0x0300_0000_0069_746A)
    public static let act = MemberName("act", key: 0x0300_0000_0074_6361)
    public static let mayAct = MemberName("may_act", key: 0x0774_6361_5F79_616D)
    public static let clientID = MemberName("client_id", key: 0x095F_746E_6569_6C63)
    public static let scope = MemberName("scope", key: 0x0500_0065_706F_6373)
    public static let cnf = MemberName("cnf", key: 0x0300_0000_0066_6E63)
    static let all: [MemberName] = [iss, sub, aud, exp, nbf, iat, jti, act, mayAct, clientID, scope, cnf]
}

/// A member name hashed and compared by its UTF-8 bytes (no Unicode normalization, RFC 8259 §8.3).
struct ExactName: Hashable {
    let name: String
    init(_ name: String) { self.name = name }
    static func == (a: ExactName, b: ExactName) -> Bool { a.name.same(b.name) }
    func hash(into h: inout Hasher) {
        var n = name
        n.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

struct JSONReader {
    let buf: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var pos = 0
    /// No whitespace outside strings, no escape and no DEL seen so far: the text is its own compact form.
    var plain = true

    init(buf: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.buf = buf
        self.maxDepth = maxDepth
    }

    func fail(_ what: String) -> WIFError { WIFError(.inputInvalid, "invalid JSON at byte \(pos): \(what)") }

    mutating func skipWhitespace() {
        while pos < buf.count {
            switch buf[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1; plain = false
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(WIFError) -> JSON {
        guard pos < buf.count else { throw fail("unexpected end of input") }
        switch buf[pos] {
        case UInt8(ascii: "{"): return .object(try object(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try array(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString) throws(WIFError) {
        let n = word.utf8CodeUnitCount
        guard pos + n <= buf.count else { throw fail("unexpected end of input") }
        let w = word.utf8Start
        for i in 0..<n where buf[pos + i] != w[i] { throw fail("unexpected character") }
        pos += n
    }

    mutating func object(depth: Int) throws(WIFError) -> JSONObject {
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth)") }
        pos += 1
        var obj = JSONObject()
        skipWhitespace()
        if pos < buf.count && buf[pos] == UInt8(ascii: "}") { pos += 1; return obj }
        while true {
            skipWhitespace()
            guard pos < buf.count, buf[pos] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let start = pos
            let (name, key) = try memberName()
            if obj.contains(name, key: key) {
                pos = start
                throw fail("duplicate member name \"\(JSON.escapedForMessage(name))\"")
            }
            skipWhitespace()
            guard pos < buf.count, buf[pos] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            pos += 1
            skipWhitespace()
            let v = try value(depth: depth)
            obj.appendUnchecked(name, v, key: key)
            skipWhitespace()
            guard pos < buf.count else { throw fail("unexpected end of input") }
            if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buf[pos] == UInt8(ascii: "}") { pos += 1; return obj }
            throw fail("expected ',' or '}'")
        }
    }

    mutating func array(depth: Int) throws(WIFError) -> [JSON] {
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth)") }
        pos += 1
        var out: [JSON] = []
        skipWhitespace()
        if pos < buf.count && buf[pos] == UInt8(ascii: "]") { pos += 1; return out }
        while true {
            skipWhitespace()
            out.append(try value(depth: depth))
            skipWhitespace()
            guard pos < buf.count else { throw fail("unexpected end of input") }
            if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buf[pos] == UInt8(ascii: "]") { pos += 1; return out }
            throw fail("expected ',' or ']'")
        }
    }

    mutating func number() throws(WIFError) -> String {
        let start = pos
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        if buf[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < buf.count, isDigit(buf[pos]) else { throw fail("invalid number") }
        if buf[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < buf.count && isDigit(buf[pos]) { throw fail("leading zero in number") }
        } else {
            while pos < buf.count && isDigit(buf[pos]) { pos += 1 }
        }
        if pos < buf.count && buf[pos] == UInt8(ascii: ".") {
            pos += 1
            guard pos < buf.count, isDigit(buf[pos]) else { throw fail("invalid number") }
            while pos < buf.count && isDigit(buf[pos]) { pos += 1 }
        }
        if pos < buf.count && (buf[pos] == UInt8(ascii: "e") || buf[pos] == UInt8(ascii: "E")) {
            pos += 1
            if pos < buf.count && (buf[pos] == UInt8(ascii: "+") || buf[pos] == UInt8(ascii: "-")) { pos += 1 }
            guard pos < buf.count, isDigit(buf[pos]) else { throw fail("invalid number") }
            while pos < buf.count && isDigit(buf[pos]) { pos += 1 }
        }
        if pos - start > 512 { pos = start; throw fail("number longer than 512 characters") }
        return String(decoding: UnsafeBufferPointer(rebasing: buf[start..<pos]), as: UTF8.self)
    }

    mutating func hex4() throws(WIFError) -> UInt32 {
        guard pos + 4 <= buf.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = buf[pos]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    /// Names of JOSE headers and JWT claims up to 7 bytes long: a member name among them is taken from this list
    /// instead of being made into a new String.
    static let knownNames: [String] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "scope", "act", "may_act",
                                       "cnf", "jkt", "alg", "typ", "kid", "jwk", "cty", "crit", "b64", "x5t", "azp",
                                       "nonce", "htm", "htu", "ath", "kty", "crv", "x", "y", "n", "e", "d", "use"]
    static let knownKeys: [UInt64] = knownNames.map(JSONObject.nameKey)

    /// A member name (at the opening quote) and its `JSONObject.nameKey`.
    mutating func memberName() throws(WIFError) -> (String, UInt64) {
        var k: UInt64 = 0
        var n = 0
        while pos + 1 + n < buf.count {
            let c = buf[pos + 1 + n]
            if c == UInt8(ascii: "\"") {
                let key = UInt64(n) << 56 | k
                if let j = JSONReader.knownKeys.firstIndex(of: key) {
                    pos += n + 2
                    return (JSONReader.knownNames[j], key)
                }
                break
            }
            if n == 7 || c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { break }
            k |= UInt64(c) << (UInt64(n) * 8)
            n += 1
        }
        let s = try string()
        return (s, JSONObject.nameKey(s))
    }

    mutating func string() throws(WIFError) -> String {
        let open = pos
        pos += 1
        let start = pos
        // Fast path: no escapes.
        while pos < buf.count {
            let c = buf[pos]
            if c == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: buf[start..<pos])
                pos += 1
                guard let s = JSONReader.makeString(slice) else {
                    pos = open
                    throw fail("string is not valid UTF-8")
                }
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("raw control character in string") }
            if c == 0x7F { plain = false }
            pos += 1
        }
        plain = false
        var bytes = Array(UnsafeBufferPointer(rebasing: buf[start..<pos]))
        while pos < buf.count {
            let c = buf[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                guard let s = bytes.withUnsafeBufferPointer({ JSONReader.makeString($0) }) else {
                    pos = open
                    throw fail("string is not valid UTF-8")
                }
                return s
            }
            if c < 0x20 { throw fail("raw control character in string") }
            if c != UInt8(ascii: "\\") { bytes.append(c); pos += 1; continue }
            pos += 1
            guard pos < buf.count else { break }
            let e = buf[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""): bytes.append(0x22)
            case UInt8(ascii: "\\"): bytes.append(0x5C)
            case UInt8(ascii: "/"): bytes.append(0x2F)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var cp = try hex4()
                if cp >= 0xD800 && cp <= 0xDBFF {
                    guard pos + 2 <= buf.count, buf[pos] == UInt8(ascii: "\\"), buf[pos + 1] == UInt8(ascii: "u") else {
                        throw fail("lone surrogate in \\u escape")
                    }
                    pos += 2
                    let lo = try hex4()
                    guard lo >= 0xDC00 && lo <= 0xDFFF else { throw fail("lone surrogate in \\u escape") }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                } else if cp >= 0xDC00 && cp <= 0xDFFF {
                    throw fail("lone surrogate in \\u escape")
                }
                appendUTF8(cp, to: &bytes)
            default:
                pos -= 1
                throw fail("invalid escape")
            }
        }
        throw fail("unterminated string")
    }

    /// A String from UTF-8 bytes, or nil when they are not valid UTF-8; ASCII skips the generic validator.
    static func makeString(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        var ascii = true
        for c in b where c >= 0x80 { ascii = false; break }
        if ascii { return String(decoding: b, as: UTF8.self) }
        return String(validating: b, as: UTF8.self)
    }

    func appendUTF8(_ cp: UInt32, to out: inout [UInt8]) {
        if cp < 0x80 {
            out.append(UInt8(cp))
        } else if cp < 0x800 {
            out.append(UInt8(0xC0 | cp >> 6)); out.append(UInt8(0x80 | cp & 0x3F))
        } else if cp < 0x10000 {
            out.append(UInt8(0xE0 | cp >> 12)); out.append(UInt8(0x80 | cp >> 6 & 0x3F))
            out.append(UInt8(0x80 | cp & 0x3F))
        } else {
            out.append(UInt8(0xF0 | cp >> 18)); out.append(UInt8(0x80 | cp >> 12 & 0x3F))
            out.append(UInt8(0x80 | cp >> 6 & 0x3F)); out.append(UInt8(0x80 | cp & 0x3F))
        }
    }
}

// MARK: - Writing

extension JSON {
    /// Compact serialization in member order; `/` and non-ASCII are not escaped.
    public func serialized() -> String {
        var out = [UInt8]()
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `serialized()` as UTF-8 bytes, without the String (a server's response body).
    public func bytes() -> [UInt8] {
        var out = [UInt8]()
        // Under glibc's 1 KiB large-chunk line: a larger request skips the thread cache and consolidates the
        // free lists each time (an access-token response is about 700 bytes).
        out.reserveCapacity(992)
        write(to: &out)
        return out
    }

    /// Human-friendly serialization, two-space indentation.
    public func pretty(indent: Int = 0) -> String {
        var out = [UInt8]()
        writePretty(to: &out, level: indent)
        return String(decoding: out, as: UTF8.self)
    }

    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): JSON.writeString(s, to: &out)
        // Members and elements are read in place (borrowed), not copied out one by one with their retains: a
        // server writes a dozen-member event line per request (issue 13).
        case .array(let a):
            out.append(UInt8(ascii: "["))
            a.withUnsafeBufferPointer { b in
                for i in b.indices {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    b[i].write(to: &out)
                }
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            o.members.withUnsafeBufferPointer { b in
                for i in b.indices {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    JSON.writeString(b[i].name, to: &out)
                    out.append(UInt8(ascii: ":"))
                    b[i].value.write(to: &out)
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    func writePretty(to out: inout [UInt8], level: Int) {
        func newline(_ l: Int) {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: l * 2))
        }
        switch self {
        case .array(let a) where !a.isEmpty:
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                v.writePretty(to: &out, level: level + 1)
            }
            newline(level)
            out.append(UInt8(ascii: "]"))
        case .object(let o) where !o.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (i, m) in o.members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                JSON.writeString(m.name, to: &out)
                out.append(contentsOf: ": ".utf8)
                m.value.writePretty(to: &out, level: level + 1)
            }
            newline(level)
            out.append(UInt8(ascii: "}"))
        default:
            write(to: &out)
        }
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Whether `text`, JSON that the strict reader accepted, is byte for byte what `write(to:)` writes for the
    /// value it holds: no whitespace outside strings, no DEL, and no escapes other than the writer's own
    /// (`\"`, `\\`, `\n`, `\r`, `\t`; `\/`, `\b`, `\f` and `\u` are written differently). Numbers keep their literal
    /// text in both. A false answer only means "serialise it".
    public static func isCompactForm(_ text: [UInt8]) -> Bool {
        text.withUnsafeBufferPointer { b in
            // Most texts have no space, escape or DEL at all: one plain pass answers (a third of the state machine's
            // instructions per byte).
            if !b.contains(where: { $0 <= 0x20 || $0 == 0x5C || $0 == 0x7F }) { return true }
            var inString = false
            var i = 0
            let n = b.count
            while i < n {
                let c = b[i]
                if inString {
                    if c == 0x22 {
                        inString = false
                    } else if c == 0x5C {
                        i += 1
                        guard i < n else { return false }
                        switch b[i] {
                        case 0x22, 0x5C, UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): break
                        default: return false
                        }
                    } else if c == 0x7F {
                        return false
                    }
                } else {
                    switch c {
                    case 0x22: inString = true
                    case 0x20, 0x09, 0x0A, 0x0D: return false
                    default: break
                    }
                }
                i += 1
            }
            return !inString
        }
    }

    public static func writeString(_ s: String, to out: inout [UInt8]) {
        var s = s
        // Most strings need no escape: checked a word at a time (the last one padded with spaces), then copied
        // in one piece. A server writes forty strings a token request (issue 13).
        let plain = s.withUTF8 { u in
            if JSON.anyNeedsEscape(u) { return false }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: u)
            out.append(UInt8(ascii: "\""))
            return true
        }
        if plain { return }
        out.append(UInt8(ascii: "\""))
        s.withUTF8 { u in
            var run = 0  // start of the pending run of bytes that need no escaping
            // Eight bytes at a time while none needs escaping (SWAR: a word has a byte below 0x20, or equal to
            // '"', '\\' or DEL, exactly when `needsEscape` is non-zero); the byte loop below takes the rest.
            // Strings in events and token bodies are long runs of plain ASCII (issue 13).
            var i = 0
            if let base = u.baseAddress {
                let raw = UnsafeRawPointer(base)
                while i + 8 <= u.count && JSON.needsEscape(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) == 0 {
                    i += 8
                }
            }
            for i in i..<u.count {
                let c = u[i]
                if c >= 0x20 && c != 0x22 && c != 0x5C && c != 0x7F { continue }
                if i > run { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[run..<i])) }
                run = i + 1
                switch c {
                case 0x22: out.append(0x5C); out.append(0x22)
                case 0x5C: out.append(0x5C); out.append(0x5C)
                case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
                case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
                default:
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
                    out.append(hexDigits[Int(c >> 4)]); out.append(hexDigits[Int(c & 15)])
                }
            }
            if u.count > run { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[run..<u.count])) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether a byte of `u` is one `writeString` escapes.
    static func anyNeedsEscape(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = u.baseAddress else { return false }
        let raw = UnsafeRawPointer(base), n = u.count
        var i = 0
        while i + 8 <= n {
            if JSON.needsEscape(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) != 0 { return true }
            i += 8
        }
        guard i < n else { return false }
        // The last word again, overlapping the one before: no copy of the tail.
        if n >= 8 { return JSON.needsEscape(raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) != 0 }
        for j in 0..<n {
            let c = u[j]
            if c < 0x20 || c == 0x22 || c == 0x5C || c == 0x7F { return true }
        }
        return false
    }

    /// Non-zero when one of the eight bytes of `w` is below 0x20, or is 0x22, 0x5C or 0x7F (the bytes `writeString`
    /// escapes). Bytes of 0x80 and above never count: their top bit is masked out of every test.
    @inline(__always) static func needsEscape(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        func zeroByte(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & high }
        let control = (w &- ones &* 0x20) & ~w & high
        return control | zeroByte(w ^ (ones &* 0x22)) | zeroByte(w ^ (ones &* 0x5C)) | zeroByte(w ^ (ones &* 0x7F))
    }

    /// A string quoted for an error message: control characters escaped, cut at 80 characters.
    public static func escapedForMessage(_ s: String, limit: Int = 80) -> String {
        var out = [UInt8]()
        writeString(String(s.prefix(limit)), to: &out)
        let body = String(decoding: out.dropFirst().dropLast(), as: UTF8.self)
        return escapeForTerminal(s.count > limit ? body + "..." : body)
    }

    /// Whether a scalar is unsafe for a terminal (`TerminalText.isUnsafe`).
    public static func isUnsafeForTerminal(_ u: Unicode.Scalar) -> Bool { TerminalText.isUnsafe(u) }

    /// `s` with every terminal-unsafe scalar written as `\uXXXX` (`TerminalText.escape`).
    public static func escapeForTerminal(_ s: String) -> String { TerminalText.escape(s) }
}

/// Exact string comparison, code point by code point (RFC 7515 §5.3, RFC 7519 §7.3): Swift's `==` and hashing
/// treat canonically equivalent strings as equal, which a verifier must not.
extension String {
    @inline(__always) public func same(_ other: String) -> Bool {
        // Lengths first (O(1) for native and small strings), then the bytes. Not `==` first: for two different
        // strings of one length (most claim names have three letters) it costs more than the byte comparison.
        let n = utf8.count
        guard n == other.utf8.count else { return false }
        if n == 0 { return true }
        let r = utf8.withContiguousStorageIfAvailable { x in
            other.utf8.withContiguousStorageIfAvailable { y in memcmp(x.baseAddress!, y.baseAddress!, n) == 0 }
        }
        return (r ?? nil) ?? utf8.elementsEqual(other.utf8)
    }
}

extension Sequence where Element == String {
    /// Whether the sequence holds `s` exactly, code point by code point.
    public func containsExactly(_ s: String) -> Bool { contains { $0.same(s) } }
}
