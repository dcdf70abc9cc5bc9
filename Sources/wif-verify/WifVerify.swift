// SPDX-License-Identifier: Apache-2.0
import Core

@main
struct WifVerify {
    static let spec = CommandSpec(
        "wif-verify",
        abstract: "Judge workload-identity assertions offline, as a token endpoint would (RFC 7523, RFC 7519, RFC 8725).",
        discussion: "Exit status: 0 valid, 1 rejected, 2 usage or input error. See wif-verify(1).",
        subcommands: [Check.spec, Request.spec, ServeCommand.spec, JWKSCheck.spec],
        defaultSubcommand: "token")

    static func main() {
        CLI.main(tool: "wif-verify", spec: spec) { a in
            switch a.command {
            case "request": try Request(a).run()
            case "serve": try Serve.run()
            case "jwks-check": try JWKSCheck(a).run()
            default: try Check(a).run()
            }
        }
    }
}
