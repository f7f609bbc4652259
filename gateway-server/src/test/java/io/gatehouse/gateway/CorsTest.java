package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.demo.DemoBackend;

/** The cors policy: preflights answered without a key or a backend call, CORS headers on real responses. */
class CorsTest {

    private static final String KEY = "cors-test-key-0000000000000000";

    @TempDir
    Path dir;

    private DemoBackend backend;
    private Gateway gateway;
    private URI uri;

    @BeforeEach
    void start() {
        backend = DemoBackend.start("127.0.0.1", 0);
        String echo = "http://127.0.0.1:" + backend.port() + "/echo";
        new TestFolder(dir)
                .api("web", "web", echo, true, "GET /data", "PUT /data")
                .api("plain", "plain", echo, true, "GET /data")
                .subscription("s", "/apis", "active", KEY)
                .write("apis/web/policy.xml", """
                        <policies><inbound><base/>
                          <cors allow-credentials="true">
                            <allowed-origins><origin>https://app.example</origin></allowed-origins>
                            <allowed-methods preflight-result-max-age="600">
                              <method>GET</method><method>PUT</method>
                            </allowed-methods>
                            <allowed-headers>
                              <header>Content-Type</header><header>Ocp-Apim-Subscription-Key</header>
                            </allowed-headers>
                            <expose-headers><header>X-Request-Id</header></expose-headers>
                          </cors>
                        </inbound><backend><base/></backend><outbound><base/></outbound>
                        <on-error><base/></on-error></policies>""");
        gateway = new TestFolder(dir).gateway(Map.of()).start("127.0.0.1", 0);
        uri = URI.create("http://127.0.0.1:" + gateway.port());
    }

    @AfterEach
    void stop() {
        gateway.close();
        backend.close();
    }

    private HttpResponse<String> preflight(String path, String origin, String method) {
        return HttpCalls.send(HttpRequest.newBuilder(uri.resolve(path)).method("OPTIONS", HttpRequest.BodyPublishers.noBody()),
                              "Origin", origin, "Access-Control-Request-Method", method,
                              "Access-Control-Request-Headers", "content-type, ocp-apim-subscription-key");
    }

    /** A matching preflight, sent without a key as browsers do, is answered by the policy. */
    @Test
    void preflightAnsweredWithoutKey() {
        HttpResponse<String> r = preflight("/web/data", "https://app.example", "PUT");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("https://app.example", r.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertEquals("GET,PUT", r.headers().firstValue("Access-Control-Allow-Methods").orElse(""));
        assertEquals("true", r.headers().firstValue("Access-Control-Allow-Credentials").orElse(""));
        assertEquals("600", r.headers().firstValue("Access-Control-Max-Age").orElse(""));
        assertEquals("", r.body(), "no backend call: the echo backend would have answered with JSON");
    }

    /** An unmatched preflight gets an empty 200 without CORS headers. */
    @Test
    void unmatchedPreflightTerminated() {
        HttpResponse<String> r = preflight("/web/data", "https://evil.example", "PUT");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    }

    /** A real request with a key gets the CORS headers on the backend's response. */
    @Test
    void actualRequestGetsHeaders() {
        HttpResponse<String> r = HttpCalls.get(uri, "/web/data", "Origin", "https://app.example",
                                               "Ocp-Apim-Subscription-Key", KEY);
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\"method\""), "came from the backend: " + r.body());
        assertEquals("https://app.example", r.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertEquals("X-Request-Id", r.headers().firstValue("Access-Control-Expose-Headers").orElse(""));
    }

    /** Without a cors policy, a preflight without a key is refused like any request without one. */
    @Test
    void preflightWithoutCorsPolicyNeedsKey() {
        assertEquals(401, preflight("/plain/data", "https://app.example", "GET").statusCode());
    }
}
