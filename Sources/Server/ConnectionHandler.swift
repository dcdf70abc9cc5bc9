// SPDX-License-Identifier: Apache-2.0
import Core
import NIOCore
import NIOHTTP1

/// One HTTP/1.1 connection, after NIO's decoder and encoder. Limits:
/// - request head (request line and headers) at most 16 KiB: NIO's decoder stops at the bound → 431, close;
/// - body at most 256 KiB: a larger Content-Length, or a chunked body that grows past it → 413, close;
/// - the whole request must arrive within `--read-timeout` of the connection opening or the previous response
///   (a slow client trickling bytes gains nothing) → 408, close; an idle keep-alive connection is closed the same way;
/// - a connection over `--max-connections` is read as usual and answered 503, close;
/// - malformed HTTP (any NIO parser error) → 400, close.
/// Requests are answered in order as they complete, so pipelined requests get their responses in order.
/// NIO parses the requests; each response goes out as one buffer (`Response.write`), the answer to a HEAD without
/// its body.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    private let state: ServerState
    private let overCapacity: Bool
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    private var closing = false
    private var timer: Scheduled<Void>?
    private var deadline = NIODeadline.distantFuture
    private var headBytes: [UInt8] = []
    /// The last response's buffer, kept: once NIO has written it (at the end of that tick) it is this handler's
    /// alone again and the next response reuses its storage, rather than a 1.2 KiB allocation per response.
    private var outBuffer: ByteBuffer?

    init(state: ServerState, overCapacity: Bool) {
        self.state = state
        self.overCapacity = overCapacity
    }

    func channelActive(context: ChannelHandlerContext) {
        armTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    /// Starts the read timeout: the next request must be complete by `deadline`. One scheduled task per
    /// connection is kept and moved only when it fires early (the deadline moved on meanwhile), rather than
    /// cancelled and rescheduled on every request (issue 13: a task and its promise per request).
    private func armTimer(context: ChannelHandlerContext) {
        deadline = .now() + .seconds(state.options.readTimeout)
        if timer == nil { schedule(context: context) }
    }

    private func schedule(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, ctx) = loopBound.value
            handler.timerFired(context: ctx)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        timer = nil
        guard !closing else { return }
        if NIODeadline.now() < deadline { return schedule(context: context) }
        readTimedOut(context: context)
    }

    private func readTimedOut(context: ChannelHandlerContext) {
        guard !closing else { return }
        var e = state.newEvent(method: head?.method.rawValue, path: head.map { pathOnly($0.uri) })
        e["status"] = .integer(408)
        e["error"] = .string("request_timeout")
        e["detail"] = .string(head == nil ? "no complete request within the read timeout" : "the request did not complete within the read timeout")
        respond(context: context, .error(408, "request_timeout", "the request did not arrive within \(state.options.readTimeout)s", close: true),
                event: e, keepAlive: false)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body.removeAll(keepingCapacity: true)
            tooLarge = false
            if let cl = h.headers.first(name: "content-length").flatMap({ Int($0) }), cl > ServerOptions.maxBodyBytes {
                tooLarge = true
                payloadTooLarge(context: context)
            }
        case .body(let chunk):
            guard !tooLarge else { return }
            if body.count + chunk.readableBytes > ServerOptions.maxBodyBytes {
                tooLarge = true
                payloadTooLarge(context: context)
                return
            }
            body.append(contentsOf: chunk.readableBytesView)
        case .end:
            guard let h = head, !tooLarge else { return }
            head = nil
            deadline = .distantFuture  // answered now; the response starts the next request's timeout
            handle(context: context, head: h)
        }
    }

    private func payloadTooLarge(context: ChannelHandlerContext) {
        guard let h = head else { return }
        var e = state.newEvent(method: h.method.rawValue, path: pathOnly(h.uri))
        e["status"] = .integer(413)
        e["error"] = .string("payload_too_large")
        respond(context: context, .error(413, "payload_too_large", "the request body is larger than \(ServerOptions.maxBodyBytes) bytes",
                                         close: true), event: e, keepAlive: false)
    }

    private func handle(context: ChannelHandlerContext, head h: HTTPRequestHead) {
        let request = Request(method: h.method.rawValue, target: h.uri, headers: h.headers.map { ($0.name, $0.value) },
                              body: body)
        var event = state.newEvent(method: request.method, path: String(request.path))
        var response: Response
        if overCapacity {
            response = .error(503, "too_many_connections", "more than \(state.options.maxConnections) open connections", close: true)
            response.headers.append(("Retry-After", "1"))
        } else {
            do { response = try state.route(request, event: &event) } catch {
                // Could not judge (a key or library failure): the server says so, and keeps serving.
                event["reason"] = .string(error.reason.rawValue)
                event["detail"] = .string(error.detail)
                response = .error(500, "server_error", error.description)
            }
        }
        respond(context: context, response, event: event, keepAlive: h.isKeepAlive && !state.stopping,
                omitBody: h.method == .HEAD)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard !closing else { return }
        if let e = error as? HTTPParserError {
            let status = e == .headerOverflow ? 431 : 400
            var ev = state.newEvent(method: head?.method.rawValue, path: head.map { pathOnly($0.uri) })
            ev["status"] = .integer(Int64(status))
            ev["error"] = .string(status == 431 ? "header_too_large" : "malformed_http")
            ev["detail"] = .string("\(e)")
            let r: Response = status == 431
                ? .error(431, "header_too_large", "the request head is larger than \(ServerOptions.maxHeaderBytes) bytes", close: true)
                : .error(400, "malformed_http", "the request is not valid HTTP/1.1", close: true)
            respond(context: context, r, event: ev, keepAlive: false)
        } else {
            context.close(promise: nil)
        }
    }

    private func respond(context: ChannelHandlerContext, _ r: Response, event: JSONObject, keepAlive: Bool,
                         omitBody: Bool = false) {
        var event = event
        var r = r
        if !r.headersAreSafe {
            // A header this server made holds a control byte: never sent (it could split the response).
            r = .error(500, "server_error", "a response header held a control character", close: r.close)
            event["detail"] = .string("a response header held a control character")
        }
        event["status"] = .integer(Int64(r.status))
        let close = r.close || !keepAlive
        state.record(status: r.status, event: event)
        // Room for the head too: a status line and the headers this server sends are well under 512 bytes.
        var buf = outBuffer ?? context.channel.allocator.buffer(capacity: 512 + r.body.count)
        outBuffer = nil
        buf.clear()
        r.write(to: &buf, head: &headBytes, close: close, omitBody: omitBody)
        if !close { outBuffer = buf }
        if close {
            closing = true
            timer?.cancel()
            state.writeLog()
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(buf)).whenComplete { _ in
                loopBound.value.close(promise: nil)
            }
        } else {
            context.write(wrapOutboundOut(buf), promise: nil)
            state.flushAfterLog(context)
            armTimer(context: context)
        }
        state.answered()
    }

    /// Closes the connection if no request is in progress (a graceful stop); otherwise the request finishes first.
    func closeIfIdle(context: ChannelHandlerContext) {
        if head == nil && !closing {
            closing = true
            timer?.cancel()
            context.close(promise: nil)
        }
    }
}

func pathOnly(_ uri: String) -> String {
    String(uri[..<(uri.utf8.firstIndex(of: UInt8(ascii: "?")) ?? uri.endIndex)])
}
