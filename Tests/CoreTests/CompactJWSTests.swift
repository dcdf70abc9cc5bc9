// SPDX-License-Identifier: Apache-2.0
@testable import Core
import Testing

/// The parse order at the top of Sources/Core/JOSE/CompactJWS.swift (size, characters, segments, base64url,
/// header JSON), the message each step gives, and `hasCompactShape`, which decides what an argument is.
@Suite struct CompactJWSTests {
    func parse(_ s: String, maxSize: Int = CompactJWS.defaultMaxSize) throws -> CompactJWS {
        try CompactJWS.parse(Array(s.utf8), maxSize: maxSize)
    }

    func detail(_ s: String, maxSize: Int = CompactJWS.defaultMaxSize) -> String? {
        errorDetail { try parse(s, maxSize: maxSize) }
    }

    @Test func theRFC7515A1TokenSplits() throws {
        let jws = try parse(RFC.a1Token)
        #expect(jws.header["alg"]?.stringValue == "HS256")
        #expect(jws.header["typ"]?.stringValue == "JWT")
        #expect(String(decoding: jws.payload, as: UTF8.self) == RFC.payload)
        #expect(jws.signature.count == 32)
        // The signing input is the first two segments exactly as received.
        let input = RFC.a1Token.split(separator: ".").prefix(2).joined(separator: ".")
        #expect(Array(jws.signingInput) == Array(input.utf8))
        #expect(jws.signingInputEnd == input.utf8.count)
        #expect(jws.headerSegmentEnd == RFC.a1Token.split(separator: ".")[0].utf8.count)
        #expect(try jws.claims()["iss"]?.stringValue == "joe")
    }

    // MARK: the order of the checks

    @Test func emptyFirst() {
        #expect(detail("") == "the token is empty")
    }

    @Test func sizeBeforeCharacters() {
        // An oversized token full of bad characters is refused for its size.
        #expect(detail(String(repeating: "!", count: 20), maxSize: 16) == "the token has 20 bytes, more than the limit of 16")
        #expect(detail(String(repeating: "!", count: 16), maxSize: 16)?.hasPrefix("byte 0 is '!'") == true)
    }

    @Test func charactersBeforeSegments() {
        #expect(detail("ab cd") == "byte 2 is byte 0x20: a compact JWS holds only base64url characters and dots")
        #expect(detail("eyJ=") == "byte 3 is base64 padding '=': a compact JWS holds only base64url characters and dots")
        #expect(detail("a+b") == "byte 1 is '+': a compact JWS holds only base64url characters and dots")
        #expect(detail("a.b.c\n") == "byte 5 is byte 0x0a: a compact JWS holds only base64url characters and dots")
        #expect(detail("{\"alg\":1}")?.hasPrefix("byte 0 is '{'") == true)
        #expect(detail("a.b.\u{E9}")?.hasPrefix("byte 4 is byte 0xc3") == true)
    }

    @Test func segmentCount() {
        #expect(detail("abc") == "the token has 1 segment, a JWS has three")
        #expect(detail("a.b") == "the token has 2 segments, a JWS has three")
        #expect(detail("a.b.c.d") == "the token has 4 segments, a JWS has three")
        #expect(detail("a.b.c.d.e") == "the token has five segments: a JWE (encrypted), which wif does not decrypt")
        #expect(detail("a.b.c.d.e.f") == "the token has more than five segments")
        // Counting stops at the sixth segment: a bad byte after it is not reached.
        #expect(detail("a.b.c.d.e.f !") == "the token has more than five segments")
    }

    @Test func segmentsBeforeBase64() {
        #expect(detail(".e30.") == "the header segment is empty")
        #expect(detail("A.e30.") == "the header segment is not valid base64url")
        #expect(detail("e30.A.") == "the payload segment is not valid base64url")
        #expect(detail("e30.e30.A") == "the signature segment is not valid base64url")
        // Header first: every segment broken, the header is named.
        #expect(detail("A.A.A") == "the header segment is not valid base64url")
    }

    @Test func strictBase64URL() {
        // "e31" decodes only by ignoring set trailing bits: a strict decoder refuses it (RFC 7515 §2, §C).
        #expect(detail("e31.e30.") == "the header segment is not valid base64url")
        #expect((try? parse("e30.e30.")) != nil)
    }

    @Test func headerSizeBound() {
        #expect(CompactJWS.maxHeaderSize == 8192)
        let at = #"{"alg":"HS256","x":""# + String(repeating: "a", count: 8192 - 22) + #""}"#
        #expect(at.utf8.count == 8192)
        #expect((try? parse(Base64URL.encode(Array(at.utf8)) + ".e30.")) != nil)
        let over = #"{"alg":"HS256","x":""# + String(repeating: "a", count: 8193 - 22) + #""}"#
        #expect(detail(Base64URL.encode(Array(over.utf8)) + ".e30.") == "the decoded header is larger than 8192 bytes")
    }

