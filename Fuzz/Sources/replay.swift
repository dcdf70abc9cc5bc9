// SPDX-License-Identifier: Apache-2.0
// fuzz-replay: the replay cache file reader (ReplayCache.parse). A file either parses exactly or is refused as
// unusable (input_invalid, naming a line); a parsed file has only 43-character base64url SHA-256 keys,
// NumericDate expiries and use counts from 1 to UseBudget.maximum (a count of 1 is written as a version-1 line,
// without the field), ends with a newline, and its entries written back parse to the same entries, in the bytes
// the writer produces.
import Core

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let entries: [String: ReplayCache.Entry]
    do {
        entries = try ReplayCache.parse(input, what: "fuzz")
    } catch {
        invariant(error.reason == .inputInvalid, "parse threw \(error.reason.rawValue), not input_invalid")
        invariant(error.detail.hasPrefix("fuzz: line "), "the error names no line: \(error.detail)")
        exercise(error)
        return 0
    }
    invariant(input.isEmpty || input.last == 0x0A, "a file without a final newline parsed")
    invariant(!input.contains(0x0D), "a file with a CR parsed")
    let lines = input.split(separator: 0x0A, omittingEmptySubsequences: false).count - 1
    invariant(entries.count <= max(lines, 0), "\(entries.count) entries from \(lines) lines")
    for (k, e) in entries {
        invariant(k.utf8.count == 43 && Base64URL.decode(k)?.count == 32, "key \(k) is not a base64url SHA-256")
        invariant(e.expiry >= 0 && e.expiry < 1_000_000_000_000_000, "expiry \(e.expiry) out of bounds")
        invariant(e.used >= 1 && e.used <= UseBudget.maximum, "use count \(e.used) out of bounds")
    }
    let written = ReplayCache.serialize(entries)
    invariant(written.count <= input.count, "the writer made \(written.count) bytes of \(input.count)")
    let again: [String: ReplayCache.Entry]
    do { again = try ReplayCache.parse(written, what: "written") } catch {
        invariant(false, "written entries do not parse: \(error.detail)")
        return 0
    }
    invariant(again == entries, "written entries parse to others")
    invariant(ReplayCache.serialize(again) == written, "serializing is not stable")
    return 0
}
