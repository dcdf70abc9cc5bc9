// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Core

/// `wif-mint key`: generate (the default, so `wif-mint key --alg ES256` still works), encrypt and decrypt.
struct Key: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a private key (the default), or encrypt or decrypt a key file with a passphrase.",
        subcommands: [KeyGenerate.self, KeyEncrypt.self, KeyDecrypt.self],
        defaultSubcommand: KeyGenerate.self)
}

struct KeyGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a private key and print it as a JWK (or PEM), or encrypted with --encrypt.")

    @Option(help: ArgumentHelp("The algorithm the key is for. \(algHelp)", valueName: "alg"))
    var alg: String

    @Option(help: ArgumentHelp("Key ID (default: the RFC 7638 thumbprint).", valueName: "kid"))
    var kid: String?

    @Option(help: ArgumentHelp("RSA modulus size, 2048 to 16384 (default 2048).", valueName: "bits"))
    var bits: Int?

    @Option(help: ArgumentHelp("Curve for --alg EdDSA: Ed25519 (default) or Ed448.", valueName: "crv"))
    var crv: String?

    @Option(help: ArgumentHelp("Write the key to this file (mode 0600, atomically) instead of stdout.", valueName: "file"))
    var out: String?

    @Flag(help: "Print PKCS#8 PEM instead of a JWK.")
    var pem = false

    @Flag(help: "Write the key encrypted with a passphrase (Argon2id, AES-256-GCM); see wif-mint(1).")
    var encrypt = false

    @OptionGroup var kdf: KDFOptions
    @OptionGroup var passphrase: PassphraseOptions

    func run() throws {
        let a = try Algorithm.parse(alg)
        var curve: Curve?
        if let crv {
            guard let c = Curve(rawValue: crv), a.fits(keyType: c.keyType, curve: c) else {
                throw WIFError(.usage, "--crv \(crv) does not fit --alg \(a.rawValue)",
                               hint: "EdDSA takes Ed25519 or Ed448; other algs fix their curve")
            }
            curve = c
        }
        if bits != nil && a.keyType != .rsa { throw WIFError(.usage, "--bits applies to RS* and PS* keys only") }
        if encrypt && pem { throw WIFError(.usage, "--encrypt and --pem cannot be combined", hint: "an encrypted key is a wif key file") }
        if !encrypt && (kdf.isGiven || passphrase.isGiven) {
            throw WIFError(.usage, "--kdf-* and --passphrase-* options go with --encrypt")
        }
        let params = encrypt ? try kdf.parameters() : nil
        let source = encrypt ? try passphrase.passphrase(stdinUsed: false) : nil
        let key = try JWK.generate(alg: a, curve: curve, rsaBits: bits ?? 2048, kid: kid)
        if let params, let source {
            let target = out ?? "the new key"
            let file = try EncryptedKey.seal(key, passphrase: try source.new(for: target), parameters: params, what: target)
            source.wipe()
            try KeyOutput.write(file.serialized(), to: out)
            return
        }
        let text = pem ? try key.pem(includePrivate: true) : JSON.object(key.json(includePrivate: true)).serialized() + "\n"
        try KeyOutput.write(Array(text.utf8), to: out)
    }
}

