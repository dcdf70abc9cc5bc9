// SPDX-License-Identifier: Apache-2.0

/// OAuth token-request constants (RFC 7523 §2, RFC 8693 §2.1, §3).
public enum TokenRequest {
    public static let jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    public static let clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    public static let tokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange"
    public static let clientCredentialsGrant = "client_credentials"
    public static let jwtTokenType = "urn:ietf:params:oauth:token-type:jwt"

    /// The option values of `wif-mint request`, checked and turned into the body's parameters here.
    ///
    /// Rules: every token option (the assertion argument, `--client-assertion`, `--subject-token`,
    /// `--actor-token`) follows the one rule for token arguments (`Input.tokenArgument`: `-`, an existing file,
    /// or a compact token; never a file name sent as a token); at most one of them reads standard input; an
    /// empty token is `input_empty` (exit 2); options of another grant are an error.
    public struct Settings: Sendable {
        public var grant = "jwt-bearer"
        public var assertion: String?
        public var clientAssertion: String?
        public var subjectToken: String?
        public var subjectTokenType: String?
        public var actorToken: String?
        public var actorTokenType: String?
        public var requestedTokenType: String?
        public var audience: [String] = []
        public var scope: String?
        public var resource: [String] = []
        public var clientID: String?
        public var params: [String] = []
        /// Client authentication (TokenRequest+ClientAuth.swift): `basic` or `post`, the secret from a file.
        public var clientAuth: String?
        public var clientSecretFile: String?

        public init() {}

        static func read(_ arg: String, what: String) throws(WIFError) -> String {
            let bytes = try Input.token(arg, limit: CompactJWS.defaultMaxSize, what: what)
            guard let s = String(validating: bytes, as: UTF8.self) else { throw WIFError(.usage, "\(what) is not UTF-8 text") }
            return s
        }

        /// How the request is printed: the body, its parameters as JSON, or a curl command line.
        public enum Rendering: Sendable {
            case body, json, curl(String)

            /// `--json` and `--curl` exclude each other.
            public static func chosen(json: Bool, curl: String?) throws(WIFError) -> Rendering {
                if json && curl != nil { throw WIFError(.usage, "--json and --curl cannot be combined") }
                return json ? .json : curl.map { .curl($0) } ?? .body
            }

            /// The output for `params`: the body is exact, with no trailing newline (for curl --data-binary @-).
            public func render(_ params: [(String, String)]) -> String {
                switch self {
                case .body: return FormEncoding.encode(params)
                case .json: return FormEncoding.jsonObject(params).serialized() + "\n"
                case .curl(let url):
                    return "curl -sS -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data-binary '\(FormEncoding.encode(params))' \(Shell.quote(url))\n"
                }
            }
        }

        /// The parameters, in the order they are sent.
        public func parameters() throws(WIFError) -> [(String, String)] {
            let assertionArg = grant == "jwt-bearer" ? (assertion ?? "-") : assertion
            if [assertionArg, clientAssertion, subjectToken, actorToken].filter({ $0 == "-" }).count > 1 {
                throw WIFError(.usage, "only one input can come from standard input (-)")
            }
            var out: [(String, String)] = []
            switch grant {
            case "jwt-bearer":
                out.append(("grant_type", TokenRequest.jwtBearerGrant))
                out.append(("assertion", try Settings.read(assertionArg ?? "-", what: "the assertion")))
            case "client-credentials":
                guard clientAssertion != nil || clientAuth != nil || clientID != nil else {
                    throw WIFError(.usage, "--grant client-credentials needs --client-assertion, --client-auth or --client-id")
                }
                out.append(("grant_type", TokenRequest.clientCredentialsGrant))
            case "token-exchange":
                guard let subjectToken else { throw WIFError(.usage, "--grant token-exchange needs --subject-token") }
                out.append(("grant_type", TokenRequest.tokenExchangeGrant))
                out.append(("subject_token", try Settings.read(subjectToken, what: "the subject token")))
                out.append(("subject_token_type", subjectTokenType ?? TokenRequest.jwtTokenType))
                if let actorToken {
                    out.append(("actor_token", try Settings.read(actorToken, what: "the actor token")))
                    out.append(("actor_token_type", actorTokenType ?? TokenRequest.jwtTokenType))
                } else if actorTokenType != nil {
                    throw WIFError(.usage, "--actor-token-type needs --actor-token")
                }
                if let requestedTokenType { out.append(("requested_token_type", requestedTokenType)) }
            default:
                throw WIFError(.usage, "unknown --grant \"\(JSON.escapedForMessage(grant))\"",
                               hint: "grants: jwt-bearer, client-credentials, token-exchange")
            }
            if grant != "jwt-bearer" && assertion != nil { throw WIFError(.usage, "an assertion argument goes with --grant jwt-bearer only") }
            if grant != "token-exchange" && (subjectToken != nil || actorToken != nil || !audience.isEmpty || requestedTokenType != nil) {
                throw WIFError(.usage, "--subject-token, --actor-token, --audience and --requested-token-type go with --grant token-exchange")
            }
            if let clientAssertion {
                out.append(("client_assertion_type", TokenRequest.clientAssertionType))
                out.append(("client_assertion", try Settings.read(clientAssertion, what: "the client assertion")))
            }
            for a in audience { out.append(("audience", a)) }
            if let scope { out.append(("scope", scope)) }
            for r in resource { out.append(("resource", r)) }
            if let clientID { out.append(("client_id", clientID)) }
            for p in params {
                let (name, value) = try Assignment.split(p, flag: "--param")
                // A secret on argv is visible to every local user (ps) and lands in shell history.
                if name == "client_secret" {
                    throw WIFError(.usage, "--param client_secret= would put the secret on the command line: "
                                   + "give --client-auth post --client-secret-file FILE")
                }
                out.append((name, value))
            }
            return out
        }
    }
}

/// POSIX shell quoting for printed command lines.
public enum Shell {
    public static func quote(_ s: String) -> String {
        if !s.isEmpty && s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:=@%+,".contains($0)) }) { return s }
        return "'" + s.map { $0 == "'" ? "'\\''" : String($0) }.joined() + "'"
    }
}
