package dev.ferry.uploader.proxy;

import dev.ferry.uploader.server.Endpoint;
import dev.ferry.uploader.server.Replies;
import dev.ferry.uploader.server.UploadHeaders;
import dev.ferry.worker.token.TokenException;
import dev.ferry.worker.token.TokenVerifier;
import dev.ferry.worker.token.UploadToken;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.logging.Logger;

/**
 * One client connection to the upload proxy. Checks the bearer token before a single body byte
 * is read, connects to the PVC's upload server (retrying while it starts), and relays the body
 * with backpressure both ways: the client is read only while the upstream accepts writes.
 */
final class ProxyFrontendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(ProxyFrontendHandler.class.getName());

    private final TokenVerifier tokens;
    private final UploadServerResolver resolver;
    private final UpstreamConnector connector;
    private ChannelHandlerContext ctx;
    /** Request parts read while the upstream connection is being made (at most one network read). */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private Channel upstream;
    private boolean forwarding;
    private boolean keepAlive;
    private boolean discarding;

    ProxyFrontendHandler(TokenVerifier tokens, UploadServerResolver resolver, UpstreamConnector connector) {
        this.tokens = tokens;
        this.resolver = resolver;
        this.connector = connector;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (msg instanceof HttpRequest request) {
            request(request, msg);
            return;
        }
        if (discarding || !(msg instanceof HttpContent)) {
            if (msg instanceof LastHttpContent && Replies.closing(ctx)) {
                ctx.close();
            }
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!forwarding) {
            pending.add(msg);
            return;
        }
        upstream.write(msg);
        if (!upstream.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        if (forwarding && upstream != null) {
            upstream.flush();
        }
    }

    private void request(HttpRequest request, Object msg) {
        discarding = false;
        if (request.decoderResult().isFailure()) {
            reject(msg, 400, "malformed request: " + request.decoderResult().cause().getMessage());
            return;
        }
        String uri = request.uri();
        if (uri.equals("/healthz")) {
            ReferenceCountUtil.release(msg);
            Replies.send(ctx, 200, "ok", !HttpUtil.isKeepAlive(request));
            return;
        }
        if (Endpoint.of(uri).isEmpty()) {
            reject(msg, 404, "no such path " + uri + "; upload to " + Endpoint.UPLOAD.path());
            return;
        }
        UploadToken token;
        try {
            token = tokens.verify(bearer(request.headers().get(HttpHeaderNames.AUTHORIZATION)));
        } catch (TokenException e) {
            reject(msg, e.status(), e.getMessage());
            return;
        }
        String claimed = request.headers().get(UploadHeaders.TARGET);
        if (claimed != null && !claimed.equals(token.target())) {
            reject(msg, 403, "the upload token is for " + token.target() + ", not " + claimed);
            return;
        }
        InetSocketAddress address = resolver.resolve(token.namespace(), token.name());
        if (address == null) {
            reject(msg, 404, "no upload server for " + token.target() + ": is it a DataVolume with source upload?");
            return;
        }
        forward(request, token, address);
    }

    private void forward(HttpRequest request, UploadToken token, InetSocketAddress address) {
        keepAlive = HttpUtil.isKeepAlive(request);
        boolean expectContinue = HttpUtil.is100ContinueExpected(request);
        request.headers().remove(HttpHeaderNames.AUTHORIZATION).remove(HttpHeaderNames.EXPECT)
                .set(UploadHeaders.TARGET, token.target());
        pending.add(request);
        ctx.channel().config().setAutoRead(false);
        LOG.fine(() -> request.method() + " " + request.uri() + " for " + token.target() + " via " + address);
        Future<Channel> connected = connector.connect(ctx.channel(), address,
                () -> new UpstreamHandler(ctx.channel(), this));
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                int status = f.cause() instanceof UpstreamConnector.UpstreamException e ? e.status() : 502;
                drainPending();
                discarding = true;
                Replies.send(ctx, status, f.cause().getMessage(), true);
                return;
            }
            upstream = connected.getNow();
            if (!ctx.channel().isActive()) {
                drainPending();
                upstream.close();
                return;
            }
            forwarding = true;
            while (!pending.isEmpty()) {
                upstream.write(pending.poll());
            }
            upstream.flush();
            if (expectContinue) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
            }
            if (upstream.isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
        });
    }

    private static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        return authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim() : null;
    }

    private void reject(Object msg, int status, String message) {
        ReferenceCountUtil.release(msg);
        discarding = true;
        Replies.send(ctx, status, message, true);
    }

    void responseHead(HttpResponse response) {
        if (!keepAlive) {
            HttpUtil.setKeepAlive(response, false);
        }
        keepAlive &= HttpUtil.isKeepAlive(response);
    }

    /** The upload server answered in full: this exchange is over, the client may send the next request. */
    void responseEnded(Channel finished) {
        forwarding = false;
        upstream = null;
        finished.close();
        if (keepAlive) {
            ctx.channel().config().setAutoRead(true);
        } else {
            ctx.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    void upstreamLost(boolean responseStarted) {
        forwarding = false;
        upstream = null;
        discarding = true;
        if (responseStarted) {
            ctx.close();
        } else {
            Replies.send(ctx, 502, "the upload server closed the connection without answering", true);
        }
    }

    void upstreamWritable() {
        if (forwarding) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        if (upstream != null && context.channel().isWritable()) {
            upstream.config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        drainPending();
        if (upstream != null) {
            upstream.close();
        }
    }

    private void drainPending() {
        while (!pending.isEmpty()) {
            ReferenceCountUtil.release(pending.poll());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        LOG.fine(() -> "client " + context.channel().remoteAddress() + " failed: " + cause);
        context.close();
    }
}
