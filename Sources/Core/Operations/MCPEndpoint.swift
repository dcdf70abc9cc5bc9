// SPDX-License-Identifier: Apache-2.0

/// The MCP server behind `wif-verify serve`'s `/mcp`: enough of the Streamable HTTP transport (MCP 2025-06-18,
/// "Transports") for a client to initialize, list tools and call one, once its access token was accepted.
///
/// Rules, for one POSTed JSON-RPC 2.0 message:
/// - not JSON → HTTP 400, error -32700; not a request or notification object (a batch included) → 400, -32600;
/// - a notification or a response (no `id`, or `result`/`error`) → HTTP 202, no body;
/// - `initialize` → the client's protocolVersion when known, else the newest; capabilities `tools`;
///   `ping` → `{}`; `tools/list` → one tool, `whoami`; `tools/call` `whoami` → the token's sub, client_id, scope
///   and act chain as text and structuredContent; another tool → -32602; another method → -32601.
public enum MCPEndpoint {
    public static let protocolVersions = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]

    public struct Reply: Sendable {
        public let status: Int
        /// The JSON-RPC response, nil for 202.
        public let body: JSON?
        /// The request's or notification's method, for a log.
        public var method: String?
    }

    public static func handle(body: [UInt8], token: JSONObject, serverVersion: String = "") -> Reply {
        let message: JSON
        do { message = try JSON.parse(body) } catch {
            return Reply(status: 400, body: errorResponse(.null, -32700, "parse error: \(error.detail)"))
        }
        guard case .object(let m) = message, m["jsonrpc"]?.stringValue == "2.0" else {
            return Reply(status: 400, body: errorResponse(.null, -32600, "not a JSON-RPC 2.0 message object"))
        }
        guard let id = m["id"], m["result"] == nil, m["error"] == nil else {
            return Reply(status: 202, body: nil, method: m["method"]?.stringValue)  // a notification or a response
        }
        guard let method = m["method"]?.stringValue else {
            return Reply(status: 400, body: errorResponse(id, -32600, "method is missing"))
        }
        var reply = answer(id: id, method: method, params: m["params"]?.objectValue ?? JSONObject(), token: token,
                           serverVersion: serverVersion)
        reply.method = method
        return reply
    }

    static func answer(id: JSON, method: String, params: JSONObject, token: JSONObject, serverVersion: String) -> Reply {
        switch method {
        case "initialize":
            let asked = params["protocolVersion"]?.stringValue ?? ""
            let version = protocolVersions.containsExactly(asked) ? asked : protocolVersions[protocolVersions.count - 1]
            return result(id, JSONObject([
                ("protocolVersion", .string(version)),
                ("capabilities", .object(JSONObject([("tools", .object(JSONObject()))]))),
                ("serverInfo", .object(JSONObject([("name", .string("wif-verify serve")), ("version", .string(serverVersion))]))),
            ]))
        case "ping":
            return result(id, JSONObject())
        case "tools/list":
            let schema = JSONObject([("type", .string("object")), ("properties", .object(JSONObject()))])
            let tool = JSONObject([
                ("name", .string("whoami")),
                ("description", .string("The sub, client_id, scope and act chain of the access token of this request.")),
                ("inputSchema", .object(schema)),
            ])
            return result(id, JSONObject([("tools", .array([.object(tool)]))]))
        case "tools/call":
            guard params["name"]?.stringValue == "whoami" else {
                return Reply(status: 200, body: errorResponse(id, -32602, "unknown tool"))
            }
            let who = whoami(token)
            let content = JSONObject([("type", .string("text")), ("text", .string(who.serialized()))])
            return result(id, JSONObject([("content", .array([.object(content)])), ("structuredContent", who),
                                          ("isError", .bool(false))]))
        default:
            return Reply(status: 200, body: errorResponse(id, -32601, "method not found"))
        }
    }

    /// What `whoami` reports: sub, client_id, scope (null when absent) and the act chain, outermost first.
    public static func whoami(_ claims: JSONObject) -> JSON {
        var chain: [JSON] = []
        var act = claims["act"]?.objectValue
        while let a = act, chain.count <= Policy.hardMaxDelegationDepth {
            chain.append(a["sub"] ?? .null)
            act = a["act"]?.objectValue
        }
        return .object(JSONObject([("sub", claims["sub"] ?? .null), ("client_id", claims["client_id"] ?? .null),
                                   ("scope", claims["scope"] ?? .null), ("act", .array(chain))]))
    }

    static func result(_ id: JSON, _ r: JSONObject) -> Reply {
        Reply(status: 200, body: .object(JSONObject([("jsonrpc", .string("2.0")), ("id", id), ("result", .object(r))])))
    }

    static func errorResponse(_ id: JSON, _ code: Int64, _ message: String) -> JSON {
        let e = JSONObject([("code", .integer(code)), ("message", .string(message))])
        return .object(JSONObject([("jsonrpc", .string("2.0")), ("id", id), ("error", .object(e))]))
    }
}
