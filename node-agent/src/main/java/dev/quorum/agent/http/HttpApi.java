package dev.quorum.agent.http;

import dev.quorum.agent.observe.AgentMetrics;
import dev.quorum.agent.causal.CausalUnavailableException;
import dev.quorum.agent.replication.QuorumException;
import dev.quorum.agent.replication.Replicas;
import dev.quorum.agent.store.StoreException;
import dev.quorum.common.Threads;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP server (Netty): routing, authentication, the mapping of failures to statuses,
 * one access-log record and one metric observation per request.
 *
 * <h2>Threads</h2>
 * Two {@code http-io} event loops read and decode requests and write answers. A route is either
 * <em>inline</em> — its handler runs on the event loop and must not block (the data plane and
 * replica batches: they start the work and answer later, see {@link Call#answerLater}) — or
 * <em>blocking</em> — its handler runs on the bounded {@code http} pool (admin, metrics, listing).
 * A connection serves one request at a time; pipelined requests wait their turn, so answers keep
 * request order. After a malformed request the connection is closed once answered (the decoder
 * cannot find the next request's start).
 *
 * <h2>Limits</h2>
 * A request must arrive whole within {@code --request-read-timeout-ms} (30 s) of its first byte (else 408 and the
 * connection closes, {@link RequestDeadline}); a body over its route's limit is
 * refused with 413 before it is read ({@link BodyLimiter}); malformed requests get a JSON 400; idle
 * keep-alive connections close after {@link #IDLE_SECONDS}. Successful {@code /health} and
 * {@code /metrics} requests (probes and scrapes) are logged at DEBUG.
 */
public final class HttpApi implements Call.Server {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final Logger access = LoggerFactory.getLogger("quorum.access");

    static final int IDLE_SECONDS = 120;
    static final int MAX_INITIAL_LINE = 16 * 1024;
    static final int MAX_HEADER_BYTES = 32 * 1024;

    /** A route: a path that matches exactly, or a prefix ending in '/'. */
    private record Route(String path, boolean prefix, boolean authenticated, boolean inline, Handler handler) {}

    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final Auth auth;
    private final RequestObserver metrics;
    private final String nodeId;
    private final ToLongFunction<String> bodyLimit;
    private final long requestReadTimeoutMs;
    private final AtomicInteger inProgress = new AtomicInteger();
    private java.util.function.Function<Call, dev.quorum.agent.fault.FaultInjector.Decision> inboundFaults;
    private EventLoopGroup loops;
    private Channel serverChannel;
    private ThreadPoolExecutor pool;

    /** Counts and times every answered request (the agent's and the balancer's request metrics). */
    @FunctionalInterface
    public interface RequestObserver {
        void observe(String op, String status, double seconds);
    }

    /** @param bodyLimit the largest body a request to a path may carry */
    public HttpApi(Auth auth, RequestObserver metrics, String nodeId, ToLongFunction<String> bodyLimit,
            long requestReadTimeoutMs) {
        this.requestReadTimeoutMs = requestReadTimeoutMs;
        this.auth = auth;
        this.metrics = metrics;
        this.nodeId = nodeId;
        this.bodyLimit = bodyLimit;
    }

    /** A route whose handler may block: it runs on the {@code http} pool. */
    public HttpApi route(String path, Handler h) {
        return add(path, false, false, h);
    }

    /** A route whose handler never blocks: it runs on the connection's event loop. */
    public HttpApi inlineRoute(String path, Handler h) {
        return add(path, false, true, h);
    }

    public HttpApi authenticatedRoute(String path, Handler h) {
        return add(path, true, false, h);
    }

    public HttpApi authenticatedInlineRoute(String path, Handler h) {
        return add(path, true, true, h);
    }

    private HttpApi add(String path, boolean authenticated, boolean inline, Handler h) {
        routes.put(path, new Route(path, path.endsWith("/"), authenticated, inline, h));
        return this;
    }

    /** Faults applied to requests before any handler runs (only with --enable-faults). */
    public void inboundFaults(java.util.function.Function<Call, dev.quorum.agent.fault.FaultInjector.Decision> f) {
        this.inboundFaults = f;
    }

    public void start(String bind, int port, int threads) throws IOException {
        pool = Threads.bounded("http", threads, 4_096);
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        loops = new MultiThreadIoEventLoopGroup(2, Threads.named("http-io"), io);
        ServerBootstrap b = new ServerBootstrap()
                .group(loops)
                .channel(channel)
                .option(ChannelOption.SO_BACKLOG, 1_024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        RequestDeadline deadline = new RequestDeadline(requestReadTimeoutMs);
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS))
                                .addLast(deadline)
                                .addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 64 * 1024))
                                .addLast(new BodyLimiter(bodyLimit, deadline))
                                .addLast(new HttpObjectAggregator(Integer.MAX_VALUE, true))
                                .addLast(new RequestHandler());
                    }
                });
        try {
            serverChannel = b.bind(new InetSocketAddress(bind, port)).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding", e);
        } catch (Exception e) {
            if (e instanceof BindException be) {
                throw be;
            }
            if (e.getCause() instanceof BindException be) {
                throw be;
            }
            throw new IOException("cannot listen on " + bind + ":" + port + ": " + e.getMessage(), e);
        }
        log.debug("listening on {}:{} ({})", bind, port(), epoll ? "epoll" : "nio");
    }

    /** The event loops (after {@link #start}): a proxy's upstream connections share them, saving thread hops. */
    public EventLoopGroup eventLoops() {
        return loops;
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /**
     * Stops accepting, lets requests in progress finish for up to {@code drainSeconds}, then closes
     * every connection and stops the threads.
     */
    public void stop(int drainSeconds) {
        if (serverChannel == null) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
        while (inProgress.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10); // draining: nothing to wait on but the counter
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        Threads.shutdown(pool, 2_000);
    }

    /** Requests received and not yet answered. */
    public int inProgress() {
        return inProgress.get();
    }

    /** The Netty end of a connection: turns each aggregated request into a {@link Call}. */
    /**
     * The Netty end of a connection: turns each aggregated request into a {@link Call}, one at a
     * time. Requests that arrive while one is being served (HTTP/1.1 pipelining) wait in
     * {@code pending}, so answers leave in request order. Touched only on the connection's event loop.
     */
    final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final java.util.ArrayDeque<FullHttpRequest> pending = new java.util.ArrayDeque<>();
        private ChannelHandlerContext ctx;
        private boolean busy;

        RequestHandler() {
            super(false); // the Call releases the request once answered
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (busy) {
                pending.add(req);
                ctx.channel().config().setAutoRead(false); // enough queued: stop reading until answered
                return;
            }
            dispatch(req);
        }

        private void dispatch(FullHttpRequest req) {
            busy = true;
            inProgress.incrementAndGet();
            Call call = new Call(req, HttpApi.this, this);
            if (!req.decoderResult().isSuccess()) {
                // The decoder discards everything after a malformed message: answer, then close.
                call.closeAfterAnswer();
                call.op("bad_request");
                String why = describe(req.decoderResult().cause());
                // Netty refuses header values with control characters while decoding: say it is the header.
                String code = why.startsWith("Validation failed for header") ? "bad_header" : "bad_request";
                answerError(call, ApiException.badRequest(code, "malformed HTTP request: " + why));
                return;
            }
            if (inboundFaults != null) {
                var d = inboundFaults.apply(call);
                if (d.lost()) {
                    // Lost: never answered. The connection stays busy until the client gives up.
                    call.release();
                    inProgress.decrementAndGet();
                    return;
                }
                if (d.delayMillis() > 0) {
                    ctx.executor().schedule(() -> route(call), d.delayMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
            }
            route(call);
        }

        private void route(Call call) {
            Route route = match(call.rawPath());
            if (route == null || route.inline()) {
                serve(call, route);
            } else {
                try {
                    pool.execute(() -> serve(call, route));
                } catch (RejectedExecutionException full) {
                    call.op("overloaded");
                    answerError(call, new ApiException(503, "overloaded", "too many requests waiting; retry later")
                            .header("Retry-After", "1"));
                }
            }
        }

        ChannelHandlerContext context() {
            return ctx;
        }

        /** After an answer was written (on the event loop): serve the next pipelined request, or read on. */
        void answered(boolean keepOpen) {
            busy = false;
            if (!keepOpen || !ctx.channel().isActive()) {
                pending.forEach(FullHttpRequest::release);
                pending.clear();
                ctx.close();
                return;
            }
            FullHttpRequest next = pending.poll();
            if (next != null) {
                dispatch(next);
            } else {
                ctx.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            pending.forEach(FullHttpRequest::release);
            pending.clear();
            ctx.fireChannelInactive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("connection error: {}", cause.toString());
            ctx.close();
        }
    }

    private static String describe(Throwable t) {
        return t == null ? "unknown" : t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private Route match(String path) {
        Route exact = routes.get(path);
        if (exact != null && !exact.prefix()) {
            return exact;
        }
        for (Route r : routes.values()) {
            if (r.prefix() && path.startsWith(r.path())) {
                return r;
            }
        }
        return null;
    }

    private void serve(Call call, Route route) {
        try {
            if (route == null) {
                call.op("not_found");
                throw new ApiException(404, "not_found", "no such endpoint: " + call.rawPath());
            }
            if (route.authenticated()) {
                call.op(route.path().replace("/", ".").replaceAll("^\\.|\\.$", ""));
                auth.check(call);
            }
            route.handler().handle(call);
        } catch (Throwable t) {
            answerError(call, t);
        }
        if (!call.answered() && !call.deferred()) {
            answerError(call, new IllegalStateException("handler sent no response"));
        }
    }

    @Override
    public Executor responder(Call call) {
        return ((RequestHandler) call.connection()).context().executor();
    }

    @Override
    public void respond(Call call, FullHttpResponse response) {
        RequestHandler conn = (RequestHandler) call.connection();
        ChannelHandlerContext ctx = conn.context();
        boolean keepAlive = call.keepAlive();
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        call.release();
        record(call);
        inProgress.decrementAndGet();
        // The listener runs on the connection's event loop, where the connection's state lives.
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> conn.answered(keepAlive && f.isSuccess()));
    }

    @Override
    public void answerError(Call call, Throwable thrown) {
        ApiException e = toApi(Replicas.root(thrown));
        if (call.answered()) {
            log.warn("error after the response was sent for {} {}: {}", call.method(), call.rawPath(), thrown.toString());
            return;
        }
        e.headers().forEach(call::setHeader);
        call.setHeader("X-Quorum-Trace-Id", call.traceId());
        Map<String, Object> body = e.body();
        if (call.trace() != null && (call.trace().requested() || e.status() == 503)) {
            body = new LinkedHashMap<>(body);
            body.put("trace", call.trace().toMap());
        }
        call.sendJson(e.status(), body);
    }

    private ApiException toApi(Throwable t) {
        if (t instanceof ApiException a) {
            return a;
        }
        if (t instanceof RejectedExecutionException) {
            return new ApiException(503, "overloaded", "too much work queued on this node; retry later")
                    .header("Retry-After", "1");
        }
        if (t instanceof QuorumException q) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("op", q.op());
            d.put("needed", q.needed());
            d.put("acked", q.acked().size());
            d.put("acked_by", q.acked());
            d.put("failures", q.failures());
            if (!"get".equals(q.op())) {
                d.put("outcome", q.outcome());
            }
            return new ApiException(503, "quorum_failed", q.op() + " needed " + q.needed() + " replicas but "
                    + q.acked().size() + " answered" + (q.failures().isEmpty() ? "" : ": " + q.failures()), d)
                    .header("Retry-After", "1");
        }
        if (t instanceof CausalUnavailableException c) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("needed", c.needed().toMap());
            d.put("applied", c.applied().toMap());
            d.put("tried", c.tried());
            return new ApiException(503, "causal_unavailable", c.getMessage(), d).header("Retry-After", "1");
        }
        if (t instanceof StoreException s) {
            return switch (s.reason()) {
                case DISK_FULL -> new ApiException(507, "disk_full", s.getMessage());
                case READ_ONLY -> new ApiException(503, "store_read_only", s.getMessage());
                case OVERLOADED -> new ApiException(503, "overloaded", s.getMessage()).header("Retry-After", "1");
                case CLOSED -> new ApiException(503, "shutting_down", s.getMessage()).header("Retry-After", "1");
                case CORRUPT -> new ApiException(500, "store_corrupt", s.getMessage());
                case IO -> new ApiException(500, "store_error", s.getMessage());
            };
        }
        log.error("unexpected failure", t);
        return new ApiException(500, "internal_error", "unexpected failure: " + t);
    }

    private void record(Call call) {
        String status = Integer.toString(call.status());
        metrics.observe(call.op(), status, call.elapsedSeconds());
        boolean routine = call.status() < 400 && ("health".equals(call.op()) || "metrics".equals(call.op()));
        var b = (call.status() >= 500 ? access.atWarn() : routine ? access.atDebug() : access.atInfo())
                .addKeyValue("event", "request")
                .addKeyValue("op", call.op())
                .addKeyValue("method", call.method())
                .addKeyValue("path", call.rawPath())
                .addKeyValue("status", call.status())
                .addKeyValue("latency_ms", Math.round(call.elapsedMs() * 1000) / 1000.0)
                .addKeyValue("bytes_in", call.bytesIn())
                .addKeyValue("bytes_out", call.bytesOut());
        if (call.key() != null) {
            b = b.addKeyValue("key", call.key());
        }
        if (call.trace() != null) {
            b = b.addKeyValue("trace_id", call.trace().traceId()).addKeyValue("replicas", call.trace().answered());
        }
        for (Map.Entry<String, Object> f : call.logFields().entrySet()) {
            b = b.addKeyValue(f.getKey(), f.getValue());
        }
        b.log("{} {} {}", call.method(), call.rawPath(), status);
    }

    public String nodeId() {
        return nodeId;
    }
}
