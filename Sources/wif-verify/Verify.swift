// SPDX-License-Identifier: Apache-2.0
import CLI
import Core

/// `wif-verify [token]`: one token (argument, file or stdin) or `--batch`, judged by Core's `Verification`.
enum Verify: Command {
    static let json = Flag("json", "Print a JSON result object on stdout, for valid and rejected tokens alike.")
    static let batch = Flag("batch", "Read tokens one a line from stdin; print one JSON result a line.")

    static let spec = CommandSpec(
        "token",
        abstract: "Verify an assertion (the default subcommand).",
        discussion: "Valid: the claims as JSON on stdout, exit 0. Rejected: one line 'wif-verify: <oauth_error> (<reason>): <message>' on stderr, exit 1.",
        options: PolicyOptions.all + DPoPBindingOptions.all + [json, batch],
        positionals: [PositionalSpec("token", "The token, a file holding it, or \"-\" (the default) for standard input.")],
        command: Verify.self)

    static func run(_ a: ParsedArguments) throws {
        let settings = try PolicyOptions.settings(a)
        let token = a.positional(default: "-") ?? "-"
        try Verification.checkInputs(jwks: settings.jwks, token: token, batch: a.flag(batch))
        var verification = try Verification(settings: settings, clock: try CommonOptions.clock(a))
        verification.dpop = try DPoPBindingOptions.check(a, token: token, batch: a.flag(batch))
        var w = StdoutWriter()
        if a.flag(batch) {
            // The lines judged before a failure that stops the batch are answers too: they are written first.
            let summary: Verification.BatchSummary
            do { summary = try verification.verifyBatch(fd: 0, to: &w) } catch {
                try? w.flush()
                throw error
            }
            try w.flush()
            if summary.rejected > 0 { throw ExitStatusRequest.rejected }
            return
        }
        let bytes = try Input.token(token, limit: verification.validator.policy.maxTokenSize)
        switch Result(catching: { () throws(WIFError) in try verification.verify(bytes) }) {
        case .success(let v):
            try w.write((a.flag(json) ? VerifyReport.success(v) : .object(v.claims)).serialized() + "\n")
            try w.flush()
        case .failure(let e):
            guard a.flag(json) && e.reason.isRejection else { throw e }
            try w.write(VerifyReport.failure(e).serialized() + "\n")
            try w.flush()
            throw ExitStatusRequest.rejected
        }
    }
}
