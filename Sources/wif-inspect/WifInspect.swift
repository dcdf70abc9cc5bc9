// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Core
#if canImport(Glibc)
import Glibc
#endif

@main
struct WifInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wif-inspect",
        abstract: "Decode and explain tokens, JWK/JWKS files, PEM keys and token-request bodies.",
        discussion: "Exit status: 0 shown, 1 rejected (--jwks), a warning under --strict, or --claim/--header absent; 2 input error. See wif-inspect(1).",
        version: WIFVersion.string)

    @Argument(help: ArgumentHelp("A file, \"-\" for standard input, or the token itself.", valueName: "input"))
    var input: String = "-"

    @Flag(help: "Print the whole view as one JSON object.") var json = false
    @Option(help: ArgumentHelp("Print only this claim (strings raw, other values as JSON); exit 1 when absent.", valueName: "name"))
    var claim: String?
    @Option(help: ArgumentHelp("Print only this header member; exit 1 when absent.", valueName: "name"))
    var header: String?
    @Flag(help: "Exit 1 when any finding is a warning or an error.") var strict = false
    @Option(help: ArgumentHelp("Verify tokens against this JWKS with wif-verify's checks; repeatable.", valueName: "file"))
    var jwks: [String] = []
    @Option(help: ArgumentHelp("With --jwks: the audience (enables profile rfc7523 checks); repeatable.", valueName: "aud"))
    var aud: [String] = []
    @Option(help: ArgumentHelp("With --jwks: trusted issuer; repeatable.", valueName: "iss")) var iss: [String] = []
    @Option(help: ArgumentHelp("With --jwks: wif-verify profile (default rfc7523 with --aud, else none).", valueName: "name"))
    var profile: String?
    @Option(help: ArgumentHelp("Clock for times in words and checks: epoch seconds or RFC 3339.", valueName: "time"))
    var now: String?
    @Option(help: ArgumentHelp("auto (a terminal, unless NO_COLOR is set), always or never.", valueName: "when"))
    var color: String = "auto"

    static func main() {
        CLI.run(tool: "wif-inspect") { () throws -> Void in
            var command = try parseAsRoot()
            try command.run()
        } parseError: { error in
            (exitCode(for: error).rawValue, fullMessage(for: error))
        }
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
            try w.write(report.pretty() + "\n")
        } else {
            try w.write(InspectText.render(report, color: try useColor()))
        }
        try w.flush()
        let findings = Inspector.allFindings(report)
        if Inspector.anyRejected(report) { throw ExitCode(1) }
        if strict && findings.contains(where: { $0.severity >= .warning }) { throw ExitCode(1) }
    }

    /// Prints one claim or header member of each token in the report; exit 1 if any lacks it.
    func extract(_ report: JSON, name: String, inHeader: Bool, out w: inout StdoutWriter) throws {
        var tokens: [JSONObject] = []
        func collect(_ j: JSON) {
            guard let o = j.objectValue else { return }
            if o["type"]?.stringValue == "jws" || o["type"]?.stringValue == "jwe" { tokens.append(o); return }
            o["tokens"]?.arrayValue?.forEach(collect)
            o["tokens"]?.objectValue?.forEach { collect($0.value) }
        }
        collect(report)
        guard !tokens.isEmpty else { throw WIFError(.usage, "--\(inHeader ? "header" : "claim") needs a token in the input") }
        var missing = false
        for t in tokens {
            guard let v = t[inHeader ? "header" : "payload"]?.objectValue?[name] else { missing = true; continue }
            try w.write((v.stringValue ?? v.serialized()) + "\n")
        }
        try w.flush()
        if missing {
            Diagnostics.writeStderr("wif-inspect: \(inHeader ? "header member" : "claim") \(name) is absent\n")
            throw ExitCode(1)
        }
    }
}
