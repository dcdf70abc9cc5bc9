// SPDX-License-Identifier: Apache-2.0
import CLI
import Core
#if canImport(Glibc)
import Glibc
#endif

@main
enum WifInspect: Command {
    static let json = Flag("json", "Print the whole view as one JSON object.")
    static let claim = Opt.string(
        "claim", "name", "Print only this claim (strings raw, other values as JSON); exit 1 when absent.")
    static let header = Opt.string("header", "name", "Print only this header member; exit 1 when absent.")
    static let strict = Flag("strict", "Exit 1 when any finding is a warning or an error.")
    static let jwks = Multi.strings("jwks", "file", "Verify tokens against this JWKS with wif-verify's checks.")
    static let aud = Multi.strings("aud", "aud", "With --jwks: the audience (enables profile rfc7523 checks).")
    static let iss = Multi.strings("iss", "iss", "With --jwks: trusted issuer.")
    static let profile = Opt.string(
        "profile", "name", "With --jwks: wif-verify profile (default rfc7523 with --aud, else none).")
    static let color = Opt.string(
        "color", "when", "auto (a terminal, unless NO_COLOR is set), always or never (default auto).")

    static let spec = CommandSpec(
        "wif-inspect",
        abstract: "Decode and explain tokens, JWK/JWKS files, PEM keys and token-request bodies.",
        discussion: "Exit status: 0 shown, 1 rejected (--jwks), a warning under --strict, or --claim/--header absent; 2 input error. See wif-inspect(1).",
        options: [json, claim, header, strict, jwks, aud, iss, profile, CommonOptions.now, color],
        positionals: [PositionalSpec("input", "A file, \"-\" for standard input (the default), or a token itself.")],
        command: WifInspect.self)

    static func main() { CLI.main(tool: "wif-inspect", spec: spec) }

    static func useColor(_ when: String?) throws(WIFError) -> Bool {
        switch when ?? "auto" {
        case "always": return true
        case "never": return false
        case "auto": return isatty(1) == 1 && (getenv("NO_COLOR").map { String(cString: $0).isEmpty } ?? true)
        case let other: throw WIFError(.usage, "--color takes auto, always or never, not \"\(JSON.escapedForMessage(other))\"")
        }
    }

    static func run(_ a: ParsedArguments) throws {
        let selection = try Inspector.selection(claim: a.value(claim), header: a.value(header))
        var policy = PolicySettings()
        policy.jwks = a.values(jwks)
        policy.audiences = a.values(aud)
        policy.issuers = a.values(iss)
        policy.profile = a.value(profile)
        let input = a.positional(default: "-") ?? "-"
        try Input.requireStandardInputOnce(policy.jwks + [input], "it cannot hold both the JWKS and the input")
        let colored = try useColor(a.value(color))
        var inspector = Inspector(now: try CommonOptions.clock(a).now())
        inspector.validator = try policy.inspectionValidator()
        let report = try inspector.inspect(try Inspector.read(input))
        var w = StdoutWriter()
        if let (name, inHeader) = selection {
            let values = try Inspector.extract(report, name: name, inHeader: inHeader)
            for v in values.found { try w.write(v + "\n") }
            try w.flush()
            if values.missing {
                Diagnostics.line("\(inHeader ? "header member" : "claim") \(name) is absent")
                throw ExitStatusRequest.rejected
            }
            return
        }
        try w.write(a.flag(json) ? report.json.serialized() + "\n" : InspectText.render(report, color: colored))
        try w.flush()
        if report.rejected { throw ExitStatusRequest.rejected }
        if a.flag(strict) && report.findings.contains(where: { $0.severity >= .warning }) {
            throw ExitStatusRequest.rejected
        }
    }
}
