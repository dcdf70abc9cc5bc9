// SPDX-License-Identifier: Apache-2.0
import Core

/// Command-line parsing for the three tools: a declarative table per command, parsed without reflection.
///
/// Why not swift-argument-parser: measured with callgrind on a release build, parsing one `wif-mint token`
/// command line through it cost 13 M of the 31 M instructions of the whole process (dynamic casts and type
/// lookups over every protocol conformance in the binary, plus FoundationEssentials). A table costs almost
/// nothing, and keeps `--help`, the man pages and the shell completions generated from one source.
///
/// Rules:
/// - `--name value` and `--name=value`; `-k value` where a short name exists; `--` ends options.
/// - A `value` option given twice keeps the last; a `values` option collects every occurrence in order.
/// - An option value may start with `-` only for options marked `dashValue` (e.g. `--exp -1h`); otherwise a
///   missing value is an error rather than swallowing the next option.
/// - `-` alone is a positional argument (standard input).
/// - The first argument names a subcommand when it matches one; otherwise the default subcommand runs.
/// - `-h`/`--help` anywhere prints help for the command being parsed; `help SUB` too; `--version` at the top.
/// - Errors are `WIFError(.usage)` naming the option and the command.
public struct OptionSpec: Sendable {
    public enum Kind: Sendable { case flag, value, values }
    public let long: String
    public let short: Character?
    public let kind: Kind
    public let valueName: String
    public let help: String
    public let required: Bool
    public let dashValue: Bool

    public static func flag(_ long: String, short: Character? = nil, _ help: String) -> OptionSpec {
        OptionSpec(long: long, short: short, kind: .flag, valueName: "", help: help, required: false, dashValue: false)
    }

    public static func value(_ long: String, short: Character? = nil, _ valueName: String, _ help: String,
                             required: Bool = false, dashValue: Bool = false) -> OptionSpec {
        OptionSpec(long: long, short: short, kind: .value, valueName: valueName, help: help, required: required,
                   dashValue: dashValue)
    }

    public static func values(_ long: String, short: Character? = nil, _ valueName: String, _ help: String,
                              required: Bool = false) -> OptionSpec {
        OptionSpec(long: long, short: short, kind: .values, valueName: valueName, help: help, required: required,
                   dashValue: false)
    }
}

public struct PositionalSpec: Sendable {
    public let name: String
    public let help: String
    public let repeated: Bool
    public let required: Bool

    public init(_ name: String, _ help: String, repeated: Bool = false, required: Bool = false) {
        self.name = name
        self.help = help
        self.repeated = repeated
        self.required = required
    }
}

public struct CommandSpec: Sendable {
    public let name: String
    public let abstract: String
    public let discussion: String?
    public let options: [OptionSpec]
    public let positionals: [PositionalSpec]
    public let subcommands: [Subcommand]
    public let defaultSubcommand: String?
    /// What runs the command: its `Command` type (nil for a group that only holds subcommands).
    public let command: (any Command.Type)?

    public init(_ name: String, abstract: String, discussion: String? = nil, options: [any OptionDeclaration] = [],
                positionals: [PositionalSpec] = [], subcommands: [Subcommand] = [], defaultSubcommand: String? = nil,
                command: (any Command.Type)? = nil) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.options = options.map(\.spec)
        self.positionals = positionals
        self.subcommands = subcommands
        self.defaultSubcommand = defaultSubcommand
        self.command = command
    }

    func option(long: String) -> OptionSpec? { options.first { $0.long.same(long) } }
    func option(short: Character) -> OptionSpec? { options.first { $0.short.map { String($0).same(String(short)) } == true } }
    func subcommand(_ name: String) -> CommandSpec? { subcommands.first { $0.name.same(name) }?.spec }
}

/// A subcommand as its parent lists it: the name, and how to build its table. Only the command that runs is
/// built (measured: building every table of wif-verify cost 0.3 M instructions per run).
public struct Subcommand: Sendable {
    public let name: String
    let make: @Sendable () -> CommandSpec

    public init(_ name: String, _ make: @escaping @Sendable () -> CommandSpec) {
        self.name = name
        self.make = make
    }

    /// The subcommand's table; its name must be the one the parent lists (checked in debug builds).
    public var spec: CommandSpec {
        let s = make()
        assert(s.name.same(name), "subcommand \(name) builds a table named \(s.name)")
        return s
    }
}

