// SPDX-License-Identifier: Apache-2.0
import Core

struct Request {
    static let spec = CommandSpec(
        "request",
        abstract: "Build an OAuth token-request body: jwt-bearer grant, client assertion, or token exchange.",
        discussion: "The body is written exactly, with no trailing newline, for curl --data-binary @-.",
        options: [
            .value("grant", "grant", "jwt-bearer (RFC 7523 §2.1, default), client-credentials (RFC 7523 §2.2 client assertion) or token-exchange (RFC 8693)."),
            .value("client-assertion", "file", "Client assertion JWT file (RFC 7523 §2.2); \"-\" reads stdin."),
            .value("subject-token", "file", "Subject token file (token-exchange); \"-\" reads stdin."),
            .value("subject-token-type", "uri", "Token type URI of the subject token (default: the JWT type)."),
            .value("actor-token", "file", "Actor token file (token-exchange); \"-\" reads stdin."),
            .value("actor-token-type", "uri", "Token type URI of the actor token (default: the JWT type)."),
            .value("requested-token-type", "uri", "Token type URI wanted back (token-exchange)."),
            .values("audience", "name", "Logical target (token-exchange audience)."),
            .value("scope", "scope", "Requested scope (space-separated)."),
            .values("resource", "uri", "Resource indicator (RFC 8707)."),
            .value("client-id", "id", "client_id parameter."),
            .values("param", "name=value", "Any other parameter."),
            .flag("json", "Print the parameters as a JSON object instead of the body."),
            .value("curl", "url", "Print a curl command line that POSTs the body to this URL."),
        ],
        positionals: [PositionalSpec("assertion", "The assertion (jwt-bearer); \"-\" reads standard input.")])

    let grant: String
    let clientAssertion: String?
    let subjectToken: String?
    let subjectTokenType: String?
    let actorToken: String?
    let actorTokenType: String?
    let requestedTokenType: String?
    let audience: [String]
    let scope: String?
    let resource: [String]
    let clientID: String?
    let param: [String]
    let json: Bool
    let curl: String?
    let assertion: String?

    static let jwtType = "urn:ietf:params:oauth:token-type:jwt"

    init(_ a: ParsedArguments) throws {
        grant = a.string("grant") ?? "jwt-bearer"
        clientAssertion = a.string("client-assertion")
        subjectToken = a.string("subject-token")
        subjectTokenType = a.string("subject-token-type")
        actorToken = a.string("actor-token")
        actorTokenType = a.string("actor-token-type")
        requestedTokenType = a.string("requested-token-type")
        audience = a.strings("audience")
        scope = a.string("scope")
        resource = a.strings("resource")
        clientID = a.string("client-id")
        param = a.strings("param")
        json = a.flag("json")
        curl = a.string("curl")
        assertion = a.positionals.first
    }

    func read(_ source: String, what: String) throws -> String {
        let bytes = try Input.readTrimmed(source, limit: CompactJWS.defaultMaxSize + 2, what: source == "-" ? "standard input (\(what))" : source)
        guard !bytes.isEmpty else { throw WIFError(.usage, "\(what) is empty") }
        guard let s = String(validating: bytes, as: UTF8.self) else { throw WIFError(.usage, "\(what) is not UTF-8 text") }
        return s
    }

    func run() throws {
        let stdinUsers = [assertion == "-" || (assertion == nil && grant == "jwt-bearer"), clientAssertion == "-",
                          subjectToken == "-", actorToken == "-"].filter { $0 }.count
        if stdinUsers > 1 { throw WIFError(.usage, "only one input can come from standard input (-)") }
        var params: [(String, String)] = []
        switch grant {
        case "jwt-bearer":
            params.append(("grant_type", TokenRequest.jwtBearerGrant))
            let a = assertion ?? "-"
            params.append(("assertion", a == "-" ? try read("-", what: "the assertion") : a))
        case "client-credentials":
            guard clientAssertion != nil else { throw WIFError(.usage, "--grant client-credentials needs --client-assertion") }
            params.append(("grant_type", TokenRequest.clientCredentialsGrant))
        case "token-exchange":
            guard let subjectToken else { throw WIFError(.usage, "--grant token-exchange needs --subject-token") }
            params.append(("grant_type", TokenRequest.tokenExchangeGrant))
            params.append(("subject_token", try read(subjectToken, what: "the subject token")))
            params.append(("subject_token_type", subjectTokenType ?? Request.jwtType))
            if let actorToken {
                params.append(("actor_token", try read(actorToken, what: "the actor token")))
                params.append(("actor_token_type", actorTokenType ?? Request.jwtType))
            } else if actorTokenType != nil {
                throw WIFError(.usage, "--actor-token-type needs --actor-token")
            }
            if let requestedTokenType { params.append(("requested_token_type", requestedTokenType)) }
        default:
            throw WIFError(.usage, "unknown --grant \"\(grant)\"", hint: "grants: jwt-bearer, client-credentials, token-exchange")
        }
        if grant != "jwt-bearer" && assertion != nil { throw WIFError(.usage, "an assertion argument goes with --grant jwt-bearer only") }
        if grant != "token-exchange" && (subjectToken != nil || actorToken != nil || !audience.isEmpty || requestedTokenType != nil) {
            throw WIFError(.usage, "--subject-token, --actor-token, --audience and --requested-token-type go with --grant token-exchange")
        }
        if let clientAssertion {
            params.append(("client_assertion_type", TokenRequest.clientAssertionType))
            params.append(("client_assertion", try read(clientAssertion, what: "the client assertion")))
        }
        for a in audience { params.append(("audience", a)) }
        if let scope { params.append(("scope", scope)) }
        for r in resource { params.append(("resource", r)) }
        if let clientID { params.append(("client_id", clientID)) }
        for p in param { params.append(try Assignment.split(p, flag: "--param")) }
        if json && curl != nil { throw WIFError(.usage, "--json and --curl cannot be combined") }

        var w = StdoutWriter()
        if json {
            try w.write(FormEncoding.jsonObject(params).pretty() + "\n")
        } else if let curl {
            let body = FormEncoding.encode(params)
            try w.write("curl -sS -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data-binary '\(body)' \(Shell.quote(curl))\n")
        } else {
            try w.write(FormEncoding.encode(params))
        }
        try w.flush()
    }
}

/// POSIX shell quoting for printed command lines.
enum Shell {
    static func quote(_ s: String) -> String {
        if !s.isEmpty && s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:=@%+,".contains($0)) }) { return s }
        return "'" + s.map { $0 == "'" ? "'\\''" : String($0) }.joined() + "'"
    }
}
