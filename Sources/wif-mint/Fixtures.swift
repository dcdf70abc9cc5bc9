// SPDX-License-Identifier: Apache-2.0
import Core

struct FixturesCommand {
    static let spec = CommandSpec(
        "fixtures",
        abstract: "Print named test tokens, each signed with the real key and wrong in exactly one way.",
        discussion: "Each fixture fails wif-verify --profile mcp-wif with the reason its name says; see wif-mint(1).",
        options: [
            .value("key", short: "k", "file", "Private signing key: JWK, JWKS (with --kid) or PEM.", required: true),
            .value("kid", "kid", "Key ID to pick in a JWKS and put in the headers."),
            .value("alg", "alg", "Signing algorithm (default: from the key). \(algHelp)"),
            .value("iss", "iss", "Issuer of the valid tokens.", required: true),
            .value("sub", "sub", "Subject of every token.", required: true),
            .values("aud", "aud", "Audience of the valid tokens."),
            .value("now", "time", "Fixed clock: epoch seconds or RFC 3339."),
            .value("format", "format", "json (default: every fixture and the public JWKS) or mcp-conformance (the MCP conformance suite's context)."),
            .value("client-id", "id", "client_id for --format mcp-conformance (default: --sub)."),
        ] + PassphraseOptions.readingSpecs)

    let key: String
    let kid: String?
    let alg: String?
    let iss: String
    let sub: String
    let aud: [String]
    let now: String?
    let format: String
    let clientID: String?
    let passphrase: PassphraseOptions

    init(_ a: ParsedArguments) throws {
        key = a.string("key") ?? ""
        kid = a.string("kid")
        alg = a.string("alg")
        iss = a.string("iss") ?? ""
        sub = a.string("sub") ?? ""
        aud = a.strings("aud")
        now = a.string("now")
        format = a.string("format") ?? "json"
        clientID = a.string("client-id")
        passphrase = try PassphraseOptions(a)
    }

    func run() throws {
        guard !aud.isEmpty else { throw WIFError(.usage, "--aud is required") }
        guard format == "json" || format == "mcp-conformance" else {
            throw WIFError(.usage, "unknown --format \"\(format)\"", hint: "formats: json, mcp-conformance")
        }
        let clock = try now.map { try NumericDate.parseInstant($0, now: NumericDate.systemNow(), what: "--now") }
            ?? NumericDate.systemNow()
        let signingKey = try KeySource.loadSigningKey(path: key, kid: kid, passphrase: try passphrase.passphrase(stdinUsed: key == "-"))
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