/// A command: its table entry and what runs it. Commands are dispatched by type, never by name strings.
public protocol Command: Sendable {
    static var spec: CommandSpec { get }
    static func run(_ a: ParsedArguments) throws
}

/// The parsed command line of one command. Options are read through their typed declarations (`Option.swift`);
/// reading one the command did not declare is a programming error caught by the tests (it traps).
public struct ParsedArguments: Sendable {
    /// Command names from the tool down, e.g. `["wif-mint", "token"]`.
    public let path: [String]
    public let spec: CommandSpec
    // A list searched linearly, not a Dictionary or Set: a command line holds a handful of options, and the
    // generic Dictionary<String, [String]> and Set<String> cost the runtime a metadata instantiation by
    // mangled name at every start (issue 12).
    var values = GivenValues()
    var flags: [String] = []
    public var positionals: [String] = []

    init(path: [String], spec: CommandSpec) {
        self.path = path
        self.spec = spec
    }

    public var command: String { path.last ?? "" }
    /// `tool sub`: how messages name the command.
    public var commandLine: String { path.joinedText(" ") }

    /// The option's name, after checking (in debug builds, which every test runs) that the command declares it.
    func declared(_ o: OptionSpec) -> OptionSpec {
        assert(spec.option(long: o.long).map { $0.kind == o.kind } == true,
               "\(commandLine) reads --\(o.long), which it does not declare")
        return o
    }

    /// Whether a flag was given.
    public func flag(_ f: Flag) -> Bool { flags.contains(declared(f.spec).long) }

    /// The option's value (the last one given), converted, or nil when absent.
    public func value<V>(_ o: Opt<V>) throws(WIFError) -> V? {
        guard let s = values[declared(o.spec).long]?.last else { return nil }
        return try o.convert(s)
    }

    /// Every value of a repeatable option, in order, converted.
    public func values<V>(_ o: Multi<V>) throws(WIFError) -> [V] {
        var out: [V] = []
        for s in values[declared(o.spec).long] ?? [] { out.append(try o.convert(s)) }
        return out
    }

    /// Every value of a repeatable text option, in order.
    public func values(_ o: Multi<String>) -> [String] { values[declared(o.spec).long] ?? [] }

    /// The value of a text option, or nil.
    public func value(_ o: Opt<String>) -> String? { values[declared(o.spec).long]?.last }

    /// Whether the option was given at all.
    public func has(_ o: any OptionDeclaration) -> Bool {
        let long = declared(o.spec).long
        return values[long] != nil || flags.contains(long)
    }

    /// The first positional argument, or `default`.
    public func positional(_ i: Int = 0, default d: String? = nil) -> String? {
        i < positionals.count ? positionals[i] : d
    }
}

/// The values given per option long name, in the order the options first appeared.
struct GivenValues: Sendable {
    struct Entry: Sendable {
        let long: String
        var values: [String]
    }
    private var entries: [Entry] = []

    subscript(long: String) -> [String]? {
        get {
            for e in entries where e.long == long { return e.values }
            return nil
        }
        set {
            let i = entries.firstIndex { $0.long == long }
            switch (i, newValue) {
            case (let i?, let v?): entries[i].values = v
            case (let i?, nil): entries.remove(at: i)
            case (nil, let v?): entries.append(Entry(long: long, values: v))
            case (nil, nil): break
            }
        }
    }

    mutating func append(_ value: String, to long: String) {
        if let i = entries.firstIndex(where: { $0.long == long }) {
            entries[i].values.append(value)
        } else {
            entries.append(Entry(long: long, values: [value]))
        }
    }
}

public enum Arguments {
    public enum Outcome: Sendable {
        case run(ParsedArguments)
        case help(String)
        case version
        case completion(String)
    }

