package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.service.registry.Services;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.policy.engine.GatewayServices;
import io.gatehouse.policy.spi.CounterStore;
import io.gatehouse.telemetry.Telemetry;
import io.gatehouse.telemetry.TelemetrySettings;

/**
 * Two real gateways sharing one real Redis, as replicas behind a load balancer: a rate limit and a quota hold across
 * both; with Redis stopped they keep serving (fail-open, visible in a metric and on the request span) or answer 503
 * (fail-closed); with Redis started again on the same port they share again, without a restart.
 */
@Timeout(120)
class RedisSharedCountersTest {

    private static final Pattern DEGRADED = Pattern.compile(
            "^gatehouse_counters_degraded_total\\{[^}]*policy=\"rate-limit\"[^}]*} (\\S+)$", Pattern.MULTILINE);
    private static final Pattern AVAILABLE = Pattern.compile("^gatehouse_counters_redis_available(\\{[^}]*})? (\\S+)$",
                                                             Pattern.MULTILINE);

    @TempDir
    Path dir;
    private TestRedis redis;
    private TestBackend backend;
    private Path apiops;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<RedisCounterStore> stores = new ArrayList<>();
    private final List<byte[]> traces = new CopyOnWriteArrayList<>();
    private Telemetry traced;
    private CapturedLog log;

    @BeforeEach
    void start() throws IOException {
        log = CapturedLog.of(RedisCounterStore.class);
        redis = TestRedis.started(Files.createDirectories(dir.resolve("redis")));
        closing.add(redis);
        backend = TestBackend.answering("ok");
        closing.add(backend);
        apiops = Files.createDirectories(dir.resolve("apiops"));
        new TestFolder(apiops)
                .api("shop", "shop", "http://127.0.0.1:" + backend.port(), false,
                     "GET /limited", "GET /quota", "GET /free", "GET /probe")
                .write("apis/shop/operations/op0/policy.xml", inbound(
                        "<rate-limit-by-key calls='3' renewal-period='60' counter-key='@(\"limited-\" + "
                                + "context.Request.IpAddress)'/>"))
                .write("apis/shop/operations/op1/policy.xml", inbound(
                        "<quota-by-key calls='2' renewal-period='3600' counter-key='@(context.Request.IpAddress)'/>"))
                .write("apis/shop/operations/op3/policy.xml", inbound(
                        "<rate-limit-by-key calls='1000000' renewal-period='60' counter-key='@(\"probe\")'/>"));
    }

