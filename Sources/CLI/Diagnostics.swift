// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Core

/// The one writer of standard error. Every line is `TerminalText`: what it quotes from input is escaped, so no
/// ESC, CR/LF, C1 control or bidi override from a token, key or request reaches the terminal or a log raw.
///
/// Format: `tool: <oauth_error> (<reason>): <detail>` for a rejection, `tool: <detail>` otherwise, then an
/// optional `tool: hint: <hint>` line; warnings are `tool: warning: <text>`.
public enum Diagnostics {
    /// The tool name that starts each line (set by `CLI.main`).
    nonisolated(unsafe) public static var tool = "wif"

    public static func render(_ error: WIFError, tool: String) -> TerminalText {
        var out = TerminalText(tool + ": ")
        if error.reason.isRejection {
            out.append("\(error.reason.oauthError.rawValue) (\(error.reason.rawValue)): ")
        }
        out.line(error.detail)
        if let hint = error.hint { out.line(tool + ": hint: " + hint) }
        return out
    }

    /// Writes an error (and its hint).
    public static func error(_ error: WIFError) { writeStderr(render(error, tool: tool)) }

    /// Writes `tool: <oauth_error> (<reason>): <detail>` for an OAuth error answered for `why`.
    public static func rejection(_ error: OAuthError, _ why: WIFError) {
        var out = TerminalText(tool + ": ")
        out.line("\(error.rawValue) (\(why.reason.rawValue)): \(why.detail)")
        writeStderr(out)
    }

    /// Writes `tool: warning: text`.
    public static func warning(_ text: String) {
        var out = TerminalText()
        out.line("\(tool): warning: " + text)
        writeStderr(out)
    }

    /// Writes `tool: text`.
    public static func line(_ text: String) {
        var out = TerminalText()
        out.line("\(tool): " + text)
        writeStderr(out)
    }

    /// Writes text to standard error, unbuffered.
    public static func writeStderr(_ text: TerminalText) {
        var bytes = Array(text.string.utf8)
        bytes.withUnsafeMutableBytes { buf in
            guard let base = buf.baseAddress else { return }
            var off = 0
            while off < buf.count {
                let n = write(2, base + off, buf.count - off)
                if n <= 0 { if n < 0 && errno == EINTR { continue }; return }
                off += n
            }
        }
    }
}
