// SPDX-License-Identifier: Apache-2.0
import Core
import NIOCore

/// What `wif-verify serve` is told, besides the token endpoint's policy (which Core builds).
public struct ServerOptions: Sendable {
    /// `HOST:PORT` with a numeric IPv4 address or a bracketed IPv6 one (never resolved: no DNS, no NSS).
    public var listen = "127.0.0.1:0"
    public var portFile: String?
    /// Event log file (appended); nil writes the log to standard output after the URL line.
    public var logPath: String?
    /// Whether the base URL and (without `logPath`) the log go to standard output; false for in-process use.
    public var useStdout = true
    /// Whether SIGINT and SIGTERM stop the server (a process-wide setting; false for in-process use).
    public var handleSignals = true
    public var issuer: String?
    public var resourceScopes: [String] = []
    public var maxRequests: Int?
    public var idleTimeout: Int64?
    public var timeout: Int64?
    public var readTimeout: Int64 = 10
    public var maxConnections = 256
    /// A fixed clock (`--now`) for every judgement; nil reads the system clock per request.
    public var fixedNow: Int64?
    /// Called on the server's thread with each event (request lines and the summary), after it is logged.
    public var onEvent: (@Sendable (JSON) -> Void)?
    /// The version `initialize` reports in serverInfo.
    public var version = ""

    public static let maxHeaderBytes = 16 * 1024
    public static let maxBodyBytes = TokenEndpoint.maxBodySize

    public init() {}

    /// The socket address of `listen`: numeric only.
    public func address() throws(WIFError) -> SocketAddress {
        let text = listen
        let host: String
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw WIFError(.usage, "--listen \(JSON.escapedForMessage(text)): expected [IPV6]:PORT")
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw WIFError(.usage, "--listen \(JSON.escapedForMessage(text)): expected HOST:PORT, e.g. 127.0.0.1:0")
            }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portText), port <= 65535 else {
            throw WIFError(.usage, "--listen \(JSON.escapedForMessage(text)): the port must be 0 to 65535")
        }
        do { return try SocketAddress(ipAddress: host, port: port) } catch {
            throw WIFError(.usage, "--listen \(JSON.escapedForMessage(text)): \(JSON.escapedForMessage(host)) is not a numeric IP address",
                           hint: "host names are not resolved; give 127.0.0.1 or [::1]")
        }
    }

    func validate() throws(WIFError) {
        if let n = maxRequests, n < 1 { throw WIFError(.usage, "--max-requests must be at least 1") }
        if maxConnections < 1 || maxConnections > 65536 { throw WIFError(.usage, "--max-connections must be 1 to 65536") }
        if readTimeout < 1 { throw WIFError(.usage, "--read-timeout must be at least 1 second") }
        if let t = idleTimeout, t < 1 { throw WIFError(.usage, "--idle-timeout must be at least 1 second") }
        if let t = timeout, t < 1 { throw WIFError(.usage, "--timeout must be at least 1 second") }
    }
}
