// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// application/x-www-form-urlencoded as FormEncoding.swift encodes and decodes it.
@Suite struct FormEncodingTests {
    @Test func roundTripAndSpaces() throws {
        let p = [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("scope", "a b"), ("x", "é&=+")]
        let body = FormEncoding.encode(p)
        #expect(body.contains("scope=a+b") && body.contains("%C3%A9%26%3D%2B"))
        let back = try FormEncoding.decode(Array(body.utf8))
        #expect(back.map(\.0) == p.map(\.0) && back.map(\.1) == p.map(\.1))
    }

    @Test(arguments: ["a=%G1", "a=%1", "a=%ED%A0%80", "a=%FF"])
    func badEscapesOrUTF8AreErrors(_ body: String) {
        #expect(reason { try FormEncoding.decode(Array(body.utf8)) } != nil)
    }

    /// Both decoding paths: components with no `+` or `%` are validated whole, the others rewritten (issue 13).
    /// Expected values as Python's `urllib.parse.parse_qsl(..., strict_parsing=True)` gives them.
    @Test func bothDecodingPaths() throws {
        let cases: [([UInt8], [(String, String)])] = [
            (Array("a=%41%62c+d&b=%e2%82%ac".utf8), [("a", "Abc d"), ("b", "\u{20AC}")]),
            (Array("n%61me=x".utf8), [("name", "x")]),
            ([0x61, 0x3D, 0xC3, 0xA9], [("a", "\u{E9}")]),  // raw UTF-8, no escapes
            (Array("a=&b".utf8), [("a", ""), ("b", "")]),
            (Array("a=%2B%25".utf8), [("a", "+%")]),
        ]
        for (body, expected) in cases {
            let got = try FormEncoding.decode(body)
            #expect(got.map(\.0) == expected.map(\.0) && got.map(\.1) == expected.map(\.1))
        }
        // Raw bytes that are not UTF-8, with and without an escape elsewhere in the component.
        for bad: [UInt8] in [[0x61, 0x3D, 0xFF], [0x61, 0x3D, 0x25, 0x34, 0x31, 0xFF], [0xC3, 0x3D, 0x61], Array("a=%".utf8)] {
            #expect(reason { try FormEncoding.decode(bad) } == .invalidRequest)
        }
    }

    @Test func onlyResourceAndAudienceMayRepeat() {
        #expect(FormEncoding.mayRepeat("resource") && FormEncoding.mayRepeat("audience"))
        #expect(!FormEncoding.mayRepeat("scope") && !FormEncoding.mayRepeat("resourc\u{0065}\u{0301}"))
    }
}
