// SPDX-License-Identifier: Apache-2.0
import Core
import NIOCore
import NIOHTTP1

/// One complete HTTP request, as the connection handler hands it over.
struct Request {
    var method: String
    /// The request target as sent (path and query).
    var target: String
    var headers: [(String, String)]
    var body: [UInt8]
    /// The target without its query, split once (the router and the event line both read it).
    let path: Substring

    init(method: String, target: String, headers: [(String, String)], body: [UInt8]) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        path = target[..<(target.utf8.firstIndex(of: UInt8(ascii: "?")) ?? target.endIndex)]
    }

    /// The values of the header `name` (lower case), its name compared ignoring ASCII case only: HTTP field
    /// names are ASCII tokens (NIO's parser refuses others), and lowercasing each name made a String per header.
    func values(_ name: String) -> [String] {
        var out: [String] = []
        for (k, v) in headers where k.sameIgnoringASCIICase(name) { out.append(v) }
        return out
    }
}

/// One response; `close` ends the connection after it.
struct Response {
    var status: Int
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    var close = false

    /// Whether every header name is an RFC 9110 token and no value holds a control byte but tab (a CR or LF would
    /// end the header early). Every header is this server's own; a value from configuration (`--dpop-nonce`) or
    /// a message is checked anyway.
    var headersAreSafe: Bool {
        for (name, value) in headers {
            var n = name, v = value
            let ok = n.withUTF8 { b in !b.isEmpty && b.allSatisfy { Response.tokenByte[Int($0)] } }
                && v.withUTF8 { b in b.allSatisfy { $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 } }
            if !ok { return false }
        }
        return true
    }

    /// The bytes of an RFC 9110 token (tchar), by value.
    static let tokenByte: [Bool] = (0..<256).map { c in
        (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c)
            || "!#$%&'*+-.^_`|~".utf8.contains(UInt8(c))
    }

    /// The HTTP/1.1 response (RFC 9112 §4, §6): status line with NIO's reason phrase, the headers in order, then
    /// `Content-Length` and, when the connection ends after it, `Connection: close`; the body unless `omitBody` (a
    /// HEAD). One buffer, so one write: through NIO's HTTPResponseEncoder the head, body and end parts were 14k
    /// instructions of a token request (issue 13). `head` is scratch space, reused.
    func write(to buf: inout ByteBuffer, head: inout [UInt8], close: Bool, omitBody: Bool) {
        head.removeAll(keepingCapacity: true)
        head.append(contentsOf: "HTTP/1.1 ".utf8)
        head.append(contentsOf: String(status).utf8)
        head.append(0x20)
        head.append(contentsOf: HTTPResponseStatus(statusCode: status).reasonPhrase.utf8)
        head.append(contentsOf: "\r\n".utf8)
        for (name, value) in headers {
            head.append(contentsOf: name.utf8)
            head.append(contentsOf: ": ".utf8)
            head.append(contentsOf: value.utf8)
            head.append(contentsOf: "\r\n".utf8)
        }
        head.append(contentsOf: "Content-Length: ".utf8)
        head.append(contentsOf: String(body.count).utf8)
        head.append(contentsOf: (close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n").utf8)
        buf.writeBytes(head)
        if !omitBody { buf.writeBytes(body) }
    }

    static func json(_ status: Int, _ j: JSON, headers: [(String, String)] = []) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")] + headers, body: j.bytes())
    }

    static func error(_ status: Int, _ error: String, _ description: String, close: Bool = false) -> Response {
        var r = json(status, .object(JSONObject([("error", .string(error)), ("error_description", .string(description))])))
        r.close = close
        return r
    }
}

/// Routes a request to the Core use case that answers it, and records the event. Paths and methods:
///
/// | path | method | answer |
/// | --- | --- | --- |
/// | `/.well-known/oauth-authorization-server`, `/.well-known/openid-configuration` | GET | RFC 8414 metadata |
/// | `/.well-known/oauth-protected-resource`, `…/mcp` | GET | RFC 9728 metadata |
/// | `/jwks` | GET | the access-token signer's public key |
/// | `/authorize` | GET, POST | 400 `unsupported_response_type` (recorded: a fallback after a failure) |
/// | `/token` | POST | `TokenEndpoint` (form-encoded only) |
/// | `/mcp` | POST | `ProtectedResource`, then `MCPEndpoint`; GET and DELETE 405 (no SSE stream, no sessions) |
///
/// Anything else is 404; a known path with another method is 405 with `Allow`.
extension ServerState {
    /// The paths served, matched as exact bytes like every protocol identifier, `/token` first: the `switch` on
    /// strings compared the path with each case by Unicode rules, most of the routing cost (issue 13).
    enum Route { case token, mcp, asMetadata, prMetadata, jwks, authorize }
    static let routes: [([UInt8], Route)] = ([
        ("/token", .token), ("/mcp", .mcp),
        ("/.well-known/oauth-authorization-server", .asMetadata), ("/.well-known/openid-configuration", .asMetadata),
        ("/.well-known/oauth-protected-resource", .prMetadata), ("/.well-known/oauth-protected-resource/mcp", .prMetadata),
        ("/jwks", .jwks), ("/authorize", .authorize),
    ] as [(String, Route)]).map { (Array($0.0.utf8), $0.1) }

