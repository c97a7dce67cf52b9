package dev.quorum.agent.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The time a request may take to arrive, counted from its first byte: placed before the HTTP
 * decoder, it arms a timer when bytes of a new request come in; {@link BodyLimiter} disarms it when
 * the request is complete (or refused). When the timer fires the client gets 408 and the connection
 * is closed — a client stalled in its request line, headers or body costs a timer, not a thread.
 * One per connection; used only on its event loop.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {
    private final long millis;
    private ScheduledFuture<?> timer;

    RequestDeadline(long millis) {
        this.millis = millis;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b && b.isReadable()) {
            arm(ctx);
        }
        ctx.fireChannelRead(msg);
    }

    /** Starts the clock for a request, unless it is already running. */
    void arm(ChannelHandlerContext ctx) {
        if (timer == null) {
            timer = ctx.executor().schedule(() -> expire(ctx), millis, TimeUnit.MILLISECONDS);
        }
    }

    /** The request arrived whole (or was refused): stop the clock. */
    void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        byte[] body = ("{\"error\":\"request_timeout\",\"message\":\"the request did not arrive whole within "
                + millis / 1000 + " s\"}").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // From the channel, not this context: the response must pass through the HTTP encoder after us.
        ctx.channel().writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }
}
