// SPDX-License-Identifier: Apache-2.0
import CLI
import Core

/// `wif-verify conform` runs `wif-serve conform` with the same arguments: the servers of the runs are SwiftNIO's,
/// which lives in `wif-serve` only (as for `serve`).
enum Conform: Command {
    static var spec: CommandSpec { ConformOptions.spec(command: Conform.self) }

    static func run(_ a: ParsedArguments) throws {
        let arguments = ["wif-verify"] + Array(CommandLine.arguments.dropFirst())
        try ProcessControl.execSibling("wif-serve", arguments: arguments)
    }
}
