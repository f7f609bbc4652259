package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.service.registry.Services;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.telemetry.Telemetry;
import io.gatehouse.telemetry.TelemetrySettings;

/**
 * The gateway's traffic where operators look at it: a real Prometheus (Debian's package) scraping the management
 * listener, and the Azure Monitor exporter sending request telemetry to an ingestion endpoint in the test.
 */
class TelemetryScrapeAndAzureTest {

    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final String KEY = "scrape-test-key-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private TestBackend backend;
    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void backendAndFolder() throws IOException {
        backend = TestBackend.answering("ok");
        new TestFolder(dir.resolve("apis"))
                .api("metered", "metered", "http://127.0.0.1:" + backend.port(), true, "GET /things")
                .product("p1", true, "metered")
                .subscription("sub1", "/products/p1", "active", KEY)
                .write("apis/metered/policy.xml", """
                        <policies><inbound><base/><rate-limit calls="1" renewal-period="60"/></inbound>
                        <backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>
                        """);
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        for (AutoCloseable c : closing) {
            c.close();
        }
        backend.close();
    }

    private Gateway gateway(Map<String, String> settings, Telemetry telemetry) {
        RequestObserver observer = new RequestObserver(telemetry, Services.get(MeterRegistry.class),
                                                       AccessLog.off(), TelemetrySettings.APIM_BUCKETS);
        Gateway gateway = new TestFolder(dir.resolve("apis")).gateway(settings, observer).start("127.0.0.1", 0);
        closing.add(gateway::close);
        return gateway;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Prometheus scrapes the management listener and has the request metric with its labels; the API port has none. */
    @Test
    void prometheusScrapesRequestMetrics() throws Exception {
        if (!Files.isExecutable(PROMETHEUS)) {
            fail("this test runs a real Prometheus: install the Debian package prometheus (.ci/run does)");
        }
        Gateway gateway = gateway(Map.of("net.server.management.port", "0", "net.server.management.host", "127.0.0.1"),
                                  Telemetry.disabled());
        int management = gateway.managementPort().orElseThrow();
        URI api = URI.create("http://127.0.0.1:" + gateway.port());
        assertEquals(200, HttpCalls.get(api, "/metered/things", "Ocp-Apim-Subscription-Key", KEY).statusCode());
        assertEquals(429, HttpCalls.get(api, "/metered/things", "Ocp-Apim-Subscription-Key", KEY).statusCode());
        assertEquals(404, HttpCalls.get(api, "/observe/metrics").statusCode(), "metrics are not on the API port");

        int port = freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: gatehouse
                    metrics_path: /observe/metrics
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(management));
        Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                                                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                                                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        processes.add(prometheus);
        String query = "http_server_request_duration_seconds_count{api=\"metered\",operation=\"op0\",status_class=\"2xx\"}";
        String rejected = "gatehouse_policy_rejections_total{api=\"metered\",policy=\"rate-limit\"}";
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        JsonNode result = null;
        JsonNode rejections = null;
        while (Instant.now().isBefore(deadline)) {
            if (!prometheus.isAlive()) {
                fail("prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
            }
            try {
                result = queryPrometheus(port, query);
                rejections = queryPrometheus(port, rejected);
                if (!result.isEmpty() && !rejections.isEmpty()) {
                    break;
                }
            } catch (IOException | UncheckedIOException notYetUp) {
                // Prometheus is still starting
            }
            Thread.sleep(250);
        }
        assertTrue(result != null && !result.isEmpty(), "Prometheus has " + query + ":\n"
                + Files.readString(dir.resolve("prometheus.log")));
        assertEquals("1", result.get(0).get("value").get(1).asText());
        assertEquals("GET", result.get(0).get("metric").get("method").asText());
        assertEquals("1", rejections.get(0).get("value").get(1).asText());
        assertFalse(queryPrometheus(port, "memory_usedHeap_bytes").isEmpty(), "JVM basics");
        // Other tests' gateways share this JVM's registry; one gateway per process reports one revision.
        String active = gateway.activeSnapshot().orElseThrow().snapshot().revision();
        assertFalse(queryPrometheus(port, "gatehouse_config_revision{revision=\"" + active + "\"}").isEmpty(),
                    "the active revision");
    }

    private static JsonNode queryPrometheus(int port, String query) throws IOException {
        HttpResponse<String> r = HttpCalls.get(URI.create("http://127.0.0.1:" + port),
                                               "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode());
        }
        return JSON.readTree(r.body()).get("data").get("result");
    }

    /** Application Insights (at a local ingestion endpoint) receives request telemetry for a 200 and a 429. */
    @Test
    void azureMonitorReceivesRequests() throws Exception {
        List<JsonNode> items = new CopyOnWriteArrayList<>();
        List<String> raw = new CopyOnWriteArrayList<>();
        HttpServer ingestion = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ingestion.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
            }
            String text = new String(body, StandardCharsets.UTF_8);
            raw.add(exchange.getRequestURI().getPath() + " " + text);
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    items.add(JSON.readTree(line));
                }
            }
            byte[] answer = "{\"itemsReceived\":1,\"itemsAccepted\":1,\"errors\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        ingestion.start();
        closing.add(() -> ingestion.stop(0));
        // Live metrics talk to Azure itself, not to the ingestion endpoint: off in a test that stays on loopback.
        System.setProperty("applicationinsights.live.metrics.enabled", "false");
        String connection = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=http://127.0.0.1:"
                + ingestion.getAddress().getPort() + "/";
        Telemetry telemetry = Telemetry.start(new TelemetrySettings(false, Optional.empty(), Optional.of(connection),
                                                                    TelemetrySettings.APIM_BUCKETS, "test", "gw-azure",
                                                                    "gw-azure-1", "local"), Map.of());
        closing.add(telemetry::close);
        Gateway gateway = gateway(Map.of(), telemetry);
        URI api = URI.create("http://127.0.0.1:" + gateway.port());
        assertEquals(200, HttpCalls.get(api, "/metered/things", "Ocp-Apim-Subscription-Key", KEY).statusCode());
        assertEquals(429, HttpCalls.get(api, "/metered/things", "Ocp-Apim-Subscription-Key", KEY).statusCode());

        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        List<String> codes = List.of();
        while (Instant.now().isBefore(deadline)) {
            telemetry.flush();
            codes = items.stream().filter(i -> i.path("data").path("baseType").asText().equals("RequestData"))
                    .map(i -> i.path("data").path("baseData").path("responseCode").asText()).sorted().toList();
            if (codes.size() >= 2) {
                break;
            }
            Thread.sleep(250);
        }
        assertEquals(List.of("200", "429"), codes, "request telemetry received: " + raw);
        assertFalse(String.join("\n", raw).contains(KEY), "no subscription key in what Azure receives");
    }
}
