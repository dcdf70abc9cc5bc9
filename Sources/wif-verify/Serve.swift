// SPDX-License-Identifier: Apache-2.0
import Core
import Server

struct Serve {
    static let spec = CommandSpec(
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

    let options: PolicyOptions
    let endpointOptions: EndpointOptions
    var serve = ServeOptions()
    let issuerKey: String?
    let passphrase: PassphraseOptions

    init(_ a: ParsedArguments) throws {
        options = try PolicyOptions(a)
        endpointOptions = EndpointOptions(a)
        issuerKey = a.string("issuer-key")
        passphrase = try PassphraseOptions(a)
        if let l = a.string("listen") { serve.listen = l }
        serve.portFile = a.string("port-file")
        serve.logPath = a.string("log")
        serve.issuer = a.string("issuer")
        serve.resourceScopes = a.strings("resource-scope")
        serve.maxRequests = try a.int("max-requests")
        func duration(_ name: String) throws -> Int64? {
            try a.string(name).map { try NumericDate.parseDuration($0, what: "--\(name)") }
        }
        serve.idleTimeout = try duration("idle-timeout")
        serve.timeout = try duration("timeout")
        serve.readTimeout = try duration("read-timeout") ?? 10
        serve.maxConnections = try a.int("max-connections") ?? 256
        serve.fixedNow = try options.now.map { _ in try options.clock() }
    }

    func run() throws {
        if options.jwks.contains("-") {
            throw WIFError(.usage, "--jwks -: standard input is not read by serve; give the JWKS as a file")
        }
        let key = try issuerKey.map {
            try KeySource.loadSigningKey(path: $0, kid: nil, passphrase: try passphrase.passphrase(stdinUsed: false))
        } ?? JWK.generate(alg: .es256)
        let replay = try options.replayCache.map { try ReplayCache(path: $0, now: try options.clock()) }
        let endpointOptions = self.endpointOptions
        let policyOptions = self.options
        var failure: Error?
        let server: LoopbackServer
        do {
            server = try LoopbackServer(options: serve, issuerKey: key) { base throws(WIFError) in
                do {
                    // The assertion's aud may name the issuer or the token endpoint (SEP-1933), unless --aud is given.
                    var e = try endpointOptions.endpoint(policyOptions, defaultAudiences: [base, base + "/token"])
                    e.replayCache = replay
                    return e
                } catch let e as WIFError {
                    throw e
                } catch {
                    failure = error
                    throw WIFError(.usage, "\(error)")
                }
            }
        } catch {
            throw failure ?? error
        }
        let reason = server.wait()
        try replay?.close()
        if reason == "log-failed" { throw ExitStatusRequest(2) }
    }
}
