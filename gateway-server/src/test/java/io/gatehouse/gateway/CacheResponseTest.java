package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cache-lookup} and {@code cache-store} through a real gateway and a real backend that counts its calls:
 * what is kept, what varies the key, what is never cached, and when an entry expires.
 */
class CacheResponseTest {

    @TempDir
    Path dir;

    private final AtomicInteger backendCalls = new AtomicInteger();
    private final ManualClock clock = new ManualClock(System.currentTimeMillis());
    private HttpServer backend;
    private Gateway gateway;
    private URI uri;

    @BeforeEach
    void start() throws IOException {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        backend.createContext("/", ex -> {
            int n = backendCalls.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            byte[] body = ("n=" + n).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("X-Backend", "yes");
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            ex.sendResponseHeaders(ex.getRequestURI().getPath().endsWith("/errors") ? 500 : 200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        backend.start();
        String policy = """
                <policies>
                  <inbound><base/>
                    <cache-lookup vary-by-developer="false" vary-by-developer-groups="false"
                                  downstream-caching-type="public" caching-type="internal">
                      <vary-by-query-parameter>version</vary-by-query-parameter>
                    </cache-lookup>
                  </inbound>
                  <backend><base/></backend>
                  <outbound><base/>
                    <set-header name="X-Outbound" exists-action="override"><value>ran</value></set-header>
                    <cache-store duration="60"/>
                    <set-header name="X-After-Store" exists-action="override"><value>ran</value></set-header>
                  </outbound>
                  <on-error><base/></on-error>
                </policies>""";
        new TestFolder(dir)
                .api("c", "c", "http://127.0.0.1:" + backend.getAddress().getPort(), false,
                     "GET /items/{id}", "GET /errors", "POST /items/{id}")
                .write("apis/c/policy.xml", policy);
        gateway = new TestFolder(dir).startedOn(clock);
        uri = URI.create("http://127.0.0.1:" + gateway.port());
    }

    @AfterEach
    void stop() {
        gateway.close();
        backend.stop(0);
    }

    private HttpResponse<String> get(String path, String... headers) {
        HttpResponse<String> r = HttpCalls.get(uri, path, headers);
        assertTrue(r.statusCode() == 200 || r.statusCode() == 500, r.statusCode() + " " + r.body());
        return r;
    }

    /**
     * The second GET is served from the cache with the headers the response had when it was stored; outbound does
     * not run again.
     */
    @Test
    void secondGetIsServedFromTheCache() {
        HttpResponse<String> first = get("/c/items/1");
        assertEquals("n=1", first.body());
        assertEquals("ran", first.headers().firstValue("X-Outbound").orElse(""));
        assertEquals("public, max-age=60, must-revalidate", first.headers().firstValue("Cache-Control").orElse(""));
        HttpResponse<String> second = get("/c/items/1");
        assertEquals("n=1", second.body());
        assertEquals(1, backendCalls.get(), "the backend was called once");
        assertEquals("yes", second.headers().firstValue("X-Backend").orElse(""), "the backend's headers are kept");
        assertEquals("text/plain", second.headers().firstValue("Content-Type").orElse(""));
        assertEquals("ran", second.headers().firstValue("X-Outbound").orElse(""), "set before cache-store: kept");
        assertEquals("ran", first.headers().firstValue("X-After-Store").orElse(""));
        assertEquals("", second.headers().firstValue("X-After-Store").orElse(""), "a hit skips outbound");
        String cacheControl = second.headers().firstValue("Cache-Control").orElse("");
        assertTrue(cacheControl.matches("public, max-age=(60|59), must-revalidate"), cacheControl);
    }

    /** The path and the vary-by query parameters vary the key; other query parameters do not. */
    @Test
    void pathAndVaryByParametersMakeTheKey() {
        assertEquals("n=1", get("/c/items/1").body());
        assertEquals("n=2", get("/c/items/2").body(), "another path");
        assertEquals("n=3", get("/c/items/1?version=2").body(), "another version");
        assertEquals("n=3", get("/c/items/1?version=2&tracking=abc").body(), "a parameter the key does not name");
        assertEquals("n=1", get("/c/items/1?tracking=xyz").body());
    }

    /** An entry is served until its duration is over. */
    @Test
    void entryExpiresAfterItsDuration() {
        assertEquals("n=1", get("/c/items/1").body());
        clock.advance(Duration.ofSeconds(59));
        assertEquals("n=1", get("/c/items/1").body());
        clock.advance(Duration.ofSeconds(2));
        assertEquals("n=2", get("/c/items/1").body(), "expired");
    }

    /** Never cached: requests with Authorization, error responses, and methods other than GET. */
    @Test
    void privateErrorAndNonGetResponsesAreNotCached() {
        assertEquals("n=1", get("/c/items/1", "Authorization", "Bearer a").body());
        assertEquals("n=2", get("/c/items/1", "Authorization", "Bearer a").body());
        assertEquals(500, get("/c/errors").statusCode());
        assertEquals(500, get("/c/errors").statusCode());
        assertEquals(4, backendCalls.get(), "errors are not kept");
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> post = HttpCalls.send(HttpRequest.newBuilder(uri.resolve("/c/items/9"))
                                                               .POST(HttpRequest.BodyPublishers.ofString("x")));
            assertEquals(200, post.statusCode());
        }
        assertEquals(6, backendCalls.get(), "POSTs are not cached");
        assertEquals("n=7", get("/c/items/1").body(), "the private calls stored nothing");
    }

    /** Elements in the wrong section, and missing required attributes, are refused at load. */
    @Test
    void misplacedElementsAreRefusedAtLoad() {
        Map<String, String> bad = Map.of(
                "<policies><inbound><cache-store duration=\"5\"/></inbound><backend/><outbound/><on-error/></policies>",
                "<cache-store> belongs in outbound",
                "<policies><inbound><cache-lookup vary-by-developer=\"false\"/></inbound><backend/><outbound/>"
                        + "<on-error/></policies>", "'vary-by-developer-groups' is required",
                "<policies><inbound/><backend/><outbound><cache-store/></outbound><on-error/></policies>",
                "attribute 'duration' is required");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            String message = TestFolder.refusal(dir, e.getKey());
            assertTrue(message.contains(e.getValue()) && message.contains("apis/x/policy.xml"), message);
        }
    }
}
