// SPDX-License-Identifier: Apache-2.0
import Core
import Server

/// `wif-serve`: runs `wif-verify serve` (which execs it, the way `git foo` runs `git-foo`), so that SwiftNIO
/// is linked into this binary only. Run directly, it takes the same arguments, with or without `serve` first.
@main
struct WifServe {
    static func main() {
        let invokedAs = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "") } ?? ""
        let tool = invokedAs == "wif-verify" ? "wif-verify" : "wif-serve"
        let root = CommandSpec(tool, abstract: ServeCommand.spec.abstract, subcommands: [ServeCommand.spec],
                               defaultSubcommand: "serve")
        CLI.main(tool: tool, spec: root) { a in try Serve(a).run() }
    }
}

struct Serve {
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
        let server = try LoopbackServer(options: serve, issuerKey: key) { base throws(WIFError) in
            // The assertion's aud may name the issuer or the token endpoint (SEP-1933), unless --aud is given.
            var e = try endpointOptions.endpoint(policyOptions, defaultAudiences: [base, base + "/token"])
            e.replayCache = replay
            return e
        }
        let reason = server.wait()
        try replay?.close()
        if reason == "log-failed" { throw ExitStatusRequest(2) }
    }
}
