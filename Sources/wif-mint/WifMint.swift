// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Core

let algHelp = "One of: \(Algorithm.namesList)."

@main
struct WifMint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wif-mint",
        abstract: "Generate keys, publish JWKS and mint signed workload-identity assertions.",
        discussion: "Exit status: 0 success, 2 usage or input error. See wif-mint(1).",
        version: WIFVersion.string,
        subcommands: [Token.self, Key.self, JWKS.self, Request.self, FixturesCommand.self],
        defaultSubcommand: Token.self
    )

    static func main() {
        CLI.run(tool: "wif-mint") { () throws -> Void in
            var command = try parseAsRoot()
            try command.run()
        } parseError: { error in
            (exitCode(for: error).rawValue, fullMessage(for: error))
        }
    }
}
