// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// MCPEndpoint: JSON-RPC 2.0 §5.1 error codes and the Streamable HTTP answers.
@Suite struct MCPEndpointTests {
    let fx: ServeFixture

    init() throws { fx = try ServeFixture() }


    func mcp(_ text: String) -> MCPEndpoint.Reply {
        var claims = JSONObject()
        claims["sub"] = .string("w")
        claims["client_id"] = .string("c")
        claims["act"] = .object(JSONObject([("sub", .string("agent")), ("act", .object(JSONObject([("sub", .string("ci"))])))]))
        return MCPEndpoint.handle(body: Array(text.utf8), token: claims)
    }

    func code(_ r: MCPEndpoint.Reply) -> Int64? { r.body?.objectValue?["error"]?.objectValue?["code"]?.int64Value }

    @Test func jsonRPC() throws {
        var r = mcp(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26"}}"#)
        #expect(r.status == 200 && r.method == "initialize")
        #expect(r.body?.objectValue?["result"]?.objectValue?["protocolVersion"]?.stringValue == "2025-03-26")
        r = mcp(#"{"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":"1999-01-01"}}"#)
        #expect(r.body?.objectValue?["result"]?.objectValue?["protocolVersion"]?.stringValue == MCPEndpoint.protocolVersions.last)
        #expect(r.body?.objectValue?["id"] == .string("a"))
        r = mcp(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        #expect(r.status == 202 && r.body == nil && r.method == "notifications/initialized")
        r = mcp(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami"}}"#)
        let who = r.body?.objectValue?["result"]?.objectValue?["structuredContent"]
        #expect(who?.serialized() == #"{"sub":"w","client_id":"c","scope":null,"act":["agent","ci"]}"#)
        #expect(code(mcp(#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"rm"}}"#)) == -32602)
        #expect(code(mcp(#"{"jsonrpc":"2.0","id":3,"method":"resources/list"}"#)) == -32601)
        #expect(code(mcp("{nope")) == -32700 && mcp("{nope").status == 400)
        #expect(code(mcp(#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#)) == -32600)
        #expect(code(mcp(#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#)) == -32600)
        #expect(mcp(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).body?.objectValue?["result"] == .object(JSONObject()))
    }
}