    /// Parses `args` (without the program name) against `root`.
    public static func parse(_ args: [String], root: CommandSpec) throws(WIFError) -> Outcome {
        var spec = root
        var path = [root.name]
        var rest = ArraySlice(args)
        if rest.first == "--version" && rest.count == 1 { return .version }
        if let shell = completionRequest(rest) { return .completion(try Completions.script(root, shell: shell)) }
        // Descend into subcommands named explicitly, `help SUB`, or the default one.
        while !spec.subcommands.isEmpty {
            if let first = rest.first, first == "help" {
                var target = spec
                var names = path
                for n in rest.dropFirst() {
                    guard let sub = target.subcommand(n) else {
                        throw WIFError(.usage, "\(names.joined(separator: " ")) has no subcommand \"\(JSON.escapedForMessage(n))\"")
                    }
                    target = sub
                    names.append(n)
                }
                return .help(Help.text(target, path: names))
            }
            if let first = rest.first, let sub = spec.subcommand(first) {
                spec = sub
                path.append(first)
                rest = rest.dropFirst()
                continue
            }
            if rest.first == "-h" || rest.first == "--help" { return .help(Help.text(spec, path: path)) }
            guard let d = spec.defaultSubcommand, let sub = spec.subcommand(d) else {
                let what = rest.first.map { "unknown subcommand \"\(JSON.escapedForMessage($0))\"" } ?? "a subcommand is required"
                throw WIFError(.usage, "\(path.joined(separator: " ")): \(what)",
                               hint: "subcommands: \(spec.subcommands.map(\.name).joined(separator: ", "))")
            }
            spec = sub
            path.append(d)
        }
        var out = ParsedArguments(path: path, spec: spec)
        let where_ = path.joinedText(" ")
        var onlyPositionals = false
        while let arg = rest.first {
            rest = rest.dropFirst()
            if onlyPositionals || arg == "-" || !arg.hasPrefix("-") {
                out.positionals.append(arg)
                continue
            }
            if arg == "--" { onlyPositionals = true; continue }
            if arg == "-h" || arg == "--help" { return .help(Help.text(spec, path: path)) }
            let opt: OptionSpec
            var inline: String?
            if arg.hasPrefix("--") {
                let body = arg.dropFirst(2)
                let name: Substring
                if let eq = body.firstIndex(of: "=") {
                    name = body[..<eq]
                    inline = String(body[body.index(after: eq)...])
                } else {
                    name = body
                }
                guard let o = spec.option(long: String(name)) else {
                    throw WIFError(.usage, "unknown option '--\(JSON.escapedForMessage(String(name)))' for \(where_)",
                                   hint: "see '\(where_) --help'")
                }
                opt = o
            } else {
                let chars = Array(arg.dropFirst())
                guard chars.count >= 1, let o = spec.option(short: chars[0]) else {
                    throw WIFError(.usage, "unknown option '\(JSON.escapedForMessage(arg))' for \(where_)",
                                   hint: "see '\(where_) --help'")
                }
                opt = o
                if chars.count > 1 { inline = String(chars.dropFirst()) }
            }
            switch opt.kind {
            case .flag:
                if inline != nil { throw WIFError(.usage, "--\(opt.long) takes no value") }
                if !out.flags.contains(opt.long) { out.flags.append(opt.long) }
            case .value, .values:
                let value: String
                if let inline {
                    value = inline
                } else {
                    guard let next = rest.first, opt.dashValue || next == "-" || !next.hasPrefix("-") || next.count == 1
                    else {
                        throw WIFError(.usage, "--\(opt.long) needs a value (<\(opt.valueName)>)", hint: "see '\(where_) --help'")
                    }
                    value = next
                    rest = rest.dropFirst()
                }
                if opt.kind == .value {
                    out.values[opt.long] = [value]
                } else {
                    out.values.append(value, to: opt.long)
                }
            }
        }
        let maxPositionals = spec.positionals.contains(where: \.repeated) ? Int.max : spec.positionals.count
        if out.positionals.count > maxPositionals {
            throw WIFError(.usage, "unexpected argument \"\(JSON.escapedForMessage(out.positionals[maxPositionals]))\" for \(where_)",
                           hint: "see '\(where_) --help'")
        }
        for o in spec.options where o.required && out.values[o.long] == nil {
            throw WIFError(.usage, "--\(o.long) <\(o.valueName)> is required", hint: "see '\(where_) --help'")
        }
        for (i, p) in spec.positionals.enumerated() where p.required && out.positionals.count <= i {
            throw WIFError(.usage, "<\(p.name)> is required", hint: "see '\(where_) --help'")
        }
        return .run(out)
    }

    static func completionRequest(_ args: ArraySlice<String>) -> String? {
        guard let i = args.firstIndex(of: "--generate-completion-script") else { return nil }
        return args.index(after: i) < args.endIndex ? args[args.index(after: i)] : ""
    }
}

