// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Core

struct Request: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build an OAuth token-request body (RFC 7523 jwt-bearer grant).",
        discussion: "The body is written exactly, with no trailing newline, for curl --data-binary @-.")

    @Option(help: ArgumentHelp("Requested scope (space-separated).", valueName: "scope")) var scope: String?
    @Option(help: ArgumentHelp("Resource indicator (RFC 8707); repeatable.", valueName: "uri")) var resource: [String] = []
    @Argument(help: ArgumentHelp("The assertion; \"-\" reads standard input.", valueName: "assertion"))
    var assertion: String = "-"

    func run() throws {
        let token = assertion == "-"
            ? String(decoding: try Input.readTrimmed("-", limit: CompactJWS.defaultMaxSize + 2), as: UTF8.self)
            : assertion
        guard !token.isEmpty else { throw WIFError(.usage, "the assertion is empty") }
        var params: [(String, String)] = [("grant_type", TokenRequest.jwtBearerGrant), ("assertion", token)]
        if let scope { params.append(("scope", scope)) }
        for r in resource { params.append(("resource", r)) }
        var w = StdoutWriter()
        try w.write(FormEncoding.encode(params))
        try w.flush()
    }
}
