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

/** choose, set-variable, rewrite-uri, set-method, set-backend-service, check-header, ip-filter, quota, find-and-replace. */
class PolicyCatalogFlowTest {

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
                .api("flow", "flow", base + "/echo", false, "GET /choose", "GET /items/{id}", "GET /method",
                     "GET /backend", "GET /checked", "GET /ip", "GET /quota", "POST /replace", "GET /fixed", "GET /fixed-only")
                .write("backends/other/backendInformation.json", "{\"properties\": {\"url\": \"" + base + "/echo/other\"}}")
                .write("apis/flow/operations/op0/policy.xml", inbound("""
                        <set-variable name="tier" value="@(context.Request.Headers.GetValueOrDefault("X-Tier", "free"))"/>
                        <choose>
                          <when condition="@((string)context.Variables["tier"] == "gold")">
                            <set-header name="X-Branch" exists-action="override"><value>gold</value></set-header>
                          </when>
                          <otherwise>
                            <set-header name="X-Branch" exists-action="override"><value>other</value></set-header>
                          </otherwise>
                        </choose>"""))
                .write("apis/flow/operations/op1/policy.xml",
                       inbound("<rewrite-uri template=\"/v2/things/{id}?format=json\" copy-unmatched-params=\"true\"/>"))
                .write("apis/flow/operations/op2/policy.xml", inbound("<set-method>POST</set-method>"))
                .write("apis/flow/operations/op3/policy.xml", inbound("<set-backend-service backend-id=\"other\"/>"))
                .write("apis/flow/operations/op4/policy.xml", inbound("""
                        <check-header name="X-Token" failed-check-httpcode="401" failed-check-error-message="Token missing"
                                      ignore-case="true"><value>open-sesame</value></check-header>"""))
                .write("apis/flow/operations/op5/policy.xml",
                       inbound("<ip-filter action=\"forbid\"><address-range from=\"127.0.0.0\" to=\"127.255.255.255\"/>"
                                       + "</ip-filter>"))
                .write("apis/flow/operations/op6/policy.xml", inbound("<quota calls=\"1\" renewal-period=\"3600\"/>"))
                .write("apis/flow/operations/op7/policy.xml", inbound("<find-and-replace from=\"cat\" to=\"dog\"/>"))
                .write("apis/flow/operations/op8/policy.xml", inbound("<rewrite-uri template=\"/v2/fixed\"/>"))
                .write("apis/flow/operations/op9/policy.xml",
                       inbound("<rewrite-uri template=\"/v2/fixed\" copy-unmatched-params=\"false\"/>"));
        gateway = new TestFolder(dir).gateway(Map.of()).start("127.0.0.1", 0);
        uri = URI.create("http://127.0.0.1:" + gateway.port());
    }

    @AfterEach
    void stop() {
        gateway.close();
        backend.close();
    }

    private JsonNode echo(HttpResponse<String> r) throws IOException {
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** choose picks the branch whose condition holds, using a variable set from a header. */
    @Test
    void chooseOnAnExpression() throws IOException {
        assertEquals("gold", echo(HttpCalls.get(uri, "/flow/choose", "X-Tier", "gold")).path("headers").path("X-Branch")
                .asText());
        assertEquals("other", echo(HttpCalls.get(uri, "/flow/choose")).path("headers").path("X-Branch").asText());
    }

    /** rewrite-uri fills template parameters and keeps unmatched query parameters. */
    @Test
    void rewriteUri() throws IOException {
        JsonNode e = echo(HttpCalls.get(uri, "/flow/items/42?keep=yes"));
        assertEquals("/echo/v2/things/42", e.path("path").asText());
        assertEquals("format=json&keep=yes", e.path("query").asText());
    }

    /** rewrite-uri with a template without parameters: the query is kept unless copy-unmatched-params is false. */
    @Test
    void rewriteUriWithoutParameters() throws IOException {
        JsonNode kept = echo(HttpCalls.get(uri, "/flow/fixed?keep=yes&also=1"));
        assertEquals("/echo/v2/fixed", kept.path("path").asText());
        assertEquals("keep=yes&also=1", kept.path("query").asText());
        JsonNode none = echo(HttpCalls.get(uri, "/flow/fixed"));
        assertEquals("/echo/v2/fixed", none.path("path").asText());
        assertEquals("", none.path("query").asText());
        JsonNode only = echo(HttpCalls.get(uri, "/flow/fixed-only?drop=1"));
        assertEquals("/echo/v2/fixed", only.path("path").asText());
        assertEquals("", only.path("query").asText());
    }

    /** set-method and set-backend-service change how and where the backend is called. */
    @Test
    void methodAndBackend() throws IOException {
        assertEquals("POST", echo(HttpCalls.get(uri, "/flow/method")).path("method").asText());
        assertEquals("/echo/other/backend", echo(HttpCalls.get(uri, "/flow/backend")).path("path").asText());
    }

    /** check-header refuses with the configured status and message. */
    @Test
    void checkHeader() {
        HttpResponse<String> r = HttpCalls.get(uri, "/flow/checked");
        assertEquals(401, r.statusCode());
        assertEquals("{ \"statusCode\": 401, \"message\": \"Token missing\" }", r.body());
        assertEquals(200, HttpCalls.get(uri, "/flow/checked", "X-Token", "OPEN-SESAME").statusCode());
    }

    /** ip-filter forbids the loopback range the test calls from. */
    @Test
    void ipFilter() {
        HttpResponse<String> r = HttpCalls.get(uri, "/flow/ip");
        assertEquals(403, r.statusCode());
        assertEquals("{ \"statusCode\": 403, \"message\": \"Forbidden\" }", r.body());
    }

    /** quota: the second call in the period gets 403 with APIM's message and Retry-After. */
    @Test
    void quota() {
        assertEquals(200, HttpCalls.get(uri, "/flow/quota").statusCode());
        HttpResponse<String> r = HttpCalls.get(uri, "/flow/quota");
        assertEquals(403, r.statusCode());
        assertTrue(r.body().matches("\\{ \"statusCode\": 403, \"message\": \"Out of call volume quota\\. Quota will be"
                                            + " replenished in \\d\\d:\\d\\d:\\d\\d\\.\" }"), r.body());
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
    }

    /** find-and-replace rewrites the request body. */
    @Test
    void findAndReplace() throws IOException {
        HttpResponse<String> r = HttpCalls.send(HttpRequest.newBuilder(uri.resolve("/flow/replace"))
                                                        .POST(HttpRequest.BodyPublishers.ofString("the cat sat")));
        assertEquals("the dog sat", echo(r).path("body").asText());
    }
}
