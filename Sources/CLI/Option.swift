// SPDX-License-Identifier: Apache-2.0
import Core

/// Options declared once: a typed value that carries its table entry (name, value name, help) and its parser.
/// A command lists the declarations in its `CommandSpec` and reads them back with `ParsedArguments.value(_:)`,
/// `values(_:)` and `flag(_:)`, so a flag is one declaration, not a spec entry, a stored property and an init line.
///
/// Time options (`Opt.time`) take a value that starts with `-` (`--exp -1h`, `--now -1h`), as every page says.
public protocol OptionDeclaration: AnyObject, Sendable {
    var spec: OptionSpec { get }
}

// Declarations are final classes, not structs: a `[any OptionDeclaration]` of class references needs no
// existential box per element, which measured 0.1 M instructions at every start-up for the ~100 options.

/// A flag: present or not.
public final class Flag: OptionDeclaration {
    public let spec: OptionSpec
    public init(_ long: String, short: Character? = nil, _ help: String) {
        spec = .flag(long, short: short, help)
    }
}

/// An option with one value (the last one given counts).
public final class Opt<Value>: OptionDeclaration, @unchecked Sendable {
    public let spec: OptionSpec
    let convert: @Sendable (String) throws(WIFError) -> Value

    public init(_ spec: OptionSpec, _ convert: @escaping @Sendable (String) throws(WIFError) -> Value) {
        self.spec = spec
        self.convert = convert
    }
}

/// A repeatable option: every value, in order.
public final class Multi<Value>: OptionDeclaration, @unchecked Sendable {
    public let spec: OptionSpec
    let convert: @Sendable (String) throws(WIFError) -> Value

    public init(_ spec: OptionSpec, _ convert: @escaping @Sendable (String) throws(WIFError) -> Value) {
        self.spec = spec
        self.convert = convert
    }
}

extension Opt where Value == String {
    /// A text option.
    public static func string(_ long: String, short: Character? = nil, _ valueName: String, _ help: String,
                              required: Bool = false, dashValue: Bool = false) -> Opt<String> {
        Opt(.value(long, short: short, valueName, help, required: required, dashValue: dashValue)) { s throws(WIFError) in s }
    }

    /// An instant: epoch seconds, RFC 3339 or an offset; kept as text (Core resolves it against the run's clock).
    /// Its value may start with `-`.
    public static func time(_ long: String, _ help: String) -> Opt<String> {
        .string(long, "time", help, dashValue: true)
    }

    /// A duration: seconds or a number with s, m, h or d; kept as text (Core parses and bounds it).
    public static func duration(_ long: String, _ help: String) -> Opt<String> {
        .string(long, "duration", help)
    }
}

extension Opt where Value == Int {
    /// A whole number.
    public static func int(_ long: String, _ valueName: String, _ help: String) -> Opt<Int> {
        Opt(.value(long, valueName: valueName, help)) { s throws(WIFError) in
            guard let v = Int(s) else {
                throw WIFError(.usage, "--\(long) takes a whole number, not \"\(JSON.escapedForMessage(s))\"")
            }
            return v
        }
    }
}

extension Multi where Value == String {
    /// A repeatable text option.
    public static func strings(_ long: String, _ valueName: String, _ help: String,
                               required: Bool = false) -> Multi<String> {
        Multi(.values(long, valueName: valueName, help, required: required)) { s throws(WIFError) in s }
    }
}

extension OptionSpec {
    static func value(_ long: String, valueName: String, _ help: String) -> OptionSpec {
        .value(long, short: nil, valueName, help)
    }
    static func values(_ long: String, valueName: String, _ help: String, required: Bool) -> OptionSpec {
        .values(long, short: nil, valueName, help, required: required)
    }
}
