// SPDX-License-Identifier: Apache-2.0

/// Text bound for a terminal or a log. Untrusted content (anything that came from input: member names,
/// parameter values, messages quoting them) enters only through `append`, which writes every scalar that could
/// move the cursor, start an escape sequence, break a line or reorder text as `\uXXXX`; line breaks and colour
/// come only from `newline()` and `styled(_:_:)`. A renderer that builds a `TerminalText` cannot leak an ESC,
/// a CR/LF or a bidi override from its input, whatever it appends.
public struct TerminalText: Sendable, Equatable, ExpressibleByStringInterpolation {
    public private(set) var string = ""

    public init() {}
    public init(_ untrusted: String) { append(untrusted) }

    /// SGR styles the renderers use.
    public enum Style: String, Sendable {
        case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", cyan = "36"
    }

    public mutating func append(_ untrusted: String) { string += TerminalText.escape(untrusted) }
    public mutating func append(_ other: TerminalText) { string += other.string }
    public mutating func newline() { string += "\n" }
    public mutating func line(_ untrusted: String) { append(untrusted); newline() }

    /// `untrusted` in `style`, when `color` is on; plain otherwise.
    public mutating func styled(_ style: Style, _ untrusted: String, color: Bool = true) {
        guard color else { append(untrusted); return }
        string += "\u{1B}[\(style.rawValue)m" + TerminalText.escape(untrusted) + "\u{1B}[0m"
    }

    public var isEmpty: Bool { string.isEmpty }

    /// A literal or an interpolated string is untrusted text like any other: it is escaped.
    public init(stringLiteral value: String) { self.init(value) }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text = TerminalText()
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { text.append(literal) }
        public mutating func appendInterpolation<T>(_ value: T) { text.append(String(describing: value)) }
        public mutating func appendInterpolation(_ value: TerminalText) { text.append(value) }
    }

    public init(stringInterpolation: StringInterpolation) { self = stringInterpolation.text }

    /// `untrusted` in `style` (SGR codes only; nothing from input can add one).
    public static func styled(_ style: Style, _ untrusted: String) -> TerminalText {
        var t = TerminalText()
        t.styled(style, untrusted)
        return t
    }

    public static func + (a: TerminalText, b: TerminalText) -> TerminalText {
        var t = a
        t.append(b)
        return t
    }

    public static func += (a: inout TerminalText, b: TerminalText) { a.append(b) }

    /// Whether a scalar could move a terminal's cursor, start an escape sequence, break a line or reorder
    /// text: C0 and C1 controls, DEL, line and paragraph separators, bidi marks, embeddings, overrides, isolates.
    public static func isUnsafe(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C:
            return true
        default:
            return false
        }
    }

    /// `s` with every terminal-unsafe scalar written as `\uXXXX`.
    public static func escape(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isUnsafe) else { return s }
        var out = String.UnicodeScalarView()
        let hex = Array("0123456789abcdef".unicodeScalars)
        for u in s.unicodeScalars {
            guard isUnsafe(u) else { out.append(u); continue }
            out.append(contentsOf: "\\u".unicodeScalars)
            for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int(u.value >> UInt32(shift) & 15)]) }
        }
        return String(out)
    }
}
