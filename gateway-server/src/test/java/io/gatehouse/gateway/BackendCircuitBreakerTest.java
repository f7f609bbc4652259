package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backend circuit breakers, as APIM's, through real sockets: three 5xx answers within a minute trip the backend for a
 * minute (or its {@code Retry-After}); a tripped backend answers 503 without being called, a tripped pool member is
 * skipped, and the breaker closes again after its trip duration. The test moves the gateway's clock.
 */
class BackendCircuitBreakerTest {

    private static final String OPEN = "{ \"statusCode\": 503, \"message\": \"Backend 'flaky' is unavailable: its"
            + " circuit breaker is open\" }";

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(System.currentTimeMillis());
    private final AtomicInteger flakyCalls = new AtomicInteger();
    private final AtomicInteger spareCalls = new AtomicInteger();
    private final AtomicInteger flakyStatus = new AtomicInteger(500);
    private final AtomicReference<String> flakyRetryAfter = new AtomicReference<>();
    private HttpServer server;
    private TestFolder folder;
    private Gateway gateway;
    private URI uri;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/flaky", ex -> {
            flakyCalls.incrementAndGet();
            if (flakyRetryAfter.get() != null) {
                ex.getResponseHeaders().add("Retry-After", flakyRetryAfter.get());
            }
            byte[] body = "flaky".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(flakyStatus.get(), body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/spare", ex -> {
            spareCalls.incrementAndGet();
            byte[] body = "spare".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        String breaker = """
                "circuitBreaker": {"rules": [{"name": "fives", "failureCondition": {"count": %d, "interval": "PT1M",
                  "statusCodeRanges": [{"min": 500, "max": 599}]}, "tripDuration": "PT1M", "acceptRetryAfter": true}]}""";
        // A port nothing listens on: bound, then released.
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = socket.getLocalPort();
        }
        folder = new TestFolder(dir).api("c", "c", base, false, "GET /single", "GET /pool", "GET /dead")
                .write("backends/flaky/backendInformation.json", "{\"properties\": {\"url\": \"" + base + "/flaky\", "
                        + breaker.formatted(3) + "}}")
                .write("backends/spare/backendInformation.json", "{\"properties\": {\"url\": \"" + base + "/spare\"}}")
                .write("backends/dead/backendInformation.json", "{\"properties\": {\"url\": \"http://127.0.0.1:"
                        + deadPort + "/\", " + breaker.formatted(2) + "}}")
                .write("backends/pool/backendInformation.json", """
                        {"properties": {"type": "Pool", "pool": {"services": [
                          {"id": "/backends/flaky", "priority": 1}, {"id": "/backends/spare", "priority": 2}]}}}""")
                .write("apis/c/operations/op0/policy.xml", inbound("flaky"))
                .write("apis/c/operations/op1/policy.xml", inbound("pool"))
                .write("apis/c/operations/op2/policy.xml", inbound("dead"));
        gateway = folder.startedOn(clock);
        uri = URI.create("http://127.0.0.1:" + gateway.port());
    }

    private static String inbound(String backendId) {
        return "<policies><inbound><base/><set-backend-service backend-id=\"" + backendId + "\"/></inbound><backend>"
                + "<base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>";
    }

    @AfterEach
    void stop() {
        gateway.close();
        server.stop(0);
    }

    private HttpResponse<String> call(String path) {
        return HttpCalls.get(uri, "/c/" + path);
    }

    private void failThreeTimes(String path) {
        for (int i = 0; i < 3; i++) {
            assertEquals(500, call(path).statusCode());
        }
    }

    /** After three 500s the backend trips: 503 with APIM's body, not called; after tripDuration it is called again. */
    @Test
    void breakerTripsAnswers503WithoutCallingAndRecoversAfterTripDuration() {
        failThreeTimes("single");
        HttpResponse<String> open = call("single");
        assertEquals(503, open.statusCode());
        assertEquals(OPEN, open.body());
        assertEquals(3, flakyCalls.get());

        clock.advance(Duration.ofSeconds(59));
        assertEquals(503, call("single").statusCode());
        flakyStatus.set(200);
        clock.advance(Duration.ofSeconds(2));
        assertEquals(200, call("single").statusCode());
        assertEquals(4, flakyCalls.get());
    }

    /** Failures older than the interval do not count: two, a minute's wait, two more leave the breaker closed. */
    @Test
    void failuresOutsideTheIntervalDoNotTrip() {
        call("single");
        call("single");
        clock.advance(Duration.ofSeconds(61));
        call("single");
        call("single");
        assertEquals(500, call("single").statusCode(), "the third failure within a minute is still passed on");
        assertEquals(503, call("single").statusCode());
        assertEquals(5, flakyCalls.get());
    }

    /** Priority 2 gets traffic only while priority 1 is tripped. */
    @Test
    void trippedPoolMemberIsSkippedForTheNextPriority() {
        flakyStatus.set(200);
        for (int i = 0; i < 5; i++) {
            assertEquals("flaky", call("pool").body());
        }
        assertEquals(0, spareCalls.get());
        flakyStatus.set(500);
        failThreeTimes("pool");
        HttpResponse<String> skipped = call("pool");
        assertEquals(200, skipped.statusCode());
        assertEquals("spare", skipped.body());
        assertEquals(8, flakyCalls.get());
        flakyStatus.set(200);
        clock.advance(Duration.ofSeconds(61));
        assertEquals("flaky", call("pool").body());
        assertEquals(1, spareCalls.get());
    }

    /** With acceptRetryAfter, the backend's Retry-After replaces tripDuration. */
    @Test
    void retryAfterReplacesTripDuration() {
        flakyRetryAfter.set("600");
        failThreeTimes("single");
        clock.advance(Duration.ofSeconds(61));
        assertEquals(503, call("single").statusCode());
        clock.advance(Duration.ofSeconds(540));
        flakyStatus.set(200);
        assertEquals(200, call("single").statusCode());
        assertEquals(4, flakyCalls.get());
    }

    /** A backend that cannot be reached counts as a failure; its breaker trips too. */
    @Test
    void connectionFailuresTripTheBreaker() {
        assertEquals(500, call("dead").statusCode());
        assertEquals(500, call("dead").statusCode());
        HttpResponse<String> open = call("dead");
        assertEquals(503, open.statusCode());
        assertEquals(OPEN.replace("flaky", "dead"), open.body());
    }

    /** The breaker lives beside the gateway: a configuration reload leaves a tripped backend tripped. */
    @Test
    void breakerSurvivesAConfigurationReload() throws Exception {
        failThreeTimes("single");
        folder.write("apis/c/operations/op1/policy.xml", inbound("spare"));
        Settings settings = Settings.load(Map.of(), Optional.empty(), Optional.empty(), Map.of());
        gateway.activate(LocalFolderSource.load(folder.root(), Optional.empty(), GatewayMain.compiler(settings), w -> { }));
        assertEquals("spare", call("pool").body(), "the reload applied");
        assertEquals(503, call("single").statusCode());
        assertEquals(3, flakyCalls.get());
    }
}
