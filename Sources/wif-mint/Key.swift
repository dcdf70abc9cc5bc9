// SPDX-License-Identifier: Apache-2.0
import CLI
import Core

/// `wif-mint key`: generate (the default, so `wif-mint key --alg ES256` still works), encrypt and decrypt.
enum Key {
    static let spec = CommandSpec(
        "key",
        abstract: "Generate a private key (the default), or encrypt or decrypt a key file with a passphrase.",
        subcommands: [Subcommand("generate") { KeyGenerate.spec }, Subcommand("encrypt") { KeyEncrypt.spec }, Subcommand("decrypt") { KeyDecrypt.spec }],
        defaultSubcommand: "generate")

    static let out = Opt.string("out", "file", "Write the key to this file (mode 0600, atomically) instead of stdout.")
    static let pem = Flag("pem", "Print PKCS#8 PEM instead of a JWK.")

    /// Where a key goes: `--out` (mode 0600, atomically) or standard output.
    static func write(_ bytes: [UInt8], to out: String?) throws {
        if let out {
            try Output.writeAtomically(bytes, to: out)
        } else {
            var w = StdoutWriter()
            try w.write(bytes)
            try w.flush()
        }
    }

    /// The private key as text: a JWK, or PKCS#8 PEM.
    static func text(_ key: JWK, pem: Bool) throws(WIFError) -> [UInt8] {
        Array((pem ? try key.pem(includePrivate: true) : JSON.object(key.json(includePrivate: true)).serialized() + "\n").utf8)
    }
}

enum KeyGenerate: Command {
    static let alg = Opt.string("alg", "alg", "The algorithm the key is for. \(algHelp)", required: true)
    static let kid = Opt.string("kid", "kid", "Key ID (default: the RFC 7638 thumbprint).")
    static let bits = Opt.int("bits", "bits", "RSA modulus size, 2048 to 16384 (default 2048).")
    static let crv = Opt.string("crv", "crv", "Curve for --alg EdDSA: Ed25519 (default) or Ed448.")
    static let encrypt = Flag(
        "encrypt", "Write the key encrypted with a passphrase (Argon2id, AES-256-GCM); see wif-mint(1).")

    static let spec = CommandSpec(
        "generate",
        abstract: "Generate a private key and print it as a JWK (or PEM), or encrypted with --encrypt.",
        options: [alg, kid, bits, crv, Key.out, Key.pem, encrypt] + KDFOptions.all + PassphraseOptions.all,
        command: KeyGenerate.self)

    static func run(_ a: ParsedArguments) throws {
        var g = KeyGeneration()
        g.alg = a.value(alg) ?? ""
        g.kid = a.value(kid)
        g.bits = try a.value(bits)
        g.crv = a.value(crv)
        g.pem = a.flag(Key.pem)
        g.encrypt = a.flag(encrypt)
        g.encryptionOptionsGiven = KDFOptions.isGiven(a) || PassphraseOptions.isGiven(a)
        let params = g.encrypt ? try KDFOptions.parameters(a) : nil
        let source = g.encrypt ? try PassphraseOptions.passphrase(a, stdinUsed: false) : nil
        let key = try g.generate()
        let out = a.value(Key.out)
        if let params, let source {
            let target = out ?? "the new key"
            let file = try EncryptedKey.seal(key, passphrase: try source.new(for: target), parameters: params, what: target)
            source.wipe()
            try Key.write(file.serialized(), to: out)
            return
        }
        try Key.write(try Key.text(key, pem: g.pem), to: out)
    }
}

enum KeyEncrypt: Command {
    static let kid = Opt.string("kid", "kid", "The key to take from a JWKS.")
    static let out = Opt.string(
        "out", "file", "Write the encrypted key to this file (mode 0600, atomically) instead of stdout.")

    static let spec = CommandSpec(
        "encrypt",
        abstract: "Encrypt a private key file (JWK, JWKS with --kid, or PEM) into a wif encrypted key file.",
        options: [kid, out] + KDFOptions.all + PassphraseOptions.all,
        positionals: [PositionalSpec("file", "The private key file; \"-\" reads standard input.", required: true)],
        command: KeyEncrypt.self)

    static func run(_ a: ParsedArguments) throws {
        let file = a.positional() ?? ""
        let params = try KDFOptions.parameters(a)
        let source = try PassphraseOptions.passphrase(a, stdinUsed: file == "-")
        let sealed = try EncryptedKey.sealFile(file, kid: a.value(kid), passphrase: source, parameters: params)
        source.wipe()
        try Key.write(sealed, to: a.value(out))
    }
}

enum KeyDecrypt: Command {
    static let spec = CommandSpec(
        "decrypt",
        abstract: "Decrypt an encrypted key (wif key file or encrypted PKCS#8 PEM) and print the private JWK (or PEM).",
        options: [Key.out, Key.pem] + PassphraseOptions.all,
        positionals: [PositionalSpec("file", "The encrypted key file; \"-\" reads standard input.", required: true)],
        command: KeyDecrypt.self)

    static func run(_ a: ParsedArguments) throws {
        let file = a.positional() ?? ""
        let source = try PassphraseOptions.passphrase(a, stdinUsed: file == "-")
        let key = try EncryptedKey.openFile(file, passphrase: source)
        source.wipe()
        try Key.write(try Key.text(key, pem: a.flag(Key.pem)), to: a.value(Key.out))
    }
}

/// Argon2id cost options of a new encrypted key (`key --encrypt`, `key encrypt`).
enum KDFOptions {
    static let memory = Opt.string(
        "kdf-memory", "size", "Argon2id memory: KiB, or a size with K, M or G (default 64M).")
    static let time = Opt.int("kdf-time", "n", "Argon2id passes (default 3).")
    static let lanes = Opt.int("kdf-lanes", "n", "Argon2id lanes (default 4).")
    static let insecure = Flag("insecure-kdf", "Allow costs below t=3, m=64 MiB (for tests only).")
    static let all: [any OptionDeclaration] = [memory, time, lanes, insecure]

    static func isGiven(_ a: ParsedArguments) -> Bool { all.contains { a.has($0) } }

    static func parameters(_ a: ParsedArguments) throws(WIFError) -> Argon2.Parameters {
        try Argon2.parametersForNewFile(memory: a.value(memory), iterations: try a.value(time), lanes: try a.value(lanes),
                                        allowWeak: a.flag(insecure))
    }
}
