// SPDX-License-Identifier: Apache-2.0
import Core
import Testing

/// Sources/Core/Operations/Assignment.swift: `NAME=VALUE` for `--claim`, `--header`, `--act-claim` (VALUE is JSON
/// when it parses as JSON, else a string; `@FILE` reads JSON) and `--param` (split only).
@Suite struct AssignmentTests {
    func value(_ arg: String) throws -> JSON { try Assignment.parse(arg, flag: "--claim").1 }

    @Test func jsonWhenItParsesElseAString() throws {
        #expect(try value("n=5") == .integer(5))
        #expect(try value("b=true") == .bool(true))
        #expect(try value("z=null") == .null)
        #expect(try value("a=[1,\"x\"]") == .array([.integer(1), .string("x")]))
        #expect(try value("o={\"k\":1}").objectValue?["k"] == .integer(1))
        #expect(try value("s=\"quoted\"") == .string("quoted"))
        #expect(try value("s=plain text") == .string("plain text"))
        #expect(try value("s=") == .string(""))
        #expect(try value("s={broken") == .string("{broken"))
        #expect(try value("s=a=b") == .string("a=b"))
        #expect(try Assignment.parse("name=v", flag: "--claim").0 == "name")
    }

    @Test func nameAndEqualsAreRequired() {
        let e = wifError { try Assignment.parse("novalue", flag: "--header") }
        #expect(e?.reason == .usage)
        #expect(e?.hint == "write --header NAME=VALUE")
        #expect(reason { try Assignment.parse("=v", flag: "--claim") } == .usage)
    }

    @Test func atFileReadsJSON() throws {
        let dir = try TempDir()
        let f = try dir.write("v.json", "{\"role\":\"ci\"}")
        #expect(try value("x=@\(f)").objectValue?["role"]?.stringValue == "ci")
        let bad = try dir.write("bad.json", "not json")
        #expect(reason { try value("x=@\(bad)") } == .usage)
        #expect(reason { try value("x=@\(dir.file("absent"))") } == .usage)
    }

    @Test func splitKeepsTheValueAsText() throws {
        #expect(try Assignment.split("a=5", flag: "--param") == ("a", "5"))
        #expect(try Assignment.split("a=", flag: "--param") == ("a", ""))
        #expect(try Assignment.split("a=b=c", flag: "--param") == ("a", "b=c"))
        #expect(reason { try Assignment.split("=b", flag: "--param") } == .usage)
        #expect(reason { try Assignment.split("ab", flag: "--param") } == .usage)
    }
}
