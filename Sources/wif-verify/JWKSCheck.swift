// SPDX-License-Identifier: Apache-2.0
import CLI
import Core

/// `wif-verify jwks-check`: a key rotation judged by Core's `RotationCheck`.
enum JWKSCheck: Command {
    static let published = Opt.string("published", "file", "The JWKS clients fetch now.", required: true)
    static let signing = Multi.strings("signing", "key", "A private key that signs now (JWK, JWKS, PEM or encrypted).")
    static let previous = Opt.string(
        "previous", "file", "The JWKS clients had before this one (cached by verifiers); compared by thumbprint.")
    static let maxTokenLifetime = Opt.duration(
        "max-token-lifetime", "Longest exp − iat of a token the keys sign (needed when --previous removes keys).")
    static let retiredAt = Opt.time("retired-at", "When the removed keys signed their last token (default: now).")
    static let leeway = Opt.duration("leeway", "Clock skew verifiers allow after exp (default 60s).")
    static let publishedAt = Opt.time("published-at", "When the --published set went live (with --cache-ttl).")
    static let previousPublishedAt = Opt.time(
        "previous-published-at", "When the --previous set went live (with --cache-ttl).")
    static let cacheTTL = Opt.duration(
        "cache-ttl", "Longest time a verifier caches a JWKS: a signing key must be live that long.")
    static let allow = Multi.strings(
        "allow", "code", "Waive findings with this code (repeatable); the report lists them.")
    static let json = Flag("json", "Print the report as one JSON object.")

    static let spec = CommandSpec(
        "jwks-check",
        abstract: "Check a published JWKS against the signing keys and the previous JWKS before and after a key rotation.",
        discussion: "Exit status: 0 safe, 1 unsafe (each problem a stable code), 2 input error. See wif-verify(1), Rotation checks.",
        options: [published, signing, previous, maxTokenLifetime, retiredAt, leeway, publishedAt, previousPublishedAt,
                  cacheTTL, allow, CommonOptions.now, json] + PassphraseOptions.all,
        command: JWKSCheck.self)

    static func run(_ a: ParsedArguments) throws {
        var s = RotationCheck.Settings()
        s.published = a.value(published) ?? ""
        s.signing = a.values(signing)
        s.previous = a.value(previous)
        s.maxTokenLifetime = a.value(maxTokenLifetime)
        s.retiredAt = a.value(retiredAt)
        s.leeway = a.value(leeway)
        s.publishedAt = a.value(publishedAt)
        s.previousPublishedAt = a.value(previousPublishedAt)
        s.cacheTTL = a.value(cacheTTL)
        s.allowed = a.values(allow)
        let check = try s.check(passphrase: try PassphraseOptions.passphrase(a, stdinUsed: false),
                                now: try CommonOptions.clock(a).now())
        let report = try check.run()
        var w = StdoutWriter()
        try w.write(a.flag(json) ? report.json.serialized() + "\n" : report.text)
        try w.flush()
        if !report.safe { throw ExitStatusRequest.rejected }
    }
}
