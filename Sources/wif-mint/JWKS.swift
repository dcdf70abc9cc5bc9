// SPDX-License-Identifier: Apache-2.0
import CLI
import Core

/// `wif-mint jwks`: the public JWK Set to publish, from Core's `KeySetPublisher`.
enum JWKS: Command {
    static let alg = Opt.string(
        "alg", "alg", "The alg of keys that carry none (PEM); a key with another alg is an error.")
    static let kid = Opt.string(
        "kid", "kid", "The kid of the one key that carries none (default: each key's RFC 7638 thumbprint).")
    static let use = Opt.string(
        "use", "use", "Set use on every published key, e.g. jwt-svid for SPIFFE bundles (default: sig where none).")

    static let spec = CommandSpec(
        "jwks",
        abstract: "Print the public JWKS of one or more keys (JWK, JWKS, PEM or encrypted key files).",
        options: [alg, kid, use] + PassphraseOptions.all,
        positionals: [PositionalSpec("key", "Key files; \"-\" reads standard input.", repeated: true, required: true)],
        command: JWKS.self)

    static func run(_ a: ParsedArguments) throws {
        let keys = a.positionals
        let set = try KeySetPublisher(alg: a.value(alg), kid: a.value(kid), use: a.value(use))
            .publish(paths: keys, passphrase: try PassphraseOptions.passphrase(a, stdinUsed: keys.contains("-")))
        var w = StdoutWriter()
        try w.write(set.serialized() + "\n")
        try w.flush()
    }
}
