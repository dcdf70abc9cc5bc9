// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import CLI
import Core

/// The table-driven parser: typed options, dash values, subcommand dispatch by type, and its errors.
@Suite struct ArgumentsTests {
    enum Probe: Command {
        static let name = Opt.string("name", short: "n", "x", "A name.")
        static let when = Opt.time("when", "A time.")
        static let many = Multi.strings("many", "m", "Repeatable.")
        static let count = Opt.int("count", "n", "A number.")
        static let loud = Flag("loud", "A flag.")
        static let spec = CommandSpec("probe", abstract: "p", options: [name, when, many, count, loud],
                                      positionals: [PositionalSpec("input", "in")], command: Probe.self)
        static func run(_ a: ParsedArguments) throws {}
    }
    enum Other: Command {
        static let spec = CommandSpec("other", abstract: "o", command: Other.self)
        static func run(_ a: ParsedArguments) throws {}
    }
    static let root = CommandSpec("tool", abstract: "t", subcommands: [Subcommand("probe") { Probe.spec },
                                                                      Subcommand("other") { Other.spec }],
                                  defaultSubcommand: "probe")

    func parse(_ args: [String]) throws(WIFError) -> ParsedArguments {
        guard case .run(let a) = try Arguments.parse(args, root: ArgumentsTests.root) else {
            throw WIFError(.usage, "not a run")
        }
        return a
    }

    @Test func typedValuesAndDefaults() throws {
        let a = try parse(["--name=x", "--many", "a", "--many", "b", "--count", "3", "--loud", "in"])
        #expect(a.value(Probe.name) == "x")
        #expect(a.values(Probe.many) == ["a", "b"])
        #expect(try a.value(Probe.count) == 3)
        #expect(a.flag(Probe.loud))
        #expect(a.positional() == "in")
        #expect(a.spec.command == Probe.self)
    }

    @Test func timeOptionsTakeALeadingDash() throws {
        #expect(try parse(["--when", "-1h"]).value(Probe.when) == "-1h")
        // A plain option does not swallow the next option.
        #expect(throws: WIFError.self) { try parse(["--name", "--loud"]) }
    }

    @Test func subcommandsDispatchByType() throws {
        #expect(try parse(["other"]).spec.command == Other.self)
        #expect(try parse([]).spec.command == Probe.self)
    }

    @Test func badNumbersAndUnknownOptionsAreUsageErrors() throws {
        let a = try parse(["--count", "x"])
        #expect(throws: WIFError.self) { try a.value(Probe.count) }
        do { _ = try parse(["--nope"]); Issue.record("parsed") } catch { #expect(error.reason == .usage) }
    }

    @Test func helpListsSubcommandsWithTheirAbstracts() throws {
        guard case .help(let text) = try Arguments.parse(["--help"], root: ArgumentsTests.root) else {
            Issue.record("no help"); return
        }
        #expect(text.contains("probe (default)") && text.contains("other") && text.contains(" o\n"))
    }

    @Test func protocolNamesCompareAsBytes() throws {
        // "probe" spelled with a look-alike is not the subcommand; it is a positional of the default command.
        let a = try parse(["prob\u{0065}\u{0301}"])
        #expect(a.spec.command == Probe.self && a.positional() == "prob\u{0065}\u{0301}")
    }

    @Test func readingAnUndeclaredOptionTraps() async {
        // Checked in debug builds (every test run); release builds skip the lookup (0.09 M instructions a run).
        await #expect(processExitsWith: .failure) {
            let undeclared = Opt.string("undeclared", "x", "Never declared.")
            guard case .run(let a) = try? Arguments.parse([], root: ArgumentsTests.root) else { return }
            _ = a.value(undeclared)
        }
    }
}
