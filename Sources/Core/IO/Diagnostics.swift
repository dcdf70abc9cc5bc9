// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Renders errors for standard error.
///
/// Format: `tool: <oauth_error> (<reason>): <detail>` for a rejection, `tool: <detail>` otherwise, then an
/// optional `tool: hint: <hint>` line.
public enum Diagnostics {
    public static func render(_ error: WIFError, tool: String) -> String {
        // Messages may quote input: nothing in them may act on the terminal or break the line.
        var error = error
        error.detail = JSON.escapeForTerminal(error.detail)
        error.hint = error.hint.map(JSON.escapeForTerminal)
        var out: String
        if error.reason.isRejection {
            out = "\(tool): \(error.reason.oauthError.rawValue) (\(error.reason.rawValue)): \(error.detail)\n"
        } else {
            out = "\(tool): \(error.detail)\n"
        }
        if let hint = error.hint { out += "\(tool): hint: \(hint)\n" }
        return out
    }

    /// Writes a string to standard error, unbuffered.
    public static func writeStderr(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buf in
            var off = 0
            while off < buf.count {
                let n = write(2, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { if n < 0 && errno == EINTR { continue }; return }
                off += n
            }
        }
    }
}
