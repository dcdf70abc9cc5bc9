// SPDX-License-Identifier: Apache-2.0

/// A set of JWS algorithms as a bitmask, one bit per `Algorithm` case in `allCases` order.
///
/// `Set<Algorithm>` made the Swift runtime instantiate its generic metadata by mangled name, with conformance
/// scans for the Hashable requirement, on every one-token verify (issue 12); a bitmask needs none and iterates
/// in the fixed `allCases` order.
public struct AlgorithmSet: Sendable, Equatable, Sequence, ExpressibleByArrayLiteral {
    public private(set) var bits: UInt32

    public init() { bits = 0 }

    public init(arrayLiteral elements: Algorithm...) {
        bits = 0
        for a in elements { insert(a) }
    }

    public init<S: Sequence>(_ elements: S) where S.Element == Algorithm {
        bits = 0
        for a in elements { insert(a) }
    }

    static func bit(_ a: Algorithm) -> UInt32 {
        UInt32(1) << UInt32(Algorithm.allCases.firstIndex(of: a) ?? 0)
    }

    public var isEmpty: Bool { bits == 0 }
    public var count: Int { bits.nonzeroBitCount }
    public func contains(_ a: Algorithm) -> Bool { bits & AlgorithmSet.bit(a) != 0 }
    public mutating func insert(_ a: Algorithm) { bits |= AlgorithmSet.bit(a) }
    public mutating func formIntersection(_ other: AlgorithmSet) { bits &= other.bits }
    public func intersection(_ other: AlgorithmSet) -> AlgorithmSet {
        var s = self
        s.formIntersection(other)
        return s
    }

    public struct Iterator: IteratorProtocol {
        var rest: UInt32
        public mutating func next() -> Algorithm? {
            guard rest != 0 else { return nil }
            let i = rest.trailingZeroBitCount
            rest &= rest - 1
            return Algorithm.allCases[i]
        }
    }

    public func makeIterator() -> Iterator { Iterator(rest: bits) }
    public var underestimatedCount: Int { count }
}
