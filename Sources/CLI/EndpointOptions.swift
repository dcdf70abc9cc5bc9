// SPDX-License-Identifier: Apache-2.0
import Core

/// The token endpoint options of `wif-verify request` and `serve` (grants, scopes, lifetime), declared once and read
/// into Core's `TokenEndpoint.Settings` with the policy options.
public enum EndpointOptions {
    public static let allowGrant = Multi.strings("allow-grant", "grant", "Also accept this grant_type (client_credentials, the token-exchange URN).")
    public static let rejectGrantType = Multi.strings("reject-grant-type", "grant", "grant_type this client may not use (unauthorized_client).")
    public static let allowScope = Multi.strings("allow-scope", "scope", "Allowed scope; any other requested scope is invalid_scope.")
    public static let rejectScope = Multi.strings("reject-scope", "scope", "Scope answered with invalid_scope.")
    public static let unauthorizedScope = Multi.strings("unauthorized-scope", "scope", "Scope answered with unauthorized_client.")
    public static let expiresIn = Opt.duration("expires-in", "Lifetime of issued access tokens (default 3600).")
    public static let clients = Opt.string("clients", "file", "Registered clients (JSON, RFC 7591 metadata): client secrets are accepted only for these.")

    public static let all: [any OptionDeclaration] = [allowGrant, rejectGrantType, allowScope, rejectScope, unauthorizedScope, expiresIn, clients]

    /// The policy and endpoint settings the command line gives (issuer key and issuer are the command's own).
    public static func settings(_ a: ParsedArguments) throws(WIFError) -> TokenEndpoint.Settings {
        var s = TokenEndpoint.Settings()
        s.policy = try PolicyOptions.settings(a)
        s.allowGrants = a.values(allowGrant)
        s.rejectGrantTypes = a.values(rejectGrantType)
        s.allowScopes = a.values(allowScope)
        s.rejectScopes = a.values(rejectScope)
        s.unauthorizedScopes = a.values(unauthorizedScope)
        s.expiresIn = a.value(expiresIn)
        s.clients = a.value(clients)
        return s
    }
}

/// The options of `wif-verify serve`, declared here because two executables read them: `wif-verify` (help,
/// completions, parsing) and `wif-serve`, which runs the server (SwiftNIO is linked there only).
public enum ServeOptions {
    public static let listen = Opt.string("listen", "host:port", "Numeric address and port to listen on (default 127.0.0.1:0, a free port).")
    public static let portFile = Opt.string("port-file", "file", "Also write the URL to this file, atomically, once listening.")
    public static let log = Opt.string("log", "file", "Append the event log to this file instead of standard output.")
    public static let issuerKey = Opt.string("issuer-key", "file", "Private key that signs access tokens (default: an ephemeral ES256 key).")
    public static let issuer = Opt.string("issuer", "uri", "Issuer in metadata and access tokens (default: the URL).")
    public static let resourceScope = Multi.strings("resource-scope", "scope", "Scope an access token must carry for /mcp (403 insufficient_scope).")
    public static let maxRequests = Opt.int("max-requests", "n", "Stop after answering N HTTP requests.")
    public static let idleTimeout = Opt.duration("idle-timeout", "Stop after this long without a request.")
    public static let timeout = Opt.duration("timeout", "Stop after this long in all.")
    public static let readTimeout = Opt.duration("read-timeout", "Time a connection has to send a whole request (default 10s; then 408).")
    public static let maxConnections = Opt.int("max-connections", "n", "Open connections served at once (default 256; more are answered 503).")
    public static let forceError = Opt.string(
        "force-error", "error", "Answer every token request it would grant with this error: invalid_scope, invalid_request or unauthorized_client.")

    public static let own: [any OptionDeclaration] = [
        listen, portFile, log, issuerKey, issuer, resourceScope, maxRequests, idleTimeout, timeout, readTimeout, maxConnections,
        forceError,
    ]

    /// The `serve` command table entry; `command` runs it (wif-verify's execs wif-serve, wif-serve's serves).
    public static func spec(command: any Command.Type) -> CommandSpec {
        CommandSpec(
            "serve",
            abstract: "Serve the token endpoint of 'request' and an MCP resource over HTTP on loopback, logging each request.",
            discussion: "Prints its URL (http://127.0.0.1:PORT) as the first line, then one JSON event a line. Exit 0 when it "
                + "stops (signal, --timeout, --idle-timeout, --max-requests); 2 when it cannot start. See wif-verify(1), SERVE.",
            options: PolicyOptions.all + EndpointOptions.all + DPoPOptions.endpoint + own + PassphraseOptions.all,
            command: command)
    }
}