/// `--help` text, in the layout of common Unix tools: overview, usage, arguments, options, subcommands.
enum Help {
    static func wrap(_ text: String, indent: Int, width: Int = 79) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width - indent {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    static func row(_ left: String, _ help: String) -> String {
        let col = 26
        let wrapped = wrap(help, indent: col)
        var out = "  " + left
        if out.count >= col {
            out += "\n" + String(repeating: " ", count: col)
        } else {
            out += String(repeating: " ", count: col - out.count)
        }
        out += wrapped.first ?? ""
        for l in wrapped.dropFirst() { out += "\n" + String(repeating: " ", count: col) + l }
        return out + "\n"
    }

    static func label(_ o: OptionSpec) -> String {
        var s = o.short.map { "-\($0), " } ?? ""
        s += "--\(o.long)"
        if o.kind != .flag { s += " <\(o.valueName)>" }
        return s
    }

    static func text(_ spec: CommandSpec, path: [String]) -> String {
        var out = "OVERVIEW: \(spec.abstract)\n\n"
        if let d = spec.discussion { out += wrap(d, indent: 0).joined(separator: "\n") + "\n\n" }
        var usage = "USAGE: \(path.joined(separator: " "))"
        if !spec.subcommands.isEmpty { usage += " <subcommand>" }
        if !spec.options.isEmpty { usage += " [<options>]" }
        for p in spec.positionals {
            let n = "<\(p.name)>\(p.repeated ? " ..." : "")"
            usage += p.required ? " \(n)" : " [\(n)]"
        }
        out += usage + "\n\n"
        if !spec.positionals.isEmpty {
            out += "ARGUMENTS:\n"
            for p in spec.positionals { out += row("<\(p.name)>", p.help) }
            out += "\n"
        }
        out += "OPTIONS:\n"
        for o in spec.options { out += row(label(o), o.help + (o.kind == .values ? " Repeatable." : "")) }
        if path.count == 1 {
            out += row("--version", "Show the version.")
            out += row("--generate-completion-script <shell>", "Print a bash, zsh or fish completion script.")
        }
        out += row("-h, --help", "Show help information.")
        if !spec.subcommands.isEmpty {
            out += "\nSUBCOMMANDS:\n"
            for s in spec.subcommands {
                out += row(s.name + (s.name == spec.defaultSubcommand ? " (default)" : ""), s.spec.abstract)
            }
            out += "\n  See '\(path.joined(separator: " ")) help <subcommand>' for detailed help.\n"
        }
        return out
    }
}

/// Shell completion scripts generated from the command tables (bash, zsh, fish).
///
/// Each script finds the command being typed by walking the words already on the line through the subcommand
/// tree (falling back to default subcommands), then offers that command's subcommands and options, or files.
public enum Completions {
    public static func script(_ root: CommandSpec, shell: String) throws(WIFError) -> String {
        switch shell {
        case "bash": return bash(root)
        case "zsh": return zsh(root)
        case "fish": return fish(root)
        default:
            throw WIFError(.usage, "--generate-completion-script takes bash, zsh or fish")
        }
    }

    /// Every command with its path below the tool, depth first: ("", root), ("key", key), ("key encrypt", ...).
    static func nodes(_ root: CommandSpec) -> [(path: [String], spec: CommandSpec)] {
        var out: [([String], CommandSpec)] = []
        func walk(_ s: CommandSpec, _ path: [String]) {
            out.append((path, s))
            for c in s.subcommands { walk(c.spec, path + [c.name]) }
        }
        walk(root, [])
        return out.map { (path: $0.0, spec: $0.1) }
    }

    /// The words offered at a node: its subcommands, its options, and those of its default subcommand chain.
    static func words(_ s: CommandSpec, top: Bool) -> [String] {
        var w = s.subcommands.map(\.name) + s.options.map { "--" + $0.long } + ["--help"]
        if top { w += ["--version", "--generate-completion-script"] }
        var d = s
        while let name = d.defaultSubcommand, let sub = d.subcommand(name) {
            w += sub.subcommands.map(\.name) + sub.options.map { "--" + $0.long }
            d = sub
        }
        var seen = Set<String>()
        return w.filter { seen.insert($0).inserted }
    }

    static func fn(_ name: String) -> String { "_" + name.map { $0 == "-" ? "_" : $0 }.map(String.init).joined() }