    @Test func headerIsAUTF8JSONObjectWithUniqueMembers() {
        func h(_ s: String) -> String { Base64URL.encode(Array(s.utf8)) + ".e30." }
        #expect(reason { try parse(h("[]")) } == .malformed)
        #expect(reason { try parse(h("\"alg\"")) } == .malformed)
        #expect(reason { try parse(h(#"{"alg":"HS256""#)) } == .malformed)
        #expect(reason { try parse(h(#"{"alg":"HS256","alg":"none"}"#)) } == .malformed)
        #expect(detail(h("nope"))?.hasPrefix("the header: ") == true)
        let latin1 = Base64URL.encode([0x7B, 0x22, 0xE9, 0x22, 0x3A, 0x31, 0x7D]) + ".e30."   // {"\xe9":1}
        #expect(reason { try parse(latin1) } == .malformed)
        #expect((try? parse(h(#"{"alg":"HS256"}"#))) != nil)
    }

    @Test func thePayloadIsParsedOnlyWhenAsked() throws {
        // A payload that is not JSON splits; claims() then refuses it.
        let jws = try parse("e30." + Base64URL.encode(Array("not json".utf8)) + ".")
        #expect(reason { try jws.claims() } == .malformed)
        #expect(errorDetail { try jws.claims() }?.hasPrefix("the payload") == true)
        let dup = try parse("e30." + Base64URL.encode(Array(#"{"a":1,"a":2}"#.utf8)) + ".")
        #expect(reason { try dup.claims() } == .malformed)
    }

    @Test func aKnownHeaderIsReusedOnlyForTheSameBytes() throws {
        let first = try parse(RFC.a1Token)
        let other = RFC.a3Token
        let second = try CompactJWS.parse(Array(other.utf8), reusing: first)
        #expect(second.header["alg"]?.stringValue == "ES256")
        let again = try CompactJWS.parse(Array(RFC.a1Token.utf8), reusing: first)
        #expect(again.header == first.header)
        // A reused header does not skip the payload and signature checks.
        let broken = String(RFC.a1Token.split(separator: ".")[0]) + ".A.AA"
        #expect(reason { try CompactJWS.parse(Array(broken.utf8), reusing: first) } == .malformed)
    }

    @Test func theHeaderFormIsNotedAndKeptWithAReusedHeader() throws {
        func token(_ header: String) -> String { Base64URL.encode(Array(header.utf8)) + ".e30.AA" }
        let compact = try parse(token(#"{"alg":"HS256"}"#))
        #expect(compact.headerIsCompact)
        #expect(try parse(token(#"{"alg": "HS256"}"#)).headerIsCompact == false)
        let reused = try CompactJWS.parse(Array(token(#"{"alg":"HS256"}"#).utf8), reusing: compact)
        #expect(reused.headerIsCompact)
    }

    @Test(arguments: [
        "e30.e30.A=", "e30.e30 .AA", "e30.e30.AA.", "e30.e30.A", "e30.e3.AA", "e30..A+", "=e30.e30.", "e30.e30.AA\n",
    ])
    func theMemchrPathLeavesEveryFailureToTheStrictPath(_ s: String) {
        // The fast path takes only tokens whose three segments decode; the strict path names the rest.
        #expect(CompactJWS.fastParse(Array(s.utf8), known: nil) == nil, "\(s)")
        #expect(reason { try parse(s) } == .malformed, "\(s)")
    }

    // MARK: hasCompactShape

    @Test(arguments: ["a.b.c", "a..", "a.b.c.d.e", "a....", RFC.a1Token, RFC.a3Token, "eyJ.e30.", "-_.-_.-_"])
    func compactShape(_ s: String) {
        #expect(CompactJWS.hasCompactShape(s.utf8))
    }

    @Test(arguments: ["", ".b.c", "..", "a.b", "a.b.c.d", "a.b.c.d.e.f", "a.b.c ", "a.b.c\n", "token.jwt", "job.jwt",
                      "./t.jwt", "/tmp/x.y.z", "a+b.c.d", "a.b.c=", "a.b.\u{E9}", "~/a.b.c", "a.b.c.d.e.f.g"])
    func notCompactShape(_ s: String) {
        #expect(!CompactJWS.hasCompactShape(s.utf8))
    }

    @Test func shapeIsNotAVerdict() {
        // Shape only: segments that do not decode still have the shape.
        #expect(CompactJWS.hasCompactShape("A.A.A".utf8))
        #expect(reason { try parse("A.A.A") } == .malformed)
    }
}
