// SPDX-License-Identifier: Apache-2.0
// fuzz-inspect: wif-inspect's engine on arbitrary bytes (tokens, JWK/JWKS, PEM, requests, token lists), with
// and without verification keys. Reports serialize, parse back and render as text; errors are input errors.
import Core

nonisolated(unsafe) let plain = Inspector(now: Fixed.now)
nonisolated(unsafe) var keyed: Inspector? = Inspector(now: Fixed.now, validator: Fixed.validator(.none))
let allowed: Set<Reason> = [.inputInvalid, .inputTooLarge, .keyInvalid, .keyWeak, .passphraseRequired,
                            .decryptFailed, .cryptoFailure]

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: FuzzArgv) -> CInt {
    releaseAtExit { keyed = nil }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = bytes(data, size)
    for inspector in [plain] + (keyed.map { [$0] } ?? []) {
        do {
            let report = try inspector.inspect(input)
            let text = report.json.serialized()
            invariant((try? JSON.parse(text)) != nil, "report does not parse back")
            _ = report.findings
            _ = report.rejected
            _ = InspectText.render(report, color: false)
        } catch {
            invariant(allowed.contains(error.reason), "inspect threw \(error.reason.rawValue): \(error.detail)")
            exercise(error)
        }
    }
    return 0
}
