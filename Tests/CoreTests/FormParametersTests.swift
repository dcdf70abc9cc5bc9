// SPDX-License-Identifier: Apache-2.0
@testable import Core
import Testing

/// FormEncoding.swift, FormParameters: names by exact bytes, empty values dropped, each name's values in order,
/// names in first-seen order, and the same answers once past `indexThreshold` names (a hash table from then on).
@Suite struct FormParametersTests {
    @Test(arguments: [3, FormParameters.indexThreshold, FormParameters.indexThreshold + 1, 40])
    func lookupsAgreeWithAScan(_ extra: Int) {
        var pairs: [(String, String)] = [("resource", "a"), ("e\u{301}", "decomposed"), ("scope", ""), ("resource", "b")]
        for i in 0..<extra { pairs.append(("p\(i)", "v\(i)")) }
        pairs.append(("\u{e9}", "composed"))
        pairs.append(("resource", "c"))
        let p = FormParameters(pairs)
        #expect(p[ExactName("resource")] == ["a", "b", "c"])
        #expect(p[ExactName("e\u{301}")] == ["decomposed"])
        #expect(p[ExactName("\u{e9}")] == ["composed"])
        #expect(p[ExactName("scope")] == nil)
        #expect(p[ExactName("RESOURCE")] == nil)
        for i in 0..<extra { #expect(p[ExactName("p\(i)")] == ["v\(i)"]) }
        #expect(p.names == ["resource", "e\u{301}"] + (0..<extra).map { "p\($0)" } + ["\u{e9}"])
    }
}
