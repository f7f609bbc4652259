package io.gatehouse.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

/**
 * A plain backend for gateway tests on a free loopback port: answers every request with 200 and a fixed body, and
 * records the {@code traceparent} each request carried (the literal {@code "null"} when it had none).
 */
final class TestBackend implements AutoCloseable {

    private final HttpServer server;
    private final List<String> traceparents = new CopyOnWriteArrayList<>();

    private TestBackend(byte[] body) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            traceparents.add(String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")));
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /**
     * Starts a backend.
     *
     * @param body what it answers
     * @return the running backend; close it
     * @throws IOException if it cannot listen
     */
    static TestBackend answering(String body) throws IOException {
        return new TestBackend(body.getBytes(StandardCharsets.UTF_8));
    }

    /** @return its port */
    int port() {
        return server.getAddress().getPort();
    }

    /** @return the traceparent of each request received, in order */
    List<String> traceparents() {
        return traceparents;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
