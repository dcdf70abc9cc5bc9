// SPDX-License-Identifier: Apache-2.0
internal import COpenSSL

/// Reads and clears OpenSSL's per-thread error queue, so a C error string is shown only with our context.
enum OpenSSLError {
    /// The reason text of the most recent OpenSSL error, or nil; the queue is cleared.
    static func drain() -> String? {
        var last: UInt = 0
        while true {
            let e = ERR_get_error()
            if e == 0 { break }
            last = e
        }
        guard last != 0 else { return nil }
        OpenSSLLibrary.errorStrings
        guard let r = ERR_reason_error_string(last) else { return nil }
        return String(cString: r)
    }

    /// A `WIFError` for a failed OpenSSL call, with what we were doing and OpenSSL's reason.
    static func error(_ reason: Reason, _ doing: String) -> WIFError {
        if let r = drain() { return WIFError(reason, "\(doing): \(r)") }
        return WIFError(reason, doing)
    }
}
