// SPDX-License-Identifier: Apache-2.0
// fuzz-json: the strict JSON reader. Whatever parses must serialize (compact and pretty) to text that parses
// back to the same value, and serializing again must give the same bytes.
import Core

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let value: JSON
    do { value = try JSON.parse(input) } catch {
        invariant(error.reason == .inputInvalid, "parse threw \(error.reason.rawValue)")
        exercise(error)
        return 0
    }
    let text = value.serialized()
    let again: JSON
    do { again = try JSON.parse(text) } catch {
        fatalError("serialized JSON does not parse: \(error.detail)")
    }
    invariant(again.serialized() == text, "serialize/parse/serialize is not stable")
    invariant(again == value, "re-parsed value differs")
    let pretty = value.pretty()
    invariant((try? JSON.parse(pretty))?.serialized() == text, "pretty form does not parse back to the same value")
    if case .object(let o) = value {
        invariant((try? JSON.parseObject(Array(text.utf8), what: "x")) == o, "parseObject differs")
    }
    return 0
}
