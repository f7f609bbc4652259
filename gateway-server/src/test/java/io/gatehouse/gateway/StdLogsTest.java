package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code telemetry.logs.std} and {@code telemetry.logs.std.level} as a user sees them: {@code gatehouse run} in its own
 * JVM (the launcher's {@code jvm.options}, this module's class path), its standard output and error read whole.
 * JSON means every line is a JSON object, with one access-log line per request; none means no access log. A
 * subscription key, valid or not, in the header or the query, never appears in either stream, even at debug level.
 */
class StdLogsTest {

    private static final String VALID_KEY = "logs-valid-key-0123456789abcdef";
    private static final String INVALID_KEY = "logs-invalid-key-fedcba9876543210";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private HttpServer backend;
    private Process gateway;

    @BeforeEach
    void backendAndFolder() throws IOException {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 5);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("hello".getBytes(StandardCharsets.UTF_8));
            }
        });
        // The gateway's OTLP exporter sends here, so access-log lines carry a trace id; what it sends is not read.
        backend.createContext("/v1/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        backend.start();
        new TestFolder(dir.resolve("apis"))
                .api("logs", "logs", "http://127.0.0.1:" + backend.getAddress().getPort(), true, "GET /items")
                .product("p1", true, "logs")
                .subscription("sub1", "/products/p1", "active", VALID_KEY);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (gateway != null && gateway.isAlive()) {
            gateway.destroyForcibly();
            gateway.waitFor(20, TimeUnit.SECONDS);
        }
        backend.stop(0);
    }

    /** In JSON mode at debug level every line is JSON, each request has its access-log line, and no key is printed. */
    @Test
    void jsonLogsAreJsonWithAccessLinesAndNoKeys() throws Exception {
        int port = start("telemetry.logs.std=json", "telemetry.logs.std.level=debug",
                         "observability.opentelemetry.enabled=true",
                         "observability.opentelemetry.collector.uri=http://127.0.0.1:" + backend.getAddress().getPort());
        URI base = URI.create("http://127.0.0.1:" + port);
        assertEquals(200, HttpCalls.get(base, "/logs/items", "Ocp-Apim-Subscription-Key", VALID_KEY).statusCode());
        assertEquals(200, HttpCalls.get(base, "/logs/items?subscription-key=" + VALID_KEY + "&x=1").statusCode());
        assertEquals(401, HttpCalls.get(base, "/logs/items", "Ocp-Apim-Subscription-Key", INVALID_KEY).statusCode());
        assertEquals(401, HttpCalls.get(base, "/logs/items?subscription-key=" + INVALID_KEY).statusCode());
        awaitAccessLines(4);
        stopGateway();

        List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve("stdout.log")));
        lines.addAll(Files.readAllLines(dir.resolve("stderr.log")));
        List<JsonNode> records = new ArrayList<>();
        for (String line : lines) {
            try {
                JsonNode record = JSON.readTree(line);
                assertTrue(record.isObject(), "not a JSON object: " + line);
                records.add(record);
            } catch (IOException e) {
                fail("not JSON: " + line + "\nin:\n" + String.join("\n", lines));
            }
        }
        assertTrue(records.stream().anyMatch(r -> r.path("type").asText().equals("log")
                && r.path("level").asText().equals("FINE")), "debug lines are printed (as JSON)");
        List<JsonNode> access = records.stream().filter(r -> r.path("type").asText().equals("request"))
                .filter(r -> r.path("path").asText().startsWith("/logs/")).toList();
        assertEquals(4, access.size(), access.toString());
        JsonNode header = access.get(0);
        for (String field : List.of("time", "requestId", "traceId", "spanId", "method", "clientIp")) {
            assertFalse(header.path(field).asText().isEmpty(), field + " in " + header);
        }
        assertEquals(32, header.get("traceId").asText().length(), header.toString());
        assertEquals("logs", header.get("apiId").asText());
        assertEquals("op0", header.get("operationId").asText());
        assertEquals("p1", header.get("productId").asText());
        assertEquals("sub1", header.get("subscriptionId").asText());
        assertEquals("GET", header.get("method").asText());
        assertEquals("/logs/items", header.get("path").asText());
        assertEquals(200, header.get("status").asInt());
        assertEquals("127.0.0.1", header.get("clientIp").asText());
        assertTrue(header.get("durationMs").isNumber() && header.get("backendDurationMs").isNumber(), header.toString());
        assertTrue(header.get("durationMs").asDouble() >= header.get("backendDurationMs").asDouble(), header.toString());
        assertEquals(0, header.get("bytesIn").asInt());
        assertEquals(5, header.get("bytesOut").asInt());
        assertEquals("/logs/items?x=1", access.get(1).get("path").asText(), "the key is taken off the query");
        assertEquals("sub1", access.get(1).get("subscriptionId").asText());
        assertEquals(401, access.get(2).get("status").asInt());
        assertEquals(401, access.get(3).get("status").asInt());
        assertEquals("/logs/items", access.get(3).get("path").asText(), "an invalid key is taken off the query too");

        String output = String.join("\n", lines);
        assertFalse(output.contains(VALID_KEY), "the valid key is printed:\n" + output);
        assertFalse(output.contains(INVALID_KEY), "the invalid key is printed:\n" + output);
    }

    /** With none, no access-log line is printed (nor anything else on standard output). */
    @Test
    void noneLogsPrintNoAccessLines() throws Exception {
        int port = start("telemetry.logs.std=none");
        URI base = URI.create("http://127.0.0.1:" + port);
        assertEquals(200, HttpCalls.get(base, "/logs/items", "Ocp-Apim-Subscription-Key", VALID_KEY).statusCode());
        assertEquals(401, HttpCalls.get(base, "/logs/items?subscription-key=" + INVALID_KEY).statusCode());
        stopGateway();
        String out = Files.readString(dir.resolve("stdout.log"));
        String err = Files.readString(dir.resolve("stderr.log"));
        assertEquals("", out, "standard output");
        assertFalse(err.contains("\"type\":\"request\"") || err.contains("/logs/items"), err);
        assertFalse((out + err).contains(VALID_KEY) || (out + err).contains(INVALID_KEY), err);
    }

    /**
     * Starts {@code gatehouse run} on the folder, with the settings as an env file, and waits until it serves.
     *
     * @param settings key=value lines
     * @return the gateway's HTTP port
     */
    private int start(String... settings) throws Exception {
        int port = freePort();
        Path env = dir.resolve("env.conf");
        List<String> lines = new ArrayList<>(List.of(settings));
        lines.add("net.server.http.host=127.0.0.1");
        Files.write(env, lines);
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        gateway = new ProcessBuilder(java, "@" + Path.of("..", "distribution", "jvm.options").toAbsolutePath(),
                                     "-cp", classPath, "io.gatehouse.gateway.GatewayMain", "run",
                                     "--config", dir.resolve("apis").toString(), "--port", Integer.toString(port),
                                     "--env-file", env.toString())
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .redirectError(dir.resolve("stderr.log").toFile())
                .start();
        URI base = URI.create("http://127.0.0.1:" + port);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!gateway.isAlive()) {
                fail("the gateway exited with " + gateway.exitValue() + ":\n" + Files.readString(dir.resolve("stderr.log")));
            }
            try {
                if (HttpCalls.get(base, Gateway.STATUS_PATH).statusCode() == 200) {
                    return port;
                }
            } catch (UncheckedIOException notYetListening) {
                // keep polling until the deadline
            }
            Thread.sleep(100);
        }
        fail("the gateway did not serve within 60 s:\n" + Files.readString(dir.resolve("stderr.log")));
        return -1;
    }

    /** The access-log line is written once the response is sent, so the client may see the answer first. */
    private void awaitAccessLines(int count) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            long lines = Files.readAllLines(dir.resolve("stdout.log")).stream()
                    .filter(l -> l.contains("\"type\":\"request\"") && l.contains("\"path\":\"/logs/")).count();
            if (lines >= count) {
                return;
            }
            Thread.sleep(20);
        }
        fail(count + " access-log lines expected:\n" + Files.readString(dir.resolve("stdout.log")));
    }

    /** SIGTERM, as an orchestrator stops it; what it prints while stopping is output too. */
    private void stopGateway() throws InterruptedException {
        gateway.destroy();
        assertTrue(gateway.waitFor(60, TimeUnit.SECONDS), "the gateway stops on SIGTERM");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
