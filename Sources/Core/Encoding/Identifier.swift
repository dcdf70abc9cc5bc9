// SPDX-License-Identifier: Apache-2.0

/// The one comparison for protocol identifiers (alg, kty, crv, use, typ, cty, kid, crit names, client_id,
/// grant_type, token type URIs, scope tokens, iss, aud, sub, jti): equality of their UTF-8 bytes, `String.same`.
///
/// Rules:
/// - never Swift's `==`, `Set`/`Dictionary` lookups or `switch` on `String`: those use Unicode canonical
///   equivalence, so "ES256\u{212A}" (KELVIN SIGN) equals "ES256K", and "e\u{301}" equals "\u{E9}";
/// - a name is matched to a Swift enum with `init(exactly:)`, never `init(rawValue:)`;
/// - where an RFC says case-insensitive (`typ`, `cty`: RFC 7515 §4.1.9, RFC 2045 §5.1), only ASCII A–Z fold;
///   no other character changes (Unicode case mapping would fold "ＪＷＴ" or "\u{212A}" to something else).
extension RawRepresentable where RawValue == String, Self: CaseIterable {
    /// The case whose raw value has exactly the bytes of `name`.
    public init?(exactly name: String) {
        guard let c = Self.allCases.first(where: { $0.rawValue.same(name) }) else { return nil }
        self = c
    }
}

extension String {
    /// This string with ASCII A–Z lowercased and every other byte unchanged.
    public var asciiLowercased: String {
        String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// Byte equality after ASCII-only case folding.
    public func sameIgnoringASCIICase(_ other: String) -> Bool { sameBytesIgnoringASCIICase(utf8, other.utf8) }

    /// Whether the UTF-8 bytes start with those of `prefix` (Swift's `hasPrefix` compares characters, so
    /// "a/\u{301}" does not start with "a/").
    public func hasBytePrefix(_ prefix: String) -> Bool { utf8.starts(with: prefix.utf8) }

    /// The space-separated tokens of an RFC 6749 §3.3 scope, split on the byte 0x20 only (splitting a Swift
    /// String on " " would keep a space followed by a combining mark inside one token).
    public var scopeTokens: [String] {
        utf8.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Byte equality after ASCII-only case folding, for any two runs of UTF-8 bytes (`String.sameIgnoringASCIICase`
/// on whole strings; a media type or an auth scheme cut out of a header value without making a String).
func sameBytesIgnoringASCIICase<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool
where A.Element == UInt8, B.Element == UInt8 {
    a.count == b.count && a.elementsEqual(b) { x, y in
        (x >= 0x41 && x <= 0x5A ? x | 0x20 : x) == (y >= 0x41 && y <= 0x5A ? y | 0x20 : y)
    }
}
