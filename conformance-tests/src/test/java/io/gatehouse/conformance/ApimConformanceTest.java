package io.gatehouse.conformance;

import static io.gatehouse.conformance.ConformanceArtifacts.JWT_SECRET;
import static io.gatehouse.conformance.ConformanceArtifacts.KEY_ALL;
import static io.gatehouse.conformance.ConformanceArtifacts.KEY_API;
import static io.gatehouse.conformance.ConformanceArtifacts.KEY_PRODUCT;
import static io.gatehouse.conformance.ConformanceArtifacts.KEY_SUSPENDED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Black-box APIM conformance: HTTP only, against a gateway process started here from the laid-out distribution, or
 * against a gateway already running: {@code -Dconformance.gateway=http://host:port -Dconformance.artifacts=DIR}, where
 * DIR is the folder that gateway serves and watches (the suite writes its APIs there) and
 * {@code -Dconformance.backend.port=N} the port of the suite's scripted backend the gateway must reach.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApimConformanceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicInteger served = new AtomicInteger();
    private HttpServer backend;
    private Process gateway;
    private Path artifacts;
    private Path workDir;
    private URI base;
    /** Whether a scenario failed: then the gateway's log stays in {@link #workDir}, and the suite says where. */
    private final AtomicBoolean failed = new AtomicBoolean();

    @RegisterExtension
    final TestWatcher failures = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            failed.set(true);
        }
    };

    @BeforeAll
    void start() throws Exception {
        workDir = Files.createTempDirectory("gatehouse-conformance");
        int backendPort = Integer.getInteger("conformance.backend.port", 0);
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", backendPort), 0);
        backend.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        backend.createContext("/", exchange -> {
            if (exchange.getRequestURI().getPath().equals("/slow")) {
                sleep(3000);
            }
            Map<String, Object> echo = new TreeMap<>();
            echo.put("method", exchange.getRequestMethod());
            echo.put("path", exchange.getRequestURI().getRawPath());
            echo.put("query", String.valueOf(exchange.getRequestURI().getRawQuery()));
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            echo.put("headers", headers);
            echo.put("body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            // Which call this is: what the caching scenarios tell a cached answer from a fresh one by.
            echo.put("served", served.incrementAndGet());
            byte[] body = JSON.writeValueAsBytes(echo);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        backend.start();
        String external = System.getProperty("conformance.gateway", "");
        if (!external.isEmpty()) {
            artifacts = Path.of(System.getProperty("conformance.artifacts"));
            ConformanceArtifacts.write(artifacts, backend.getAddress().getPort());
            base = URI.create(external);
            eventually("the gateway serves the conformance folder", () -> get("/open/echo/ready").statusCode() == 200);
            return;
        }
        artifacts = workDir.resolve("artifacts");
        ConformanceArtifacts.write(artifacts, backend.getAddress().getPort());
        int port = GatewayProcesses.freePort();
        Path log = workDir.resolve("gateway.log");
        gateway = GatewayProcesses.start("256m", artifacts, port, log);
        GatewayProcesses.awaitStatus(http, gateway, port, log);
        base = URI.create("http://127.0.0.1:" + port);
    }

    @AfterAll
    void stop() throws Exception {
        if (gateway != null) {
            gateway.destroy();
            if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
                gateway.waitFor(30, TimeUnit.SECONDS);
            }
        }
        // Null when @BeforeAll failed early (its port taken): the folder must still go.
        if (backend != null) {
            backend.stop(0);
        }
        if (failed.get()) {
            System.err.println("conformance: the gateway's log and the artifacts it served are kept in " + workDir);
        } else {
            GatewayProcesses.deleteTree(workDir);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        return send("GET", path, headers);
    }

    private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static String message(HttpResponse<String> response) throws IOException {
        return json(response).path("message").asText();
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    private static void eventually(String what, Check check) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (check.holds()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within 30 s: " + what);
    }

    @Test
    @DisplayName("routing: an operation is found, an unknown path is APIM's 404")
    void routingAnd404() throws Exception {
        assertEquals(200, get("/open/echo/a").statusCode());
        HttpResponse<String> missing = get("/no/such/api");
        assertEquals(404, missing.statusCode());
        assertEquals("Resource not found", message(missing));
        assertEquals(404, get("/open/not-an-operation").statusCode());
    }

    @Test
    @DisplayName("subscription: missing key 401, invalid key 401, suspended 401, each with APIM's message")
    void subscriptionRefusals() throws Exception {
        HttpResponse<String> none = get("/keyed/thing");
        assertEquals(401, none.statusCode());
        assertTrue(message(none).startsWith("Access denied due to missing subscription key"), none.body());
        HttpResponse<String> wrong = get("/keyed/thing", "Ocp-Apim-Subscription-Key", "not-a-key");
        assertEquals(401, wrong.statusCode());
        assertTrue(message(wrong).startsWith("Access denied due to invalid subscription key"), wrong.body());
        assertEquals(401, get("/keyed/thing", "Ocp-Apim-Subscription-Key", KEY_SUSPENDED).statusCode());
    }

    @Test
    @DisplayName("subscription: all-APIs, API and product scopes; header or query key; the key never reaches the backend")
    void subscriptionScopes() throws Exception {
        for (String key : new String[] {KEY_ALL, KEY_API, KEY_PRODUCT}) {
            HttpResponse<String> r = get("/keyed/thing", "Ocp-Apim-Subscription-Key", key);
            assertEquals(200, r.statusCode(), key);
            assertTrue(!r.body().contains(key), "the key is not forwarded");
        }
        assertEquals(200, get("/keyed/thing?subscription-key=" + KEY_API).statusCode());
        assertEquals(401, get("/other/thing", "Ocp-Apim-Subscription-Key", KEY_API).statusCode(), "API scope is one API");
        assertEquals(401, get("/other/thing", "Ocp-Apim-Subscription-Key", KEY_PRODUCT).statusCode(),
                     "product scope is its APIs");
    }

    @Test
    @DisplayName("products: an open product's API needs no key")
    void openProduct() throws Exception {
        assertEquals(200, get("/other/thing").statusCode());
    }

    @Test
    @DisplayName("rate-limit: 429 with Retry-After, remaining and total call headers")
    void rateLimit() throws Exception {
        HttpResponse<String> first = get("/limited/x");
        assertEquals(200, first.statusCode());
        assertEquals("1", first.headers().firstValue("X-Remaining").orElse(""));
        assertEquals("2", first.headers().firstValue("X-Total").orElse(""));
        assertEquals(200, get("/limited/x").statusCode());
        HttpResponse<String> third = get("/limited/x");
        assertEquals(429, third.statusCode());
        assertTrue(Long.parseLong(third.headers().firstValue("Retry-After").orElse("0")) > 0);
        assertTrue(message(third).startsWith("Rate limit is exceeded. Try again in"), third.body());
    }

    @Test
    @DisplayName("quota: 403 once the call volume is used")
    void quota() throws Exception {
        assertEquals(200, get("/quota/x").statusCode());
        HttpResponse<String> over = get("/quota/x");
        assertEquals(403, over.statusCode());
        assertTrue(message(over).startsWith("Out of call volume quota"), over.body());
    }

    @Test
    @DisplayName("check-header: the configured status and message when the header is missing or wrong")
    void checkHeader() throws Exception {
        HttpResponse<String> missing = get("/guarded/x");
        assertEquals(401, missing.statusCode());
        assertEquals("X-Client is missing or wrong", message(missing));
        assertEquals(401, get("/guarded/x", "X-Client", "other").statusCode());
        assertEquals(200, get("/guarded/x", "X-Client", "conformance").statusCode());
    }

    @Test
    @DisplayName("validate-jwt: no token, a bad signature, an expired token or another audience get 401")
    void validateJwt() throws Exception {
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> missing = get("/secured/x");
        assertEquals(401, missing.statusCode());
        assertEquals("{ \"statusCode\": 401, \"message\": \"JWT not present.\" }", missing.body());
        String good = hs256(JWT_SECRET, "{\"aud\":\"conformance\",\"sub\":\"suite\",\"exp\":" + (now + 300) + "}");
        assertEquals(200, get("/secured/x", "Authorization", "Bearer " + good).statusCode());
        int signature = good.lastIndexOf('.') + 1;
        String tampered = good.substring(0, signature) + (good.charAt(signature) == 'A' ? 'B' : 'A')
                + good.substring(signature + 1);
        assertEquals(401, get("/secured/x", "Authorization", "Bearer " + tampered).statusCode(), "tampered signature");
        String expired = hs256(JWT_SECRET, "{\"aud\":\"conformance\",\"exp\":" + (now - 60) + "}");
        HttpResponse<String> old = get("/secured/x", "Authorization", "Bearer " + expired);
        assertEquals(401, old.statusCode());
        assertTrue(message(old).contains("expired"), old.body());
        String elsewhere = hs256(JWT_SECRET, "{\"aud\":\"another-api\",\"exp\":" + (now + 300) + "}");
        assertEquals(401, get("/secured/x", "Authorization", "Bearer " + elsewhere).statusCode());
    }

    /** A compact HS256 token, signed here with the JDK's HMAC: independent of the library the gateway verifies with. */
    private static String hs256(String base64Secret, String claims) throws Exception {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String signingInput = url.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + url.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Secret), "HmacSHA256"));
        return signingInput + "." + url.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    @DisplayName("cache-lookup and cache-store: a second GET is answered from the cache, the backend called once")
    void responseCache() throws Exception {
        HttpResponse<String> first = get("/cached/x?v=1");
        assertEquals(200, first.statusCode(), first.body());
        HttpResponse<String> second = get("/cached/x?v=1");
        assertEquals(200, second.statusCode(), second.body());
        assertEquals(json(first).path("served").asInt(), json(second).path("served").asInt(), "the same answer");
        HttpResponse<String> other = get("/cached/x?v=2");
        assertTrue(json(other).path("served").asInt() > json(first).path("served").asInt(), "v varies the key");
    }

    @Test
    @DisplayName("send-request with cache-lookup-value: a token fetched once, then served from the cache")
    void tokenFetchedOnceAndCached() throws Exception {
        HttpResponse<String> first = get("/token/x");
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("/issue", json(first).path("path").asText(), first.body());
        assertEquals("POST", json(first).path("method").asText(), first.body());
        HttpResponse<String> second = get("/token/x");
        assertEquals(first.body(), second.body(), "the cached token, not a second call");
    }

    @Test
    @DisplayName("ip-filter: a forbidden address gets 403")
    void ipFilter() throws Exception {
        HttpResponse<String> r = get("/fenced/x");
        assertEquals(403, r.statusCode());
        assertTrue(message(r).contains("Forbidden"), r.body());
    }

    @Test
    @DisplayName("cors: a preflight is answered by the gateway with the allowed origin, methods and headers")
    void corsPreflight() throws Exception {
        HttpResponse<String> r = send("OPTIONS", "/browser/x", "Origin", "https://app.example",
                                      "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "X-Custom");
        assertEquals(200, r.statusCode());
        assertEquals("https://app.example", r.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertTrue(r.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("GET"));
        HttpResponse<String> simple = get("/browser/x", "Origin", "https://app.example");
        assertEquals("https://app.example", simple.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    }

    @Test
    @DisplayName("transforms: set-header, set-query-parameter and rewrite-uri as the backend sees them")
    void transformsSeenByBackend() throws Exception {
        JsonNode seen = json(get("/open/echo/a?q=1"));
        assertEquals("v1", seen.path("headers").path("x-conformance").asText());
        assertTrue(seen.path("query").asText().contains("added=1") && seen.path("query").asText().contains("q=1"),
                   seen.toString());
        assertEquals("/echo/rewritten-b", json(get("/open/rw/b")).path("path").asText());
    }

    @Test
    @DisplayName("return-response and mock-response answer without the backend")
    void returnAndMockResponse() throws Exception {
        HttpResponse<String> teapot = get("/static/teapot");
        assertEquals(418, teapot.statusCode());
        assertEquals("short and stout", teapot.body());
        HttpResponse<String> mock = get("/static/mock");
        assertEquals(200, mock.statusCode());
        assertTrue(json(mock).path("mocked").asBoolean(), mock.body());
    }

    @Test
    @DisplayName("choose: a when condition on a request header, otherwise otherwise")
    void chooseOnExpression() throws Exception {
        assertEquals("gold", get("/choice/x", "X-Tier", "gold").body());
        assertEquals("standard", get("/choice/x").body());
    }

    @Test
    @DisplayName("on-error: runs with context.LastError; a dead backend is APIM's 500 with an activityId")
    void deadBackendAndOnError() throws Exception {
        HttpResponse<String> r = get("/dead/x");
        assertEquals(500, r.statusCode());
        assertEquals("BackendConnectionFailure", r.headers().firstValue("X-Error-Reason").orElse(""));
        assertTrue(json(r).path("activityId").asText().length() >= 32, r.body());
    }

    @Test
    @DisplayName("forward-request timeout: a slow backend is APIM's 500 after the timeout")
    void forwardRequestTimeout() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> r = get("/open/slow");
        assertEquals(500, r.statusCode());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(3), "did not wait for the 3 s backend");
    }

    @Test
    @DisplayName("config change applied while traffic flows: zero failed requests")
    void liveChangeWithoutFailures() throws Exception {
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        Path policy = artifacts.resolve("apis/open/policy.xml");
        String original = Files.readString(policy);
        Thread traffic = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    if (get("/open/echo/live").statusCode() != 200) {
                        failures.incrementAndGet();
                    }
                    sent.incrementAndGet();
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    failures.incrementAndGet();
                }
            }
        });
        try {
            Files.writeString(policy, original.replace("<value>v1</value>", "<value>v2</value>"));
            eventually("the change is served", () -> json(get("/open/echo/live")).path("headers").path("x-conformance")
                    .asText().equals("v2"));
            int before = sent.get();
            eventually("traffic continues after the change", () -> sent.get() > before + 20);
        } finally {
            traffic.interrupt();
            traffic.join(10_000);
            Files.writeString(policy, original);
        }
        eventually("the original is back", () -> json(get("/open/echo/live")).path("headers").path("x-conformance")
                .asText().equals("v1"));
        assertEquals(0, failures.get(), failures.get() + " of " + sent.get() + " requests failed during the change");
        assertTrue(sent.get() > 20, "traffic flowed: " + sent.get());
    }
}
