// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Sources/Core/Encoding/TerminalText.swift: untrusted text never moves the cursor, starts an escape sequence,
/// breaks a line or reorders text; line breaks and colour come only from `newline()` and `styled`.
@Suite struct TerminalTextTests {
    @Test(arguments: [
        ("\u{1B}[31mRED", "\\u001b[31mRED"),            // ESC
        ("a\rb", "a\\u000db"),                          // CR
        ("a\nb", "a\\u000ab"),                          // LF
        ("a\r\nb", "a\\u000d\\u000ab"),
        ("\u{0}\u{7}\u{8}\u{9}\u{1F}", "\\u0000\\u0007\\u0008\\u0009\\u001f"),   // C0, tab included
        ("\u{7F}", "\\u007f"),                          // DEL
        ("\u{9B}31m", "\\u009b31m"),                    // C1 CSI
        ("\u{85}\u{80}\u{9F}", "\\u0085\\u0080\\u009f"), // C1: NEL and the range ends
        ("abc\u{202E}gpj.exe", "abc\\u202egpj.exe"),    // RIGHT-TO-LEFT OVERRIDE
        ("\u{202A}\u{202B}\u{202C}\u{202D}", "\\u202a\\u202b\\u202c\\u202d"),
        ("\u{2066}x\u{2069}", "\\u2066x\\u2069"),       // isolates
        ("\u{2067}\u{2068}", "\\u2067\\u2068"),
        ("\u{200E}\u{200F}\u{061C}", "\\u200e\\u200f\\u061c"),   // marks
        ("line\u{2028}next\u{2029}", "line\\u2028next\\u2029"),  // line and paragraph separators
    ])
    func unsafeScalarsAreEscaped(_ input: String, _ escaped: String) {
        #expect(TerminalText.escape(input) == escaped)
        #expect(TerminalText(input).string == escaped)
        #expect(JSON.escapeForTerminal(input) == escaped)
    }

    @Test func safeTextIsUnchanged() {
        for s in ["", "plain ascii ~!@#$%^&*()", "caf\u{E9} na\u{EF}ve \u{65E5}\u{672C}", "emoji \u{1F600}", "\u{A0}\u{A1}",
                  "e\u{301}", "\u{200B}zero-width space"] {
            #expect(TerminalText.escape(s) == s)
        }
    }

    @Test func isUnsafeCoversExactlyTheListedRanges() {
        var unsafe: [UInt32] = []
        for v in UInt32(0)...0x2100 {
            if let u = Unicode.Scalar(v), TerminalText.isUnsafe(u) { unsafe.append(v) }
        }
        let expected: [UInt32] = Array(0..<0x20) + Array(0x7F...0x9F) + [0x061C, 0x200E, 0x200F]
            + Array(0x2028...0x202E) + Array(0x2066...0x2069)
        #expect(unsafe == expected)
        #expect(JSON.isUnsafeForTerminal("\u{1B}"))
    }

    @Test func appendedTextCannotBreakALine() {
        var t = TerminalText()
        t.append("name: ")
        t.append("evil\nwif-verify: valid")
        t.line(" \u{1B}]0;title\u{7}")
        t.append(TerminalText("\r"))
        #expect(t.string == "name: evil\\u000awif-verify: valid \\u001b]0;title\\u0007\n\\u000d")
        #expect(t.string.filter { $0 == "\n" }.count == 1)
        #expect(!t.string.unicodeScalars.contains("\u{1B}"))
    }

    @Test func newlineIsTheOnlyLineBreak() {
        var t = TerminalText()
        #expect(t.isEmpty)
        t.newline()
        #expect(t.string == "\n")
        #expect(!t.isEmpty)
    }

    @Test func styledAddsSGROnlyWhenColorIsOn() {
        var on = TerminalText()
        on.styled(.red, "bad\u{1B}[0m")
        #expect(on.string == "\u{1B}[31mbad\\u001b[0m\u{1B}[0m")
        var off = TerminalText()
        off.styled(.red, "bad\u{1B}[0m", color: false)
        #expect(off.string == "bad\\u001b[0m")
        #expect(!off.string.unicodeScalars.contains("\u{1B}"))
        for (style, code) in [(TerminalText.Style.bold, "1"), (.dim, "2"), (.red, "31"), (.green, "32"), (.yellow, "33"),
                              (.cyan, "36")] {
            var t = TerminalText()
            t.styled(style, "x")
            #expect(t.string == "\u{1B}[\(code)mx\u{1B}[0m")
        }
    }

    @Test func messagesQuotingInputAreEscapedToo() {
        let m = JSON.escapedForMessage("a\u{202E}b\u{2028}c\u{9B}")
        #expect(!m.unicodeScalars.contains(where: TerminalText.isUnsafe))
    }
}
