// SPDX-License-Identifier: Apache-2.0

extension Array where Element == String {
    /// The elements with `separator` between them, as `joined(separator:)`. The standard library's version is
    /// generic over BidirectionalCollection and not specialised in the release build: its first call in a
    /// process costs 0.1 M instructions of associated-type lookups, so start-up paths use this one (issue 12).
    public func joinedText(_ separator: String) -> String {
        var s = ""
        for (i, e) in enumerated() {
            if i > 0 { s += separator }
            s += e
        }
        return s
    }
}