struct KeyEncrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt a private key file (JWK, JWKS with --kid, or PEM) into a wif encrypted key file.")

    @Argument(help: ArgumentHelp("The private key file; \"-\" reads standard input.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("The key to take from a JWKS.", valueName: "kid"))
    var kid: String?

    @Option(help: ArgumentHelp("Write the encrypted key to this file (mode 0600, atomically) instead of stdout.", valueName: "file"))
    var out: String?

    @OptionGroup var kdf: KDFOptions
    @OptionGroup var passphrase: PassphraseOptions

    func run() throws {
        let params = try kdf.parameters()
        let source = try passphrase.passphrase(stdinUsed: file == "-")
        let data = try Input.read(file)
        if KeySource.isEncrypted(data) && !KeySource.isEncryptedPEM(data) {
            throw WIFError(.usage, "\(Input.label(file)) is already encrypted", hint: "wif-mint key decrypt prints the plain key")
        }
        // An encrypted PEM key is converted, keeping its passphrase.
        let key = try KeySource.signingKey(data, what: Input.label(file), kid: kid, passphrase: source)
        let sealed = try EncryptedKey.seal(key, passphrase: try source.new(for: Input.label(file)), parameters: params,
                                           what: Input.label(file))
        source.wipe()
        try KeyOutput.write(sealed.serialized(), to: out)
    }
}

struct KeyDecrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt an encrypted key (wif key file or encrypted PKCS#8 PEM) and print the private JWK (or PEM).")

    @Argument(help: ArgumentHelp("The encrypted key file; \"-\" reads standard input.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("Write the key to this file (mode 0600, atomically) instead of stdout.", valueName: "file"))
    var out: String?

    @Flag(help: "Print PKCS#8 PEM instead of a JWK.")
    var pem = false

    @OptionGroup var passphrase: PassphraseOptions

    func run() throws {
        let source = try passphrase.passphrase(stdinUsed: file == "-")
        let data = try Input.read(file)
        guard KeySource.isEncrypted(data) else {
            throw WIFError(.usage, "\(Input.label(file)) is not encrypted", hint: "wif-mint key encrypt encrypts it")
        }
        let key = try KeySource.signingKey(data, what: Input.label(file), kid: nil, passphrase: source)
        source.wipe()
        let text = pem ? try key.pem(includePrivate: true) : JSON.object(key.json(includePrivate: true)).serialized() + "\n"
        try KeyOutput.write(Array(text.utf8), to: out)
    }
}

/// Where a key goes: `--out` (mode 0600, atomically) or standard output.
enum KeyOutput {
    static func write(_ bytes: [UInt8], to out: String?) throws {
        if let out {
            try Output.writeAtomically(bytes, to: out)
        } else {
            var w = StdoutWriter()
            try w.write(bytes)
            try w.flush()
        }
    }
}

/// Argon2id cost options of a new encrypted key (`key --encrypt`, `key encrypt`).
struct KDFOptions: ParsableArguments {
    @Option(name: .customLong("kdf-memory"), help: ArgumentHelp("Argon2id memory: KiB, or a size with K, M or G (default 64M).", valueName: "size"))
    var kdfMemory: String?
    @Option(name: .customLong("kdf-time"), help: ArgumentHelp("Argon2id passes (default 3).", valueName: "n"))
    var kdfTime: Int?
    @Option(name: .customLong("kdf-lanes"), help: ArgumentHelp("Argon2id lanes (default 4).", valueName: "n"))
    var kdfLanes: Int?
    @Flag(name: .customLong("insecure-kdf"), help: "Allow costs below t=3, m=64 MiB (for tests only).")
    var insecureKDF = false

    var isGiven: Bool { kdfMemory != nil || kdfTime != nil || kdfLanes != nil || insecureKDF }

    func parameters() throws -> Argon2.Parameters {
        try Argon2.parametersForNewFile(memory: kdfMemory, iterations: kdfTime, lanes: kdfLanes, allowWeak: insecureKDF)
    }
}

/// Where the passphrase of encrypted keys comes from; never the command line (see wif-mint(1), ENVIRONMENT).
struct PassphraseOptions: ParsableArguments {
    @Option(name: .customLong("passphrase-file"), help: ArgumentHelp("Read the passphrase of encrypted keys from this file (one final newline dropped).", valueName: "file"))
    var passphraseFile: String?
    @Option(name: .customLong("passphrase-fd"), help: ArgumentHelp("Read the passphrase from this open file descriptor.", valueName: "n"))
    var passphraseFD: Int32?

    var isGiven: Bool { passphraseFile != nil || passphraseFD != nil }

    /// The passphrase source; `stdinUsed` says standard input already carries other input.
    func passphrase(stdinUsed: Bool) throws -> Passphrase {
        let p = try Passphrase(Passphrase.Source(file: passphraseFile, fd: passphraseFD))
        if stdinUsed && p.readsStandardInput {
            throw WIFError(.usage, "the passphrase and the key cannot both come from standard input")
        }
        return p
    }
}

struct JWKS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jwks",
        abstract: "Print the public JWKS of one or more keys (JWK, JWKS, PEM or encrypted key files).")

    @Argument(help: ArgumentHelp("Key files; \"-\" reads standard input.", valueName: "key"))
    var keys: [String]

    @Option(help: ArgumentHelp("Set use on every published key, e.g. jwt-svid for SPIFFE bundles.", valueName: "use"))
    var use: String?

    @OptionGroup var passphrase: PassphraseOptions
    func run() throws {
        if keys.filter({ $0 == "-" }).count > 1 { throw WIFError(.usage, "standard input (-) can be read only once") }
        let all = try KeySource.loadAll(paths: keys, passphrase: try passphrase.passphrase(stdinUsed: keys.contains("-")))
        for k in all where k.keyType == .oct {
            throw WIFError(.usage, "key\(k.kidLabel) is a symmetric (oct) key: it has no public half to publish",
                           hint: "give the HMAC key file itself to the verifier")
        }
        if let use { for k in all { k.use = use } }
        var seen: [String: String] = [:]
        for k in all {
            guard let kid = k.kid else { continue }
            if let t = seen[kid], t != k.thumbprint { throw WIFError(.usage, "two different keys share kid \"\(kid)\"") }
            seen[kid] = k.thumbprint
        }
        var w = StdoutWriter()
        try w.write(JWKSet(keys: all).publicJSON().serialized() + "\n")
        try w.flush()
    }
}
