// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
import Core

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
    /// `main` for a tool described by `spec`: parses the command line, then runs the command it names.
    /// Help, version and completion scripts go to stdout with exit 0; every error is one line on stderr.
    /// The command tables are built only when a command runs: `--version` alone never builds them.
    public static func main(tool: String, spec: @autoclosure () -> CommandSpec) -> Never {
        signal(SIGPIPE, SIG_DFL)
        Diagnostics.tool = tool
        let args = Array(CommandLine.arguments.dropFirst())
        if args.count == 1 && args[0] == "--version" {
            var out = StdoutWriter()
            do { try out.write(WIFVersion.string + "\n"); try out.flush() } catch {
                Diagnostics.error(error)
                exit(error.reason.exitStatus.rawValue)
            }
            exit(0)
        }
        do {
            switch try Arguments.parse(args, root: spec()) {
            case .help(let text), .completion(let text):
                var out = StdoutWriter()
                try out.write(text)
                try out.flush()
            case .version:
                var out = StdoutWriter()
                try out.write(WIFVersion.string + "\n")
                try out.flush()
            case .run(let args):
                guard let command = args.spec.command else {
                    throw WIFError(.usage, "\(args.commandLine): a subcommand is required")
                }
                try command.run(args)
            }
            exit(0)
        } catch let e as WIFError {
            Diagnostics.error(e)
            exit(e.reason.exitStatus.rawValue)
        } catch let e as ExitStatusRequest {
            exit(e.status)
        } catch {
            Diagnostics.line("internal error: \(error)")
            exit(2)
        }
    }
}
