// SPDX-License-Identifier: Apache-2.0
import Core

/// `--passphrase-file` and `--passphrase-fd`, shared by every command that reads a private key: where the
/// passphrase of encrypted keys comes from. Never the command line itself (see wif-mint(1), ENVIRONMENT).
public enum PassphraseOptions {
    public static let file = Opt.string("passphrase-file", "file",
                                        "Read the passphrase of encrypted keys from this file (one final newline dropped).")
    public static let fd = Opt.int("passphrase-fd", "n", "Read the passphrase from this open file descriptor.")
    public static let maxKDFMemory = Opt.string("max-kdf-memory", "size",
                                                "Most Argon2id memory an encrypted key may ask for (default 1G, at most 4G).")
    /// Commands that only write keys.
    public static let all: [any OptionDeclaration] = [file, fd]
    /// Commands that open encrypted key files also bound what a (possibly hostile) file may cost to open.
    public static let reading: [any OptionDeclaration] = [file, fd, maxKDFMemory]

    public static func isGiven(_ a: ParsedArguments) -> Bool { a.has(file) || a.has(fd) }

    /// The passphrase source; `stdinUsed` says standard input already carries other input.
    public static func passphrase(_ a: ParsedArguments, stdinUsed: Bool) throws(WIFError) -> Passphrase {
        let reads = a.spec.options.contains { $0.long.same(maxKDFMemory.spec.long) }
        return try Passphrase.given(file: a.value(file), fd: try a.value(fd), stdinUsed: stdinUsed,
                                    maxKDFMemory: reads ? a.value(maxKDFMemory) : nil)
    }
}
