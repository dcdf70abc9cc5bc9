// SPDX-License-Identifier: Apache-2.0
@testable import Core
import Testing

/// The strict JSON reader and writer against RFC 8259 (grammar, §7 strings, §8.1 UTF-8), RFC 7515 §4 /
/// RFC 7519 §4 (duplicate member names rejected) and RFC 8725 §3.7 (UTF-8 only).
@Suite struct JSONTests {
    func parse(_ text: String) throws(WIFError) -> JSON { try JSON.parse(text) }
    func parse(bytes: [UInt8]) throws(WIFError) -> JSON { try JSON.parse(bytes) }

    // MARK: Noting the compact form while reading (issue 12: a result line copies such text)

    @Test func theReaderNotesTheCompactForm() throws {
        func noted(_ s: String) throws -> Bool {
            var compact = false
            _ = try JSON.parse(Array(s.utf8), compact: &compact)
            return compact
        }
        for s in [#"{"a":"b","c":[1,-2.5e3,true,false,null],"d":{}}"#, #"{"a":"x y é"}"#, "[]", "1", #""s""#] {
            #expect(try noted(s), "\(s)")
            #expect(JSON.isCompactForm(Array(s.utf8)), "the noted form agrees with isCompactForm: \(s)")
        }
        for s in [#"{"a": 1}"#, #"{"a":1} "#, " 1", "{\"a\":1,\n\"b\":2}", #"[1 ,2]"#, #"{"a":"\/"}"#,
                  #"{"a":"\u0041"}"#, "{\"a\":\"\u{7F}\"}", "{\"\u{7F}\":1}"] {
            #expect(try noted(s) == false, "\(s)")
        }
        // Conservative on escapes: the writer would write `\n` the same way, but "serialise it" is never wrong.
        #expect(try noted(#"{"a":"\n"}"#) == false)
    }

    @Test func theWrittenOutKeysOfMemberNamesAreTheirNameKeys() {
        for m in MemberName.all + [UseBudget.member] {
            #expect(m.key == JSONObject.nameKey(m.name), "\(m.name)")
        }
        #expect(UseBudget.member.name == UseBudget.claim)
    }

    // MARK: Writing strings eight bytes at a time

