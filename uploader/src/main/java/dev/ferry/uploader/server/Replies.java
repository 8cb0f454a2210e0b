package dev.ferry.uploader.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Plain-text HTTP answers: one line saying what happened and what to do. */
public final class Replies {
    private static final AttributeKey<Boolean> CLOSING = AttributeKey.valueOf("ferry.closing");
    /** How long a closing connection keeps reading (and discarding) what the client still sends. */
    static final Duration LINGER = Duration.ofSeconds(2);
    private Replies() {
    }

    public static FullHttpResponse text(int status, String message) {
        byte[] body = message.isEmpty() ? new byte[0] : (message + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (status >= 400) {
            // also as a header: clients that stream their body (HttpURLConnection) may not get to read it
            response.headers().set(UploadHeaders.ERROR, message.replaceAll("[\\r\\n]+", " "));
        }
        return response;
    }

    /**
     * Sends the answer; with {@code close}, says so and closes the connection — lingering: a
     * client still sending its body would otherwise get a reset that destroys the answer before
     * it reads it. The handler closes at the body's end ({@link #closing}); a timer closes anyway.
     */
    public static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean close) {
        if (!close) {
            ctx.writeAndFlush(response);
            return;
        }
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.channel().attr(CLOSING).set(Boolean.TRUE);
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) written -> {
            if (!written.isSuccess()) {
                ctx.close();
                return;
            }
            ctx.channel().config().setAutoRead(true);
            ctx.executor().schedule(() -> ctx.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /** Whether the connection only waits for the client to stop sending before it closes. */
    public static boolean closing(ChannelHandlerContext ctx) {
        return Boolean.TRUE.equals(ctx.channel().attr(CLOSING).get());
    }

    public static void send(ChannelHandlerContext ctx, int status, String message, boolean close) {
        send(ctx, text(status, message), close);
    }
}
