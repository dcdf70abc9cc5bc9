// SPDX-License-Identifier: Apache-2.0
import Core

/// `wif-mint key`: generate (the default, so `wif-mint key --alg ES256` still works), encrypt and decrypt.
struct Key {
    static let spec = CommandSpec(
        "key",
        abstract: "Generate a private key (the default), or encrypt or decrypt a key file with a passphrase.",
        subcommands: [KeyGenerate.spec, KeyEncrypt.spec, KeyDecrypt.spec],
        defaultSubcommand: "generate")
}

struct KeyGenerate {
    static let spec = CommandSpec(
        "generate",
        abstract: "Generate a private key and print it as a JWK (or PEM), or encrypted with --encrypt.",
        options: [
            .value("alg", "alg", "The algorithm the key is for. \(algHelp)", required: true),
            .value("kid", "kid", "Key ID (default: the RFC 7638 thumbprint)."),
            .value("bits", "bits", "RSA modulus size, 2048 to 16384 (default 2048)."),
            .value("crv", "crv", "Curve for --alg EdDSA: Ed25519 (default) or Ed448."),
            .value("out", "file", "Write the key to this file (mode 0600, atomically) instead of stdout."),
            .flag("pem", "Print PKCS#8 PEM instead of a JWK."),
            .flag("encrypt", "Write the key encrypted with a passphrase (Argon2id, AES-256-GCM); see wif-mint(1)."),
        ] + KDFOptions.specs + PassphraseOptions.specs)

    let alg: String
    let kid: String?
    let bits: Int?
    let crv: String?
    let out: String?
    let pem: Bool
    let encrypt: Bool
    let kdf: KDFOptions
    let passphrase: PassphraseOptions

    init(_ a: ParsedArguments) throws {
        alg = a.string("alg") ?? ""
        kid = a.string("kid")
        bits = try a.int("bits")
        crv = a.string("crv")
        out = a.string("out")
        pem = a.flag("pem")
        encrypt = a.flag("encrypt")
        kdf = try KDFOptions(a)
        passphrase = try PassphraseOptions(a)
    }

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

struct KeyEncrypt {
    static let spec = CommandSpec(
        "encrypt",
        abstract: "Encrypt a private key file (JWK, JWKS with --kid, or PEM) into a wif encrypted key file.",
        options: [
            .value("kid", "kid", "The key to take from a JWKS."),
            .value("out", "file", "Write the encrypted key to this file (mode 0600, atomically) instead of stdout."),
        ] + KDFOptions.specs + PassphraseOptions.specs,
        positionals: [PositionalSpec("file", "The private key file; \"-\" reads standard input.", required: true)])

    let file: String
    let kid: String?
    let out: String?
    let kdf: KDFOptions
    let passphrase: PassphraseOptions

    init(_ a: ParsedArguments) throws {
        file = a.positionals.first ?? ""
        kid = a.string("kid")
        out = a.string("out")
        kdf = try KDFOptions(a)
        passphrase = try PassphraseOptions(a)
    }

    func run() throws {
        let params = try kdf.parameters()
        let source = try passphrase.passphrase(stdinUsed: file == "-")
        let data = try Input.read(file)
        if KeySource.isEncrypted(data) && !KeySource.isEncryptedPEM(data) {
            throw WIFError(.usage, "\(Input.label(file)) is already encrypted", hint: "wif-mint key decrypt prints the plain key")
        }
        // An encrypted PEM key is converted, keeping its passphrase.
        let key = try KeySource.signingKey(data, what: Input.label(file), kid: kid, passphrase: source, path: file)
        let sealed = try EncryptedKey.seal(key, passphrase: try source.new(for: Input.label(file)), parameters: params,
                                           what: Input.label(file))
        source.wipe()
        try KeyOutput.write(sealed.serialized(), to: out)
    }
}

struct KeyDecrypt {
    static let spec = CommandSpec(
        "decrypt",
        abstract: "Decrypt an encrypted key (wif key file or encrypted PKCS#8 PEM) and print the private JWK (or PEM).",
        options: [
            .value("out", "file", "Write the key to this file (mode 0600, atomically) instead of stdout."),
            .flag("pem", "Print PKCS#8 PEM instead of a JWK."),
        ] + PassphraseOptions.readingSpecs,
        positionals: [PositionalSpec("file", "The encrypted key file; \"-\" reads standard input.", required: true)])

    let file: String
    let out: String?
    let pem: Bool
    let passphrase: PassphraseOptions

    init(_ a: ParsedArguments) throws {
        file = a.positionals.first ?? ""
        out = a.string("out")
        pem = a.flag("pem")
        passphrase = try PassphraseOptions(a)
    }

    func run() throws {
        let source = try passphrase.passphrase(stdinUsed: file == "-")
        let data = try Input.read(file)
        guard KeySource.isEncrypted(data) else {
            throw WIFError(.usage, "\(Input.label(file)) is not encrypted", hint: "wif-mint key encrypt encrypts it")
        }
        let key = try KeySource.signingKey(data, what: Input.label(file), kid: nil, passphrase: source, path: file)
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
struct KDFOptions {
    static let specs: [OptionSpec] = [
            .value("kdf-memory", "size", "Argon2id memory: KiB, or a size with K, M or G (default 64M)."),
            .value("kdf-time", "n", "Argon2id passes (default 3)."),
            .value("kdf-lanes", "n", "Argon2id lanes (default 4)."),
            .flag("insecure-kdf", "Allow costs below t=3, m=64 MiB (for tests only)."),
        ]


    let kdfMemory: String?
    let kdfTime: Int?
    let kdfLanes: Int?
    let insecureKDF: Bool

    init(_ a: ParsedArguments) throws {
        kdfMemory = a.string("kdf-memory")
        kdfTime = try a.int("kdf-time")
        kdfLanes = try a.int("kdf-lanes")
        insecureKDF = a.flag("insecure-kdf")
    }

    var isGiven: Bool { kdfMemory != nil || kdfTime != nil || kdfLanes != nil || insecureKDF }

    func parameters() throws -> Argon2.Parameters {
        try Argon2.parametersForNewFile(memory: kdfMemory, iterations: kdfTime, lanes: kdfLanes, allowWeak: insecureKDF)
    }
}


struct JWKS {
    static let spec = CommandSpec(
        "jwks",
        abstract: "Print the public JWKS of one or more keys (JWK, JWKS, PEM or encrypted key files).",
        options: [
            .value("use", "use", "Set use on every published key, e.g. jwt-svid for SPIFFE bundles."),
        ] + PassphraseOptions.readingSpecs,
        positionals: [PositionalSpec("key", "Key files; \"-\" reads standard input.", repeated: true, required: true)])

    let keys: [String]
    let use: String?
    let passphrase: PassphraseOptions

    init(_ a: ParsedArguments) throws {
        keys = a.positionals
        use = a.string("use")
        passphrase = try PassphraseOptions(a)
    }

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
