// SPDX-License-Identifier: Apache-2.0
import Core

/// Everything the server shares between connections. It lives on the server's one event-loop thread and is
/// touched only there (through `NIOLoopBound`), so the replay cache, the conformance state and the counters
/// need no lock and stay exact under concurrent requests: requests are judged one at a time, in arrival order.
/// A Validator belongs to one thread at a time (its prepared OpenSSL contexts), which this also satisfies.
final class ServerState {
    let options: ServerOptions
    let base: String
    var endpoint: TokenEndpoint
    let resource: ProtectedResource
    let replayCache: ReplayCache?
    /// Why the log could not be written, when it could not (the server then stops, exit 2).
    var logError: WIFError?
    var conformance = ConformanceChecks()
    let asMetadata: [UInt8]
    let prMetadata: [UInt8]
    let jwks: [UInt8]
    let log: LogFile
    var logFailed = false

    var requests = 0
    var statuses: [Int: Int] = [:]
    var connections = 0
    var peakConnections = 0
    var refusedConnections = 0
    var lastActivityMillis = ProcessControl.nowMillis()
    var stopping = false
    /// Closes each open connection that is between requests (for a graceful stop), by connection.
    var live: [ObjectIdentifier: () -> Void] = [:]
    /// Set by the server: called once when a stop condition is met.
    var stop: (String) -> Void = { _ in }

    init(options: ServerOptions, base: String, issuer: String, issuerKey: JWK, endpoint: TokenEndpoint,
         log: LogFile) throws(WIFError) {
        self.options = options
        self.base = base
        self.endpoint = endpoint
        self.replayCache = endpoint.memoryReplayCache
        self.log = log
        let resourceURL = base + "/mcp"
        let validator = try ProtectedResource.accessTokenValidator(issuerKey: issuerKey, issuer: issuer, resource: resourceURL)
        resource = ProtectedResource(resource: resourceURL, metadataURL: base + "/.well-known/oauth-protected-resource/mcp",
                                     authorizationServers: [issuer], requiredScopes: options.resourceScopes,
                                     validator: validator)
        var scopes = endpoint.allowScopes ?? []
        for s in options.resourceScopes where !scopes.containsExactly(s) { scopes.append(s) }
        asMetadata = Array(ServerMetadata.authorizationServer(issuer: issuer, base: base, endpoint: endpoint,
                                                              scopes: scopes).serialized().utf8)
        prMetadata = Array(resource.metadata.serialized().utf8)
        jwks = Array(ServerMetadata.jwks(issuerKey).serialized().utf8)
    }

    /// The judgement time: `--now` when given, else the system clock, read once per request.
    func now() -> Int64 { options.fixedNow ?? NumericDate.systemNow() }

    /// Writes one event line; a log that cannot be written stops the server (exit 2), it never drops events.
    func emit(_ event: JSONObject) {
        var line = [UInt8]()
        JSON.object(event).write(to: &line)
        line.append(0x0A)
        do { try log.write(line) } catch {
            if !logFailed {
                logFailed = true
                logError = error
                stop("log-failed")
            }
        }
        options.onEvent?(.object(event))
    }

    /// Records a request about to be answered: the event line (written before the response, so a client that
    /// has its answer can read the log) and the counters.
    func record(status: Int, event: JSONObject) {
        requests += 1
        statuses[status, default: 0] += 1
        lastActivityMillis = ProcessControl.nowMillis()
        emit(event)
    }

    /// After a response was handed to the socket: the stop condition that counts requests.
    func answered() {
        if let max = options.maxRequests, requests >= max { stop("max-requests") }
    }

    func newEvent(method: String?, path: String?) -> JSONObject {
        var e = JSONObject()
        e["time"] = .string(ProcessControl.formatMillis(ProcessControl.nowMillis()))
        e["method"] = method.map { .string($0) } ?? .null
        e["path"] = path.map { .string($0) } ?? .null
        e["status"] = .null  // set when answered; kept here so it reads fourth
        return e
    }

    func summary(stoppedBy: String) -> JSONObject {
        var s = JSONObject()
        s["requests"] = .integer(Int64(requests))
        var st = JSONObject()
        for (k, v) in statuses.sorted(by: { $0.key < $1.key }) { st[String(k)] = .integer(Int64(v)) }
        s["statuses"] = .object(st)
        s["token_requests"] = .integer(Int64(conformance.tokenRequests))
        s["checks"] = conformance.summaryJSON
        s["peak_connections"] = .integer(Int64(peakConnections))
        s["refused_connections"] = .integer(Int64(refusedConnections))
        if let c = replayCache { s["replay_entries"] = .integer(Int64(c.count)) }
        s["stopped_by"] = .string(stoppedBy)
        var e = JSONObject()
        e["time"] = .string(ProcessControl.formatMillis(ProcessControl.nowMillis()))
        e["summary"] = .object(s)
        return e
    }
}
