// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Core

struct FixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures",
        abstract: "Print named test tokens, each signed with the real key and wrong in exactly one way.",
        discussion: "Each fixture fails wif-verify --profile mcp-wif with the reason its name says; see wif-mint(1).")

    @Option(name: .shortAndLong, help: ArgumentHelp("Private signing key: JWK, JWKS (with --kid) or PEM.", valueName: "file"))
    var key: String
    @Option(help: ArgumentHelp("Key ID to pick in a JWKS and put in the headers.", valueName: "kid")) var kid: String?
    @Option(help: ArgumentHelp("Signing algorithm (default: from the key). \(algHelp)", valueName: "alg")) var alg: String?
    @Option(help: ArgumentHelp("Issuer of the valid tokens.", valueName: "iss")) var iss: String
    @Option(help: ArgumentHelp("Subject of every token.", valueName: "sub")) var sub: String
    @Option(help: ArgumentHelp("Audience of the valid tokens; repeatable.", valueName: "aud")) var aud: [String]
    @Option(help: ArgumentHelp("Fixed clock: epoch seconds or RFC 3339.", valueName: "time")) var now: String?
    @Option(help: ArgumentHelp("json (every fixture and the public JWKS) or mcp-conformance (the MCP conformance suite's context).",
                               valueName: "format"))
    var format: String = "json"
    @Option(name: .customLong("client-id"), help: ArgumentHelp("client_id for --format mcp-conformance (default: --sub).", valueName: "id"))
    var clientID: String?
    @OptionGroup var passphrase: PassphraseOptions

    func run() throws {
        guard !aud.isEmpty else { throw WIFError(.usage, "--aud is required") }
        guard format == "json" || format == "mcp-conformance" else {
            throw WIFError(.usage, "unknown --format \"\(format)\"", hint: "formats: json, mcp-conformance")
        }
        let clock = try now.map { try NumericDate.parseInstant($0, now: NumericDate.systemNow(), what: "--now") }
            ?? NumericDate.systemNow()
        let signingKey = try KeySource.loadSigningKey(path: key, kid: kid, passphrase: try passphrase.passphrase(stdinUsed: key == "-"))
        if let warning = Input.keyFileWarning(key) { Diagnostics.writeStderr("wif-mint: \(warning)\n") }
        if let kid { signingKey.kid = kid }
        let tokens = try Fixtures.make(key: signingKey, iss: iss, sub: sub, aud: aud, now: clock,
                                       alg: try alg.map { try Algorithm.parse($0) })
        var o = JSONObject()
        if format == "mcp-conformance" {
            let find = { (n: String) in tokens.first { $0.0 == n }?.1 ?? "" }
            o["client_id"] = .string(clientID ?? sub)
            o["valid_jwt"] = .string(find("valid"))
            o["wrong_audience_jwt"] = .string(find("wrong_audience"))
            o["expired_jwt"] = .string(find("expired"))
        } else {
            for (n, t) in tokens { o[n] = .string(t) }
            if signingKey.keyType != .oct { o["jwks"] = JWKSet(keys: [signingKey]).publicJSON() }
        }
        var w = StdoutWriter()
        try w.write(JSON.object(o).pretty() + "\n")
        try w.flush()
    }
}
