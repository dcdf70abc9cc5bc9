// SPDX-License-Identifier: Apache-2.0
import Core

struct JWKSCheck {
    static let spec = CommandSpec(
        "jwks-check",
        abstract: "Check a published JWKS against the signing keys and the previous JWKS before and after a key rotation.",
        discussion: "Exit status: 0 safe, 1 unsafe (each problem a stable code), 2 input error. See wif-verify(1), Rotation checks.",
        options: [
            .value("published", "file", "The JWKS clients fetch now.", required: true),
            .values("signing", "key", "A private key that signs now (JWK, JWKS, PEM or encrypted)."),
            .value("previous", "file", "The JWKS clients had before this one (cached by verifiers); compared by thumbprint."),
            .value("max-token-lifetime", "duration", "Longest exp − iat of a token the keys sign (needed when --previous removes keys)."),
            .value("retired-at", "time", "When the removed keys signed their last token (default: now).", dashValue: true),
            .value("leeway", "duration", "Clock skew verifiers allow after exp (default 60s)."),
            .value("now", "time", "Time of the check: epoch seconds or RFC 3339 (default: the system clock)."),
            .flag("json", "Print the report as one JSON object."),
        ] + PassphraseOptions.readingSpecs)

    let published: String
    let signing: [String]
    let previous: String?
    let maxTokenLifetime: String?
    let retiredAt: String?
    let leeway: String
    let now: String?
    let json: Bool
    let passphrase: PassphraseOptions

    init(_ a: ParsedArguments) throws {
        published = a.string("published") ?? ""
        signing = a.strings("signing")
        previous = a.string("previous")
        maxTokenLifetime = a.string("max-token-lifetime")
        retiredAt = a.string("retired-at")
        leeway = a.string("leeway") ?? "60"
        now = a.string("now")
        json = a.flag("json")
        passphrase = try PassphraseOptions(a)
    }

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
        if !report.safe { throw ExitStatusRequest.rejected }
    }
}
