package io.gatehouse.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * A small HTTP backend with three resources:
 * <ul>
 *     <li>{@code GET /time} (and below it, such as {@code /time/now}): the current time as JSON;</li>
 *     <li>{@code /echo/...} (any method): the request's method, path, query, headers and body as JSON;</li>
 *     <li>{@code GET /fixed}: a fixed 97-byte JSON document, for benchmarks.</li>
 * </ul>
 * Anything else is a 404.
 */
public final class DemoBackend implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final byte[] FIXED = ("{\"id\":42,\"name\":\"gatehouse\",\"status\":\"ok\","
                                         + "\"items\":[1,2,3],\"message\":\"fixed response body\"}")
            .getBytes(StandardCharsets.UTF_8);
    /** Echo bodies are for looking at, not for load: larger ones are summarised. */
    private static final int MAX_ECHOED_BODY = 64 * 1024;

    private final WebServer server;

    private DemoBackend(WebServer server) {
        this.server = server;
    }

    /**
     * Starts the backend.
     *
     * @param host the address to bind
     * @param port the port, or 0 for a free one
     * @return the running backend
     */
    public static DemoBackend start(String host, int port) {
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .featuresDiscoverServices(false)
                .routing(routing -> routing.any(DemoBackend::handle))
                .build()
                .start();
        return new DemoBackend(server);
    }

    /**
     * Runs the backend until the process is stopped.
     *
     * @param args {@code [--host HOST] [--port PORT]}; defaults 127.0.0.1 and 9090
     */
    public static void main(String[] args) {
        String host = "127.0.0.1";
        int port = 9090;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = value(args, ++i, "--host");
                case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
                default -> {
                    System.err.println("demo-backend: unknown argument '" + args[i] + "'; usage: [--host HOST] [--port PORT]");
                    System.exit(2);
                }
            }
        }
        DemoBackend backend = start(host, port);
        Runtime.getRuntime().addShutdownHook(new Thread(backend::close, "demo-backend-stop"));
        System.out.println("demo backend listening on http://" + host + ":" + backend.port());
    }

    /**
     * The port the backend listens on.
     *
     * @return the port
     */
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }

    private static String value(String[] args, int index, String flag) {
        if (index >= args.length) {
            System.err.println("demo-backend: " + flag + " needs a value");
            System.exit(2);
        }
        return args[index];
    }

    private static void handle(ServerRequest req, ServerResponse res) throws IOException {
        String path = req.path().rawPath();
        String method = req.prologue().method().text();
        if ((path.equals("/time") || path.startsWith("/time/")) && (method.equals("GET") || method.equals("HEAD"))) {
            Instant now = Instant.now();
            Map<String, Object> time = new LinkedHashMap<>();
            time.put("utc", now.atOffset(ZoneOffset.UTC).toString());
            time.put("epochMillis", now.toEpochMilli());
            sendJson(res, Status.OK_200, time);
        } else if (path.equals("/echo") || path.startsWith("/echo/")) {
            sendJson(res, Status.OK_200, echo(req, method, path));
        } else if (path.equals("/fixed")) {
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(FIXED);
        } else {
            sendJson(res, Status.NOT_FOUND_404, Map.of("error", "no such resource on the demo backend: " + path));
        }
    }

    private static Map<String, Object> echo(ServerRequest req, String method, String path) throws IOException {
        Map<String, Object> echo = new LinkedHashMap<>();
        echo.put("method", method);
        echo.put("path", path);
        echo.put("query", req.query().rawValue());
        Map<String, Object> headers = new LinkedHashMap<>();
        req.headers().forEach(h -> headers.put(h.name(), h.allValues().size() == 1 ? h.get() : List.copyOf(h.allValues())));
        echo.put("headers", headers);
        if (req.content().hasEntity()) {
            try (InputStream in = req.content().inputStream()) {
                byte[] head = in.readNBytes(MAX_ECHOED_BODY);
                long rest = in.transferTo(DiscardingStream.INSTANCE);
                echo.put("body", rest == 0 ? new String(head, StandardCharsets.UTF_8)
                        : "(" + (head.length + rest) + " bytes, not echoed)");
            }
        } else {
            echo.put("body", "");
        }
        return echo;
    }

    private static void sendJson(ServerResponse res, Status status, Object value) throws JsonProcessingException {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(JSON.writeValueAsBytes(value));
    }

    /** Discards what is written: counts the tail of an echo body that is too large to show. */
    private static final class DiscardingStream extends OutputStream {
        private static final DiscardingStream INSTANCE = new DiscardingStream();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
