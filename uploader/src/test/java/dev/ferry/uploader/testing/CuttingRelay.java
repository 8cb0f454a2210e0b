package dev.ferry.uploader.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay in front of a server that drops the first connection after it has carried
 * {@code cutAfter} bytes from the client (or, {@link #downstream}, to it): a network failure
 * mid-upload or mid-download, TLS or not.
 */
public final class CuttingRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final long cutAfter;
    private final AtomicBoolean cut = new AtomicBoolean();
    private final AtomicInteger connections = new AtomicInteger();
    private final boolean downstream;

    public CuttingRelay(int targetPort, long cutAfter) throws IOException {
        this(targetPort, cutAfter, false);
    }

    /** A relay that cuts the first connection after {@code cutAfter} bytes from the server: a broken download. */
    public static CuttingRelay downstream(int targetPort, long cutAfter) throws IOException {
        return new CuttingRelay(targetPort, cutAfter, true);
    }

    private CuttingRelay(int targetPort, long cutAfter, boolean downstream) throws IOException {
        this.downstream = downstream;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        this.cutAfter = cutAfter;
        Thread acceptor = new Thread(this::accept, "cutting-relay");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Whether a connection has been cut. */
    public boolean hasCut() {
        return cut.get();
    }

    public int connections() {
        return connections.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                connections.incrementAndGet();
                long limit = cut.get() ? Long.MAX_VALUE : cutAfter;
                pump(client, server, downstream ? Long.MAX_VALUE : limit);
                pump(server, client, downstream ? limit : Long.MAX_VALUE);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, long limit) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            long carried = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (carried + n > limit && cut.compareAndSet(false, true)) {
                        out.write(buffer, 0, (int) (limit - carried));
                        out.flush();
                        from.setSoLinger(true, 0);
                        to.setSoLinger(true, 0);
                        from.close();
                        to.close();
                        return;
                    }
                    out.write(buffer, 0, n);
                    carried += n;
                }
            } catch (IOException e) {
                // the other direction closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "relay-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
