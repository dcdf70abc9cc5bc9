// SPDX-License-Identifier: Apache-2.0
import Core

/// `--passphrase-file` and `--passphrase-fd`, shared by every command that reads a private key: where the
/// passphrase of encrypted keys comes from. Never the command line itself (see wif-mint(1), ENVIRONMENT).
public enum PassphraseOptions {
    public static let file = Opt.string("passphrase-file", "file",
                                        "Read the passphrase of encrypted keys from this file (one final newline dropped).")
    public static let fd = Opt.int("passphrase-fd", "n", "Read the passphrase from this open file descriptor.")
    public static let all: [any OptionDeclaration] = [file, fd]

    public static func isGiven(_ a: ParsedArguments) -> Bool { a.has(file) || a.has(fd) }

    /// The passphrase source; `stdinUsed` says standard input already carries other input.
    public static func passphrase(_ a: ParsedArguments, stdinUsed: Bool) throws(WIFError) -> Passphrase {
        try Passphrase.given(file: a.value(file), fd: try a.value(fd), stdinUsed: stdinUsed)
    }
}
