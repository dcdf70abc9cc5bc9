// SPDX-License-Identifier: Apache-2.0

/// `--passphrase-file` and `--passphrase-fd`, shared by every command that reads a private key: where the
/// passphrase of encrypted keys comes from. Never the command line itself (see wif-mint(1), ENVIRONMENT).
public struct PassphraseOptions: Sendable {
    public static let specs: [OptionSpec] = [
        .value("passphrase-file", "file", "Read the passphrase of encrypted keys from this file (one final newline dropped)."),
        .value("passphrase-fd", "n", "Read the passphrase from this open file descriptor."),
    ]

    public let passphraseFile: String?
    public let passphraseFD: Int32?

    public init(_ a: ParsedArguments) throws(WIFError) {
        passphraseFile = a.string("passphrase-file")
        passphraseFD = try a.int("passphrase-fd").map { Int32(clamping: $0) }
    }

    public var isGiven: Bool { passphraseFile != nil || passphraseFD != nil }

    /// The passphrase source; `stdinUsed` says standard input already carries other input.
    public func passphrase(stdinUsed: Bool) throws(WIFError) -> Passphrase {
        let p = try Passphrase(Passphrase.Source(file: passphraseFile, fd: passphraseFD))
        if stdinUsed && p.readsStandardInput {
            throw WIFError(.usage, "the passphrase cannot come from standard input here: it carries other input")
        }
        return p
    }
}
