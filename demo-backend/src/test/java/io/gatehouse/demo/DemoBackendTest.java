package io.gatehouse.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DemoBackendTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static DemoBackend backend;
    private static HttpClient client;

    @BeforeAll
    static void start() {
        backend = DemoBackend.start("127.0.0.1", 0);
        client = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    /** GET /time answers the current time as JSON. */
    @Test
    void timeReturnsCurrentUtcTime() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        HttpResponse<String> res = send(HttpRequest.newBuilder(uri("/time")).GET());
        assertEquals(200, res.statusCode());
        assertEquals("application/json", res.headers().firstValue("content-type").orElseThrow());
        JsonNode body = JSON.readTree(res.body());
        Instant reported = Instant.parse(body.get("utc").asText());
        assertTrue(!reported.isBefore(before) && reported.isBefore(Instant.now().plusSeconds(1)), "time: " + reported);
    }

    /** /echo/... answers method, path, raw query, headers and body. */
    @Test
    void echoReflectsTheRequest() throws Exception {
        HttpResponse<String> res = send(HttpRequest.newBuilder(uri("/echo/a%20b?x=1&y=two"))
                                                .header("X-Demo", "hello")
                                                .POST(HttpRequest.BodyPublishers.ofString("payload")));
        assertEquals(200, res.statusCode());
        JsonNode body = JSON.readTree(res.body());
        assertEquals("POST", body.get("method").asText());
        assertEquals("/echo/a%20b", body.get("path").asText());
        assertEquals("x=1&y=two", body.get("query").asText());
        assertEquals("hello", body.get("headers").get("X-Demo").asText());
        assertEquals("payload", body.get("body").asText());
    }

    /** Unknown resources are 404 with a JSON explanation. */
    @Test
    void unknownPathIsNotFound() throws Exception {
        HttpResponse<String> res = send(HttpRequest.newBuilder(uri("/nope")).GET());
        assertEquals(404, res.statusCode());
        assertTrue(res.body().contains("/nope"), res.body());
    }

    private static URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + backend.port() + pathAndQuery);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
