// SPDX-License-Identifier: Apache-2.0
import CLI
import Core

/// `wif-verify request`: one form-encoded token request on stdin, answered by Core's `TokenEndpoint`.
enum Request: Command {
    static let issuerKey = Opt.string(
        "issuer-key", "file", "Private key that signs a JWT access token (RFC 9068); default: an opaque token.")
    static let issuer = Opt.string(
        "issuer", "uri", "iss of issued access tokens (default urn:wif:offline-token-endpoint).")
    static let http = Flag("http", "Print the whole HTTP/1.1 response (status, headers, body).")
    static let json = Flag("json", "Print the response JSON with the stable wif reason of a failure as member reason.")
    static let httpRequest = Flag(
        "http-request", "Read a whole HTTP/1.1 request (request line, headers, body) on stdin, not only the body.")

    static let endpointOptions: [any OptionDeclaration] = EndpointOptions.all + [issuerKey, issuer]

    static let spec = CommandSpec(
        "request",
        abstract: "Answer a form-encoded token request on stdin as a token endpoint would (RFC 6749 §5).",
        discussion: "Success: the token response JSON, exit 0. An OAuth error: the error JSON, exit 1. Configuration error or empty body: exit 2.",
        options: PolicyOptions.all + endpointOptions + DPoPOptions.endpoint + DPoPOptions.request
            + [http, json, httpRequest] + PassphraseOptions.reading,
        command: Request.self)

    /// The endpoint settings the command line gives (shared with the loopback server).
    static func settings(_ a: ParsedArguments) throws(WIFError) -> TokenEndpoint.Settings {
        var s = try EndpointOptions.settings(a)
        s.issuerKey = a.value(issuerKey)
        s.issuer = a.value(issuer)
        return s
    }

    static func run(_ a: ParsedArguments) throws {
        let rendering = try TokenEndpoint.Rendering.chosen(http: a.flag(http), json: a.flag(json))
        let clock = try CommonOptions.clock(a)
        var endpoint = try settings(a).endpoint(passphrase: try PassphraseOptions.passphrase(a, stdinUsed: true))
        endpoint.clock = { clock.now() }
        endpoint.dpop = DPoPOptions.policy(a)
        let nonce = endpoint.dpop.nonce
        var w = StdoutWriter()
        let outcome: TokenEndpoint.Outcome
        if a.flag(httpRequest) {
            if !a.values(DPoPOptions.dpop).isEmpty {
                throw WIFError(.usage, "--dpop goes without --http-request: the request's own DPoP headers are judged")
            }
            let (o, headers) = try TokenEndpoint.answer(httpRequestFrom: "-", htu: try DPoPOptions.htuValue(a),
                                                        endpoint: endpoint, now: clock.now())
            outcome = o
            if case .http = rendering {
                try w.write(TokenEndpoint.httpResponse(o, requestHeaders: headers, realm: endpoint.issuer, dpopNonce: nonce))
            } else {
                try w.write(rendering.render(o, dpopNonce: nonce))
            }
        } else {
            outcome = try TokenEndpoint.answer(bodyFrom: "-", dpop: try DPoPOptions.request(a), endpoint: endpoint,
                                               now: clock.now())
            try w.write(rendering.render(outcome, dpopNonce: nonce))
        }
        try w.flush()
        if case .failure(let error, let why) = outcome {
            Diagnostics.rejection(error, why)
            throw ExitStatusRequest.rejected
        }
    }
}
