package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.service.registry.Services;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.telemetry.Telemetry;

/**
 * What the gateway exports over OTLP/HTTP, decoded by a collector in the test: a SERVER span per request with the HTTP
 * conventions and Gatehouse's ids, its CLIENT child for the backend call whose traceparent the backend received,
 * the request duration histogram; and the JSON access log. No subscription key anywhere.
 */
class OtlpExportTest {

    private static final String KEY = "otlp-test-key-0123456789abcdef";
    private static final String INCOMING_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @TempDir
    Path dir;
    private HttpServer collector;
    private TestBackend backend;
    private final List<byte[]> traces = new CopyOnWriteArrayList<>();
    private final List<byte[]> metrics = new CopyOnWriteArrayList<>();
    private final List<String> ingested = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream accessLines = new ByteArrayOutputStream();
    private Telemetry telemetry;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            traces.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.createContext("/v1/metrics", exchange -> {
            metrics.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        // Application Insights' ingestion endpoint, for the connection string's IngestionEndpoint.
        collector.createContext("/v2.1/track", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
            }
            ingested.add(new String(body, StandardCharsets.UTF_8));
            byte[] answer = "{\"itemsReceived\":1,\"itemsAccepted\":1,\"errors\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        collector.start();
        backend = TestBackend.answering("hello");
        new TestFolder(dir)
                .api("tel", "tel", "http://127.0.0.1:" + backend.port(), true, "GET /items/{id}")
                .api("lim", "lim", "http://127.0.0.1:" + backend.port(), true, "GET /once")
                .product("p1", true, "tel", "lim")
                .subscription("sub1", "/products/p1", "active", KEY)
                .write("apis/tel/policy.xml", """
                        <policies><inbound><base/><trace source="tel" severity="information">
                        <message>checked</message></trace></inbound>
                        <backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>
                        """)
                .api("shop", "shop", "http://127.0.0.1:" + backend.port(), true, "POST /orders")
                .product("p2", false, "shop")
                .write("apis/shop/policy.xml", """
                        <policies><inbound><base/>
                          <emit-metric name="orders.placed" namespace="shop-metrics"
                                       value="@(context.Request.Headers.GetValueOrDefault(&quot;X-Amount&quot;, &quot;1&quot;))">
                            <dimension name="API ID"/>
                            <dimension name="Customer"
                              value="@(context.Request.Headers.GetValueOrDefault(&quot;X-Customer&quot;, &quot;-&quot;))"/>
                          </emit-metric></inbound>
                        <backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>
                        """)
                .write("apis/lim/policy.xml", """
                        <policies><inbound><base/><rate-limit calls="1" renewal-period="60"/></inbound>
                        <backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>
                        """);
    }

    /**
     * Starts telemetry and a gateway as {@code gatehouse run} wires them, exporting to the collector in the test.
     *
     * @param extra settings beyond the collector's
     */
    private void serve(Map<String, String> extra) throws SettingsException {
        Map<String, String> values = new HashMap<>(Map.of("observability.opentelemetry.enabled", "true",
                                                          "observability.opentelemetry.collector.uri",
                                                          "http://127.0.0.1:" + collector.getAddress().getPort(),
                                                          "gateway.region", "eu-test"));
        values.putAll(extra);
        Settings settings = Settings.load(Map.of(), Optional.empty(), Optional.empty(), values);
        telemetry = GatewayMain.telemetry(settings, "gw-test", "gw-test-1");
        RequestObserver observer = new RequestObserver(telemetry, Services.get(MeterRegistry.class),
                                                       AccessLog.to(new PrintStream(accessLines, true, StandardCharsets.UTF_8)),
                                                       SettingKey.parseBuckets(settings.string(
                                                               SettingKey.OBSERVABILITY_OPENTELEMETRY_HISTOGRAM_BUCKETS)));
        gateway = new TestFolder(dir).gateway(values, observer).start("127.0.0.1", 0);
    }

    private void serve() throws SettingsException {
        serve(Map.of());
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (telemetry != null) {
            telemetry.close();
        }
        collector.stop(0);
        backend.close();
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + gateway.port());
    }

