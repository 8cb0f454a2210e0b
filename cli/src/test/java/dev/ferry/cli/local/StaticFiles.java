package dev.ferry.cli.local;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/** A real HTTP server on loopback serving the files under a directory, optionally slowed per 256 KiB. */
final class StaticFiles {
    private StaticFiles() {
    }

    /** Serves {@code root}; {@code pauseMillis} is read before each 256 KiB chunk (0: full speed). */
    static HttpServer serve(Path root, LongSupplier pauseMillis) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            Path file = root.resolve(exchange.getRequestURI().getPath().substring(1));
            if (!Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(200, Files.size(file));
            try (InputStream in = Files.newInputStream(file); OutputStream out = exchange.getResponseBody()) {
                byte[] buffer = new byte[256 * 1024];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    long pause = pauseMillis.getAsLong();
                    if (pause > 0) {
                        LockSupport.parkNanos(pause * 1_000_000L); // a slow source, not a wait in a test
                    }
                }
            } catch (IOException closed) {
                // the client went away
            }
        });
        http.start();
        return http;
    }
}
