package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.gatehouse.demo.DemoBackend;

/**
 * Routing as APIM: API URL suffixes (longest match, several segments), URL templates, 404s, HEAD, and what is
 * forwarded (raw path and query, X-Forwarded-*, no hop-by-hop headers), through a real gateway socket to a real
 * backend.
 */
@ServerTest
class GatewayRoutingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DemoBackend BACKEND = DemoBackend.start("127.0.0.1", 0);
    private static final TestFolder FOLDER = TestFolder.temporary("gatehouse-routing");
    private static final Gateway GATEWAY = gateway();

    private final URI uri;

    GatewayRoutingTest(URI uri) {
        this.uri = uri;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        GATEWAY.routing(routing);
    }

    @AfterAll
    static void stopBackend() {
        BACKEND.close();
        FOLDER.delete();
    }

    private static Gateway gateway() {
        String echo = "http://127.0.0.1:" + BACKEND.port() + "/echo";
        FOLDER
                .api("shop", "shop", echo + "/shop", false,
                     "GET /items/{id}", "GET /items/special", "GET /users/{uid}/orders/{oid}", "POST /items",
                     "GET /raw/{rest}")
                .api("shop-v2", "shop/v2", echo + "/v2", false, "GET /items/{id}")
                .api("root", "", echo + "/root", false, "GET /")
                .api("redirect", "moved", "http://127.0.0.1:" + BACKEND.port() + "/nowhere", false, "GET /x");
        return FOLDER.gateway(Map.of());
    }

    private JsonNode echo(String pathAndQuery) throws IOException {
        HttpResponse<String> r = HttpCalls.get(uri, pathAndQuery);
        assertEquals(200, r.statusCode(), pathAndQuery + " -> " + r.body());
        return JSON.readTree(r.body());
    }

    /** The longest API suffix wins, also when it has several segments. */
    @Test
    void longestMultiSegmentSuffixWins() throws IOException {
        assertEquals("/echo/v2/items/7", echo("/shop/v2/items/7").path("path").asText());
        assertEquals("/echo/shop/items/7", echo("/shop/items/7").path("path").asText());
    }

    /** A literal template segment is preferred over a parameter; parameters match whole segments. */
    @Test
    void literalTemplateBeatsParameter() throws IOException {
        assertEquals("/echo/shop/items/special", echo("/shop/items/special").path("path").asText());
        assertEquals("/echo/shop/users/u1/orders/o2", echo("/shop/users/u1/orders/o2").path("path").asText());
        assertEquals(404, HttpCalls.get(uri, "/shop/users/u1/orders").statusCode());
    }

    /** The API with the empty suffix answers the root. */
    @Test
    void emptySuffixApiServesRoot() throws IOException {
        assertEquals("/echo/root", echo("/").path("path").asText());
    }

    /** Unknown paths and methods get APIM's 404 body, exactly. */
    @Test
    void unknownRouteGetsApimNotFound() {
        for (HttpResponse<String> r : List.of(HttpCalls.get(uri, "/nothing/here"),
                                              HttpCalls.get(uri, "/shop/unknown"),
                                              HttpCalls.send(HttpRequest.newBuilder(uri.resolve("/shop/items/1")).DELETE()))) {
            assertEquals(404, r.statusCode());
            assertEquals("{ \"statusCode\": 404, \"message\": \"Resource not found\" }", r.body());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        }
    }

    /** The raw path and query reach the backend byte for byte. */
    @Test
    void rawPathAndQueryForwardedUnchanged() throws IOException {
        JsonNode e = echo("/shop/raw/a%2Fb%20c?x=1%202&y=%26amp&z");
        assertEquals("/echo/shop/raw/a%2Fb%20c", e.path("path").asText());
        assertEquals("x=1%202&y=%26amp&z", e.path("query").asText());
    }

    /** X-Forwarded-* are set and hop-by-hop headers are not forwarded. */
    @Test
    void forwardedHeadersSetHopByHopDropped() throws IOException {
        String response = raw("GET /shop/items/1 HTTP/1.1\r\nHost: gw.example\r\nX-Custom: kept\r\n"
                                      + "X-Forwarded-For: 10.0.0.1\r\nUpgrade: foo\r\nConnection: close, X-Secret-Hop\r\n"
                                      + "X-Secret-Hop: gone\r\n\r\n");
        JsonNode headers = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4)).path("headers");
        assertEquals("kept", headers.path("X-Custom").asText());
        assertEquals("10.0.0.1, 127.0.0.1", headers.path("X-Forwarded-For").asText());
        assertEquals("http", headers.path("X-Forwarded-Proto").asText());
        assertEquals("gw.example", headers.path("X-Forwarded-Host").asText());
        assertTrue(headers.path("Upgrade").isMissingNode(), headers.toString());
        assertTrue(headers.path("X-Secret-Hop").isMissingNode(), headers.toString());
    }

    /** Sends one raw HTTP/1.1 request and reads one response: headers, then Content-Length bytes (none for HEAD). */
    private String raw(String request) throws IOException {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            int length = 0;
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            if (request.startsWith("HEAD ")) {
                return head.toString();
            }
            return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }
    }

    /** A request body is forwarded. */
    @Test
    void postBodyForwarded() throws IOException {
        HttpResponse<String> r = HttpCalls.send(HttpRequest.newBuilder(uri.resolve("/shop/items"))
                                                        .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")));
        assertEquals("{\"a\":1}", JSON.readTree(r.body()).path("body").asText());
    }

    /** HEAD on a GET operation is answered with the headers and no body. */
    @Test
    void headIsAnswered() throws IOException {
        String response = raw("HEAD /shop/items/1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        assertTrue(response.endsWith("\r\n\r\n"), "no body after the headers: " + response);
    }
}
