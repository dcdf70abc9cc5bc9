// SPDX-License-Identifier: Apache-2.0
import CLI
import Core

/// `wif-mint fixtures`: named negative tokens from Core's `Fixtures`.
enum FixturesCommand: Command {
    static let key = Opt.string(
        "key", short: "k", "file", "Private signing key: JWK, JWKS (with --kid) or PEM.", required: true)
    static let kid = Opt.string(
        "kid", "kid", "Key ID to pick in a JWKS and put in the headers; a key with another kid is an error.")
    static let alg = Opt.string("alg", "alg", "Signing algorithm (default: from the key). \(algHelp)")
    static let iss = Opt.string("iss", "iss", "Issuer of the valid tokens.", required: true)
    static let sub = Opt.string("sub", "sub", "Subject of every token.", required: true)
    static let aud = Multi.strings("aud", "aud", "Audience of the valid tokens.")
    static let format = Opt.string(
        "format", "format", "json (default: every fixture and the public JWKS), mcp-conformance (the MCP " +
            "conformance suite's context) or id-jag (ID-JAG fixtures for --client-id).")
    static let clientID = Opt.string("client-id", "id", "client_id for --format mcp-conformance or id-jag (default: --sub).")

    static let spec = CommandSpec(
        "fixtures",
        abstract: "Print named test tokens, each signed with the real key and wrong in exactly one way.",
        discussion: "Each fixture fails wif-verify --profile mcp-wif with the reason its name says; see wif-mint(1).",
        options: [key, kid, alg, iss, sub, aud, CommonOptions.now, format, clientID] + PassphraseOptions.reading,
        command: FixturesCommand.self)

    static func run(_ a: ParsedArguments) throws {
        let path = a.value(key) ?? ""
        let clock = try CommonOptions.clock(a)
        let signingKey = try KeySource.loadSigningKey(path: path, kid: a.value(kid),
                                                      passphrase: try PassphraseOptions.passphrase(a, stdinUsed: path == "-"))
        let doc = try Fixtures.document(key: signingKey, kid: a.value(kid), iss: a.value(iss) ?? "", sub: a.value(sub) ?? "",
                                        aud: a.values(aud), now: clock.now(), alg: a.value(alg),
                                        format: a.value(format) ?? "json", clientID: a.value(clientID))
        var w = StdoutWriter()
        try w.write(doc.pretty() + "\n")   // a document, one member a line (not --json output)
        try w.flush()
    }
}
