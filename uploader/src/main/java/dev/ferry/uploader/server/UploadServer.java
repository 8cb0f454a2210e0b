package dev.ferry.uploader.server;

import dev.ferry.disk.convert.Destination;
import dev.ferry.disk.convert.DiskImport;
import dev.ferry.disk.convert.ImportResult;
import dev.ferry.disk.progress.TransferProgress;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The upload server of one volume (CDI's {@code cdi-upload-<pvc>}): receives the image over
 * HTTP(S) and converts it while it arrives, through the same disk engine as imports.
 */
public final class UploadServer implements AutoCloseable {
    /** How much of the request body may wait for the converter before reading pauses. */
    static final long PIPE_BYTES = 16L << 20;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ExecutorService conversions = Executors.newCachedThreadPool(daemon("upload-convert"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("upload-timer"));
    private final UploadSession session;
    /** Client connections, closed (and their buffers released) before the event loop stops. */
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel channel;

    UploadServer(UploadServerConfig config, UploadSession.Converter converter) throws IOException {
        this.session = new UploadSession(converter, conversions, timer, config.resumeTimeout(), PIPE_BYTES);
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // bulk bodies: up to 1 MiB per read instead of 64 KiB (a quarter of the syscalls)
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(4096, 65536, 1 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        if (config.tls() != null) {
                            ch.pipeline().addLast(config.tls().newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpServerCodec(new HttpDecoderConfig().setMaxChunkSize(1 << 20)));
                        ch.pipeline().addLast(new UploadHandler(session, config.target(), config.cloneClient()));
                    }
                });
        try {
            this.channel = bootstrap.bind(config.host(), config.port()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted while binding the upload server", e);
        } catch (RuntimeException e) {
            close();
            throw new IOException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts a server that writes uploads to {@code config.destination()} with the disk engine —
     * or, in clone mode, a clone source's stream of data extents.
     */
    public static UploadServer start(UploadServerConfig config) throws IOException {
        Destination destination = new Destination(config.destination());
        if (config.cloneClient() != null) {
            return new UploadServer(config, new CloneReceiver(destination, config.options()));
        }
        return new UploadServer(config, (image, progress) ->
                new DiskImport(image, destination, config.options(), progress).run());
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Completes when an upload has been written and synced. */
    public CompletableFuture<ImportResult> succeeded() {
        return session.succeeded();
    }

    public TransferProgress progress() {
        return session.progress();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly();
        }
        connections.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        timer.shutdownNow();
        conversions.shutdownNow();
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
