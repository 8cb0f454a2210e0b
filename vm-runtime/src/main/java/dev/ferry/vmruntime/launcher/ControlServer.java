package dev.ferry.vmruntime.launcher;

import com.sun.net.httpserver.HttpExchange;
import dev.ferry.vmruntime.Launcher;
import dev.ferry.worker.MetricsEndpoint;
import dev.ferry.worker.launcher.FreezeRequest;
import dev.ferry.worker.launcher.LauncherApi;
import dev.ferry.worker.launcher.MigrationRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The launcher's control endpoint on its metrics port ({@link LauncherApi}): status, pause,
 * unpause, migrate (and abort), freeze and unfreeze, and the serial console — each route a few lines over the
 * {@link GuestSession}.
 */
public final class ControlServer {
    private static final int CONSOLE_CHUNK = 64 * 1024;
    private final GuestSession session;

    private ControlServer(GuestSession session) {
        this.session = session;
    }

    /** Serves {@code session}'s control routes on {@code endpoint}. */
    public static void serve(MetricsEndpoint endpoint, GuestSession session) {
        ControlServer server = new ControlServer(session);
        endpoint.handle(LauncherApi.STATUS, server::status);
        endpoint.handle(LauncherApi.PAUSE, exchange -> server.suspend(exchange, true));
        endpoint.handle(LauncherApi.UNPAUSE, exchange -> server.suspend(exchange, false));
        endpoint.handle(LauncherApi.MIGRATE, server::migrate);
        endpoint.handle(LauncherApi.FREEZE, server::freeze);
        endpoint.handle(LauncherApi.UNFREEZE, server::unfreeze);
        endpoint.handle(LauncherApi.CONSOLE, server::console);
    }

    private void status(HttpExchange exchange) throws IOException {
        reply(exchange, 200, "application/json", LauncherApi.JSON.writeValueAsBytes(session.status()));
    }

    private void suspend(HttpExchange exchange, boolean pause) throws IOException {
        if (!post(exchange)) {
            return;
        }
        try {
            text(exchange, 200, session.suspend(pause).label());
        } catch (GuestSession.Refused e) {
            text(exchange, 409, e.getMessage());
        } catch (Launcher.LauncherException e) {
            text(exchange, 500, e.getMessage());
        }
    }

    /** Freezes the guest's filesystems (200: how many), 409 when the guest cannot be frozen now. */
    private void freeze(HttpExchange exchange) throws IOException {
        if (!post(exchange)) {
            return;
        }
        FreezeRequest request;
        try {
            request = LauncherApi.JSON.readValue(exchange.getRequestBody(), FreezeRequest.class);
        } catch (IOException e) {
            text(exchange, 400, "not a freeze request (unfreezeTimeoutSeconds): " + e.getMessage());
            return;
        }
        try {
            text(exchange, 200, "froze " + session.freeze(java.time.Duration.ofSeconds(request.unfreezeTimeoutSeconds()))
                    + " filesystem(s)");
        } catch (GuestSession.Refused e) {
            text(exchange, 409, e.getMessage());
        } catch (Launcher.LauncherException e) {
            text(exchange, 500, e.getMessage());
        }
    }

    private void unfreeze(HttpExchange exchange) throws IOException {
        if (!post(exchange)) {
            return;
        }
        try {
            reply(exchange, 200, "application/json", LauncherApi.JSON.writeValueAsBytes(session.unfreeze()));
        } catch (Launcher.LauncherException e) {
            text(exchange, 500, e.getMessage());
        }
    }

    /** Starts a migration (202) or, with {@code ?abort}, cancels the running one. */
    private void migrate(HttpExchange exchange) throws IOException {
        if (!post(exchange)) {
            return;
        }
        if (LauncherApi.ABORT.equals(exchange.getRequestURI().getQuery())) {
            session.abortMigration("the migration was cancelled");
            text(exchange, 200, "abort requested");
            return;
        }
        MigrationRequest request;
        try {
            request = LauncherApi.JSON.readValue(exchange.getRequestBody(), MigrationRequest.class);
        } catch (IOException e) {
            text(exchange, 400, "not a migration request: " + e.getMessage());
            return;
        }
        if (request.targetUri() == null || request.migrationUri() == null) {
            text(exchange, 400, "targetUri and migrationUri are required");
            return;
        }
        try {
            session.migrate(request);
            text(exchange, 202, "migration started");
        } catch (GuestSession.Refused e) {
            text(exchange, 409, e.getMessage());
        }
    }

    /** The serial log from {@code ?from=N}, at most 64 KiB per answer; the next offset in a header. */
    private void console(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getQuery();
        long from = 0;
        String prefix = LauncherApi.CONSOLE_FROM + "=";
        if (query != null && query.startsWith(prefix)) {
            try {
                from = Math.max(0, Long.parseLong(query.substring(prefix.length())));
            } catch (NumberFormatException e) {
                text(exchange, 400, prefix + " takes a byte offset");
                return;
            }
        }
        byte[] chunk = read(session.console(), from);
        exchange.getResponseHeaders().set(LauncherApi.HEADER_CONSOLE_OFFSET, String.valueOf(from + chunk.length));
        exchange.getResponseHeaders().set(LauncherApi.HEADER_STATE, session.status().state().label());
        reply(exchange, 200, "application/octet-stream", chunk);
    }

    private static byte[] read(Path log, long from) throws IOException {
        if (log == null || !Files.exists(log)) {
            return new byte[0];
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            if (from >= length) {
                return new byte[0];
            }
            byte[] chunk = new byte[(int) Math.min(CONSOLE_CHUNK, length - from)];
            file.seek(from);
            file.readFully(chunk);
            return chunk;
        }
    }

    private static boolean post(HttpExchange exchange) throws IOException {
        if ("POST".equals(exchange.getRequestMethod())) {
            return true;
        }
        text(exchange, 405, "POST only");
        return false;
    }

    private static void text(HttpExchange exchange, int status, String text) throws IOException {
        reply(exchange, status, "text/plain", (text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
