package dev.ferry.uploader.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Connects the proxy to an upload server, retrying with backoff until it accepts (it may still
 * be starting: CDI's proxy waits a fixed 10 s instead) or the deadline passes; the failure then
 * says which address was tried, for how long, and the last error.
 */
final class UpstreamConnector {
    private static final long FIRST_DELAY_MS = 100;
    private static final long MAX_DELAY_MS = 2000;

    private final SslContext tls;
    private final Duration deadline;
    private final String serverName;

    /** {@code serverName}: the name to verify upstream certificates against, or null for each address's host. */
    UpstreamConnector(SslContext tls, Duration deadline, String serverName) {
        this.tls = tls;
        this.deadline = deadline;
        this.serverName = serverName;
    }

    /** Connects on {@code frontend}'s event loop; the upstream's responses go to a new {@code relay} per attempt. */
    Future<Channel> connect(Channel frontend, InetSocketAddress address, Supplier<ChannelHandler> relay) {
        Promise<Channel> promise = frontend.eventLoop().newPromise();
        Bootstrap bootstrap = new Bootstrap().group(frontend.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.ALLOCATOR, frontend.alloc())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(),
                                    serverName != null ? serverName : address.getHostString(), address.getPort()));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(), relay.get());
                    }
                });
        long giveUpAt = System.nanoTime() + deadline.toNanos();
        attempt(bootstrap, address, promise, giveUpAt, FIRST_DELAY_MS);
        return promise;
    }

    private void attempt(Bootstrap bootstrap, InetSocketAddress address, Promise<Channel> promise, long giveUpAt,
            long delay) {
        InetSocketAddress target = address.isUnresolved()
                ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
        if (target.isUnresolved()) {
            retry(bootstrap, address, promise, giveUpAt, delay, "cannot resolve " + address.getHostString());
            return;
        }
        ChannelFuture connected = bootstrap.connect(target);
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                retry(bootstrap, address, promise, giveUpAt, delay, describe(f.cause()));
                return;
            }
            Channel channel = connected.channel();
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            if (ssl == null) {
                promise.trySuccess(channel);
                return;
            }
            ssl.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    promise.trySuccess(channel);
                } else {
                    channel.close();
                    promise.tryFailure(new UpstreamException(502, "TLS handshake with the upload server at "
                            + address + " failed: " + describe(h.cause())));
                }
            });
        });
    }

    private void retry(Bootstrap bootstrap, InetSocketAddress address, Promise<Channel> promise, long giveUpAt,
            long delay, String lastError) {
        if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay) > giveUpAt) {
            promise.tryFailure(new UpstreamException(503, "the upload server at " + address + " is not ready after "
                    + deadline.toSeconds() + " s (" + lastError + "); check that the volume's upload Pod is running"));
            return;
        }
        bootstrap.config().group().schedule(
                () -> attempt(bootstrap, address, promise, giveUpAt, Math.min(delay * 2, MAX_DELAY_MS)),
                delay, TimeUnit.MILLISECONDS);
    }

    private static String describe(Throwable cause) {
        if (cause instanceof ConnectException) {
            return "connection refused";
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** Why no upstream connection could be made, with the status the client gets. */
    static final class UpstreamException extends Exception {
        private final int status;

        UpstreamException(int status, String message) {
            super(message);
            this.status = status;
        }

        int status() {
            return status;
        }
    }
}