    private List<ExportTraceServiceRequest> traceRequests() {
        return traces.stream().map(bytes -> {
            try {
                return ExportTraceServiceRequest.parseFrom(bytes);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    private List<ExportMetricsServiceRequest> metricRequests() {
        return metrics.stream().map(bytes -> {
            try {
                return ExportMetricsServiceRequest.parseFrom(bytes);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    private List<Span> spans() {
        return traceRequests().stream().flatMap(req -> req.getResourceSpansList().stream())
                .flatMap(rs -> rs.getScopeSpansList().stream()).flatMap(ss -> ss.getSpansList().stream()).toList();
    }

    private List<Metric> exportedMetrics() {
        return metricRequests().stream().flatMap(req -> req.getResourceMetricsList().stream())
                .flatMap(rm -> rm.getScopeMetricsList().stream()).flatMap(sm -> sm.getMetricsList().stream()).toList();
    }

    /** The resources of everything exported, spans and metrics. */
    private List<Resource> resources() {
        return Stream.concat(
                traceRequests().stream().flatMap(req -> req.getResourceSpansList().stream()).map(rs -> rs.getResource()),
                metricRequests().stream().flatMap(req -> req.getResourceMetricsList().stream()).map(rm -> rm.getResource()))
                .toList();
    }

    /**
     * The SERVER span ends once the response is sent, so the client may see the answer first: flush until the spans
     * are in.
     */
    private List<Span> awaitServerSpans(int count) {
        List<Span> spans = List.of();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (serverSpans(spans).size() < count && System.nanoTime() < deadline) {
            telemetry.flush();
            spans = spans();
        }
        assertEquals(count, serverSpans(spans).size(), "SERVER spans exported: " + spans);
        return spans;
    }

    private static List<Span> serverSpans(List<Span> spans) {
        return spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER)
                .sorted(Comparator.comparingLong(Span::getStartTimeUnixNano)).toList();
    }

    /** The data points of the request duration histogram, once a request has been recorded in it. */
    private List<HistogramDataPoint> awaitRequestDurations() {
        List<HistogramDataPoint> points = List.of();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (points.stream().noneMatch(p -> p.getCount() > 0) && System.nanoTime() < deadline) {
            telemetry.flush();
            points = exportedMetrics().stream().filter(m -> m.getName().equals(Telemetry.REQUEST_DURATION))
                    .flatMap(m -> m.getHistogram().getDataPointsList().stream()).toList();
        }
        assertTrue(points.stream().anyMatch(p -> p.getCount() > 0), "request durations exported: " + exportedMetrics());
        return points;
    }

    private static String attribute(List<KeyValue> attributes, String key) {
        return attributes.stream().filter(kv -> kv.getKey().equals(key)).findFirst().map(KeyValue::getValue)
                .map(v -> v.hasIntValue() ? Long.toString(v.getIntValue()) : v.getStringValue()).orElse(null);
    }

    private static String attribute(Span span, String key) {
        return attribute(span.getAttributesList(), key);
    }

    /** emit-metric: the values' sum per dimensions, exported over OTLP as given and on Prometheus in whole units. */
    @Test
    void emitMetricIsExportedAndScraped() throws Exception {
        serve(Map.of("net.server.management.port", "0", "net.server.management.host", "127.0.0.1"));
        URI api = URI.create("http://127.0.0.1:" + gateway.port());
        for (int i = 0; i < 3; i++) {
            assertEquals(200, HttpCalls.send(HttpRequest.newBuilder(api.resolve("/shop/orders"))
                                                     .POST(HttpRequest.BodyPublishers.noBody()),
                                             "X-Amount", "2.5", "X-Customer", "acme").statusCode());
        }
        double sum = -1;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (sum != 7.5 && System.nanoTime() < deadline) {
            telemetry.flush();
            sum = exportedMetrics().stream().filter(m -> m.getName().equals("orders.placed"))
                    .flatMap(m -> m.getSum().getDataPointsList().stream())
                    .filter(p -> "acme".equals(attribute(p.getAttributesList(), "Customer"))
                            && "shop".equals(attribute(p.getAttributesList(), "API ID"))
                            && "shop-metrics".equals(attribute(p.getAttributesList(), "namespace")))
                    .mapToDouble(p -> p.getAsDouble()).max().orElse(-1);
        }
        assertEquals(7.5, sum, "orders.placed exported: " + exportedMetrics().stream().map(Metric::getName).toList());

        URI management = URI.create("http://127.0.0.1:" + gateway.managementPort().orElseThrow());
        String scraped = HttpCalls.get(management, "/observe/metrics").body();
        Matcher m = Pattern.compile("gatehouse_custom_orders_placed_total\\{([^}]*)\\} ([0-9.]+)").matcher(scraped);
        assertTrue(m.find(), "gatehouse_custom_orders_placed_total on /observe/metrics:\n" + scraped);
        assertTrue(m.group(1).contains("api_id=\"shop\"") && m.group(1).contains("customer=\"acme\"")
                           && m.group(1).contains("namespace=\"shop-metrics\""), m.group(1));
        assertEquals(7.0, Double.parseDouble(m.group(2)), "whole units of 7.5");
    }

    /** SERVER and CLIENT spans, linked, with their attributes; the backend got the CLIENT span's traceparent. */
    @Test
    void exportsLinkedServerAndClientSpans() throws Exception {
        serve();
        HttpResponse<String> r = HttpCalls.get(base(), "/tel/items/42",
                                               "Ocp-Apim-Subscription-Key", KEY,
                                               "traceparent", "00-" + INCOMING_TRACE + "-00f067aa0ba902b7-01");
        assertEquals(200, r.statusCode());
        List<Span> spans = awaitServerSpans(1);
        Span server = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
        Span client = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT).findFirst().orElseThrow();
        String hex = HexFormat.of().formatHex(server.getTraceId().toByteArray());
        assertEquals(INCOMING_TRACE, hex, "the caller's trace is continued");
        assertEquals("GET /tel/items/{id}", server.getName());
        assertEquals("GET", attribute(server, "http.request.method"));
        assertEquals("/tel/items/{id}", attribute(server, "http.route"));
        assertEquals("200", attribute(server, "http.response.status_code"));
        assertEquals("127.0.0.1", attribute(server, "client.address"));
        assertNotNull(attribute(server, "server.address"));
        assertEquals("tel", attribute(server, "gatehouse.api.id"));
        assertEquals("op0", attribute(server, "gatehouse.operation.id"));
        assertEquals("p1", attribute(server, "gatehouse.product.id"));
        assertEquals("sub1", attribute(server, "gatehouse.subscription.id"));
        assertTrue(server.getEventsList().stream().anyMatch(e -> e.getName().equals("trace")), "the trace policy's event");
        assertEquals(server.getSpanId(), client.getParentSpanId(), "CLIENT is the SERVER span's child");
        assertEquals(server.getTraceId(), client.getTraceId());
        assertEquals("200", attribute(client, "http.response.status_code"));
        String clientSpan = HexFormat.of().formatHex(client.getSpanId().toByteArray());
        assertEquals(List.of("00-" + INCOMING_TRACE + "-" + clientSpan + "-01"), backend.traceparents(),
                     "the backend received the CLIENT span's traceparent");

        List<String> metricNames = exportedMetrics().stream().map(Metric::getName).distinct().toList();
        assertTrue(metricNames.contains("http.server.request.duration"), metricNames.toString());

        String everything = traces.stream().map(b -> new String(b, StandardCharsets.ISO_8859_1)).collect(Collectors.joining())
                + metrics.stream().map(b -> new String(b, StandardCharsets.ISO_8859_1)).collect(Collectors.joining());
        assertFalse(everything.contains(KEY), "no subscription key in telemetry");
    }

    /** One JSON access-log line per request, with the ids and durations, and never the key (header or query). */
    @Test
    void accessLogIsJsonWithoutKeys() throws Exception {
        serve();
        URI base = base();
        HttpCalls.get(base, "/tel/items/1", "Ocp-Apim-Subscription-Key", KEY);
        HttpCalls.get(base, "/tel/items/2?subscription-key=" + KEY + "&x=1");
        HttpCalls.get(base, "/nowhere");
        // The line is written once the response is sent, so the client may see the answer first.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (accessLines.toString(StandardCharsets.UTF_8).lines().count() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String log = accessLines.toString(StandardCharsets.UTF_8);
        assertFalse(log.contains(KEY), log);
        List<JsonNode> lines = log.lines().map(line -> {
            try {
                return new ObjectMapper().readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + line, e);
            }
        }).toList();
        assertEquals(3, lines.size(), log);
        JsonNode first = lines.get(0);
        assertEquals("tel", first.get("apiId").asText());
        assertEquals("op0", first.get("operationId").asText());
        assertEquals("sub1", first.get("subscriptionId").asText());
        assertEquals("p1", first.get("productId").asText());
        assertEquals(200, first.get("status").asInt());
        assertEquals("/tel/items/1", first.get("path").asText());
        assertEquals(32, first.get("traceId").asText().length());
        assertTrue(first.get("durationMs").asDouble() >= first.get("backendDurationMs").asDouble());
        assertEquals(5, first.get("bytesOut").asInt());
        assertEquals("/tel/items/2?x=1", lines.get(1).get("path").asText(), "the key is taken off the query");
        assertEquals(404, lines.get(2).get("status").asInt());
    }

    /** observability.opentelemetry.histogram.buckets are exactly the bounds of the exported request histogram. */
    @Test
    void customBucketsAreTheExportedBounds() throws Exception {
        serve(Map.of("observability.opentelemetry.histogram.buckets", "7,70"));
        assertEquals(200, HttpCalls.get(base(), "/tel/items/1", "Ocp-Apim-Subscription-Key", KEY).statusCode());
        for (HistogramDataPoint point : awaitRequestDurations()) {
            assertEquals(List.of(7d, 70d), point.getExplicitBoundsList());
            assertEquals(3, point.getBucketCountsCount(), "below 7, 7 to 70, above 70");
        }
    }

    /** Unset, the exported bounds are APIM's default buckets. */
    @Test
    void defaultBucketsAreApims() throws Exception {
        serve();
        assertEquals(200, HttpCalls.get(base(), "/tel/items/1", "Ocp-Apim-Subscription-Key", KEY).statusCode());
        for (HistogramDataPoint point : awaitRequestDurations()) {
            assertEquals(List.of(5d, 10d, 25d, 50d, 100d, 250d, 500d, 1000d, 2500d, 5000d, 10000d),
                         point.getExplicitBoundsList());
        }
    }

    /** Spans and metrics carry the gateway's resource: service gatehouse, its version, gateway id, node id, region. */
    @Test
    void resourceNamesTheGateway() throws Exception {
        serve();
        assertEquals(200, HttpCalls.get(base(), "/tel/items/1", "Ocp-Apim-Subscription-Key", KEY).statusCode());
        awaitServerSpans(1);
        awaitRequestDurations();
        List<Resource> resources = resources();
        assertFalse(resources.isEmpty());
        for (Resource resource : resources) {
            List<KeyValue> attributes = resource.getAttributesList();
            assertEquals("gatehouse", attribute(attributes, "service.name"), attributes.toString());
            assertNotNull(attribute(attributes, "service.version"), attributes.toString());
            assertEquals("gw-test", attribute(attributes, "gatehouse.gateway.id"), attributes.toString());
            assertEquals("gw-test-1", attribute(attributes, "service.instance.id"), attributes.toString());
            assertEquals("eu-test", attribute(attributes, "cloud.region"), attributes.toString());
        }
    }

    /**
     * The standard OpenTelemetry settings (otel.service.name and otel.resource.attributes, the system-property forms
     * of OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES) win over Gatehouse's resource; what they leave out stays ours.
     */
    @Test
    void standardOtelSettingsWinOverGatehouseResource() throws Exception {
        System.setProperty("otel.service.name", "edge-gateway");
        System.setProperty("otel.resource.attributes", "cloud.region=eu-override,service.instance.id=pod-7");
        try {
            serve();
        } finally {
            // The SDK reads them when it starts; no other test may see them.
            System.clearProperty("otel.service.name");
            System.clearProperty("otel.resource.attributes");
        }
        assertEquals(200, HttpCalls.get(base(), "/tel/items/1", "Ocp-Apim-Subscription-Key", KEY).statusCode());
        awaitServerSpans(1);
        List<Resource> resources = resources();
        assertFalse(resources.isEmpty());
        for (Resource resource : resources) {
            List<KeyValue> attributes = resource.getAttributesList();
            assertEquals("edge-gateway", attribute(attributes, "service.name"), attributes.toString());
            assertEquals("eu-override", attribute(attributes, "cloud.region"), attributes.toString());
            assertEquals("pod-7", attribute(attributes, "service.instance.id"), attributes.toString());
            assertEquals("gw-test", attribute(attributes, "gatehouse.gateway.id"), attributes.toString());
        }
    }

    /**
     * A policy error is recorded on the SERVER span: a 429 from rate-limit sets error.type to APIM's reason and adds a
     * policy error event saying which policy, in which section, and why; a 4xx leaves the span's status unset, as the
     * HTTP conventions say for SERVER spans. The admitted call before it has neither.
     */
    @Test
    void rateLimitErrorIsRecordedOnTheServerSpan() throws Exception {
        serve();
        assertEquals(200, HttpCalls.get(base(), "/lim/once", "Ocp-Apim-Subscription-Key", KEY).statusCode());
        assertEquals(429, HttpCalls.get(base(), "/lim/once", "Ocp-Apim-Subscription-Key", KEY).statusCode());
        List<Span> spans = awaitServerSpans(2);
        Span admitted = serverSpans(spans).get(0);
        Span refused = serverSpans(spans).get(1);

        assertEquals("200", attribute(admitted, "http.response.status_code"));
        assertNull(attribute(admitted, "error.type"));
        assertTrue(admitted.getEventsList().isEmpty(), admitted.getEventsList().toString());

        assertEquals("429", attribute(refused, "http.response.status_code"));
        assertEquals("GET /lim/once", refused.getName());
        assertEquals("RateLimitExceeded", attribute(refused, "error.type"));
        Span.Event event = refused.getEventsList().stream().filter(e -> e.getName().equals("policy error")).findFirst()
                .orElseThrow(() -> new AssertionError("no policy error event: " + refused.getEventsList()));
        assertEquals("RateLimitExceeded", attribute(event.getAttributesList(), "gatehouse.error.reason"));
        assertEquals("rate-limit", attribute(event.getAttributesList(), "gatehouse.error.source"));
        assertEquals("inbound", attribute(event.getAttributesList(), "gatehouse.error.section"));
        assertTrue(attribute(event.getAttributesList(), "gatehouse.error.message").startsWith("Rate limit is exceeded"),
                   event.toString());
        assertEquals(Status.StatusCode.STATUS_CODE_UNSET, refused.getStatus().getCode());
        assertTrue(spans.stream().noneMatch(s -> s.getParentSpanId().equals(refused.getSpanId())),
                   "a refused call never reaches the backend");
        assertFalse(spans.toString().contains(KEY), "no subscription key on a span");
    }

    /** With a collector and Application Insights both set, both receive the request: neither exporter replaces the other. */
    @Test
    void collectorAndApplicationInsightsBothReceive() throws Exception {
        // Live metrics talk to Azure itself, not to the ingestion endpoint: off in a test that stays on loopback.
        System.setProperty("applicationinsights.live.metrics.enabled", "false");
        serve(Map.of("observability.applicationinsights.connection-string",
                     "InstrumentationKey=00000000-0000-0000-0000-000000000002;IngestionEndpoint=http://127.0.0.1:"
                             + collector.getAddress().getPort() + "/"));
        assertEquals(200, HttpCalls.get(base(), "/tel/items/1", "Ocp-Apim-Subscription-Key", KEY).statusCode());
        awaitServerSpans(1);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (ingested.stream().noneMatch(body -> body.contains("RequestData")) && System.nanoTime() < deadline) {
            telemetry.flush();
            Thread.sleep(100);
        }
        assertTrue(ingested.stream().anyMatch(body -> body.contains("RequestData")), "Application Insights: " + ingested);
        assertFalse(String.join("", ingested).contains(KEY), "no subscription key in what Azure receives");
    }
}
