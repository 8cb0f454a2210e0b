package dev.ferry.snapshot.export;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * KubeVirt's export server URL layout: {@code /volumes/<name>/disk.img} (raw, with Range) and
 * {@code disk.img.gz} (gzip) for disks, {@code /internal|external/manifests/<kind>}, {@code /healthz};
 * every request but the health check carries the token in the {@code x-kubevirt-export-token}
 * header or query parameter, or is refused with 401.
 */
final class ExportHandler extends SimpleChannelInboundHandler<HttpObject> {
    static final String TOKEN = "x-kubevirt-export-token";
    private static final Logger LOG = Logger.getLogger(ExportHandler.class.getName());
    private static final Pattern VOLUME = Pattern.compile("^/volumes/([^/]+)/(disk\\.img|disk\\.img\\.gz)$");
    private static final Pattern TAR = Pattern.compile("^/volumes/([^/]+)/disk\\.tar\\.gz$");
    private static final Pattern DIR = Pattern.compile("^/volumes/([^/]+)/dir(/.*)?$");
    private static final Pattern MANIFEST = Pattern.compile("^/(internal|external)/manifests/([a-z-]+)$");
    private final ExportServer server;

    ExportHandler(ExportServer server) {
        this.server = server;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (msg instanceof HttpRequest request) {
            try {
                handle(ctx, request);
            } catch (java.io.IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "export request " + request.uri() + " failed: " + e.getMessage(), e);
                reply(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, e.getMessage());
            }
        }
    }

    private void handle(ChannelHandlerContext ctx, HttpRequest request) throws java.io.IOException {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String path = query.path();
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            reply(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, request.method() + " is not served; GET the volume");
            return;
        }
        if ("/healthz".equals(path)) {
            reply(ctx, request, HttpResponseStatus.OK, "ok");
            return;
        }
        String token = request.headers().get(TOKEN);
        if (token == null) {
            List<String> values = query.parameters().get(TOKEN);
            token = values == null || values.isEmpty() ? null : values.get(0);
        }
        if (!server.tokenMatches(token)) {
            reply(ctx, request, HttpResponseStatus.UNAUTHORIZED, token == null
                    ? "no " + TOKEN + " header or query parameter: the token is in the export's status.tokenSecretRef Secret"
                    : "the " + TOKEN + " does not match this export's token");
            return;
        }
        Matcher volume = VOLUME.matcher(path);
        if (volume.matches()) {
            DiskRegions disk = server.disk(volume.group(1));
            if (disk == null) {
                reply(ctx, request, HttpResponseStatus.NOT_FOUND, "this export has no disk volume " + volume.group(1)
                        + "; it serves " + server.diskNames());
                return;
            }
            if ("disk.img".equals(volume.group(2))) {
                raw(ctx, request, disk, false);
            } else {
                gzip(ctx, request, disk);
            }
            return;
        }
        Matcher tar = TAR.matcher(path);
        Matcher dir = DIR.matcher(path);
        if (tar.matches() || dir.matches()) {
            String name = tar.matches() ? tar.group(1) : dir.group(1);
            Path root = server.archive(name);
            if (root == null) {
                reply(ctx, request, HttpResponseStatus.NOT_FOUND, "this export has no archive volume " + name + "; it serves "
                        + server.archiveNames());
            } else if (tar.matches()) {
                HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/gzip");
                HttpUtil.setTransferEncodingChunked(response, true);
                ChunkedWriteHandler writer = ctx.pipeline().get(ChunkedWriteHandler.class);
                stream(ctx, request, response, HttpMethod.HEAD.equals(request.method()) ? null
                        : new ArchiveBody(root, writer::resumeTransfer, server::sent));
            } else {
                file(ctx, request, root, name, dir.group(2) == null ? "" : dir.group(2));
            }
            return;
        }
        Matcher manifest = MANIFEST.matcher(path);
        if (manifest.matches()) {
            String body = server.manifest(manifest.group(1), manifest.group(2), request.headers().get(HttpHeaderNames.HOST));
            if (body != null) {
                FullHttpResponse response = full(request, HttpResponseStatus.OK, body);
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/yaml");
                send(ctx, request, response);
                return;
            }
        }
        reply(ctx, request, HttpResponseStatus.NOT_FOUND, path + " is not served by this export");
    }

    /** A file of an archive volume (Range served), or a directory's listing; nothing outside the volume. */
    private void file(ChannelHandlerContext ctx, HttpRequest request, Path root, String name, String relative) throws java.io.IOException {
        Path target = root.resolve(relative.startsWith("/") ? relative.substring(1) : relative).normalize();
        if (!target.startsWith(root) || !java.nio.file.Files.exists(target)
                || !target.toRealPath().startsWith(root.toRealPath())) {
            reply(ctx, request, HttpResponseStatus.NOT_FOUND, "volume " + name + " has no " + relative);
            return;
        }
        if (java.nio.file.Files.isDirectory(target)) {
            StringBuilder listing = new StringBuilder("<pre>\n");
            String base = "/volumes/" + name + "/dir/" + root.relativize(target).toString().replace('\\', '/');
            base = base.endsWith("/") ? base : base + "/";
            try (var entries = java.nio.file.Files.list(target)) {
                for (Path entry : entries.sorted().toList()) {
                    String label = entry.getFileName() + (java.nio.file.Files.isDirectory(entry) ? "/" : "");
                    String href = base + label.replace("%", "%25").replace(" ", "%20").replace("#", "%23").replace("?", "%3F");
                    listing.append("<a href=\"").append(href.replace("\"", "%22")).append("\">").append(label.replace("<", "&lt;"))
                            .append("</a>\n");
                }
            }
            FullHttpResponse response = full(request, HttpResponseStatus.OK, listing.append("</pre>").toString());
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
            send(ctx, request, response);
            return;
        }
        if (!java.nio.file.Files.isRegularFile(target)) {
            reply(ctx, request, HttpResponseStatus.NOT_FOUND, relative + " in volume " + name + " is not a file");
            return;
        }
        raw(ctx, request, DiskRegions.file(target), true);
    }

    private void raw(ChannelHandlerContext ctx, HttpRequest request, DiskRegions disk, boolean owned) {
        long size = disk.size();
        ByteRange range;
        try {
            range = ByteRange.parse(request.headers().get(HttpHeaderNames.RANGE), size);
        } catch (IllegalArgumentException e) {
            if (owned) {
                try {
                    disk.close();
                } catch (java.io.IOException closing) {
                    // read-only
                }
            }
            FullHttpResponse refused = full(request, HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE, e.getMessage());
            refused.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
            send(ctx, request, refused);
            return;
        }
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                range == null ? HttpResponseStatus.OK : HttpResponseStatus.PARTIAL_CONTENT);
        long start = range == null ? 0 : range.start();
        long end = range == null ? size : range.end();
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                .set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
        if (range != null) {
            response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes " + start + "-" + (end - 1) + "/" + size);
        }
        HttpUtil.setContentLength(response, end - start);
        stream(ctx, request, response, new RawBody(disk, start, end, server::sent, owned));
    }

    private void gzip(ChannelHandlerContext ctx, HttpRequest request, DiskRegions disk) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/gzip");
        HttpUtil.setTransferEncodingChunked(response, true);
        ChunkedWriteHandler writer = ctx.pipeline().get(ChunkedWriteHandler.class);
        stream(ctx, request, response, new GzipBody(disk, server.compressors(), server.compressorsAhead(), writer::resumeTransfer,
                server::sent));
    }

    private static void stream(ChannelHandlerContext ctx, HttpRequest request, HttpResponse response, ChunkedInput<io.netty.buffer.ByteBuf> body) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.write(response);
        if (HttpMethod.HEAD.equals(request.method()) && body != null) {
            try {
                body.close();
            } catch (Exception e) {
                // nothing was read
            }
        }
        var done = HttpMethod.HEAD.equals(request.method()) || body == null ? ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                : ctx.writeAndFlush(new HttpChunkedInput(body));
        done.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                LOG.info(() -> "export download " + request.uri().replaceAll("([?&]" + TOKEN + "=)[^&]*", "$1…") + " ended early: "
                        + f.cause());
                f.channel().close();
            } else if (!keepAlive) {
                f.channel().close();
            }
        });
    }

    private static FullHttpResponse full(HttpRequest request, HttpResponseStatus status, String text) {
        byte[] body = HttpMethod.HEAD.equals(request.method()) ? new byte[0] : (text + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        HttpUtil.setContentLength(response, body.length);
        return response;
    }

    private static void reply(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String text) {
        send(ctx, request, full(request, status, text));
    }

    private static void send(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.fine(() -> "export connection closed: " + cause);
        ctx.close();
    }
}
