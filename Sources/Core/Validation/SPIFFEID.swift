// SPDX-License-Identifier: Apache-2.0

/// SPIFFE ID syntax (SPIFFE-ID.md §2).
public enum SPIFFEID {
    /// Why `id` is not a valid SPIFFE ID, or nil when it is.
    public static func problem(_ id: String) -> String? {
        let b = Array(id.utf8)
        if b.count > 2048 { return "longer than 2048 bytes" }
        let prefix = Array("spiffe://".utf8)
        guard b.starts(with: prefix) else { return "the scheme must be spiffe://" }
        let rest = b[prefix.count...]
        let slash = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
        let td = rest[rest.startIndex..<slash]
        if td.isEmpty { return "the trust domain is empty" }
        if td.count > 255 { return "the trust domain is longer than 255 bytes" }
        for c in td {
            let ok = (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x2D || c == 0x5F
            if !ok { return "the trust domain may hold only a-z 0-9 . - _ (no uppercase, port, userinfo or %)" }
        }
        let path = rest[slash...]
        if path.isEmpty { return nil }
        if path.last == UInt8(ascii: "/") { return "the path has a trailing slash" }
        for seg in path.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if seg.isEmpty { return "the path has an empty segment" }
            if seg.elementsEqual([0x2E]) || seg.elementsEqual([0x2E, 0x2E]) { return "the path has a . or .. segment" }
            for c in seg {
                let ok = (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39)
                    || c == 0x2E || c == 0x2D || c == 0x5F
                if !ok { return "the path may hold only a-z A-Z 0-9 . - _ (no query, fragment or %)" }
            }
        }
        return nil
    }

    public static func trustDomain(_ id: String) -> String? {
        guard id.hasPrefix("spiffe://") else { return nil }
        return String(id.dropFirst(9).prefix { $0 != "/" })
    }
}