    /// Shell `case` arms that move `node` down one level when a word names a subcommand of the current node.
    static func transitions(_ root: CommandSpec) -> [(from: String, word: String, to: String)] {
        nodes(root).flatMap { n in
            n.spec.subcommands.map { (from: n.path.joined(separator: " "), word: $0.name,
                                      to: (n.path + [$0.name]).joined(separator: " ")) }
        }
    }

    static func bash(_ root: CommandSpec) -> String {
        var out = "# bash completion for \(root.name); generated by \(root.name) --generate-completion-script bash\n"
        out += "\(fn(root.name))() {\n"
        out += "    local cur=${COMP_WORDS[COMP_CWORD]} node=\"\" i\n"
        out += "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
        out += "        case \"$node/${COMP_WORDS[i]}\" in\n"
        for t in transitions(root) { out += "            \"\(t.from)/\(t.word)\") node=\"\(t.to)\" ;;\n" }
        out += "        esac\n    done\n"
        out += "    local words\n    case $node in\n"
        for n in nodes(root) {
            out += "        \"\(n.path.joined(separator: " "))\") words=\"\(words(n.spec, top: n.path.isEmpty).joined(separator: " "))\" ;;\n"
        }
        out += "    esac\n"
        out += "    if [[ $cur == -* || -z $cur ]]; then COMPREPLY=($(compgen -W \"$words\" -- \"$cur\")); fi\n"
        out += "    if [[ ${#COMPREPLY[@]} -eq 0 ]]; then COMPREPLY=($(compgen -f -- \"$cur\")); fi\n"
        out += "}\ncomplete -o default -F \(fn(root.name)) \(root.name)\n"
        return out
    }

    static func zsh(_ root: CommandSpec) -> String {
        var out = "#compdef \(root.name)\n# zsh completion for \(root.name); generated by \(root.name) --generate-completion-script zsh\n"
        out += "\(fn(root.name))() {\n"
        out += "    local node=\"\" i\n"
        out += "    for ((i = 2; i < CURRENT; i++)); do\n"
        out += "        case \"$node/${words[i]}\" in\n"
        for t in transitions(root) { out += "            \"\(t.from)/\(t.word)\") node=\"\(t.to)\" ;;\n" }
        out += "        esac\n    done\n"
        out += "    local -a offer\n    case $node in\n"
        for n in nodes(root) {
            out += "        \"\(n.path.joined(separator: " "))\") offer=(\(words(n.spec, top: n.path.isEmpty).joined(separator: " "))) ;;\n"
        }
        out += "    esac\n"
        out += "    compadd -- $offer\n    _files\n}\n"
        out += "\(fn(root.name)) \"$@\"\n"
        return out
    }

    static func fishQuote(_ s: String) -> String {
        "'" + s.map { $0 == "'" ? "\\'" : $0 == "\\" ? "\\\\" : String($0) }.joined() + "'"
    }

    static func fish(_ root: CommandSpec) -> String {
        let f = "__\(fn(root.name))_node"
        var out = "# fish completion for \(root.name); generated by \(root.name) --generate-completion-script fish\n"
        out += "function \(f)\n    set -l node ''\n    for w in (commandline -opc)[2..-1]\n        switch \"$node/$w\"\n"
        for t in transitions(root) { out += "            case '\(t.from)/\(t.word)'\n                set node '\(t.to)'\n" }
        out += "        end\n    end\n    echo $node\nend\n"
        for n in nodes(root) {
            let cond = "test (\(f)) = '\(n.path.joined(separator: " "))'"
            for c in n.spec.subcommands {
                out += "complete -c \(root.name) -n \(fishQuote(cond)) -a \(c.name) -d \(fishQuote(c.spec.abstract))\n"
            }
            var d: CommandSpec? = n.spec
            var opts: [OptionSpec] = []
            while let cur = d {
                opts += cur.options
                d = cur.defaultSubcommand.flatMap { cur.subcommand($0) }
            }
            for o in opts {
                out += "complete -c \(root.name) -n \(fishQuote(cond)) -l \(o.long)"
                if let c = o.short { out += " -s \(c)" }
                if o.kind != .flag { out += " -r" }
                out += " -d \(fishQuote(o.help))\n"
            }
        }
        out += "complete -c \(root.name) -l version -d 'Show the version'\n"
        out += "complete -c \(root.name) -l generate-completion-script -r -a 'bash zsh fish' -d 'Print a completion script'\n"
        out += "complete -c \(root.name) -s h -l help -d 'Show help information'\n"
        return out
    }
}
