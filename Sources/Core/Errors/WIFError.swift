// SPDX-License-Identifier: Apache-2.0

/// The one error type of Core: a stable reason, a message that names the offending input, and an optional hint.
///
/// Rules for `detail`: lowercase first word, no final period, never a key, secret or passphrase; keys are named
/// by `kid` or file name only.
public struct WIFError: Error, Sendable, CustomStringConvertible {
    public var reason: Reason
    public var detail: String
    public var hint: String?

    public init(_ reason: Reason, _ detail: String, hint: String? = nil) {
        self.reason = reason
        self.detail = detail
        self.hint = hint
    }

    public var description: String { "\(reason.rawValue): \(detail)" }

    /// Prefixes the detail with a location, e.g. the file name the input came from.
    public func located(_ place: String) -> WIFError {
        WIFError(reason, "\(place): \(detail)", hint: hint)
    }
}
