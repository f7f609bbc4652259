package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policies around the backend call: retry, limit-concurrency, forward-request options, trace. */
class PolicyCatalogBackendTest {

    @TempDir
    Path dir;

    private final AtomicInteger flakyCalls = new AtomicInteger();
    private final CountDownLatch slowEntered = new CountDownLatch(1);
    private final CountDownLatch slowRelease = new CountDownLatch(1);
    private HttpServer backend;
    private Gateway gateway;
    private URI uri;

    private static String backendSection(String policies) {
        return "<policies><inbound><base/></inbound><backend>" + policies + "</backend><outbound><base/></outbound>"
                + "<on-error><base/></on-error></policies>";
    }

    @BeforeEach
    void start() throws IOException {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        backend.createContext("/flaky", ex -> {
            int call = flakyCalls.incrementAndGet();
            respond(ex, call <= 2 ? 503 : 200, "try " + call);
        });
        backend.createContext("/slow", ex -> {
            slowEntered.countDown();
            try {
                slowRelease.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(ex, 200, "slow");
        });
        backend.createContext("/redirect", ex -> {
            ex.getResponseHeaders().add("Location", "/target");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        backend.createContext("/target", ex -> respond(ex, 200, "arrived"));
        backend.createContext("/error", ex -> respond(ex, 500, "backend error"));
        backend.start();
        String base = "http://127.0.0.1:" + backend.getAddress().getPort();
        new TestFolder(dir)
                .api("b", "b", base, false, "GET /flaky", "GET /slow", "GET /redirect", "GET /error")
                .write("apis/b/operations/op0/policy.xml", backendSection("""
                        <retry condition="@(context.Response.StatusCode == 503)" count="3" interval="0">
                          <forward-request/>
                        </retry>
                        <trace source="retry-test" severity="information">
                          <message>@("status " + context.Response.StatusCode)</message>
                        </trace>"""))
                .write("apis/b/operations/op1/policy.xml", backendSection("""
                        <limit-concurrency key="slow" max-count="1"><forward-request/></limit-concurrency>"""))
                .write("apis/b/operations/op2/policy.xml", backendSection("<forward-request follow-redirects=\"true\"/>"))
                .write("apis/b/operations/op3/policy.xml", "<policies><inbound/><backend>"
                        + "<forward-request fail-on-error-status-code=\"true\"/></backend><outbound/><on-error>"
                        + "<set-header name=\"X-Reason\" exists-action=\"override\"><value>@(context.LastError.Reason)</value>"
                        + "</set-header></on-error></policies>");
        gateway = new TestFolder(dir).gateway(Map.of()).start("127.0.0.1", 0);
        uri = URI.create("http://127.0.0.1:" + gateway.port());
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @AfterEach
    void stop() {
        slowRelease.countDown();
        gateway.close();
        backend.stop(0);
    }

    /** retry calls the backend again while the condition holds: two 503s, then the 200 reaches the caller. */
    @Test
    void retryUntilConditionClears() {
        HttpResponse<String> r = HttpCalls.get(uri, "/b/flaky");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("try 3", r.body());
        assertEquals(3, flakyCalls.get());
    }

    /** limit-concurrency lets one exchange through and answers 429 to a second while the first is in the backend. */
    @Test
    void limitConcurrencyRefusesTheSecond() throws Exception {
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> HttpCalls.get(uri, "/b/slow"));
        assertTrue(slowEntered.await(10, TimeUnit.SECONDS), "the first request reached the backend");
        HttpResponse<String> second = HttpCalls.get(uri, "/b/slow");
        assertEquals(429, second.statusCode(), second.body());
        slowRelease.countDown();
        assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode());
        assertEquals(200, HttpCalls.get(uri, "/b/slow").statusCode(), "the permit was given back");
    }

    /** forward-request follow-redirects="true" follows the backend's redirect instead of passing it on. */
    @Test
    void followRedirects() {
        HttpResponse<String> r = HttpCalls.get(uri, "/b/redirect");
        assertEquals(200, r.statusCode());
        assertEquals("arrived", r.body());
    }

    /** fail-on-error-status-code sends a backend 5xx to on-error. */
    @Test
    void failOnErrorStatusCode() {
        HttpResponse<String> r = HttpCalls.get(uri, "/b/error");
        assertEquals(500, r.statusCode());
        assertEquals(List.of("BackendErrorStatusCode"), r.headers().allValues("X-Reason"));
    }
}
