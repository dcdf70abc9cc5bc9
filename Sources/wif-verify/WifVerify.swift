// SPDX-License-Identifier: Apache-2.0
import CLI

@main
enum WifVerify {
    static let spec = CommandSpec(
        "wif-verify",
        abstract: "Judge workload-identity assertions offline, as a token endpoint would (RFC 7523, RFC 7519, RFC 8725).",
        discussion: "Exit status: 0 valid, 1 rejected, 2 usage or input error. See wif-verify(1).",
        subcommands: [Subcommand("token") { Verify.spec }, Subcommand("request") { Request.spec },
                      Subcommand("serve") { ServeOptions.spec(command: Serve.self) }, Subcommand("jwks-check") { JWKSCheck.spec },
                      Subcommand("conform") { ConformOptions.spec(command: Conform.self) }, Subcommand("dpop") { DPoPCheck.spec }],
        defaultSubcommand: "token")

    static func main() { CLI.main(tool: "wif-verify", spec: spec) }
}
