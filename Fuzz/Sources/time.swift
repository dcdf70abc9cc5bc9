// SPDX-License-Identifier: Apache-2.0
// fuzz-time: durations, command-line instants and RFC 3339. Every result stays within ±NumericDate.bound;
// an RFC 3339 instant formats and parses back to itself; formatting any bounded instant parses back.
import Core

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let text = String(decoding: input, as: UTF8.self)
    let bound = NumericDate.bound
    if let d = try? NumericDate.parseDuration(text, what: "--leeway") {
        invariant(d >= 0 && d <= bound, "duration \(d) out of bounds")
        _ = NumericDate.formatSpan(d)
    }
    if let t = try? NumericDate.parseInstant(text, now: Fixed.now, what: "--now") {
        invariant(abs(t) <= bound, "instant \(t) out of bounds")
    }
    if let t = NumericDate.parseRFC3339(text) {
        let f = NumericDate.formatRFC3339(t)
        invariant(NumericDate.parseRFC3339(f) == t, "RFC 3339 \(f) does not parse back to \(t)")
    }
    // Eight bytes as an instant: years 0000-9999 format and parse back; anything formats without trapping.
    if input.count >= 8 {
        var v: Int64 = 0
        for b in input.prefix(8) { v = v << 8 | Int64(b) }
        _ = NumericDate.formatRFC3339(v)
        _ = NumericDate.formatSpan(v)
        let t = v % 253_402_300_800  // 10000-01-01T00:00:00Z
        let f = NumericDate.formatRFC3339(t)
        if t >= -62_167_219_200 {  // 0000-01-01T00:00:00Z
            invariant(NumericDate.parseRFC3339(f) == t, "formatted \(t) as \(f), which does not parse back")
        }
    }
    return 0
}
