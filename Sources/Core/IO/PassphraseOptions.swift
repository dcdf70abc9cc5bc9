// SPDX-License-Identifier: Apache-2.0

/// `--passphrase-file` and `--passphrase-fd`, shared by every command that reads a private key: where the
/// passphrase of encrypted keys comes from. Never the command line itself (see wif-mint(1), ENVIRONMENT).
/// Commands that open wif encrypted key files take `readingSpecs`, which adds `--max-kdf-memory`.
public struct PassphraseOptions: Sendable {
    public static let specs: [OptionSpec] = [
        .value("passphrase-file", "file", "Read the passphrase of encrypted keys from this file (one final newline dropped)."),
        .value("passphrase-fd", "n", "Read the passphrase from this open file descriptor."),
    ]
    public static let readingSpecs: [OptionSpec] = specs + [
        .value("max-kdf-memory", "size", "Most Argon2id memory an encrypted key may ask for (default 1G, at most 4G)."),
    ]

    public let passphraseFile: String?
    public let passphraseFD: Int32?
    public let maxKDFMemory: UInt32

    public init(_ a: ParsedArguments) throws(WIFError) {
        passphraseFile = a.string("passphrase-file")
        passphraseFD = try a.int("passphrase-fd").map { Int32(clamping: $0) }
        if let m = a.string("max-kdf-memory") {
            maxKDFMemory = try Argon2.parseMemory(m, what: "--max-kdf-memory")
            guard maxKDFMemory <= Argon2.Parameters.hardMaxMemoryKiB else {
                throw WIFError(.usage, "--max-kdf-memory must be at most \(Argon2.memoryText(Argon2.Parameters.hardMaxMemoryKiB))")
            }
        } else {
            maxKDFMemory = Argon2.Parameters.maxMemoryKiB
        }
    }

    public var isGiven: Bool { passphraseFile != nil || passphraseFD != nil }

    /// The passphrase source; `stdinUsed` says standard input already carries other input.
    public func passphrase(stdinUsed: Bool) throws(WIFError) -> Passphrase {
        let p = try Passphrase(Passphrase.Source(file: passphraseFile, fd: passphraseFD))
        p.maxKDFMemory = maxKDFMemory
        if stdinUsed && p.readsStandardInput {
            throw WIFError(.usage, "the passphrase cannot come from standard input here: it carries other input")
        }
        return p
    }
}
