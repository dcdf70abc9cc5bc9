// SPDX-License-Identifier: Apache-2.0
import CLI
import Core

/// `wif-mint request`: a token-request body built by Core's `TokenRequest.Settings`.
enum Request: Command {
    static let grant = Opt.string(
        "grant", "grant", "jwt-bearer (RFC 7523 §2.1, default), client-credentials (RFC 7523 §2.2 client assertion) " +
            "or token-exchange (RFC 8693).")
    static let clientAssertion = Opt.string(
        "client-assertion", "token", "Client assertion JWT (RFC 7523 §2.2): a file, the token, or \"-\" for stdin.")
    static let subjectToken = Opt.string(
        "subject-token", "token", "Subject token (token-exchange): a file, the token, or \"-\" for stdin.")
    static let subjectTokenType = Opt.string(
        "subject-token-type", "uri", "Token type URI of the subject token (default: the JWT type).")
    static let actorToken = Opt.string(
        "actor-token", "token", "Actor token (token-exchange): a file, the token, or \"-\" for stdin.")
    static let actorTokenType = Opt.string(
        "actor-token-type", "uri", "Token type URI of the actor token (default: the JWT type).")
    static let requestedTokenType = Opt.string(
        "requested-token-type", "uri", "Token type URI wanted back (token-exchange).")
    static let audience = Multi.strings("audience", "name", "Logical target (token-exchange audience).")
    static let scope = Opt.string("scope", "scope", "Requested scope (space-separated).")
    static let resource = Multi.strings("resource", "uri", "Resource indicator (RFC 8707).")
    static let clientID = Opt.string("client-id", "id", "client_id parameter.")
    static let param = Multi.strings("param", "name=value", "Any other parameter.")
    static let json = Flag("json", "Print the parameters as a JSON object instead of the body.")
    static let curl = Opt.string("curl", "url", "Print a curl command line that POSTs the body to this URL.")
    static let clientAuth = Opt.string(
        "client-auth", "method", "Client authentication: basic (Authorization: Basic) or post (client_secret in the body).")
    static let clientSecretFile = Opt.string("client-secret-file", "file", "File holding the client secret (never on argv).")
    static let httpRequest = Opt.string("http-request", "url", "Print the whole HTTP/1.1 request to this URL (headers and body).")

    static let spec = CommandSpec(
        "request",
        abstract: "Build an OAuth token-request body: jwt-bearer grant, client assertion, or token exchange.",
        discussion: "The body is written exactly, with no trailing newline, for curl --data-binary @-.",
        options: [grant, clientAssertion, subjectToken, subjectTokenType, actorToken, actorTokenType,
                  requestedTokenType, audience, scope, resource, clientID, param, json, curl, clientAuth, clientSecretFile, httpRequest],
        positionals: [PositionalSpec("assertion", "The assertion (jwt-bearer): a file, the token, or \"-\" (the default) for stdin.")],
        command: Request.self)

    static func run(_ a: ParsedArguments) throws {
        let output = try TokenRequest.Output.chosen(json: a.flag(json), curl: a.value(curl), httpRequest: a.value(httpRequest))
        var s = TokenRequest.Settings()
        s.grant = a.value(grant) ?? "jwt-bearer"
        s.assertion = a.positional()
        s.clientAssertion = a.value(clientAssertion)
        s.subjectToken = a.value(subjectToken)
        s.subjectTokenType = a.value(subjectTokenType)
        s.actorToken = a.value(actorToken)
        s.actorTokenType = a.value(actorTokenType)
        s.requestedTokenType = a.value(requestedTokenType)
        s.audience = a.values(audience)
        s.scope = a.value(scope)
        s.resource = a.values(resource)
        s.clientID = a.value(clientID)
        s.params = a.values(param)
        s.clientAuth = a.value(clientAuth)
        s.clientSecretFile = a.value(clientSecretFile)
        let text = try s.rendered(as: output)
        var w = StdoutWriter()
        try w.write(text)
        try w.flush()
    }
}
