// SPDX-License-Identifier: Apache-2.0
import Core
#if canImport(Glibc)
import Glibc
#endif

@main
struct WifInspect {
    static let spec = CommandSpec(
        "wif-inspect",
        abstract: "Decode and explain tokens, JWK/JWKS files, PEM keys and token-request bodies.",
        discussion: "Exit status: 0 shown, 1 rejected (--jwks), a warning under --strict, or --claim/--header absent; 2 input error. See wif-inspect(1).",
        options: [
            .flag("json", "Print the whole view as one JSON object."),
            .value("claim", "name", "Print only this claim (strings raw, other values as JSON); exit 1 when absent."),
            .value("header", "name", "Print only this header member; exit 1 when absent."),
            .flag("strict", "Exit 1 when any finding is a warning or an error."),
            .values("jwks", "file", "Verify tokens against this JWKS with wif-verify's checks."),
            .values("aud", "aud", "With --jwks: the audience (enables profile rfc7523 checks)."),
            .values("iss", "iss", "With --jwks: trusted issuer."),
            .value("profile", "name", "With --jwks: wif-verify profile (default rfc7523 with --aud, else none)."),
            .value("now", "time", "Clock for times in words and checks: epoch seconds, RFC 3339 or an offset (+5m)."),
            .value("color", "when", "auto (a terminal, unless NO_COLOR is set), always or never (default auto)."),
        ],
        positionals: [PositionalSpec("input", "A file, \"-\" for standard input (the default), or the token itself.")])

    let input: String
    let json: Bool
    let claim: String?
    let header: String?
    let strict: Bool
    let jwks: [String]
    let aud: [String]
    let iss: [String]
    let profile: String?
    let now: String?
    let color: String

    init(_ a: ParsedArguments) {
        input = a.positionals.first ?? "-"
        json = a.flag("json")
        claim = a.string("claim")
        header = a.string("header")
        strict = a.flag("strict")
        jwks = a.strings("jwks")
        aud = a.strings("aud")
        iss = a.strings("iss")
        profile = a.string("profile")
        now = a.string("now")
        color = a.string("color") ?? "auto"
    }

    static func main() {
        CLI.main(tool: "wif-inspect", spec: spec) { a in try WifInspect(a).run() }
    }

    func readInput() throws -> [UInt8] {
        if input == "-" { return try Input.read("-", limit: Inspector.maxInput) }
        // An existing file is read; text that looks like a token (base64url with dots) is the token itself;
        // anything else is taken as a file name, so a typo is reported as a missing file.
        var st = stat()
        if stat(input, &st) == 0 { return try Input.read(input, limit: Inspector.maxInput) }
        let looksLikeToken = input.contains(".") && input.utf8.allSatisfy { Inspector.isTokenChar($0) }
            && input.split(separator: ".", omittingEmptySubsequences: false).count >= 3
        if looksLikeToken || input.hasPrefix("{") || input.contains("=") { return Array(input.utf8) }
        return try Input.read(input, limit: Inspector.maxInput)
    }

    func useColor() throws -> Bool {
        switch color {
        case "always": return true
        case "never": return false
        case "auto": return isatty(1) == 1 && (getenv("NO_COLOR").map { String(cString: $0).isEmpty } ?? true)
        default: throw WIFError(.usage, "--color takes auto, always or never, not \"\(color)\"")
        }
    }

    func run() throws {
        if claim != nil && header != nil { throw WIFError(.usage, "--claim and --header cannot be combined") }
        let clock = try now.map { try NumericDate.parseInstant($0, now: NumericDate.systemNow(), what: "--now") }
            ?? NumericDate.systemNow()
        var inspector = Inspector(now: clock)
        if !jwks.isEmpty {
            let prof = profile ?? (aud.isEmpty ? "none" : "rfc7523")
            guard let p = Profile(rawValue: prof) else {
                throw WIFError(.usage, "unknown profile \"\(prof)\"", hint: "profiles: \(Profile.namesList)")
            }
            var policy = Policy(profile: p)
            policy.audiences = aud
            policy.issuers = iss
            if p != .none && aud.isEmpty { throw WIFError(.usage, "profile \(prof) needs --aud") }
            inspector.validator = try Validator(keys: try KeyRing(paths: jwks), policy: policy)
        } else if !aud.isEmpty || !iss.isEmpty || profile != nil {
            throw WIFError(.usage, "--aud, --iss and --profile go with --jwks")
        }
        let report = try inspector.inspect(try readInput())
        var w = StdoutWriter()
        if let name = claim ?? header {
            try extract(report, name: name, inHeader: header != nil, out: &w)
            return
        }
        if json {
            try w.write(report.json.serialized() + "\n")
        } else {
            try w.write(InspectText.render(report, color: try useColor()))
        }
        try w.flush()
        if report.rejected { throw ExitStatusRequest.rejected }
        if strict && report.findings.contains(where: { $0.severity >= .warning }) { throw ExitStatusRequest.rejected }
    }

    /// Prints one claim or header member of each token in the report; exit 1 if any lacks it.
    func extract(_ report: InspectionReport, name: String, inHeader: Bool, out w: inout StdoutWriter) throws {
        let tokens = report.tokens
        guard !tokens.isEmpty else { throw WIFError(.usage, "--\(inHeader ? "header" : "claim") needs a token in the input") }
        var missing = false
        for t in tokens {
            guard let v = (inHeader ? t.header : t.payload)?[name] else { missing = true; continue }
            try w.write((v.stringValue ?? v.serialized()) + "\n")
        }
        try w.flush()
        if missing {
            Diagnostics.writeStderr("wif-inspect: \(inHeader ? "header member" : "claim") \(name) is absent\n")
            throw ExitStatusRequest.rejected
        }
    }
}
