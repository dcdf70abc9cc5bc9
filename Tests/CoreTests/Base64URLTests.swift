// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// base64url as RFC 4648 §5 and RFC 7515 §2 / Appendix C define it, plus wif's one-spelling rule
/// (REFERENCES D1.1: non-zero unused bits in the last character are rejected).
@Suite struct Base64URLTests {
    /// RFC 4648 §10 test vectors, with the padding removed as RFC 7515 §2 requires.
    static let rfc4648: [(String, String)] = [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test func rfc4648Vectors() {
        for (plain, encoded) in Self.rfc4648 {
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
            #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        }
    }

    /// RFC 7515 Appendix C: the octets [3, 236, 255, 224, 193] encode as "A-z_4ME".
    @Test func rfc7515AppendixC() {
        #expect(Base64URL.encode([3, 236, 255, 224, 193]) == "A-z_4ME")
        #expect(Base64URL.decode("A-z_4ME") == [3, 236, 255, 224, 193])
    }

    /// The two characters that differ from base64 (RFC 4648 §5, Table 2): 62 is `-`, 63 is `_`.
    @Test func urlSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.encode([0xFF, 0xFF, 0xBE]) == "__--")
        #expect(Base64URL.decode("__--") == [0xFF, 0xFF, 0xBE])
    }

    @Test(arguments: [
        "Zg==", "Zg=", "Zm8=", "Zm9vYg==", "=", "==", "Zm9v=", // padding (RFC 7515 §2: omitted)
        "Zm9v+A", "+/8", "Zm/v", "ab+c", "ab/c",                 // base64 alphabet, not base64url
        "Zm 9v", " Zm9v", "Zm9v ", "Zm9v\n", "Zm9v\r\n", "Zm\t9v", // whitespace / line breaks
        "A", "Zm9vY", "Zm9vYmFyA", "AAAAA",                     // length ≡ 1 (mod 4): RFC 7515 App. C
        "AB", "Zh", "Zm9", "AAB", "AAAAAB", "_-_-_x",           // non-zero unused bits (one spelling)
        "Zm9v.", "Zm9v\u{0}", "Zm9vé", "Zm9v%3D",               // other bytes
    ])
    func rejects(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test func rejectsEveryByteOutsideTheAlphabet() {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        for b in 0...255 where !alphabet.contains(UInt8(b)) {
            #expect(Base64URL.decode([UInt8(ascii: "A"), UInt8(ascii: "A"), UInt8(b), UInt8(ascii: "A")]) == nil,
                    "byte \(b)")
        }
    }

    @Test func emptyDecodesToEmpty() {
        #expect(Base64URL.decode("") == [])
        #expect(Base64URL.encode([UInt8]()) == "")
    }

    /// Every 2-character string: exactly the 256 with zero low 4 bits decode, one per byte value; every
    /// 3-character string: exactly those with zero low 2 bits, one per 2-byte value (RFC 4648 §3.5 canonical).
    @Test func exactlyOneSpellingPerValue() {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var seen = Set<[UInt8]>()
        for a in alphabet {
            for (j, b) in alphabet.enumerated() {
                let d = Base64URL.decode([a, b])
                #expect((d != nil) == (j & 0x0F == 0))
                if let d { seen.insert(d) }
            }
        }
        #expect(seen.count == 256)
        var accepted = 0
        for a in alphabet {
            for b in alphabet {
                for (k, c) in alphabet.enumerated() {
                    let ok = Base64URL.decode([a, b, c]) != nil
                    if ok { accepted += 1 }
                    if ok != (k & 0x03 == 0) { Issue.record("3-char \([a, b, c]) decodes: \(ok)") }
                }
            }
        }
        #expect(accepted == 65536)
    }

    @Test func roundTripsEveryLengthAndByte() {
        var rng = SystemRandomNumberGenerator()
        for length in 0..<80 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let text = Base64URL.encode(bytes)
            #expect(text.utf8.count == (length * 4 + 2) / 3)
            #expect(!text.contains("="))
            #expect(Base64URL.decode(text) == bytes)
        }
        let all = (0...255).map { UInt8($0) }
        #expect(Base64URL.decode(Base64URL.encode(all)) == all)
        for b in all { #expect(Base64URL.decode(Base64URL.encode([b])) == [b]) }
    }

    @Test func decodesSlicesAndEncodesIntoBuffer() {
        let token = Array("xx.Zm9vYmFy.yy".utf8)
        #expect(Base64URL.decode(token[3..<11]) == Array("foobar".utf8))
        var out = Array("prefix:".utf8)
        Base64URL.encode(Array("foob".utf8), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "prefix:Zm9vYg")
    }
}
