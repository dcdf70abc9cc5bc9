// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import Core

@Suite struct AlgorithmSetTests {
    @Test func membershipInsertAndIntersection() {
        var s = AlgorithmSet()
        #expect(s.isEmpty && s.count == 0)
        s.insert(.es256)
        s.insert(.hs256)
        s.insert(.es256)
        #expect(s.count == 2 && s.contains(.es256) && s.contains(.hs256) && !s.contains(.rs256))
        let t: AlgorithmSet = [.hs256, .ed448]
        #expect(s.intersection(t) == [.hs256])
        s.formIntersection([.rs256])
        #expect(s.isEmpty)
    }

    @Test func iteratesEveryAlgorithmInAllCasesOrder() {
        let all = AlgorithmSet(Algorithm.allCases.reversed())
        #expect(Array(all) == Algorithm.allCases)
        #expect(Array(AlgorithmSet([.ed448, .hs256])) == [.hs256, .ed448])
    }
}
