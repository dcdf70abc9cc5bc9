// SPDX-License-Identifier: Apache-2.0

extension RotationCheck {
    /// The option values of `wif-verify jwks-check`, parsed here against one clock (the combination rules are
    /// `RotationCheck.validate()`'s, run by `run()`).
    public struct Settings: Sendable {
        public var published = ""
        public var signing: [String] = []
        public var previous: String?
        public var maxTokenLifetime: String?
        public var retiredAt: String?
        public var leeway: String?
        public var publishedAt: String?
        public var previousPublishedAt: String?
        public var cacheTTL: String?
        public var allowed: [String] = []

        public init() {}

        /// The check, keys read (encrypted signing keys opened with `passphrase`), times resolved at `now`.
        public func check(passphrase: Passphrase?, now: Int64) throws(WIFError) -> RotationCheck {
            func instant(_ t: String?, _ flag: String) throws(WIFError) -> Int64? {
                try t.map { s throws(WIFError) in try NumericDate.parseInstant(s, now: now, what: flag) }
            }
            func duration(_ t: String?, _ flag: String) throws(WIFError) -> Int64? {
                try t.map { s throws(WIFError) in try NumericDate.parseDuration(s, what: flag) }
            }
            var c = try RotationCheck.load(published: published, signing: signing, previous: previous,
                                           passphrase: passphrase, now: now)
            c.maxTokenLifetime = try duration(maxTokenLifetime, "--max-token-lifetime")
            c.retiredAt = try instant(retiredAt, "--retired-at")
            c.leeway = try duration(leeway, "--leeway") ?? 60
            c.publishedAt = try instant(publishedAt, "--published-at")
            c.previousPublishedAt = try instant(previousPublishedAt, "--previous-published-at")
            c.cacheTTL = try duration(cacheTTL, "--cache-ttl")
            c.allowed = allowed
            return c
        }
    }
}
