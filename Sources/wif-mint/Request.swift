// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Core

struct Request: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build an OAuth token-request body: jwt-bearer grant, client assertion, or token exchange.",
        discussion: "The body is written exactly, with no trailing newline, for curl --data-binary @-.")

    @Option(help: ArgumentHelp("jwt-bearer (RFC 7523 §2.1, default), client-credentials (RFC 7523 §2.2 client assertion) or token-exchange (RFC 8693).",
                               valueName: "grant"))
    var grant: String = "jwt-bearer"
    @Option(name: .customLong("client-assertion"), help: ArgumentHelp("Client assertion JWT file (RFC 7523 §2.2); \"-\" reads stdin.", valueName: "file"))
    var clientAssertion: String?
    @Option(name: .customLong("subject-token"), help: ArgumentHelp("Subject token file (token-exchange); \"-\" reads stdin.", valueName: "file"))
    var subjectToken: String?
    @Option(name: .customLong("subject-token-type"), help: ArgumentHelp("Token type URI of the subject token (default: the JWT type).", valueName: "uri"))
    var subjectTokenType: String?
    @Option(name: .customLong("actor-token"), help: ArgumentHelp("Actor token file (token-exchange); \"-\" reads stdin.", valueName: "file"))
    var actorToken: String?
    @Option(name: .customLong("actor-token-type"), help: ArgumentHelp("Token type URI of the actor token (default: the JWT type).", valueName: "uri"))
    var actorTokenType: String?
    @Option(name: .customLong("requested-token-type"), help: ArgumentHelp("Token type URI wanted back (token-exchange).", valueName: "uri"))
    var requestedTokenType: String?
    @Option(help: ArgumentHelp("Logical target (token-exchange audience); repeatable.", valueName: "name")) var audience: [String] = []
    @Option(help: ArgumentHelp("Requested scope (space-separated).", valueName: "scope")) var scope: String?
    @Option(help: ArgumentHelp("Resource indicator (RFC 8707); repeatable.", valueName: "uri")) var resource: [String] = []
    @Option(name: .customLong("client-id"), help: ArgumentHelp("client_id parameter.", valueName: "id")) var clientID: String?
    @Option(help: ArgumentHelp("Any other parameter; repeatable.", valueName: "name=value")) var param: [String] = []
    @Flag(help: "Print the parameters as a JSON object instead of the body.") var json = false
    @Option(help: ArgumentHelp("Print a curl command line that POSTs the body to this URL.", valueName: "url")) var curl: String?
    @Argument(help: ArgumentHelp("The assertion (jwt-bearer); \"-\" reads standard input.", valueName: "assertion"))
    var assertion: String?

    static let jwtType = "urn:ietf:params:oauth:token-type:jwt"

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
