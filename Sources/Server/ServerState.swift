// SPDX-License-Identifier: Apache-2.0
import Core
import NIOCore

/// Everything the server shares between connections. It lives on the server's one event-loop thread and is
/// touched only there (through `NIOLoopBound`), so the replay cache, the conformance state and the counters
/// need no lock and stay exact under concurrent requests: requests are judged one at a time, in arrival order.
/// A Validator belongs to one thread at a time (its prepared OpenSSL contexts), which this also satisfies.
final class ServerState {
    let options: ServerOptions
    let base: String
    /// `base` + `/token`, the htu a DPoP proof at the token endpoint must name.
    let tokenURL: String
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
    private var stamp = ProcessControl.MillisStamp()
    var stopping = false
    /// Closes each open connection that is between requests (for a graceful stop), by connection.
    var live: [ObjectIdentifier: () -> Void] = [:]
    /// Set by the server: called once when a stop condition is met.
    var stop: (String) -> Void = { _ in }

    init(options: ServerOptions, base: String, issuer: String, issuerKey: JWK, endpoint: TokenEndpoint,
         log: LogFile) throws(WIFError) {
        self.options = options
        self.base = base
        tokenURL = base + "/token"
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

    /// The loop the state lives on, once serving: event lines then wait for the end of the loop's tick.
    var eventLoop: EventLoop?
    /// Event lines not yet written, and the connections whose responses wait for them: at the end of a tick of the
    /// event loop the lines go out in one write(2), then those responses are flushed, so a client that has its
    /// answer can read its line, and a burst of requests costs one log write, not one each (issue 13: a write per
    /// request was 17 µs of a 184 µs request on the benchmark machine).
    private var pendingLog: [UInt8] = []
    private var pendingFlush: [ChannelHandlerContext] = []
    private var tickScheduled = false

    /// Queues one event line; a log that cannot be written stops the server (exit 2), it never drops events.
    func emit(_ event: JSONObject) {
        JSON.object(event).write(to: &pendingLog)
        pendingLog.append(0x0A)
        options.onEvent?(.object(event))
        scheduleTick()
    }

    /// Flushes `context` after the pending event lines are written (at the end of this tick).
    func flushAfterLog(_ context: ChannelHandlerContext) {
        pendingFlush.append(context)
        scheduleTick()
    }

    /// Without a loop (a handler driven by hand, RawInput.swift) everything is written and flushed at once.
    private func scheduleTick() {
        guard let eventLoop else { return flushPending() }
        guard !tickScheduled else { return }
        tickScheduled = true
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.execute { bound.value.flushPending() }
    }

    /// Writes the pending event lines, then flushes the responses that waited for them: at the end of a tick, and
    /// before a stop closes the connections between requests.
    func flushPending() {
        tickScheduled = false
        writeLog()
        let contexts = pendingFlush
        pendingFlush.removeAll(keepingCapacity: true)
        for c in contexts { c.flush() }
    }

    /// Writes the pending event lines now.
    func writeLog() {
        guard !pendingLog.isEmpty else { return }
        defer { pendingLog.removeAll(keepingCapacity: true) }
        do { try log.write(pendingLog) } catch {
            if !logFailed {
                logFailed = true
                logError = error
                stop("log-failed")
            }
        }
    }

    /// Records a request about to be answered: the event line (queued ahead of the response and written before the
    /// response is flushed, so a client that has its answer can read the log) and the counters.
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
        var e = JSONObject(minimumCapacity: 16)
        e.appendNew("time", .string(stamp.format(ProcessControl.nowMillis())))
        e.appendNew("method", method.map { .string($0) } ?? .null)
        e.appendNew("path", path.map { .string($0) } ?? .null)
        e.appendNew("status", .null)  // set when answered; kept here so it reads fourth
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
