package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code set-backend-service backend-id} with APIM's backend entities, through real sockets: a load-balanced pool
 * picks a member per request by priority and weight, and a backend's credentials reach it.
 */
class BackendEntityTest {

    @TempDir
    Path dir;

    private final List<HttpServer> servers = new ArrayList<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, String> lastSeen = new ConcurrentHashMap<>();
    private Gateway gateway;
    private URI uri;

    private String backend(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        calls.put(name, new AtomicInteger());
        server.createContext("/", ex -> {
            calls.get(name).incrementAndGet();
            lastSeen.put(name, ex.getRequestURI().getRawQuery() + " " + ex.getRequestHeaders().get("X-Functions-Key"));
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        servers.add(server);
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name;
    }

    private static String inbound(String policies) {
        return "<policies><inbound><base/>" + policies + "</inbound><backend><base/></backend><outbound><base/>"
                + "</outbound><on-error><base/></on-error></policies>";
    }

    @BeforeEach
    void start() throws IOException {
        TestFolder folder = new TestFolder(dir).api("p", "p", "http://127.0.0.1:1", false, "GET /who", "GET /cred");
        for (String name : List.of("heavy", "light", "spare")) {
            folder.write("backends/" + name + "/backendInformation.json",
                         "{\"properties\": {\"url\": \"" + backend(name) + "\"}}");
        }
        folder.write("backends/secured/backendInformation.json", "{\"properties\": {\"url\": \"" + backend("secured")
                + "\", \"credentials\": {\"header\": {\"x-functions-key\": [\"{{func-key}}\"]},"
                + " \"query\": {\"code\": [\"c 1\"]}}}}");
        folder.write("named values/func-key/namedValueInformation.json",
                     "{\"properties\": {\"displayName\": \"func-key\", \"value\": \"k1\", \"secret\": true}}");
        folder.write("backends/pool/backendInformation.json", """
                {"properties": {"type": "Pool", "pool": {"services": [
                  {"id": "/backends/heavy", "priority": 1, "weight": 3},
                  {"id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ApiManagement/service/s/backends/light",
                   "priority": 1, "weight": 1},
                  {"id": "/backends/spare", "priority": 2}]}}}""");
        folder.write("apis/p/operations/op0/policy.xml", inbound("<set-backend-service backend-id=\"pool\"/>"));
        folder.write("apis/p/operations/op1/policy.xml", inbound("<set-backend-service backend-id=\"secured\"/>"));
        gateway = folder.gateway(Map.of()).start("127.0.0.1", 0);
        uri = URI.create("http://127.0.0.1:" + gateway.port());
    }

    @AfterEach
    void stop() {
        gateway.close();
        servers.forEach(s -> s.stop(0));
    }

    /** Weights 3:1 within the first priority spread 400 calls about 300:100, and priority 2 gets none of them. */
    @Test
    void poolSpreadsCallsByWeightWithinTheLowestPriority() {
        for (int i = 0; i < 400; i++) {
            HttpResponse<String> response = HttpCalls.get(uri, "/p/who");
            assertEquals(200, response.statusCode());
        }
        int heavy = calls.get("heavy").get();
        int light = calls.get("light").get();
        // Expected 300 with a standard deviation under 9; equal weights would give 200.
        assertTrue(heavy >= 250 && heavy <= 350, "heavy " + heavy + ", light " + light);
        assertEquals(400, heavy + light);
        assertEquals(0, calls.get("spare").get());
    }

    /**
     * A backend's credential headers and query parameters reach it, named values put in; the caller's header of that
     * name does not.
     */
    @Test
    void credentialsReachTheBackend() {
        HttpResponse<String> response = HttpCalls.get(uri, "/p/cred?a=1", "X-Functions-Key", "callers");
        assertEquals(200, response.statusCode());
        assertEquals("secured", response.body());
        assertEquals("a=1&code=c+1 [k1]", lastSeen.get("secured"));
    }

    /** A credential naming a named value that does not exist refuses the folder, naming the backend's file. */
    @Test
    void credentialWithUnknownNamedValueIsRefused() {
        TestFolder other = new TestFolder(dir.resolve("other")).api("x", "x", "http://127.0.0.1:1", false, "GET /y")
                .write("backends/b/backendInformation.json", "{\"properties\": {\"url\": \"http://127.0.0.1:1\","
                        + " \"credentials\": {\"query\": {\"code\": [\"{{ghost}}\"]}}}}");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.gateway(Map.of()).close());
        assertTrue(e.getCause().getMessage().contains("backends/b/backendInformation.json: 'properties.credentials.query"
                + ".code' names named value 'ghost', which is not defined"), e.getCause().getMessage());
    }
}