    static func route(of path: Substring) -> Route? {
        var path = path
        return path.withUTF8 { b in routes.first { $0.0.count == b.count && $0.0.elementsEqual(b) }?.1 }
    }

    func route(_ r: Request, event: inout JSONObject) throws(WIFError) -> Response {
        switch ServerState.route(of: r.path) {
        case .asMetadata:
            guard r.method == "GET" else { return notAllowed("GET") }
            return Response(status: 200, headers: [("Content-Type", "application/json")], body: asMetadata)
        case .prMetadata:
            guard r.method == "GET" else { return notAllowed("GET") }
            return Response(status: 200, headers: [("Content-Type", "application/json")], body: prMetadata)
        case .jwks:
            guard r.method == "GET" else { return notAllowed("GET") }
            return Response(status: 200, headers: [("Content-Type", "application/json")], body: jwks)
        case .authorize:
            guard r.method == "GET" || r.method == "POST" else { return notAllowed("GET, POST") }
            let checks = conformance.authorizationEndpointVisit()
            if !checks.isEmpty { event["checks"] = .array(checks.map(\.json)) }
            event["error"] = .string("unsupported_response_type")
            return .error(400, "unsupported_response_type",
                          "this server issues tokens only at its token endpoint (jwt-bearer grant)")
        case .token:
            guard r.method == "POST" else { return notAllowed("POST") }
            return try token(r, event: &event)
        case .mcp:
            guard r.method == "POST" else { return notAllowed("POST") }
            return try mcp(r, event: &event)
        case nil:
            return .error(404, "not_found", "no such path on this server")
        }
    }

    func notAllowed(_ allow: String) -> Response {
        var r = Response.error(405, "method_not_allowed", "use \(allow)")
        r.headers.append(("Allow", allow))
        return r
    }

    func token(_ r: Request, event: inout JSONObject) throws(WIFError) -> Response {
        var facts = TokenEndpoint.Facts()
        let outcome: TokenEndpoint.Outcome
        if let refused = TokenEndpoint.contentTypeProblem(r.values("content-type")) {
            outcome = refused
            facts.error = .invalidRequest
            facts.reason = .invalidRequest
        } else {
            outcome = try endpoint.handle(body: r.body, headers: r.headers,
                                          dpop: TokenEndpoint.DPoPRequest(proofs: r.values("dpop"), htu: tokenURL),
                                          now: now(), facts: &facts)
        }
        // The event holds only time, method, path and status so far: these members are new.
        event.appendNew("grant_type", facts.grantType.map { .string($0) } ?? .null)
        event.appendNew("client_auth", .string(facts.clientAuth))
        if let e = facts.error { event.appendNew("error", .string(e.rawValue)) }
        if let reason = facts.reason { event.appendNew("reason", .string(reason.rawValue)) }
        if case .failure(_, let w) = outcome { event.appendNew("detail", .string(w.detail)) }
        if let s = facts.sub { event.appendNew("sub", .string(s)) }
        if let j = facts.jti { event.appendNew("jti", .string(j)) }
        if let c = facts.clientID { event.appendNew("client_id", .string(c)) }
        if let s = facts.scope { event.appendNew("scope", .string(s)) }
        if case .success(let j) = outcome, let t = j.objectValue?["token_type"] { event.appendNew("token_type", t) }
        event.appendNew("checks", .array(conformance.tokenRequest(facts).map(\.json)))
        return Response(status: outcome.httpStatus,
                        headers: TokenEndpoint.httpHeaders(outcome, requestHeaders: r.headers, realm: endpoint.issuer,
                                                           dpopNonce: endpoint.dpop.nonce),
                        body: outcome.json.bytes())
    }

    func mcp(_ r: Request, event: inout JSONObject) throws(WIFError) -> Response {
        let decision = try resource.authorize(r.values("authorization"), dpop: r.values("dpop"), htm: r.method, now: now(),
                                              replayCache: endpoint.replayCache ?? endpoint.memoryReplayCache)
        switch decision {
        case .refused(let status, let error, let reason, let detail):
            event["mcp_authorized"] = .bool(false)
            if let error { event["error"] = .string(error) }
            if let reason { event["reason"] = .string(reason.rawValue) }
            event["detail"] = .string(detail)
            let challenge = resource.wwwAuthenticate(error: error, reason: reason, detail: detail,
                                                     usedDPoP: ProtectedResource.usesDPoPScheme(r.values("authorization")))
            var o = JSONObject()
            o["error"] = .string(error ?? "invalid_token")
            o["error_description"] = .string(detail)
            return .json(status, .object(o), headers: [("WWW-Authenticate", challenge)])
        case .authorized(let token):
            event["mcp_authorized"] = .bool(true)
            if let s = token.claims["sub"]?.stringValue { event["sub"] = .string(s) }
            if let c = token.claims["client_id"]?.stringValue { event["client_id"] = .string(c) }
            if let jkt = token.claims["cnf"]?.objectValue?["jkt"] { event["dpop_jkt"] = jkt }
            let reply = MCPEndpoint.handle(body: r.body, token: token.claims, serverVersion: options.version)
            if let method = reply.method { event["mcp_method"] = .string(method) }
            guard let body = reply.body else { return Response(status: reply.status) }
            return .json(reply.status, body)
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
