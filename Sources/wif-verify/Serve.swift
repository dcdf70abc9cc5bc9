// SPDX-License-Identifier: Apache-2.0
import CLI
import Core

/// `wif-verify serve` runs `wif-serve` with the same arguments: the HTTP server (SwiftNIO) lives in its own
/// executable, because linking it into `wif-verify` made every run slower (BENCHMARKS.md, "serve").
enum Serve: Command {
    static var spec: CommandSpec { ServeOptions.spec(command: Serve.self) }

    static func run(_ a: ParsedArguments) throws {
        try ProcessControl.execSibling("wif-serve", arguments: ["wif-verify"] + Array(CommandLine.arguments.dropFirst()))
    }
}
