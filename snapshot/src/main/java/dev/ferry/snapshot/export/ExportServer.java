package dev.ferry.snapshot.export;

import dev.ferry.worker.env.ExportServerEnv;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The export server of one VirtualMachineExport (KubeVirt's virt-exportserver): serves its volumes
 * over HTTPS to whoever holds the export's token — a disk raw (Range requests resume a broken
 * download) and gzip (compressed on every core), an archive (filesystem) volume as its files
 * ({@code dir/}) and {@code disk.tar.gz} — and the manifests the controller wrote for it.
 */
public final class ExportServer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final ExecutorService compressors;
    private final int threads;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Map<String, DiskRegions> disks = new TreeMap<>();
    private final Map<String, Path> archives = new TreeMap<>();
    private final byte[] token;
    private final Path manifests;
    private final AtomicLong sent = new AtomicLong();
    private final Channel channel;

    private ExportServer(ExportServerEnv env, SslContext tls, byte[] token, int threads) throws IOException {
        this.token = token;
        this.manifests = env.manifests();
        this.threads = threads;
        this.compressors = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "export-gzip");
            t.setDaemon(true);
            return t;
        });
        try {
            for (Map.Entry<String, ExportServerEnv.Volume> volume : env.volumes().entrySet()) {
                if (volume.getValue().archive()) {
                    Path root = volume.getValue().path().toAbsolutePath().normalize();
                    if (!Files.isDirectory(root)) {
                        throw new IOException("the archive volume " + volume.getKey() + " is not a directory: " + root);
                    }
                    archives.put(volume.getKey(), root);
                } else {
                    disks.put(volume.getKey(), DiskRegions.open(volume.getValue().path()));
                }
            }
            ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.add(ch);
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                            ch.pipeline().addLast(new HttpServerCodec());
                            ch.pipeline().addLast(new ChunkedWriteHandler());
                            ch.pipeline().addLast(new ExportHandler(ExportServer.this));
                        }
                    });
            this.channel = bootstrap.bind(env.host(), env.port()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted while binding the export server", e);
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? io : new IOException("cannot listen on " + env.host() + ":" + env.port() + ": " + e.getMessage(), e);
        }
    }

    /** Serves {@code env}'s volumes; every core compresses gzip downloads. */
    public static ExportServer start(ExportServerEnv env) throws IOException {
        SslContext tls;
        try {
            tls = SslContextBuilder.forServer(env.tlsCert().toFile(), env.tlsKey().toFile()).build();
        } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
            throw new IOException("cannot use TLS certificate " + env.tlsCert() + " with key " + env.tlsKey() + ": " + e.getMessage(), e);
        }
        String token = Files.readString(env.tokenFile(), StandardCharsets.UTF_8).strip();
        if (token.isEmpty()) {
            throw new IOException("the token file " + env.tokenFile() + " is empty: the export's token Secret needs a key 'token'");
        }
        return new ExportServer(env, tls, token.getBytes(StandardCharsets.UTF_8), Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Body bytes sent so far, over every download. */
    public long sentBytes() {
        return sent.get();
    }

    void sent(long bytes) {
        sent.addAndGet(bytes);
    }

    boolean tokenMatches(String offered) {
        return offered != null && MessageDigest.isEqual(token, offered.getBytes(StandardCharsets.UTF_8));
    }

    DiskRegions disk(String name) {
        return disks.get(name);
    }

    String diskNames() {
        return String.join(", ", disks.keySet());
    }

    Path archive(String name) {
        return archives.get(name);
    }

    String archiveNames() {
        return String.join(", ", archives.keySet());
    }

    ExecutorService compressors() {
        return compressors;
    }

    /** How many pieces may be compressed before the socket takes them: two per core. */
    int compressorsAhead() {
        return 2 * threads;
    }

    /**
     * The manifest {@code kind} ("all", "secret") or null: the controller's, written with the
     * internal links; for {@code external}, those links point at {@code host}, the address the client reached.
     */
    String manifest(String audience, String kind, String host) throws IOException {
        if (manifests == null) {
            return null;
        }
        Path file = manifests.resolve("internal-" + kind);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Path base = manifests.resolve("internal-base");
        if ("external".equals(audience) && host != null && Files.isRegularFile(base)) {
            text = text.replace(Files.readString(base, StandardCharsets.UTF_8).strip(), "https://" + host);
        }
        return text;
    }

    @Override
    public void close() {
        connections.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        compressors.shutdownNow();
        for (DiskRegions disk : disks.values()) {
            try {
                disk.close();
            } catch (IOException e) {
                // closing a read-only file: nothing to lose
            }
        }
    }
}
