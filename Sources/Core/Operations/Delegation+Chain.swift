// SPDX-License-Identifier: Apache-2.0

extension Delegation {
    /// The `act` chain of `claims` as a list, current actor first (RFC 8693 §4.1: the outermost `act` is the
    /// current actor, nested ones acted before), each level's members without its inner `act`; nil without
    /// `act`. At most `Policy.hardMaxDelegationDepth` levels are listed; a level that is not an object ends it.
    /// `wif-verify --json` returns it as `delegation`, `wif-inspect` draws it.
    public static func levels(_ claims: JSONObject) -> [JSONObject]? {
        guard var level = claims[.act] else { return nil }
        var out: [JSONObject] = []
        while out.count < Policy.hardMaxDelegationDepth, let o = level.objectValue {
            var entry = o
            entry["act"] = nil
            out.append(entry)
            guard let next = o["act"] else { break }
            level = next
        }
        return out
    }
}
