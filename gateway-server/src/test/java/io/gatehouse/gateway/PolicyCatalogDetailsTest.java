package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.demo.DemoBackend;

/** The remaining details of the catalog: mock-response examples, quota-by-key, rate-limit headers, skip, expressions. */
class PolicyCatalogDetailsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private DemoBackend backend;
    private Gateway gateway;
    private URI uri;

    private static String inbound(String policies) {
        return "<policies><inbound><base/>" + policies + "</inbound><backend><base/></backend><outbound><base/></outbound>"
                + "<on-error><base/></on-error></policies>";
    }

    @BeforeEach
    void start() {
        backend = DemoBackend.start("127.0.0.1", 0);
        String base = "http://127.0.0.1:" + backend.port();
        new TestFolder(dir)
                .api("d", "d", "http://127.0.0.1:1/unreachable", false, "GET /byKey", "GET /headers", "GET /skip",
                     "POST /body", "GET /base-url")
                .write("apis/d/operations/op0/policy.xml",
                       inbound("<quota-by-key calls=\"1\" renewal-period=\"60\" counter-key=\"@(context.Request.Headers"
                                       + ".GetValueOrDefault(&quot;X-User&quot;, &quot;anon&quot;))\"/>"
                                       + "<return-response><set-status code=\"200\"/></return-response>"))
                .write("apis/d/operations/op1/policy.xml",
                       inbound("<rate-limit calls=\"5\" renewal-period=\"60\" remaining-calls-header-name=\"X-Remaining\""
                                       + " total-calls-header-name=\"X-Total\" remaining-calls-variable-name=\"left\"/>"
                                       + "<return-response><set-status code=\"200\"/><set-header name=\"X-Left\""
                                       + " exists-action=\"override\"><value>@(context.Variables[\"left\"].ToString())</value>"
                                       + "</set-header></return-response>"))
                .write("apis/d/operations/op2/policy.xml",
                       inbound("<set-backend-service base-url=\"" + base + "/echo\"/>"
                                       + "<set-header name=\"X-Keep\" exists-action=\"skip\"><value>new</value></set-header>"
                                       + "<set-query-parameter name=\"q\" exists-action=\"skip\"><value>new</value>"
                                       + "</set-query-parameter>"))
                .write("apis/d/operations/op3/policy.xml",
                       inbound("<set-backend-service base-url=\"" + base + "/echo\"/>"
                                       + "<set-body>@(context.Request.Body.As&lt;string&gt;(preserveContent: true).ToUpper())"
                                       + "</set-body>"))
                .write("apis/d/operations/op4/policy.xml",
                       inbound("<set-backend-service base-url=\"@(&quot;" + base + "&quot; + &quot;/echo&quot;)\"/>"))
                .api("m", "m", "http://127.0.0.1:1/unreachable", false)
                .write("apis/m/specification.yaml", """
                        openapi: 3.0.1
                        info: {title: m, version: '1'}
                        paths:
                          /thing:
                            get:
                              operationId: thing
                              responses:
                                '200':
                                  description: ok
                                  content:
                                    application/json:
                                      example: {name: widget, size: 3}
                        """)
                .write("apis/m/policy.xml", inbound("<mock-response status-code=\"200\" content-type=\"application/json\"/>"));
        gateway = new TestFolder(dir).gateway(Map.of()).start("127.0.0.1", 0);
        uri = URI.create("http://127.0.0.1:" + gateway.port());
    }

    @AfterEach
    void stop() {
        gateway.close();
        backend.close();
    }

    /** mock-response answers with the OpenAPI example, without a backend (the service URL is unreachable). */
    @Test
    void mockResponseUsesOpenApiExample() throws IOException {
        HttpResponse<String> r = HttpCalls.get(uri, "/m/thing");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = JSON.readTree(r.body());
        assertEquals("widget", body.path("name").asText());
        assertEquals(3, body.path("size").asInt());
    }

    /** quota-by-key keeps one counter per key value. */
    @Test
    void quotaByKeyCountsPerKey() {
        assertEquals(200, HttpCalls.get(uri, "/d/byKey", "X-User", "alice").statusCode());
        assertEquals(403, HttpCalls.get(uri, "/d/byKey", "X-User", "alice").statusCode());
        assertEquals(200, HttpCalls.get(uri, "/d/byKey", "X-User", "bob").statusCode());
    }

    /** rate-limit's remaining/total header and variable attributes are filled. */
    @Test
    void rateLimitHeadersAndVariables() {
        HttpResponse<String> r = HttpCalls.get(uri, "/d/headers");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("4", r.headers().firstValue("X-Left").orElse(""));
    }

    /** exists-action="skip" leaves an existing header and query parameter alone; base-url switches the backend. */
    @Test
    void skipKeepsExistingValues() throws IOException {
        HttpResponse<String> r = HttpCalls.get(uri, "/d/skip?q=old", "X-Keep", "old");
        JsonNode echo = JSON.readTree(r.body());
        assertEquals("old", echo.path("headers").path("X-Keep").asText());
        assertEquals("q=old", echo.path("query").asText());
        assertEquals(200, HttpCalls.get(uri, "/d/base-url").statusCode(), "base-url from an expression");
    }

    /** set-body with an expression reads the request body and replaces it. */
    @Test
    void setBodyFromExpression() throws IOException {
        HttpResponse<String> r = HttpCalls.send(HttpRequest.newBuilder(uri.resolve("/d/body"))
                                                        .POST(HttpRequest.BodyPublishers.ofString("quiet please")));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("QUIET PLEASE", JSON.readTree(r.body()).path("body").asText());
        assertTrue(JSON.readTree(r.body()).path("path").asText().startsWith("/echo"));
    }
}
