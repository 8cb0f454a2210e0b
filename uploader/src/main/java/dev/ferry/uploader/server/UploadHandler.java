package dev.ferry.uploader.server;

import dev.ferry.disk.DiskException;
import dev.ferry.disk.convert.ImportResult;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * One connection to the upload server. Routes CDI's upload paths, admits a request's body into
 * the volume's {@link UploadSession}, and pauses reading while the converter is behind
 * (backpressure: at most the session's pipe size is buffered, whatever the client sends).
 */
final class UploadHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(UploadHandler.class.getName());

    private final UploadSession session;
    private final String target;
    private final String cloneClient;
    private Active active;
    private ChannelHandlerContext ctx;

    /** The request currently feeding the session on this connection. */
    private static final class Active {
        final Endpoint endpoint;
        final boolean keepAlive;
        final MultipartReader form;
        final CompletableFuture<ImportResult> conversion;
        boolean bodyEnded;
        boolean converted;

        Active(Endpoint endpoint, boolean keepAlive, MultipartReader form, CompletableFuture<ImportResult> conversion) {
            this.endpoint = endpoint;
            this.keepAlive = keepAlive;
            this.form = form;
            this.conversion = conversion;
        }
    }

    /**
     * {@code target} is this server's {@code namespace/pvc}, or null when it does not know;
     * {@code cloneClient} (clone mode) the only client certificate name it accepts, or null.
     */
    UploadHandler(UploadSession session, String target, String cloneClient) {
        this.session = session;
        this.target = target;
        this.cloneClient = cloneClient;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                request(request);
            }
            if (msg instanceof HttpContent content) {
                content(content);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            fail(400, e.getMessage());
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void request(HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Replies.send(ctx, 400, "malformed request: " + request.decoderResult().cause().getMessage(), true);
            return;
        }
        String path = request.uri();
        if (path.equals("/healthz") || path.startsWith("/healthz?")) {
            Replies.send(ctx, 200, "ok", !HttpUtil.isKeepAlive(request));
            return;
        }
        String refused = cloneClient == null ? null : ClientIdentity.refusal(ctx, cloneClient);
        if (refused != null) {
            Replies.send(ctx, 401, refused, true);
            return;
        }
        Endpoint endpoint = Endpoint.of(path).orElse(null);
        if (endpoint == null) {
            Replies.send(ctx, 404, "no such path " + path + "; upload to " + Endpoint.UPLOAD.path(), true);
            return;
        }
        if (request.method().equals(HttpMethod.HEAD)) {
            Replies.send(ctx, status(), !HttpUtil.isKeepAlive(request));
            return;
        }
        if (!request.method().equals(HttpMethod.POST) && !request.method().equals(HttpMethod.PUT)) {
            Replies.send(ctx, 405, request.method() + " is not allowed on " + path + "; use POST or PUT", true);
            return;
        }
        String claimed = request.headers().get(UploadHeaders.TARGET);
        if (claimed != null && target != null && !claimed.equals(target)) {
            Replies.send(ctx, 403, "this upload server writes " + target + ", not " + claimed, true);
            return;
        }
        admit(request, endpoint);
    }

    private void admit(HttpRequest request, Endpoint endpoint) {
        String rangeHeader = request.headers().get(HttpHeaderNames.CONTENT_RANGE);
        ContentRange range = rangeHeader == null ? null : ContentRange.parse(rangeHeader);
        long length = HttpUtil.getContentLength(request, -1L);
        MultipartReader form = null;
        if (endpoint.form()) {
            String boundary = MultipartReader.boundary(request.headers().get(HttpHeaderNames.CONTENT_TYPE));
            if (boundary == null) {
                throw new IllegalArgumentException(endpoint.path() + " expects multipart/form-data with a boundary");
            }
            if (range != null) {
                throw new IllegalArgumentException("form uploads cannot be resumed; use " + Endpoint.UPLOAD.path());
            }
            form = new MultipartReader(boundary, ctx.alloc());
            length = -1;
        } else if (range != null && length >= 0 && length != range.length()) {
            throw new IllegalArgumentException("Content-Length " + length + " does not match Content-Range " + rangeHeader);
        }
        UploadSession.Admission admission = session.admit(this, range, length);
        if (!admission.accepted()) {
            if (form != null) {
                form.close();
            }
            FullHttpResponse reply = Replies.text(admission.status(), admission.message());
            offsetHeaders(reply, session.snapshot());
            Replies.send(ctx, reply, true);
            return;
        }
        Active started = new Active(endpoint, HttpUtil.isKeepAlive(request), form, admission.conversion());
        active = started;
        admission.conversion().whenComplete((result, failure) ->
                ctx.executor().execute(() -> conversionEnded(started, failure)));
        if (HttpUtil.is100ContinueExpected(request)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
    }

    private void content(HttpContent content) {
        if (content instanceof LastHttpContent && active == null && Replies.closing(ctx)) {
            ctx.close();
            return;
        }
        Active current = active;
        if (current == null || current.bodyEnded) {
            return;
        }
        ByteBuf data = content.content();
        if (data.isReadable()) {
            if (current.form != null) {
                current.form.feed(data, this::commit);
            } else {
                commit(data.retain());
            }
        }
        if (content instanceof LastHttpContent) {
            endOfBody(current);
        }
    }

    private void commit(ByteBuf data) {
        if (!session.write(this, data, this::resumeReading)) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void resumeReading() {
        ctx.executor().execute(() -> ctx.channel().config().setAutoRead(true));
    }

    private void endOfBody(Active current) {
        current.bodyEnded = true;
        if (current.form != null) {
            current.form.close();
            if (!current.form.complete()) {
                fail(400, "the multipart form ended without a complete file part");
                return;
            }
        }
        switch (session.endOfRequest(this)) {
            case PARTIAL -> {
                active = null;
                FullHttpResponse reply = Replies.text(202, "received up to the offset in " + UploadHeaders.OFFSET
                        + "; send the rest with Content-Range");
                offsetHeaders(reply, session.snapshot());
                Replies.send(ctx, reply, !current.keepAlive);
            }
            case COMPLETE -> {
                if (current.endpoint.async()) {
                    active = null;
                    Replies.send(ctx, 200, "", !current.keepAlive);
                }
            }
            case NOT_OWNER -> {
                // the image ended before the body did (a qcow2's trailing metadata): answer now
                if (current.converted) {
                    active = null;
                    Replies.send(ctx, 200, "", !current.keepAlive);
                }
            }
        }
    }

    /** The conversion this connection's request feeds has ended: answer a sync request, or an aborted one. */
    private void conversionEnded(Active current, Throwable failure) {
        if (active != current) {
            return;
        }
        if (failure == null) {
            current.converted = true;
            if (current.bodyEnded) {
                active = null;
                Replies.send(ctx, 200, "", !current.keepAlive);
            }
            return;
        }
        Throwable cause = UploadSession.UploadFailure.cause(failure);
        active = null;
        Replies.send(ctx, statusOf(cause), cause.getMessage(), true);
    }

    private void fail(int status, String message) {
        session.abort(this, message);
        active = null;
        Replies.send(ctx, status, message, true);
    }

    static int statusOf(Throwable cause) {
        if (cause instanceof DiskException disk) {
            return switch (disk.reason()) {
                case INVALID_IMAGE, UNSUPPORTED_FORMAT, TARGET_TOO_SMALL, CHECKSUM_MISMATCH, UNSAFE_ARCHIVE,
                        INVALID_ARGUMENT -> 400;
                default -> 500;
            };
        }
        return 500;
    }

    private FullHttpResponse status() {
        FullHttpResponse reply = Replies.text(200, "");
        offsetHeaders(reply, session.snapshot());
        return reply;
    }

    private static void offsetHeaders(FullHttpResponse reply, UploadSession.Snapshot snapshot) {
        reply.headers().set(UploadHeaders.OFFSET, snapshot.committed());
        if (snapshot.total() >= 0) {
            reply.headers().set(UploadHeaders.LENGTH, snapshot.total());
        }
        String state = snapshot.state().name();
        reply.headers().set(UploadHeaders.STATE, state.charAt(0) + state.substring(1).toLowerCase(Locale.ROOT));
        if (snapshot.lastFailure() != null) {
            reply.headers().set(UploadHeaders.ERROR, snapshot.lastFailure().replaceAll("[\\r\\n]", " "));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        if (active != null && !active.bodyEnded) {
            session.connectionLost(this);
            if (active.form != null) {
                active.form.close();
            }
        }
        active = null;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        LOG.fine(() -> "connection " + context.channel().remoteAddress() + " failed: " + cause);
        context.close();
    }
}
