// SPDX-License-Identifier: Apache-2.0
import Core

let algHelp = "One of: \(Algorithm.namesList)."

@main
struct WifMint {
    static let spec = CommandSpec(
        "wif-mint",
        abstract: "Generate keys, publish JWKS and mint signed workload-identity assertions.",
        discussion: "Exit status: 0 success, 2 usage or input error. See wif-mint(1).",
        subcommands: [Token.spec, Key.spec, JWKS.spec, Request.spec, FixturesCommand.spec],
        defaultSubcommand: "token")

    static func main() {
        CLI.main(tool: "wif-mint", spec: spec) { a in
            switch a.path.dropFirst().joined(separator: " ") {
            case "key generate": try KeyGenerate(a).run()
            case "key encrypt": try KeyEncrypt(a).run()
            case "key decrypt": try KeyDecrypt(a).run()
            case "jwks": try JWKS(a).run()
            case "request": try Request(a).run()
            case "fixtures": try FixturesCommand(a).run()
            default: try Token(a).run()
            }
        }
    }
}
