// SPDX-License-Identifier: Apache-2.0
import CLI
import Core

let algHelp = "One of: \(Algorithm.namesList)."

@main
enum WifMint {
    static let spec = CommandSpec(
        "wif-mint",
        abstract: "Generate keys, publish JWKS and mint signed workload-identity assertions.",
        discussion: "Exit status: 0 success, 2 usage or input error. See wif-mint(1).",
        subcommands: [Subcommand("token") { Token.spec }, Subcommand("key") { Key.spec }, Subcommand("jwks") { JWKS.spec }, Subcommand("request") { Request.spec }, Subcommand("fixtures") { FixturesCommand.spec }, Subcommand("dpop") { DPoPProof.spec }],
        defaultSubcommand: "token")

    static func main() { CLI.main(tool: "wif-mint", spec: spec) }
}
