// SPDX-License-Identifier: Apache-2.0

/// Where Core's warnings go (a private key file others can read, a time that is almost surely a mistake): the
/// front end sets `sink` once at start-up (the CLI writes each as one escaped `tool: warning: ...` line on
/// standard error); Core never writes to a stream itself. Without a sink, warnings are dropped.
public enum Warnings {
    nonisolated(unsafe) public static var sink: (@Sendable (String) -> Void)?

    public static func emit(_ text: String) { sink?(text) }
}
