package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the caller sees when a backend is down or answers a redirect. */
class BackendFailureTest {

    @TempDir
    Path dir;

    private HttpServer backend;
    private Gateway gateway;

    @BeforeEach
    void startBackend() throws IOException {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/redirect", exchange -> {
            exchange.getResponseHeaders().add("Location", "/elsewhere");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        backend.createContext("/slow", exchange -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        backend.start();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        backend.stop(0);
    }

    private URI start(Map<String, String> settings) throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        new TestFolder(dir)
                .api("down", "down", "http://127.0.0.1:" + closedPort, false, "GET /x")
                .api("moved", "moved", "http://127.0.0.1:" + backend.getAddress().getPort(), false, "GET /redirect")
                .api("slow", "slow", "http://127.0.0.1:" + backend.getAddress().getPort(), false, "GET /slow")
                .write("apis/slow/policy.xml", "<policies><inbound/><backend><forward-request timeout=\"1\"/></backend>"
                        + "<outbound/><on-error/></policies>");
        gateway = new TestFolder(dir).gateway(settings).start("127.0.0.1", 0);
        return URI.create("http://127.0.0.1:" + gateway.port());
    }

    /** An unreachable backend gives APIM's 500 body with an activityId, and nothing about the backend. */
    @Test
    void unreachableBackendGivesApim500() throws IOException {
        HttpResponse<String> r = HttpCalls.get(start(Map.of()), "/down/x");
        assertEquals(500, r.statusCode());
        assertTrue(r.body().matches("\\{ \"statusCode\": 500, \"message\": \"Internal server error\", \"activityId\": "
                                            + "\"[0-9a-f-]{36}\" }"), r.body());
    }

    /** With gateway.backend.failure-mode=proxy, the same failure is a 502. */
    @Test
    void proxyModeGives502() throws IOException {
        HttpResponse<String> r = HttpCalls.get(start(Map.of("gateway.backend.failure-mode", "proxy")), "/down/x");
        assertEquals(502, r.statusCode());
        assertEquals("{ \"statusCode\": 502, \"message\": \"Bad Gateway\" }", r.body());
    }

    /** A backend slower than forward-request's timeout gives APIM's 500, or 504 in proxy mode. */
    @Test
    void backendTimeoutGives500Or504() throws IOException {
        HttpResponse<String> apim = HttpCalls.get(start(Map.of()), "/slow/slow");
        assertEquals(500, apim.statusCode(), apim.body());
        gateway.close();
        HttpResponse<String> proxy = HttpCalls.get(start(Map.of("gateway.backend.failure-mode", "proxy")), "/slow/slow");
        assertEquals(504, proxy.statusCode(), proxy.body());
        assertEquals("{ \"statusCode\": 504, \"message\": \"Gateway Timeout\" }", proxy.body());
    }

    /** A redirect from the backend is passed to the caller, not followed. */
    @Test
    void redirectPassedThrough() throws IOException {
        HttpResponse<String> r = HttpCalls.get(start(Map.of()), "/moved/redirect");
        assertEquals(302, r.statusCode());
        assertEquals("/elsewhere", r.headers().firstValue("Location").orElse(""));
    }
}
