// SPDX-License-Identifier: Apache-2.0
import Core

/// The options of `wif-verify conform`, declared here because two executables read them: `wif-verify` (help,
/// completions, parsing) and `wif-serve`, which runs the servers of the conformance runs (SwiftNIO is linked there
/// only).
public enum ConformOptions {
    public static let command = Opt.string(
        "command", "client",
        "The client to test, run with /bin/sh -c; the MCP server URL is appended as its last argument.")
    public static let scenario = Opt.string(
        "scenario", "name", "The conformance scenario (only wif-jwt-bearer, the default).")
    public static let check = Multi.strings(
        "check", "name", "Make only this run, or judge only this check id; the others are SKIPPED.")
    public static let timeout = Opt.duration(
        "timeout", "Time the client has in each run (default 10s); then its process group is killed.")
    public static let strict = Flag(
        "strict", "Count the suite's WARNING checks (wif-no-retry, wif-grant-fallback) as FAILURE.")
    public static let json = Flag("json", "Print the report as one JSON document.")
    public static let keep = Opt.string(
        "keep", "dir", "Keep each run's server log, context and client output in DIR/RUN/ (DIR is created).")

    public static let all: [any OptionDeclaration] = [command, scenario, check, timeout, strict, json, keep]

    /// The options as Core's settings.
    public static func settings(_ a: ParsedArguments) -> Conformance.Settings {
        var s = Conformance.Settings()
        s.command = a.value(command)
        s.scenario = a.value(scenario)
        s.checks = a.values(check)
        s.timeout = a.value(timeout)
        s.strict = a.flag(strict)
        s.keep = a.value(keep)
        return s
    }

    /// The `conform` command table entry; `command` runs it (wif-verify's execs wif-serve, wif-serve's runs).
    public static func spec(command: any Command.Type) -> CommandSpec {
        CommandSpec(
            "conform",
            abstract: "Run an MCP client through the SEP-1933 conformance runs (auth/wif-jwt-bearer), each against "
                + "a fresh loopback server, and judge its checks.",
            discussion: "One row per check (SUCCESS, WARNING, FAILURE, SKIPPED). Exit status: 0 no check failed, "
                + "1 a check failed, 2 the runs could not be made, 130 interrupted. See wif-verify(1), Conformance.",
            options: all,
            command: command)
    }
}
