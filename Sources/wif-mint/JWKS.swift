// SPDX-License-Identifier: Apache-2.0
import CLI
import Core

/// `wif-mint jwks`: the public JWK Set to publish, from `KeySource.publicSet`.
enum JWKS: Command {
    static let use = Opt.string("use", "use", "Set use on every published key, e.g. jwt-svid for SPIFFE bundles.")

    static let spec = CommandSpec(
        "jwks",
        abstract: "Print the public JWKS of one or more keys (JWK, JWKS, PEM or encrypted key files).",
        options: [use] + PassphraseOptions.all,
        positionals: [PositionalSpec("key", "Key files; \"-\" reads standard input.", repeated: true, required: true)],
        command: JWKS.self)

    static func run(_ a: ParsedArguments) throws {
        let keys = a.positionals
        let set = try KeySource.publicSet(paths: keys, use: a.value(use),
                                          passphrase: try PassphraseOptions.passphrase(a, stdinUsed: keys.contains("-")))
        var w = StdoutWriter()
        try w.write(set.serialized() + "\n")
        try w.flush()
    }
}