    @AfterEach
    void stop() throws Exception {
        log.close();
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private static String inbound(String policy) {
        return "<policies><inbound><base/>" + policy + "</inbound><backend><base/></backend><outbound><base/></outbound>"
                + "<on-error><base/></on-error></policies>";
    }

    /** A gateway as {@code gatehouse run} wires it, counting in the test's Redis, with metrics on a management port. */
    private Gateway gateway(String failureMode, Map<String, String> extra) throws SettingsException {
        Map<String, String> values = new HashMap<>(Map.of("policy.counters.redis.url", redis.url(),
                                                          "policy.counters.redis.failure-mode", failureMode,
                                                          "policy.counters.redis.retry-interval", "200ms",
                                                          "net.server.management.port", "0",
                                                          "net.server.management.host", "127.0.0.1"));
        values.putAll(extra);
        Settings settings = Settings.load(Map.of(), Optional.empty(), Optional.empty(), values);
        Telemetry telemetry = extra.isEmpty() ? Telemetry.disabled() : GatewayMain.telemetry(settings, "gw", "gw-1");
        closing.add(telemetry::close);
        if (telemetry.enabled()) {
            traced = telemetry;
        }
        RequestObserver observer = new RequestObserver(telemetry, Services.get(MeterRegistry.class), AccessLog.off(),
                                                       TelemetrySettings.APIM_BUCKETS);
        CounterStore counters = GatewayMain.counters(settings, Clock.systemUTC(), observer);
        stores.add((RedisCounterStore) counters);
        closing.add(() -> GatewayMain.close(counters));
        Gateway gateway = new TestFolder(apiops).gateway(values, new GatewayServices(counters, Clock.systemUTC()), observer)
                .start("127.0.0.1", 0);
        closing.add(gateway::close);
        return gateway;
    }

    private Gateway gateway(String failureMode) throws SettingsException {
        return gateway(failureMode, Map.of());
    }

    /** A gateway that also exports spans to a collector in the test. */
    private Gateway tracedGateway(String failureMode) throws IOException, SettingsException {
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().equals("/v1/traces")) {
                traces.add(body);
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        closing.add(() -> collector.stop(0));
        return gateway(failureMode, Map.of("observability.opentelemetry.enabled", "true",
                                           "observability.opentelemetry.collector.uri",
                                           "http://127.0.0.1:" + collector.getAddress().getPort()));
    }

    private static URI base(Gateway gateway) {
        return URI.create("http://127.0.0.1:" + gateway.port());
    }

    private static int status(Gateway gateway, String path) {
        return HttpCalls.get(base(gateway), path).statusCode();
    }

    private static String metrics(Gateway gateway) {
        URI management = URI.create("http://127.0.0.1:" + gateway.managementPort().orElseThrow());
        HttpResponse<String> r = HttpCalls.get(management, "/observe/metrics");
        assertEquals(200, r.statusCode());
        return r.body();
    }

    private static double degradedDecisions(Gateway gateway) {
        Matcher m = DEGRADED.matcher(metrics(gateway));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static double redisAvailable(Gateway gateway) {
        Matcher m = AVAILABLE.matcher(metrics(gateway));
        assertTrue(m.find(), "gatehouse_counters_redis_available is scraped");
        return Double.parseDouble(m.group(2));
    }

    /**
     * Calls an operation with a limit no test reaches on every gateway until each of their stores counts in Redis
     * again: a store tries Redis again once its retry interval is over.
     */
    private void awaitShared(Gateway... gateways) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!stores.stream().allMatch(RedisCounterStore::shared)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the gateways did not use Redis again within 15 s");
            }
            for (Gateway g : gateways) {
                status(g, "/shop/probe");
            }
            Thread.sleep(50);
        }
    }

    private List<String> messages(Level level, String containing) {
        return log.messages(level).stream().filter(m -> m.contains(containing)).toList();
    }

    /** rate-limit-by-key calls="3" admits three calls in all across two gateways; the 4th, on either, gets APIM's 429. */
    @Test
    void rateLimitByKeyAdmitsThreeCallsAcrossBothGateways() throws SettingsException {
        Gateway a = gateway("open");
        Gateway b = gateway("open");
        assertEquals(200, status(a, "/shop/limited"));
        assertEquals(200, status(b, "/shop/limited"));
        assertEquals(200, status(a, "/shop/limited"));
        for (Gateway g : List.of(b, a)) {
            HttpResponse<String> fourth = HttpCalls.get(base(g), "/shop/limited");
            assertEquals(429, fourth.statusCode());
            long retryAfter = Long.parseLong(fourth.headers().firstValue("Retry-After").orElse("-1"));
            assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
            assertEquals("{ \"statusCode\": 429, \"message\": \"Rate limit is exceeded. Try again in " + retryAfter
                                 + " seconds.\" }", fourth.body());
        }
        assertEquals(200, status(b, "/shop/free"), "an operation without a limit");
        assertTrue(redis.client().exists("gatehouse:sw:rate-limit-by-key|limited-127.0.0.1"),
                   "counted in Redis: " + redis.client().keys("*"));
    }

    /** quota-by-key calls="2" admits two calls in all across two gateways; the 3rd, on either, gets APIM's 403. */
    @Test
    void quotaByKeyAdmitsTwoCallsAcrossBothGateways() throws SettingsException {
        Gateway a = gateway("open");
        Gateway b = gateway("open");
        assertEquals(200, status(a, "/shop/quota"));
        assertEquals(200, status(b, "/shop/quota"));
        for (Gateway g : List.of(a, b)) {
            HttpResponse<String> third = HttpCalls.get(base(g), "/shop/quota");
            assertEquals(403, third.statusCode());
            long retryAfter = Long.parseLong(third.headers().firstValue("Retry-After").orElse("-1"));
            assertTrue(retryAfter >= 1 && retryAfter <= 3600, "Retry-After " + retryAfter);
            assertTrue(third.body().matches("\\{ \"statusCode\": 403, \"message\": \"Out of call volume quota\\. Quota will"
                                                    + " be replenished in \\d\\d:\\d\\d:\\d\\d\\.\" }"), third.body());
        }
    }

    /**
     * Fail-open: with Redis stopped both gateways keep serving, each counting alone (its own limit still holds); the
     * degraded decisions are counted in gatehouse.counters.degraded and marked on the request span; one warning per
     * gateway. With Redis started again on the same port, counting is shared again without a restart.
     */
    @Test
    void failOpenKeepsServingVisiblyAndSharesAgainWhenRedisIsBack() throws Exception {
        Gateway a = tracedGateway("open");
        Gateway b = gateway("open");
        assertEquals(200, status(a, "/shop/limited"));
        assertEquals(1, redisAvailable(a));
        double before = degradedDecisions(a);

        redis.stop();
        assertEquals(200, status(a, "/shop/free"));
        assertEquals(200, status(a, "/shop/limited"), "served while Redis is down");
        assertEquals(200, status(b, "/shop/limited"));
        assertEquals(200, status(a, "/shop/limited"));
        assertEquals(200, status(a, "/shop/limited"));
        assertEquals(429, status(a, "/shop/limited"), "the gateway's own count still limits it");
        assertEquals(before + 5, degradedDecisions(a), "every decision without Redis is counted");
        assertEquals(0, redisAvailable(a));
        assertEquals(2, messages(Level.WARNING, "does not answer").size(), "one warning per gateway: " + log.records().size());

        List<Span> spans = awaitServerSpans(6);
        assertFalse(markedDegraded(spans.getFirst()), "the call counted in Redis is not marked");
        assertFalse(markedDegraded(spans.get(1)), "a call without a limit is not marked");
        for (Span degraded : spans.subList(2, 6)) {
            assertTrue(markedDegraded(degraded), "marked degraded: " + degraded.getAttributesList());
        }

        redis.start();
        awaitShared(a, b);
        assertEquals(1, redisAvailable(a));
        double shared = degradedDecisions(a);
        assertEquals(200, status(b, "/shop/limited"), "the restarted Redis counts from zero");
        assertEquals(200, status(a, "/shop/limited"));
        assertEquals(200, status(b, "/shop/limited"));
        assertEquals(429, status(a, "/shop/limited"), "the 4th across both gateways");
        assertEquals(shared, degradedDecisions(a), "no more degraded decisions");
        assertEquals(2, messages(Level.INFO, "answers again").size(), "one line per gateway when Redis is back");
        assertEquals(2, messages(Level.WARNING, "does not answer").size());
    }

    /**
     * Fail-closed: with Redis stopped, calls to limited operations get 503 with APIM's body and Retry-After, on both
     * gateways, while other operations are served; with Redis started again, the limits are shared again.
     */
    @Test
    void failClosedAnswers503UntilRedisIsBack() throws Exception {
        Gateway a = gateway("closed");
        Gateway b = gateway("closed");
        assertEquals(200, status(a, "/shop/limited"));
        redis.stop();
        for (Gateway g : List.of(a, b)) {
            for (String path : List.of("/shop/limited", "/shop/quota")) {
                HttpResponse<String> refused = HttpCalls.get(base(g), path);
                assertEquals(503, refused.statusCode(), path);
                assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
                assertEquals("{ \"statusCode\": 503, \"message\": \"Rate limit and quota counters are unavailable. Try"
                                     + " again in 1 seconds.\" }", refused.body());
            }
        }
        assertEquals(200, status(b, "/shop/free"), "operations without limits are served");

        redis.start();
        awaitShared(a, b);
        assertEquals(200, status(a, "/shop/limited"));
        assertEquals(200, status(b, "/shop/limited"));
        assertEquals(200, status(a, "/shop/limited"));
        assertEquals(429, status(b, "/shop/limited"));
        assertEquals(200, status(a, "/shop/quota"));
    }

    /** A gateway whose Redis is down when it starts starts anyway, says so, serves, and shares once Redis is up. */
    @Test
    void startsWhileRedisIsDown() throws Exception {
        redis.stop();
        Gateway a = gateway("open");
        assertEquals(1, messages(Level.WARNING, "starting anyway").size(), log.records().toString());
        assertEquals(200, status(a, "/shop/limited"));
        redis.start();
        Gateway b = gateway("open");
        awaitShared(a, b);
        assertEquals(200, status(a, "/shop/limited"));
        assertEquals(200, status(b, "/shop/limited"));
        assertEquals(200, status(a, "/shop/limited"));
        assertEquals(429, status(b, "/shop/limited"));
    }

    private static boolean markedDegraded(Span span) {
        return span.getAttributesList().stream()
                .anyMatch(kv -> kv.getKey().equals("gatehouse.counters.degraded") && kv.getValue().getBoolValue());
    }

    /**
     * The traced gateway's SERVER spans, oldest first, once the expected number has been exported: a span ends after
     * its response is sent, so the client may see the answer first.
     */
    private List<Span> awaitServerSpans(int count) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<Span> spans = List.of();
        while (System.nanoTime() < deadline) {
            traced.flush();
            spans = new ArrayList<>();
            for (byte[] body : traces) {
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
                request.getResourceSpansList().stream().flatMap(rs -> rs.getScopeSpansList().stream())
                        .flatMap(ss -> ss.getSpansList().stream()).filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER)
                        .forEach(spans::add);
            }
            if (spans.size() >= count) {
                spans.sort((x, y) -> Long.compare(x.getStartTimeUnixNano(), y.getStartTimeUnixNano()));
                return spans;
            }
        }
        throw new AssertionError("expected " + count + " SERVER spans, got " + spans.size());
    }
}
