// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
import Core

/// `--color auto|always|never`: colour on standard output only when asked for, or, with `auto`, when standard
/// output is a terminal and `NO_COLOR` is unset or empty (no-color.org).
public enum ColorChoice {
    public static func enabled(_ when: String?) throws(WIFError) -> Bool {
        switch when ?? "auto" {
        case "always": return true
        case "never": return false
        case "auto": return isatty(1) == 1 && (getenv("NO_COLOR").map { String(cString: $0).isEmpty } ?? true)
        case let other:
            throw WIFError(.usage, "--color takes auto, always or never, not \"\(JSON.escapedForMessage(other))\"")
        }
    }
}
