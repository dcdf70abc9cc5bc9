// SPDX-License-Identifier: Apache-2.0
import Core

/// `wif-verify serve` runs `wif-serve` with the same arguments: the HTTP server (SwiftNIO) lives in its own
/// executable, because linking it into `wif-verify` made every run slower (BENCHMARKS.md, "serve").
enum Serve {
    static func run() throws {
        try ProcessControl.execSibling("wif-serve", arguments: ["wif-verify"] + Array(CommandLine.arguments.dropFirst()))
    }
}
