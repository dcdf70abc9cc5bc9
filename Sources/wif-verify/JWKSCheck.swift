// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Core

struct JWKSCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jwks-check",
        abstract: "Check a published JWKS against the signing keys and the previous JWKS before and after a key rotation.",
        discussion: "Exit status: 0 safe, 1 unsafe (each problem a stable code), 2 input error. See wif-verify(1), Rotation checks.")

    @Option(help: ArgumentHelp("The JWKS clients fetch now. Required.", valueName: "file"))
    var published: String
    @Option(help: ArgumentHelp("A private key that signs now (JWK, JWKS, PEM or encrypted); repeatable.", valueName: "key"))
    var signing: [String] = []
    @Option(help: ArgumentHelp("The JWKS clients had before this one (cached by verifiers); compared by thumbprint.", valueName: "file"))
    var previous: String?
    @Option(name: .customLong("max-token-lifetime"), help: ArgumentHelp("Longest exp − iat of a token the keys sign (needed when --previous removes keys).", valueName: "duration"))
    var maxTokenLifetime: String?
    @Option(name: .customLong("retired-at"), parsing: .unconditional, help: ArgumentHelp("When the removed keys signed their last token (default: now).", valueName: "time"))
    var retiredAt: String?
    @Option(help: ArgumentHelp("Clock skew verifiers allow after exp (default 60s).", valueName: "duration"))
    var leeway: String = "60"
    @Option(help: ArgumentHelp("Time of the check: epoch seconds or RFC 3339 (default: the system clock).", valueName: "time"))
    var now: String?
    @Flag(help: "Print the report as one JSON object.") var json = false
    @OptionGroup var passphrase: PassphraseOptions

    func run() throws {
        let clock = try now.map { try NumericDate.parseInstant($0, now: NumericDate.systemNow(), what: "--now") }
            ?? NumericDate.systemNow()
        if previous == nil && (retiredAt != nil || maxTokenLifetime != nil) {
            throw WIFError(.usage, "--max-token-lifetime and --retired-at go with --previous")
        }
        var check = try RotationCheck.load(published: published, signing: signing, previous: previous,
                                           passphrase: try passphrase.passphrase(stdinUsed: false), now: clock)
        check.maxTokenLifetime = try maxTokenLifetime.map { try NumericDate.parseDuration($0, what: "--max-token-lifetime") }
        check.retiredAt = try retiredAt.map { try NumericDate.parseInstant($0, now: clock, what: "--retired-at") }
        check.leeway = try NumericDate.parseDuration(leeway, what: "--leeway")
        let report = try check.run()
        var w = StdoutWriter()
        try w.write(json ? report.json.serialized() + "\n" : report.text)
        try w.flush()
        if !report.safe { throw ExitCode(1) }
    }
}

/// Where the passphrase of encrypted keys comes from (`jwks-check --signing`, `request --issuer-key`); never the
/// command line (see wif-verify(1)).
struct PassphraseOptions: ParsableArguments {
    @Option(name: .customLong("passphrase-file"), help: ArgumentHelp("Read the passphrase of encrypted keys from this file (one final newline dropped).", valueName: "file"))
    var passphraseFile: String?
    @Option(name: .customLong("passphrase-fd"), help: ArgumentHelp("Read the passphrase from this open file descriptor.", valueName: "n"))
    var passphraseFD: Int32?

    /// The passphrase source; `stdinUsed` says standard input already carries other input.
    func passphrase(stdinUsed: Bool) throws -> Passphrase {
        let p = try Passphrase(Passphrase.Source(file: passphraseFile, fd: passphraseFD))
        if stdinUsed && p.readsStandardInput {
            throw WIFError(.usage, "the passphrase cannot come from standard input here: it carries other input")
        }
        return p
    }
}