    /// The escapes `writeString` writes, one byte at a time: the reference for its word-at-a-time scan.
    static func referenceEscape(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x22]
        for c in bytes {
            switch c {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(c >> 4)], hex[Int(c & 15)]]
            default: out.append(c)
            }
        }
        return out + [0x22]
    }

    @Test(arguments: [0x00, 0x01, 0x09, 0x0A, 0x1F, 0x22, 0x5C, 0x7F] as [UInt8])
    func everyEscapeIsFoundAtEveryPositionOfAWord(_ special: UInt8) throws {
        // Plain runs around the byte, with bytes just beside the escaped ranges and non-ASCII text.
        let plain: [UInt8] = Array("a é~ !#[]".utf8) + [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7E, 0x80, 0xFF - 0x3F]
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 31] {
            for at in 0...length {
                var body = (0..<length).map { plain[$0 % plain.count] }
                body.insert(special, at: at)
                let text = String(decoding: body, as: UTF8.self)
                var out: [UInt8] = []
                JSON.writeString(text, to: &out)
                #expect(out == Self.referenceEscape(Array(text.utf8)), "length \(length), byte at \(at)")
                #expect(try JSON.parse(out) == .string(text))
            }
        }
    }

    @Test func longPlainStringsAreCopiedWhole() throws {
        let text = String(repeating: "spiffe://example.org/ns/ci/sa/job-é-", count: 40)
        var out: [UInt8] = []
        JSON.writeString(text, to: &out)
        #expect(out == [0x22] + Array(text.utf8) + [0x22])
    }

    // MARK: Member names: the known-name list and the length-and-prefix key

    @Test(arguments: [
        #"{"iss":1,"is\u0073":2}"#,
        #"{"scope":1,"scope":2}"#,
        #"{"may_act":1,"may_act":2}"#,
        #"{"x":1,"x":2}"#,
        #"{"abcdefgh":1,"abcdefgh":2}"#,
        #"{"client_id":1,"client_id":2}"#,
    ])
    func duplicatesAreFoundWhateverTheNameLength(_ text: String) {
        #expect(errorDetail { try parse(text) }?.contains("duplicate member name") == true, "\(text)")
    }

    @Test func namesThatShareALengthAndPrefixStayApart() throws {
        let o = try #require(try parse(#"{"abcdefgh":1,"abcdefgi":2,"iss":3,"isz":4,"":5,"scope":6,"scopes":7}"#).objectValue)
        #expect(o.count == 7)
        #expect(o["abcdefgh"] == .number("1"))
        #expect(o["abcdefgi"] == .number("2"))
        #expect(o["abcdefg"] == nil)
        #expect(o["iss"] == .number("3"))
        #expect(o["isz"] == .number("4"))
        #expect(o["is"] == nil)
        #expect(o[""] == .number("5"))
        #expect(o["scope"] == .number("6"))
        #expect(o["scopes"] == .number("7"))
        // a known name written with an escape is the same name
        #expect(try parse(#"{"\u0069ss":"a"}"#).objectValue?["iss"] == .string("a"))
        // a name that is not valid UTF-8 is still refused on the known-name path's fallback
        #expect(reason { try parse(bytes: Array(#"{""#.utf8) + [0xC3] + Array(#"":1}"#.utf8)) } == .inputInvalid)
    }

    // MARK: Duplicate member names

    @Test(arguments: [
        #"{"a":1,"a":2}"#,
        #"{"a":1,"a":1}"#,
        #"{"alg":"ES256","alg":"none"}"#,                 // REFERENCES D11 row 7
        #"{"aud":"evil","aud":"good"}"#,
        #"{"exp":1,"exp":9999999999}"#,
        #"{"a":1,"b":2,"a":3}"#,
        #"{"x":{"a":1,"a":2}}"#,                            // nested
        #"[{"ok":1},{"a":[],"a":{}}]"#,                     // inside an array
        #"{"x":[[{"y":{"a":null,"a":null}}]]}"#,           // deep
        #"{"a":1,"\u0061":2}"#,                             // same name once unescaped (RFC 8259 §8.3)
        #"{"é":1,"\u00e9":2}"#,
        #"{"😀":1,"\ud83d\ude00":2}"#,
    ])
    func rejectsDuplicateNames(_ text: String) {
        #expect(reason(of: { try parse(text) }) == .inputInvalid)
    }

    @Test func sameNameInDifferentObjectsIsFine() throws {
        let v = try parse(#"{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}"#)
        #expect(v.objectValue?.keys == ["a", "b"])
        // Names differ by case or normalization form: distinct (RFC 7515 §5.3, no normalization).
        #expect(try parse(#"{"alg":1,"Alg":2,"ALG":3}"#).objectValue?.count == 3)
        #expect(try parse("{\"\u{e9}\":1,\"e\u{301}\":2}").objectValue?.count == 2)
    }

    // MARK: Depth

    @Test func depthIsBounded() throws {
        let max = JSON.defaultMaxDepth
        let ok = String(repeating: "[", count: max) + String(repeating: "]", count: max)
        _ = try parse(ok)
        let deep = String(repeating: "[", count: JSON.defaultMaxDepth + 1)
            + String(repeating: "]", count: JSON.defaultMaxDepth + 1)
        #expect(reason(of: { try parse(deep) }) == .inputInvalid)
        let objects = String(repeating: #"{"a":"#, count: JSON.defaultMaxDepth + 1) + "1"
            + String(repeating: "}", count: JSON.defaultMaxDepth + 1)
        #expect(reason(of: { try parse(objects) }) == .inputInvalid)
        // Hostile input far beyond the bound fails cleanly instead of exhausting the stack.
        let hostile = String(repeating: "[", count: 100_000)
        #expect(reason(of: { try parse(hostile) }) == .inputInvalid)
        #expect(reason(of: { try parse(String(repeating: #"{"a":"#, count: 100_000)) }) == .inputInvalid)
        // The bound is a parameter.
        #expect(reason(of: { try JSON.parse("[[1]]", maxDepth: 1) }) == .inputInvalid)
        _ = try JSON.parse("[[1]]", maxDepth: 2)
        _ = try JSON.parse("1", maxDepth: 0)
    }

    // MARK: Strings and UTF-8

    @Test(arguments: [
        #""\ud800""#, #""\uDBFF""#, #""\udc00""#, #""\uDFFF""#, // lone surrogates (RFC 8259 §8.2)
        #""\ud800\u0041""#, #""\ud800x""#, #""a\ud800""#, #""\udc00\ud800""#, #""\ud800\ud800""#,
        #""\ud800\""#, #""\ud83d""#,
    ])
    func rejectsLoneSurrogates(_ text: String) {
        #expect(reason(of: { try parse(text) }) == .inputInvalid)
    }

    @Test func decodesEscapes() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""\uD834\uDD1E""#) == .string("\u{1D11E}"))  // RFC 8259 §7 G clef example
        #expect(try parse(#""\u00e9\u00E9\u20ac\u0000""#) == .string("éé€\u{0}"))
        #expect(try parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{c}\n\r\t"))
        #expect(try parse(#""\uFFFF""#) == .string("\u{FFFF}"))
    }

    @Test(arguments: [#""\x""#, #""\U0041""#, #""\u12""#, #""\u12G4""#, #""\'""#, #""\"#, #""abc"#, "\"\\u"])
    func rejectsBadEscapesAndUnterminatedStrings(_ text: String) {
        #expect(reason(of: { try parse(text) }) == .inputInvalid)
    }

    /// Invalid UTF-8 (RFC 3629 §3/§10) in a string, on the fast path and after an escape.
    @Test(arguments: [
        [0xC3, 0x28], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0xFF], [0xFE], [0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xC3],
    ] as [[UInt8]])
    func rejectsInvalidUTF8(_ bad: [UInt8]) {
        let plain: [UInt8] = [0x22] + bad + [0x22]
        let escaped: [UInt8] = Array(#""\n"#.utf8) + bad + [0x22]
        let name: [UInt8] = Array(#"{""#.utf8) + bad + Array(#"":1}"#.utf8)
        for input in [plain, escaped, name] {
            #expect(reason(of: { try parse(bytes: input) }) == .inputInvalid, "\(input)")
        }
    }

    @Test func acceptsValidUTF8() throws {
        #expect(try parse(bytes: [0x22, 0xC3, 0xA9, 0x22]) == .string("é"))
        #expect(try parse(bytes: [0x22, 0xE2, 0x82, 0xAC, 0x22]) == .string("€"))
        #expect(try parse(bytes: [0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22]) == .string("😀"))
        #expect(try parse(bytes: [0x22, 0xEF, 0xBF, 0xBF, 0x22]) == .string("\u{FFFF}"))
    }

    /// RFC 8259 §7: U+0000 to U+001F must be escaped; DEL (U+007F) need not be.
    @Test func rejectsRawControlCharacters() throws {
        for c in UInt8(0)..<0x20 {
            #expect(reason(of: { try parse(bytes: [0x22, 0x61, c, 0x62, 0x22]) }) == .inputInvalid, "byte \(c)")
            #expect(reason(of: { try parse(bytes: Array(#""\t"#.utf8) + [c, 0x22]) }) == .inputInvalid, "byte \(c)")
        }
        #expect(try parse(bytes: [0x22, 0x7F, 0x22]) == .string("\u{7F}"))
    }

    // MARK: Grammar

    @Test(arguments: [
        "{} x", "{}{}", "1 2", #"{"a":1}}"#, "[1],", "[1]]", "nullx", "truee", "{}\u{0}", "\"a\"\"b\"",
        "{} /* c */", "[] // c",
    ])
    func rejectsTrailingGarbage(_ text: String) {
        #expect(reason(of: { try parse(text) }) == .inputInvalid)
    }

    @Test(arguments: [
        "", " ", "01", "-01", "-", "1.", ".5", "+1", "1e", "1e+", "1.e5", "0x10", "NaN", "Infinity", "-Infinity",
        "'a'", "[1,]", #"{"a":1,}"#, "[,1]", #"{"a" 1}"#, #"{a:1}"#, #"{"a":}"#, "{1:2}", "tru", "True", "NULL",
        "[", "{", #"{"a":1"#, "[1 2]", #"{"a":1 "b":2}"#, "\u{FEFF}{}", "\u{A0}1",
    ])
    func rejectsInvalidGrammar(_ text: String) {
        #expect(reason(of: { try parse(text) }) == .inputInvalid)
    }

    @Test func acceptsRFC8259Whitespace() throws {
        let v = try parse(" \t\r\n{ \"a\" \n:\r [ 1 ,\t2 ] } \n")
        #expect(v == .object(JSONObject([("a", .array([.number("1"), .number("2")]))])))
        #expect(try parse("true") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("null") == .null)
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object(JSONObject()))
    }

    // MARK: Objects and numbers

    @Test func keepsMemberOrder() throws {
        let text = #"{"zeta":1,"alpha":2,"mid":{"y":true,"b":null},"0":"x"}"#
        let v = try parse(text)
        #expect(v.objectValue?.keys == ["zeta", "alpha", "mid", "0"])
        #expect(v.objectValue?["mid"]?.objectValue?.keys == ["y", "b"])
        #expect(v.serialized() == text)
    }

    /// Numbers keep their literal text (RFC 8259 §6: precision is implementation-defined, so keep it exact).
    @Test func bigIntegersStayExact() throws {
        for n in ["9223372036854775808", "18446744073709551616", "-9223372036854775809",
                  "123456789012345678901234567890", "1e400", "-0", "2e9", "1E+2"] {
            let v = try parse(n)
            #expect(v == .number(n))
            #expect(v.serialized() == n)
            #expect(try parse(#"{"exp":\#(n)}"#).serialized() == #"{"exp":\#(n)}"#)
        }
        #expect(try parse("9223372036854775808").int64Value == nil)
        #expect(try parse("9223372036854775807").int64Value == Int64.max)
        #expect(try parse("-9223372036854775808").int64Value == Int64.min)
        #expect(try parse("1767323400").int64Value == 1_767_323_400)
        #expect(try parse("1e400").doubleValue == nil)  // not finite
        #expect(try parse("2e9").doubleValue == 2_000_000_000)
    }

    /// RFC 7519 §2: a NumericDate may have a fraction.
    @Test func fractionalNumbers() throws {
        let v = try parse("1300819380.5")
        #expect(v == .number("1300819380.5"))
        #expect(v.doubleValue == 1_300_819_380.5)
        #expect(v.int64Value == nil)
        #expect(try parse("-0.25e-3").doubleValue == -0.00025)
        #expect(try parse("1.5e9").doubleValue == 1_500_000_000)
        #expect(try parse("0.1").serialized() == "0.1")
    }

    @Test func rejectsAbsurdlyLongNumbers() throws {
        #expect(reason(of: { try parse(String(repeating: "9", count: 600)) }) == .inputInvalid)
        _ = try parse(String(repeating: "9", count: 500))
    }

    @Test func parseObjectNamesTheWrongType() throws {
        let cases = [("[]", "array"), (#""x""#, "string"), ("1", "number"), ("null", "null"), ("true", "boolean")]
        for (text, type) in cases {
            do {
                _ = try JSON.parseObject(Array(text.utf8), what: "the header")
                Issue.record("\(text) accepted as an object")
            } catch {
                #expect(error.reason == .inputInvalid)
                #expect(error.detail == "the header is a JSON \(type), not an object")
            }
        }
        #expect(try JSON.parseObject(Array(#"{"a":1}"#.utf8), what: "x")["a"] == .number("1"))
    }

    // MARK: Writing

    /// RFC 8259 §7: `"` and `\` and U+0000–U+001F are escaped; everything else may be written as is.
    @Test func serializationEscapes() throws {
        let s = "q\"b\\s/é€😀\n\r\t\u{0}\u{1}\u{1F}\u{7F}"
        let out = JSON.string(s).serialized()
        #expect(out == #""q\"b\\s/é€😀\n\r\t\u0000\u0001\u001f\u007f""#)
        #expect(try parse(out) == .string(s))
        for c in 0..<0x20 {
            let one = String(Character(Unicode.Scalar(UInt8(c))))
            let text = JSON.string(one).serialized()
            #expect(!text.utf8.contains { $0 < 0x20 }, "U+\(c) written raw")
            #expect(try parse(text) == .string(one))
        }
    }

    @Test func serializesNestedValuesCompactly() throws {
        let v = JSON.object(JSONObject([
            ("b", .array([.integer(1), .integer(-2), .bool(true), .null, .string("x")])),
            ("a", .object(JSONObject([("k", .number("1.5"))]))),
        ]))
        let text = v.serialized()
        #expect(text == #"{"b":[1,-2,true,null,"x"],"a":{"k":1.5}}"#)
        #expect(try parse(text) == v)
        #expect(try parse(v.pretty()) == v)
    }

    @Test func objectSubscriptReplacesInPlaceAndRemoves() {
        var o = JSONObject([("a", .integer(1)), ("b", .integer(2)), ("c", .integer(3))])
        o["b"] = .string("two")
        o["d"] = .null
        o["a"] = nil
        #expect(o.keys == ["b", "c", "d"])
        #expect(o["b"] == .string("two"))
        #expect(!o.contains("a"))
    }
}
