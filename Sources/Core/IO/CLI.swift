// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// The version every tool prints.
public enum WIFVersion {
    public static let string = "0.1.0"
}

/// Shared `main` for the three tools.
///
/// - `WIFError`: rendered by `Diagnostics`, exit by its reason (1 rejected, 2 could not judge).
/// - `ExitStatusRequest`: that status, for an outcome already reported (e.g. `--json` on stdout).
/// - `--help`, `--version`, completion scripts: stdout, exit 0.
public enum CLI {}

/// Thrown by a command that already reported its outcome (e.g. a `--json` rejection on stdout) to set the exit
/// status without another message.
public struct ExitStatusRequest: Error, Sendable {
    public let status: Int32
    public init(_ status: Int32) { self.status = status }
    public static let rejected = ExitStatusRequest(1)
}

extension CLI {
    /// `main` for a tool described by `spec`: parses the command line, then runs `handler` with the result.
    /// Help, version and completion scripts go to stdout with exit 0; every error is one line on stderr.
    public static func main(tool: String, spec: CommandSpec,
                            _ handler: (ParsedArguments) throws -> Void) -> Never {
        signal(SIGPIPE, SIG_DFL)
        do {
            switch try Arguments.parse(Array(CommandLine.arguments.dropFirst()), root: spec) {
            case .help(let text), .completion(let text):
                var out = StdoutWriter()
                try out.write(text)
                try out.flush()
            case .version:
                var out = StdoutWriter()
                try out.write(WIFVersion.string + "\n")
                try out.flush()
            case .run(let args):
                try handler(args)
            }
            exit(0)
        } catch let e as WIFError {
            Diagnostics.writeStderr(Diagnostics.render(e, tool: tool))
            exit(e.reason.exitStatus.rawValue)
        } catch let e as ExitStatusRequest {
            exit(e.status)
        } catch {
            Diagnostics.writeStderr("\(tool): internal error: \(error)\n")
            exit(2)
        }
    }
}
