// SPDX-License-Identifier: Apache-2.0

/// The command line of `wif-verify serve`. Declared here so that `wif-verify` (help, parsing) and `wif-serve`
/// (which runs it: linking SwiftNIO into `wif-verify` cost every run, see BENCHMARKS.md) share one declaration.
public enum ServeCommand {
    public static let spec = CommandSpec(
        "serve",
        abstract: "Serve the token endpoint of 'request' and an MCP resource over HTTP on loopback, logging each request.",
        discussion: "Prints its URL (http://127.0.0.1:PORT) as the first line, then one JSON event a line. Exit 0 when it "
            + "stops (signal, --timeout, --idle-timeout, --max-requests); 2 when it cannot start. See wif-verify(1), SERVE.",
        options: PolicyOptions.specs + EndpointOptions.specs + [
            .value("listen", "host:port", "Numeric address and port to listen on (default 127.0.0.1:0, a free port)."),
            .value("port-file", "file", "Also write the URL to this file, atomically, once listening."),
            .value("log", "file", "Append the event log to this file instead of standard output."),
            .value("issuer-key", "file", "Private key that signs access tokens (default: an ephemeral ES256 key)."),
            .value("issuer", "uri", "Issuer in metadata and access tokens (default: the URL)."),
            .values("resource-scope", "scope", "Scope an access token must carry for /mcp (403 insufficient_scope)."),
            .value("max-requests", "n", "Stop after answering N HTTP requests."),
            .value("idle-timeout", "duration", "Stop after this long without a request."),
            .value("timeout", "duration", "Stop after this long in all."),
            .value("read-timeout", "duration", "Time a connection has to send a whole request (default 10s; then 408)."),
            .value("max-connections", "n", "Open connections served at once (default 256; more are answered 503)."),
        ] + PassphraseOptions.specs)
}
