// SPDX-License-Identifier: Apache-2.0

/// `NAME=VALUE` arguments of `--claim`, `--header`, `--act-claim`, `--param`.
///
/// VALUE is JSON when it parses as JSON, else a plain string; `NAME=@FILE` reads a JSON value from FILE.
public enum Assignment {
    public static func parse(_ arg: String, flag: String) throws(WIFError) -> (String, JSON) {
        guard let eq = arg.firstIndex(of: "=") else {
            throw WIFError(.usage, "\(flag) \"\(JSON.escapedForMessage(arg))\" has no '='", hint: "write \(flag) NAME=VALUE")
        }
        let name = String(arg[..<eq])
        let value = String(arg[arg.index(after: eq)...])
        guard !name.isEmpty else { throw WIFError(.usage, "\(flag) \"\(JSON.escapedForMessage(arg))\" has an empty name") }
        if value.hasPrefix("@") {
            let path = String(value.dropFirst())
            do { return (name, try JSON.parse(try Input.read(path))) } catch {
                throw WIFError(.usage, "\(flag) \(name)=@\(path): \(error.detail)")
            }
        }
        if let v = try? JSON.parse(value) { return (name, v) }
        return (name, .string(value))
    }

    /// Splits `NAME=VALUE` without interpreting VALUE (for form parameters).
    public static func split(_ arg: String, flag: String) throws(WIFError) -> (String, String) {
        guard let eq = arg.firstIndex(of: "="), eq != arg.startIndex else {
            throw WIFError(.usage, "\(flag) \"\(JSON.escapedForMessage(arg))\" is not NAME=VALUE")
        }
        return (String(arg[..<eq]), String(arg[arg.index(after: eq)...]))
    }
}
