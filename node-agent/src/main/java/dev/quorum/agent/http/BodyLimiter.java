package dev.quorum.agent.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.function.ToLongFunction;

/**
 * Sits between the HTTP decoder and the aggregator, one per connection. It refuses a body larger
 * than its route allows with 413 as soon as that is known — from {@code Content-Length} before
 * any of it is read, or while a chunked body streams in — so an oversized upload is never held in
 * memory. It tells the connection's {@link RequestDeadline} when a request has arrived whole.
 */
final class BodyLimiter extends ChannelInboundHandlerAdapter {
    private final ToLongFunction<String> limitForPath;
    private final RequestDeadline deadline;
    private long limit;
    private long received;
    private boolean discarding;

    BodyLimiter(ToLongFunction<String> limitForPath, RequestDeadline deadline) {
        this.limitForPath = limitForPath;
        this.deadline = deadline;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            discarding = false;
            received = 0;
            String uri = req.uri();
            int q = uri.indexOf('?');
            limit = limitForPath.applyAsLong(q < 0 ? uri : uri.substring(0, q));
            deadline.arm(ctx); // a pipelined request whose bytes came with the previous one
            if (req.decoderResult().isSuccess() && HttpUtil.isContentLengthSet(req)
                    && HttpUtil.getContentLength(req, -1L) > limit) {
                refuse(ctx, msg);
                return;
            }
        }
        if (discarding) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpContent content) {
            received += content.content().readableBytes();
            if (received > limit) {
                refuse(ctx, msg);
                return;
            }
        }
        if (msg instanceof LastHttpContent) {
            deadline.disarm();
        }
        ctx.fireChannelRead(msg);
    }

    /** Answers 413 in the agent's JSON shape and closes: the rest of the body is not read. */
    private void refuse(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        discarding = true;
        deadline.disarm();
        byte[] body = ("{\"error\":\"too_large\",\"message\":\"request body is larger than the limit of " + limit
                + " bytes\",\"limit_bytes\":" + limit + "}").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
}
