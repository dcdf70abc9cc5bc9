// SPDX-License-Identifier: Apache-2.0
import CLI
import Core
import Server

/// `wif-serve`: runs `wif-verify serve` and `wif-verify conform` (which exec it, the way `git foo` runs `git-foo`),
/// so that SwiftNIO is linked into this binary only. Run directly, it takes the same arguments, with or without
/// `serve` first; its messages name `wif-verify` when it was started by `wif-verify` (argv[0]).
@main
enum WifServe {
    static func main() {
        let invokedAs = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "") } ?? ""
        let tool = invokedAs == "wif-verify" ? "wif-verify" : "wif-serve"
        CLI.main(tool: tool, spec: CommandSpec(tool, abstract: "Run wif-verify serve and conform (see wif-verify(1)).",
                                               subcommands: [Subcommand("serve") { ServeOptions.spec(command: Serve.self) },
                                                             Subcommand("conform") { ConformOptions.spec(command: Conform.self) }],
                                               defaultSubcommand: "serve"))
    }
}

/// Reads the command line into Core's endpoint settings and the server's options, then serves until a stop.
enum Serve: Command {
    static var spec: CommandSpec { ServeOptions.spec(command: Serve.self) }

    static func run(_ a: ParsedArguments) throws {
        let settings = try EndpointOptions.settings(a)
        try settings.checkServable()
        let forced = try a.value(ServeOptions.forceError).map { s throws(WIFError) in try TokenEndpoint.ForcedAnswer.named(s) }
        let clock = try CommonOptions.clock(a)
        var o = ServerOptions()
        if let l = a.value(ServeOptions.listen) { o.listen = l }
        o.portFile = a.value(ServeOptions.portFile)
        o.logPath = a.value(ServeOptions.log)
        o.issuer = a.value(ServeOptions.issuer)
        o.resourceScopes = a.values(ServeOptions.resourceScope)
        o.maxRequests = try a.value(ServeOptions.maxRequests)
        o.maxConnections = try a.value(ServeOptions.maxConnections) ?? o.maxConnections
        func duration(_ opt: Opt<String>, _ name: String) throws(WIFError) -> Int64? {
            guard let text = a.value(opt) else { return nil }
            return try NumericDate.parseDuration(text, what: "--\(name)")
        }
        o.idleTimeout = try duration(ServeOptions.idleTimeout, "idle-timeout")
        o.timeout = try duration(ServeOptions.timeout, "timeout")
        o.readTimeout = try duration(ServeOptions.readTimeout, "read-timeout") ?? o.readTimeout
        o.fixedNow = clock.fixed
        o.version = WIFVersion.string
        let passphrase = try PassphraseOptions.passphrase(a, stdinUsed: false)
        let key = try a.value(ServeOptions.issuerKey).map { path throws(WIFError) in
            try KeySource.loadSigningKey(path: path, kid: nil, passphrase: passphrase)
        } ?? JWK.generate(alg: .es256)
        let server = try LoopbackServer(options: o, issuerKey: key) { base throws(WIFError) in
            var endpoint = try settings.serverEndpoint(base: base, passphrase: nil)
            endpoint.forcedAnswer = forced
            endpoint.dpop = DPoPOptions.policy(a)
            return endpoint
        }
        _ = try server.wait()
    }
}
