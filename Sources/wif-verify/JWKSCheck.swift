// SPDX-License-Identifier: Apache-2.0
import CLI
import Core

/// `wif-verify jwks-check`: a key rotation judged by Core's `RotationCheck`.
enum JWKSCheck: Command {
    static let published = Opt.string("published", "file", "The JWKS clients fetch now.", required: true)
    static let signing = Multi.strings("signing", "key", "A private key that signs now (JWK, JWKS, PEM or encrypted).")
    static let previous = Opt.string("previous", "file", "The JWKS clients had before this one (cached by verifiers); compared by thumbprint.")
    static let maxTokenLifetime = Opt.duration("max-token-lifetime", "Longest exp − iat of a token the keys sign (needed when --previous removes keys).")
    static let retiredAt = Opt.time("retired-at", "When the removed keys signed their last token (default: now).")
    static let leeway = Opt.duration("leeway", "Clock skew verifiers allow after exp (default 60s).")
    static let json = Flag("json", "Print the report as one JSON object.")

    static let spec = CommandSpec(
        "jwks-check",
        abstract: "Check a published JWKS against the signing keys and the previous JWKS before and after a key rotation.",
        discussion: "Exit status: 0 safe, 1 unsafe (each problem a stable code), 2 input error. See wif-verify(1), Rotation checks.",
        options: [published, signing, previous, maxTokenLifetime, retiredAt, leeway, CommonOptions.now, json]
            + PassphraseOptions.all,
        command: JWKSCheck.self)

    static func run(_ a: ParsedArguments) throws {
        let clock = try CommonOptions.clock(a).now()
        if a.value(previous) == nil && (a.has(retiredAt) || a.has(maxTokenLifetime)) {
            throw WIFError(.usage, "--max-token-lifetime and --retired-at go with --previous")
        }
        var check = try RotationCheck.load(published: a.value(published) ?? "", signing: a.values(signing),
                                           previous: a.value(previous),
                                           passphrase: try PassphraseOptions.passphrase(a, stdinUsed: false), now: clock)
        check.maxTokenLifetime = try a.value(maxTokenLifetime).map { s throws(WIFError) in
            try NumericDate.parseDuration(s, what: "--max-token-lifetime")
        }
        check.retiredAt = try a.value(retiredAt).map { s throws(WIFError) in
            try NumericDate.parseInstant(s, now: clock, what: "--retired-at")
        }
        check.leeway = try NumericDate.parseDuration(a.value(leeway) ?? "60", what: "--leeway")
        let report = try check.run()
        var w = StdoutWriter()
        try w.write(a.flag(json) ? report.json.serialized() + "\n" : report.text)
        try w.flush()
        if !report.safe { throw ExitStatusRequest.rejected }
    }
}
