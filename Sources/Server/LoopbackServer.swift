// SPDX-License-Identifier: Apache-2.0
import Core
import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix

/// `wif-verify serve`: an HTTP/1.1 authorization server and MCP resource on one event-loop thread.
///
/// Life: `start` binds (a port in use is exit 2), builds the token endpoint for the bound base URL (the caller's
/// closure: the same Core construction as `wif-verify request`), writes the URL line and `--port-file`, and
/// serves. It stops on SIGINT/SIGTERM (when `handleSignals`), `--timeout` (whole life), `--idle-timeout` (no
/// request), `--max-requests` (responses written), or `stop()`: the listener closes, idle connections close,
/// requests already received are answered, then the summary line is written. `wait()` returns the stop reason.
public final class LoopbackServer: Sendable {
    public let baseURL: String
    private let group: MultiThreadedEventLoopGroup
    private let loop: EventLoop
    /// Empty until the endpoint is built; connections accepted before that are closed.
    private let state: NIOLoopBoundBox<ServerState?>
    private let listener: Channel
    private let stopped: EventLoopPromise<String>

    /// Binds and starts serving. `makeEndpoint` gets the base URL (`http://HOST:PORT`) and returns the token
    /// endpoint; the issuer is `options.issuer` or the base URL.
    public init(options: ServerOptions, issuerKey: JWK,
                makeEndpoint: (_ baseURL: String) throws(WIFError) -> TokenEndpoint) throws(WIFError) {
        try options.validate()
        let address = try options.address()
        let log: LogFile = try options.logPath.map { path throws(WIFError) in try LogFile(path: path) }
            ?? (options.useStdout ? LogFile() : LogFile(discarding: ()))
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        // The state is made on the loop and stays there; until the endpoint is built, connections are refused
        // by not binding yet: bind first (to learn the port), build, then accept.
        let box = NIOLoopBoundBox.makeEmptyBox(valueType: ServerState.self, eventLoop: loop)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.autoRead, value: false)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let state = box.value else { throw ChannelError.ioOnClosedChannel }
                    try LoopbackServer.configure(channel, state: state)
                }
            }
        let ch: Channel
        do { ch = try bootstrap.bind(to: address).wait() } catch {
            try? group.syncShutdownGracefully()
            throw WIFError(.inputUnreadable, "cannot listen on \(options.listen): \(LoopbackServer.describe(error))",
                           hint: "give another --listen port, or 0 for a free one")
        }
        listener = ch
        let port = ch.localAddress?.port ?? 0
        let host = address.protocol == .inet6 ? "[\(address.ipAddress ?? "::1")]" : (address.ipAddress ?? "127.0.0.1")
        let base = "http://\(host):\(port)"
        baseURL = base
        let built: ServerState
        do {
            var endpoint = try makeEndpoint(base)
            endpoint.issuerKey = issuerKey
            endpoint.issuer = options.issuer ?? base
            endpoint.defaultAudience = base + "/mcp"
            if endpoint.replayCache == nil, endpoint.memoryReplayCache == nil { endpoint.memoryReplayCache = ReplayCache(inMemory: ()) }
            built = try ServerState(options: options, base: base, issuer: options.issuer ?? base, issuerKey: issuerKey,
                                    endpoint: endpoint, log: log)
        } catch {
            try? ch.close().wait()
            try? group.syncShutdownGracefully()
            throw error
        }
        self.state = box
        stopped = loop.makePromise(of: String.self)
        let sent = NIOLoopBoundBox.makeBoxSendingValue(built, eventLoop: loop)
        let stopped = self.stopped
        let listener = ch
        let loopRef = loop
        let opened = loop.submit {
            let st = sent.value
            box.value = st
            st.eventLoop = loopRef
            st.stop = { reason in
                guard !st.stopping else { return }
                st.stopping = true
                listener.close(promise: nil)
                st.flushPending()
                for close in st.live.values { close() }
                // Connections still reading a request get until their read timeout; then the summary is written.
                let deadline = NIODeadline.now() + .seconds(st.options.readTimeout)
                LoopbackServer.finish(box, reason: reason, deadline: deadline, loop: loopRef, promise: stopped)
            }
            if let t = options.timeout {
                loopRef.scheduleTask(in: .seconds(t)) { box.value?.stop("timeout") }
            }
            if let idle = options.idleTimeout {
                loopRef.scheduleRepeatedTask(initialDelay: .milliseconds(200), delay: .milliseconds(200)) { task in
                    guard let st = box.value, !st.stopping else { task.cancel(); return }
                    if st.stopping { task.cancel(); return }
                    if ProcessControl.nowMillis() - st.lastActivityMillis >= idle * 1000 { st.stop("idle-timeout") }
                }
            }
        }
        do { try opened.wait() } catch {
            throw WIFError(.inputUnreadable, "cannot start the server: \(error)")
        }
        if options.handleSignals { installSignalHandlers() }
        if let path = options.portFile {
            do { try Output.writeAtomically(Array((base + "\n").utf8), to: path, mode: 0o644) } catch {
                stop()
                _ = try? wait()
                throw error
            }
        }
        if options.useStdout {
            do { try LogFile().write(Array((base + "\n").utf8)) } catch {
                stop()
                _ = try? wait()
                throw error
            }
        }
        ch.setOption(.autoRead, value: true).whenComplete { _ in ch.read() }
    }

    /// Pipeline of one accepted connection: NIO's HTTP/1.1 decoder (header bound), encoder, our handler.
    static func configure(_ channel: Channel, state: ServerState) throws {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = ServerOptions.maxHeaderBytes
        limits.maxHeaderListSize = ServerOptions.maxHeaderBytes
        let over = state.connections >= state.options.maxConnections || state.stopping
        state.connections += 1
        state.peakConnections = max(state.peakConnections, state.connections)
        if over { state.refusedConnections += 1 }
        let handler = ConnectionHandler(state: state, overCapacity: over)
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes,
                                                                    informationalResponseStrategy: .drop,
                                                                    limitConfiguration: limits)))
        try sync.addHandler(handler)
        let ctx = try sync.context(handler: handler)
        let id = ObjectIdentifier(channel)
        state.live[id] = { handler.closeIfIdle(context: ctx) }
        let bound = NIOLoopBound(state, eventLoop: channel.eventLoop)
        channel.closeFuture.whenComplete { _ in
            let st = bound.value
            st.connections -= 1
            st.live[id] = nil
        }
    }

    /// Writes the summary once no connection is open (or at the deadline), then completes `promise`.
    static func finish(_ bound: NIOLoopBoundBox<ServerState?>, reason: String, deadline: NIODeadline, loop: EventLoop,
                       promise: EventLoopPromise<String>) {
        guard let st = bound.value else { return promise.succeed(reason) }
        if st.connections > 0 && NIODeadline.now() < deadline {
            loop.scheduleTask(in: .milliseconds(20)) {
                finish(bound, reason: reason, deadline: deadline, loop: loop, promise: promise)
            }
            return
        }
        st.emit(st.summary(stoppedBy: reason))
        st.writeLog()
        if let e = st.logError { promise.fail(e) } else { promise.succeed(reason) }
    }

    /// Stops the server (from any thread).
    public func stop(reason: String = "stop") {
        let state = self.state
        loop.execute { state.value?.stop(reason) }
    }

    /// Stops on SIGINT and SIGTERM (installed before the URL is written, so a script may signal at once).
    private func installSignalHandlers() {
        ProcessControl.ignoreTerminationSignals()
        for sig in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in stop(reason: sig == SIGINT ? "SIGINT" : "SIGTERM") }
            source.resume()
            LoopbackServer.signalSources.append(source)
        }
    }

    /// Kept alive for the process; written only by `handleSignals`, which the main thread calls once.
    nonisolated(unsafe) private static var signalSources: [any DispatchSourceSignal] = []

    /// Blocks until the server has stopped; returns why (`timeout`, `idle-timeout`, `max-requests`, `SIGINT`,
    /// `SIGTERM`, `stop`); throws the error that stopped it when the event log could not be written.
    public func wait() throws(WIFError) -> String {
        let result = Result { try stopped.futureResult.wait() }
        try? group.syncShutdownGracefully()
        switch result {
        case .success(let reason): return reason
        case .failure(let e as WIFError): throw e
        case .failure(let e): throw WIFError(.outputFailed, "the server stopped: \(e)")
        }
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? IOError {
            switch e.errnoCode {
            case EADDRINUSE: return "address already in use"
            case EADDRNOTAVAIL: return "address not available on this host"
            case EACCES: return "permission denied"
            default: return "\(e)"
            }
        }
        return "\(error)"
    }
}
