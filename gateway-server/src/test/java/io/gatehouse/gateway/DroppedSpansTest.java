package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.telemetry.Telemetry;

/**
 * Export never holds a request up: with a collector that takes requests and never answers and a span queue of one, the
 * gateway answers every call at once and counts the spans it could not queue in
 * {@code gatehouse_telemetry_spans_dropped_total} on the management listener, which Prometheus scrapes.
 */
class DroppedSpansTest {

    private static final String KEY = "dropped-spans-key-0123456789abcdef";
    private static final Pattern DROPPED = Pattern.compile("(?m)^gatehouse_telemetry_spans_dropped_total(?:\\{[^}]*})? (\\S+)$");

    @TempDir
    Path dir;
    private TestBackend backend;
    private HttpServer collector;
    private final CountDownLatch collectorAnswers = new CountDownLatch(1);
    private final Set<ByteString> received = ConcurrentHashMap.newKeySet();
    private Telemetry telemetry;
    private Gateway gateway;

    @BeforeEach
    void start() throws IOException {
        backend = TestBackend.answering("ok");
        // A collector that has stalled: it reads each export and holds it until the test ends.
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.setExecutor(Executors.newCachedThreadPool());
        collector.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().equals("/v1/traces")) {
                ExportTraceServiceRequest.parseFrom(body).getResourceSpansList().stream()
                        .flatMap(rs -> rs.getScopeSpansList().stream()).flatMap(ss -> ss.getSpansList().stream())
                        .forEach(span -> received.add(span.getSpanId()));
            }
            try {
                collectorAnswers.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        new TestFolder(dir)
                .api("slow", "slow", "http://127.0.0.1:" + backend.port(), true, "GET /things")
                .product("p1", true, "slow")
                .subscription("sub1", "/products/p1", "active", KEY);
    }

    @AfterEach
    void stop() {
        collectorAnswers.countDown();
        if (gateway != null) {
            gateway.close();
        }
        if (telemetry != null) {
            telemetry.close();
        }
        collector.stop(0);
        backend.close();
    }

    /** Spans that find the export queue full are dropped and counted on Prometheus; every request is still answered. */
    @Test
    void droppedSpansAreCountedAndRequestsDoNotWait() throws Exception {
        Map<String, String> values = new HashMap<>(Map.of(
                "observability.opentelemetry.enabled", "true",
                "observability.opentelemetry.collector.uri", "http://127.0.0.1:" + collector.getAddress().getPort(),
                "net.server.management.port", "0", "net.server.management.host", "127.0.0.1"));
        Settings settings = Settings.load(Map.of(), Optional.empty(), Optional.empty(), values);
        // The standard setting, in its system-property form: one span may wait for export.
        System.setProperty("otel.bsp.max.queue.size", "1");
        System.setProperty("otel.bsp.max.export.batch.size", "1");
        try {
            telemetry = GatewayMain.telemetry(settings, "gw-dropped", "gw-dropped-1");
        } finally {
            System.clearProperty("otel.bsp.max.queue.size");
            System.clearProperty("otel.bsp.max.export.batch.size");
        }
        gateway = new TestFolder(dir).gateway(values, GatewayMain.observer(settings, telemetry)).start("127.0.0.1", 0);
        URI api = URI.create("http://127.0.0.1:" + gateway.port());
        long started = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            assertEquals(200, HttpCalls.get(api, "/slow/things", "Ocp-Apim-Subscription-Key", KEY).statusCode());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        // Twenty calls with one export stuck for a minute: waiting for the collector would take far longer than this.
        assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "20 calls took " + took);

        URI management = URI.create("http://127.0.0.1:" + gateway.managementPort().orElseThrow());
        String metrics = HttpCalls.get(management, "/observe/metrics").body();
        Matcher m = DROPPED.matcher(metrics);
        assertTrue(m.find(), "gatehouse_telemetry_spans_dropped_total is on /observe/metrics:\n" + metrics);
        double dropped = Double.parseDouble(m.group(1));
        assertTrue(dropped > 0, "spans dropped: " + dropped);
        assertTrue(dropped <= telemetry.droppedSpans(), dropped + " on Prometheus, " + telemetry.droppedSpans() + " counted");

        // Every span is accounted for: a SERVER and a CLIENT span per call, each sent to the collector, dropped and
        // counted, or (at most one) still waiting; the batch processor's own queue never drops one uncounted.
        int spans = 2 * 20;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (received.size() + telemetry.droppedSpans() < spans - 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long accounted = received.size() + telemetry.droppedSpans();
        assertTrue(accounted >= spans - 1 && accounted <= spans,
                   received.size() + " sent and " + telemetry.droppedSpans() + " dropped of " + spans);
    }
}
