// SPDX-License-Identifier: Apache-2.0

/// Client authentication in `wif-mint request` (RFC 6749 §2.3.1) and the ways the request is printed.
///
/// Rules:
/// - `--client-auth basic|post` needs `--client-id` and `--client-secret-file` (the secret is read from a file,
///   never from argv; one trailing newline ignored); `--client-secret-file` needs `--client-auth`;
/// - basic: `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))`, each part form-urlencoded first
///   (§2.3.1); post: `client_secret` in the body (`client_id` is there already);
/// - basic travels in a header, so it needs `--curl` or `--http-request`;
/// - `--curl URL` with client authentication prints `curl -sS -K - <<'WIF_CURL_CONFIG'` with the URL, headers
///   and body in curl's config on standard input, so the secret is never on curl's argv (`ps` shows argv);
/// - `--http-request URL` prints the whole HTTP/1.1 request (CRLF lines, Host, Content-Type, Content-Length),
///   as `wif-verify request --http-request` reads it;
/// - the URL of `--curl` and `--http-request` holds no byte <= 0x20 and no DEL (a CR or LF would inject curl
///   directives or headers).
extension TokenRequest.Settings {
    /// The request as `output` prints it (`wif-mint request`): the parameters with the client's credentials, and
    /// curl's configuration on standard input rather than its command line whenever a client secret is in it
    /// (client authentication), so the secret never reaches an argv.
    public func rendered(as output: TokenRequest.Output) throws(WIFError) -> String {
        let credentials = try clientCredentials()
        return try output.render(try parameters() + credentials.params, header: credentials.header,
                                 secret: clientAuth != nil)
    }

    /// The Authorization header (basic) or the extra body parameter (post).
    public func clientCredentials() throws(WIFError) -> (header: String?, params: [(String, String)]) {
        guard let clientAuth else {
            if clientSecretFile != nil { throw WIFError(.usage, "--client-secret-file needs --client-auth basic or post") }
            return (nil, [])
        }
        guard clientAuth == "basic" || clientAuth == "post" else {
            throw WIFError(.usage, "--client-auth must be basic or post, not \"\(JSON.escapedForMessage(clientAuth))\"")
        }
        guard let clientID else { throw WIFError(.usage, "--client-auth needs --client-id") }
        guard let path = clientSecretFile else { throw WIFError(.usage, "--client-auth needs --client-secret-file") }
        if path == "-", [assertion ?? (grant == "jwt-bearer" ? "-" : nil), clientAssertion, subjectToken, actorToken].contains("-") {
            throw WIFError(.usage, "only one input can come from standard input (-)")
        }
        var bytes = try Input.read(path, limit: 4096, what: "--client-secret-file \(Input.label(path))")
        if bytes.last == 0x0A { bytes.removeLast(); if bytes.last == 0x0D { bytes.removeLast() } }
        guard !bytes.isEmpty, let secret = String(validating: bytes, as: UTF8.self) else {
            throw WIFError(.usage, "--client-secret-file \(Input.label(path)) is empty or not UTF-8")
        }
        if clientAuth == "post" { return (nil, [("client_secret", secret)]) }
        let pair = FormEncoding.encodeComponent(clientID) + ":" + FormEncoding.encodeComponent(secret)
        return ("Basic " + Base64Standard.encode(Array(pair.utf8)), [])
    }
}

extension TokenRequest {
    /// How `wif-mint request` prints the request.
    public enum Output: Sendable {
        case body, json, curl(String), httpRequest(String)

        public static func chosen(json: Bool, curl: String?, httpRequest: String?) throws(WIFError) -> Output {
            if [json, curl != nil, httpRequest != nil].filter({ $0 }).count > 1 {
                throw WIFError(.usage, "--json, --curl and --http-request exclude each other")
            }
            if let curl { try TokenRequest.checkPrintable(url: curl, option: "--curl") }
            if let httpRequest {
                try TokenRequest.checkPrintable(url: httpRequest, option: "--http-request")
                _ = try TokenRequest.split(url: httpRequest)
                return .httpRequest(httpRequest)
            }
            return json ? .json : curl.map { .curl($0) } ?? .body
        }

        /// The output for `params` with an Authorization header (`header`, client_secret_basic) or none.
        public func render(_ params: [(String, String)], header: String?, secret: Bool) throws(WIFError) -> String {
            let body = FormEncoding.encode(params)
            switch self {
            case .body, .json:
                if header != nil {
                    throw WIFError(.usage, "--client-auth basic sends the secret in a header: give --curl URL or --http-request URL")
                }
                return self.isJSON ? FormEncoding.jsonObject(params).serialized() + "\n" : body
            case .curl(let url):
                guard secret else { return TokenRequest.Settings.Rendering.curl(url).render(params) }
                var config = "url = \(TokenRequest.curlQuote(url))\nrequest = \"POST\"\n"
                config += "header = \"Content-Type: application/x-www-form-urlencoded\"\n"
                if let header { config += "header = \(TokenRequest.curlQuote("Authorization: " + header))\n" }
                config += "data-binary = \(TokenRequest.curlQuote(body))\n"
                return "curl -sS -K - <<'WIF_CURL_CONFIG'\n" + config + "WIF_CURL_CONFIG\n"
            case .httpRequest(let url):
                let (host, target) = try TokenRequest.split(url: url)
                var head = "POST \(target) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                if let header { head += "Authorization: \(header)\r\n" }
                return head + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
            }
        }

        var isJSON: Bool { if case .json = self { return true } else { return false } }
    }

    /// A URL printed into a command line, an HTTP request or curl's configuration holds no byte <= 0x20 and no
    /// DEL: a CR or LF would start a new curl directive (`data-binary = @file` sends a file) or a new header.
    static func checkPrintable(url: String, option: String) throws(WIFError) {
        guard !url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw WIFError(.usage, "\(option): the URL \"\(JSON.escapedForMessage(url))\" holds a space or a control character")
        }
    }

    /// A curl config-file string: double-quoted, `\` and `"` escaped, tab, CR, LF and VT as curl's escapes (curl(1),
    /// -K). Scalar by scalar: as Characters, "\r\n" is one grapheme that equals neither "\r" nor "\n".
    static func curlQuote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// The Host and request target of an http or https URL.
    static func split(url: String) throws(WIFError) -> (host: String, target: String) {
        let u = Substring(url)
        let rest: Substring
        if u.hasPrefix("http://") { rest = u.dropFirst(7) } else if u.hasPrefix("https://") { rest = u.dropFirst(8) } else {
            throw WIFError(.usage, "--http-request needs an http:// or https:// URL, not \"\(JSON.escapedForMessage(url))\"")
        }
        let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let host = rest[..<slash]
        var target = String(rest[slash...])
        if target.isEmpty || target.first == "?" { target = "/" + target }
        guard !host.isEmpty, url.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), !host.contains("@") else {
            throw WIFError(.usage, "--http-request: \"\(JSON.escapedForMessage(url))\" has no host, a space, a control character or user information")
        }
        return (String(host), target)
    }
}
