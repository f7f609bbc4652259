package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.demo.DemoBackend;
import io.gatehouse.policy.engine.GatewayServices;

/** Built-in policies through a real gateway and backend, including rate limits edited in a watched folder. */
class PolicyCatalogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private DemoBackend backend;
    private Gateway gateway;
    private LocalFolderSource source;
    private URI uri;
    private TestFolder folder;

    @BeforeEach
    void start() throws Exception {
        backend = DemoBackend.start("127.0.0.1", 0);
        String echo = "http://127.0.0.1:" + backend.port() + "/echo";
        folder = new TestFolder(dir)
                .api("shop", "shop", echo, false, "GET /limited", "GET /headers", "GET /answer", "GET /status", "GET /expr",
                     "GET /broken")
                .write("apis/shop/operations/op0/policy.xml", rateLimit(2))
                .write("apis/shop/operations/op1/policy.xml", """
                        <policies>
                          <inbound><base/>
                            <set-header name="X-Added" exists-action="override"><value>in</value></set-header>
                            <set-header name="X-Drop" exists-action="delete"/>
                            <set-query-parameter name="page" exists-action="append"><value>2</value></set-query-parameter>
                          </inbound>
                          <backend><base/></backend>
                          <outbound><base/>
                            <set-header name="X-Out" exists-action="override"><value>out</value></set-header>
                          </outbound>
                          <on-error><base/></on-error>
                        </policies>""")
                .write("apis/shop/operations/op2/policy.xml", """
                        <policies><inbound>
                          <return-response>
                            <set-status code="418" reason="I'm a teapot"/>
                            <set-header name="X-Why" exists-action="override"><value>short and stout</value></set-header>
                            <set-body>{"tea": true}</set-body>
                          </return-response>
                        </inbound><backend><base/></backend><outbound/><on-error/></policies>""")
                .write("apis/shop/operations/op3/policy.xml", """
                        <policies><inbound/><backend><base/></backend>
                          <outbound><set-status code="202" reason="Accepted"/><set-body>replaced</set-body></outbound>
                          <on-error/></policies>""")
                .write("apis/shop/operations/op4/policy.xml", """
                        <policies><inbound><base/>
                          <set-header name="X-Shout" exists-action="override">
                            <value>@(context.Request.Headers.GetValueOrDefault("X-In", "none").ToUpper())</value>
                          </set-header>
                          <rate-limit-by-key calls="1" renewal-period="30" counter-key="@(context.Request.IpAddress)"/>
                        </inbound><backend><base/></backend><outbound/><on-error/></policies>""")
                .write("apis/shop/operations/op5/policy.xml", """
                        <policies><inbound><base/>
                          <set-header name="X-Fail" exists-action="override">
                            <value>@(context.Request.Headers["X-Missing"])</value>
                          </set-header>
                        </inbound><backend><base/></backend><outbound/>
                        <on-error><set-header name="X-Reason" exists-action="override">
                          <value>@(context.LastError.Reason)</value>
                        </set-header></on-error>
                        </policies>""");
        Settings settings = Settings.load(Map.of(), Optional.empty(), Optional.empty(), Map.of());
        gateway = new Gateway(settings, GatewayServices.local()).start("127.0.0.1", 0);
        source = new LocalFolderSource(dir, Optional.empty(), GatewayMain.compiler(settings), gateway);
        source.loadInitial();
        source.watch();
        uri = URI.create("http://127.0.0.1:" + gateway.port());
    }

    @AfterEach
    void stop() throws IOException {
        source.close();
        gateway.close();
        backend.close();
    }

    private static String rateLimit(int calls) {
        return "<policies><inbound><base/><rate-limit calls=\"" + calls + "\" renewal-period=\"10\"/></inbound>"
                + "<backend><base/></backend><outbound/><on-error/></policies>";
    }

    /** rate-limit calls="2" renewal-period="10": 200, 200, then 429 with APIM's body and Retry-After; an edit applies live. */
    @Test
    void rateLimitReturns429WithRetryAfterOnThirdCallAndEditsApplyLive() throws Exception {
        assertEquals(200, HttpCalls.get(uri, "/shop/limited").statusCode());
        assertEquals(200, HttpCalls.get(uri, "/shop/limited").statusCode());
        HttpResponse<String> third = HttpCalls.get(uri, "/shop/limited");
        assertEquals(429, third.statusCode());
        long retryAfter = Long.parseLong(third.headers().firstValue("Retry-After").orElse("-1"));
        assertTrue(retryAfter >= 1 && retryAfter <= 10, "Retry-After " + retryAfter);
        assertEquals("{ \"statusCode\": 429, \"message\": \"Rate limit is exceeded. Try again in " + retryAfter
                             + " seconds.\" }", third.body());

        String before = gateway.activeSnapshot().orElseThrow().snapshot().revision();
        folder.write("apis/shop/operations/op0/policy.xml", rateLimit(3));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (gateway.activeSnapshot().orElseThrow().snapshot().revision().equals(before)
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(200, HttpCalls.get(uri, "/shop/limited").statusCode(), "the third call fits the edited limit");
        assertEquals(429, HttpCalls.get(uri, "/shop/limited").statusCode());
    }

    /** set-header and set-query-parameter change what the backend gets and what the caller gets. */
    @Test
    void headerAndQueryTransforms() throws IOException {
        HttpResponse<String> r = HttpCalls.get(uri, "/shop/headers?page=1", "X-Drop", "secret");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode echo = JSON.readTree(r.body());
        assertEquals("in", echo.path("headers").path("X-Added").asText());
        assertTrue(echo.path("headers").path("X-Drop").isMissingNode(), echo.toString());
        assertEquals("page=1&page=2", echo.path("query").asText());
        assertEquals("out", r.headers().firstValue("X-Out").orElse(""));
    }

    /** return-response answers at once, without the backend. */
    @Test
    void returnResponseAnswersWithoutBackend() {
        HttpResponse<String> r = HttpCalls.get(uri, "/shop/answer");
        assertEquals(418, r.statusCode());
        assertEquals("short and stout", r.headers().firstValue("X-Why").orElse(""));
        assertEquals("{\"tea\": true}", r.body());
    }

    /** Expressions evaluate per request: a header computed from another, and a rate limit keyed by client address. */
    @Test
    void expressionsDriveHeadersAndKeyedLimits() throws IOException {
        HttpResponse<String> r = HttpCalls.get(uri, "/shop/expr", "X-In", "quiet");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("QUIET", JSON.readTree(r.body()).path("headers").path("X-Shout").asText());
        assertEquals(429, HttpCalls.get(uri, "/shop/expr").statusCode(), "one call per 30 s per client address");
    }

    /** An expression that fails at run time sends the exchange to on-error with APIM's reason, and a 500. */
    @Test
    void expressionFailureGoesToOnError() {
        HttpResponse<String> r = HttpCalls.get(uri, "/shop/broken");
        assertEquals(500, r.statusCode(), r.body());
        assertEquals("ExpressionValueEvaluationFailure", r.headers().firstValue("X-Reason").orElse(""));
        assertTrue(r.body().contains("\"activityId\""), r.body());
    }

    /** set-status and set-body in outbound replace the backend's answer. */
    @Test
    void outboundStatusAndBody() {
        HttpResponse<String> r = HttpCalls.get(uri, "/shop/status");
        assertEquals(202, r.statusCode());
        assertEquals("replaced", r.body());
    }
}
