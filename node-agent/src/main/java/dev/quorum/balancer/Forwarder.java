package dev.quorum.balancer;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends one request to one backend over a kept-alive connection and brings back its whole answer,
 * without a thread waiting: Netty client channels on the balancer's own event loops, pooled per
 * backend and event loop (idle ones are reused, newest first; a connection idle longer than {@link #MAX_IDLE_NANOS}
 * is closed rather than trusted, since agents close idle connections after two minutes). Hop-by-hop
 * headers are not forwarded either way.
 */
final class Forwarder implements AutoCloseable {
    /** Headers that describe one connection, not the request (RFC 9110 §7.6.1), plus those set here. */
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding",
            "te", "trailer", "upgrade", "proxy-authenticate", "proxy-authorization", "host", "content-length");
    static final long MAX_IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** The largest answer accepted from a backend (a value is at most 64 MiB; a listing is far smaller). */
    static final int MAX_ANSWER_BYTES = 80 << 20;

    /** What came back from a backend. */
    record Answer(String backend, int status, Iterable<Map.Entry<String, String>> headers, byte[] body,
            String contentType) {}

    private record Idle(Channel channel, long since) {}

    private static final AttributeKey<Exchange> EXCHANGE = AttributeKey.valueOf("quorum.exchange");

    /** One request in flight on a connection. */
    private static final class Exchange {
        final Backend backend;
        final CompletableFuture<Answer> done = new CompletableFuture<>();
        ScheduledFuture<?> timeout;
        String poolKey;

        Exchange(Backend backend) {
            this.backend = backend;
        }
    }

    private final Bootstrap bootstrap;
    private final Map<String, ConcurrentLinkedDeque<Idle>> idle = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Forwarder(EventLoopGroup loops) {
        this.bootstrap = new Bootstrap()
                .group(loops)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new HttpClientCodec())
                                .addLast(new HttpObjectAggregator(MAX_ANSWER_BYTES))
                                .addLast(new AnswerHandler());
                    }
                });
    }

    /**
     * @param loop the client connection's event loop: the upstream connection is taken from (or opened
     *     on) the same loop, so a request is received, proxied and answered by one thread, as in nginx's
     *     workers — no hand-off between threads
     */
    CompletableFuture<Answer> send(Backend b, java.util.concurrent.Executor loop, String method, String pathAndQuery,
            Iterable<Map.Entry<String, String>> headers, byte[] body, long timeoutMs) {
        Exchange ex = new Exchange(b);
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), pathAndQuery,
                body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        for (Map.Entry<String, String> h : headers) {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                req.headers().add(h.getKey(), h.getValue());
            }
        }
        req.headers().set(HttpHeaderNames.HOST, b.url().host() + ":" + b.url().port());
        req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        if (body != null || method.equals("PUT") || method.equals("POST")) {
            HttpUtil.setContentLength(req, body == null ? 0 : body.length);
        }
        EventLoop el = loop instanceof EventLoop e ? e : null;
        String poolKey = poolKey(b, el);
        ex.poolKey = poolKey;
        Channel ch = pooled(poolKey);
        if (ch != null) {
            start(ch, ex, req, timeoutMs);
        } else {
            ChannelFuture cf = (el == null ? bootstrap : bootstrap.clone(el)).connect(b.url().host(), b.url().port());
            cf.addListener(f -> {
                if (f.isSuccess()) {
                    start(cf.channel(), ex, req, timeoutMs);
                } else {
                    req.release();
                    ex.done.completeExceptionally(f.cause());
                }
            });
        }
        return ex.done;
    }

    private static String poolKey(Backend b, EventLoop loop) {
        return loop == null ? b.id() : b.id() + "@" + System.identityHashCode(loop);
    }

    private Channel pooled(String key) {
        ConcurrentLinkedDeque<Idle> q = idle.get(key);
        if (q == null) {
            return null;
        }
        long now = System.nanoTime();
        for (Idle i = q.pollFirst(); i != null; i = q.pollFirst()) {
            if (i.channel().isActive() && now - i.since() < MAX_IDLE_NANOS) {
                return i.channel();
            }
            i.channel().close();
        }
        return null;
    }

    private void start(Channel ch, Exchange ex, FullHttpRequest req, long timeoutMs) {
        ch.attr(EXCHANGE).set(ex);
        ex.timeout = ch.eventLoop().schedule(() -> {
            if (ex.done.completeExceptionally(new SocketTimeoutException(
                    "no answer from " + ex.backend.id() + " within " + timeoutMs + " ms"))) {
                ch.close(); // the answer may still come: this connection cannot be reused
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
        ch.writeAndFlush(req).addListener(f -> {
            if (!f.isSuccess()) {
                fail(ch, ex, f.cause() instanceof IOException io ? io : new IOException(f.cause()));
            }
        });
    }

    private static void fail(Channel ch, Exchange ex, IOException e) {
        if (ex.timeout != null) {
            ex.timeout.cancel(false);
        }
        ex.done.completeExceptionally(e);
        ch.close();
    }

    private final class AnswerHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
            Exchange ex = ctx.channel().attr(EXCHANGE).getAndSet(null);
            if (ex == null) {
                ctx.close(); // an answer nobody asked for (after a timeout): drop the connection
                return;
            }
            ex.timeout.cancel(false);
            byte[] bytes = ByteBufUtil.getBytes(r.content());
            Answer a = new Answer(ex.backend.id(), r.status().code(), r.headers(), bytes,
                    r.headers().get(HttpHeaderNames.CONTENT_TYPE));
            if (HttpUtil.isKeepAlive(r) && !closed) {
                idle.computeIfAbsent(ex.poolKey, id -> new ConcurrentLinkedDeque<>())
                        .addFirst(new Idle(ctx.channel(), System.nanoTime()));
            } else {
                ctx.close();
            }
            ex.done.complete(a);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Exchange ex = ctx.channel().attr(EXCHANGE).getAndSet(null);
            if (ex != null) {
                fail(ctx.channel(), ex, new IOException("connection to " + ex.backend.id() + " closed before its answer"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Exchange ex = ctx.channel().attr(EXCHANGE).getAndSet(null);
            if (ex != null) {
                fail(ctx.channel(), ex, cause instanceof IOException io ? io : new IOException(cause));
            } else {
                ctx.close();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        idle.values().forEach(q -> q.forEach(i -> i.channel().close()));
        idle.clear();
    }
}
