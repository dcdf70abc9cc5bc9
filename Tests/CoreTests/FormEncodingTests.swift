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

    @Test func onlyResourceAndAudienceMayRepeat() {
        #expect(FormEncoding.mayRepeat("resource") && FormEncoding.mayRepeat("audience"))
        #expect(!FormEncoding.mayRepeat("scope") && !FormEncoding.mayRepeat("resourc\u{0065}\u{0301}"))
    }
}
