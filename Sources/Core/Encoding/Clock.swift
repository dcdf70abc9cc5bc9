// SPDX-License-Identifier: Apache-2.0

/// The time a judgement is made at: the system clock, read afresh for each judgement, or a fixed instant.
///
/// Rules: `--now` (every tool) takes epoch seconds, RFC 3339 or an offset from the system clock (`+5m`, `-1h`);
/// an offset is resolved once, when the option is read, so a whole run judges at one fixed instant. Without
/// `--now` every call of `now()` reads the clock, so a long batch never judges with a stale time.
public struct Clock: Sendable {
    public let fixed: Int64?

    public static let system = Clock(fixed: nil)

    public init(fixed: Int64?) { self.fixed = fixed }

    /// The clock `--now TEXT` names; nil is the system clock.
    public init(now text: String?) throws(WIFError) {
        guard let text else { self.fixed = nil; return }
        self.fixed = try NumericDate.parseInstant(text, now: NumericDate.systemNow(), what: "--now")
    }

    /// The current time in NumericDate seconds.
    public func now() -> Int64 { fixed ?? NumericDate.systemNow() }
}
