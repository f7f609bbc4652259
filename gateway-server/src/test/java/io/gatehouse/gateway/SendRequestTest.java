package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code send-request} and {@code send-one-way-request} through a real gateway, against a real side service on a
 * socket that records what it receives.
 */
class SendRequestTest {

    @TempDir
    Path dir;

    /** What the side service received: method, path, the X-Trace header and the body. */
    private record Received(String method, String path, String trace, String contentType, String body) {
    }

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer side;
    private Gateway gateway;
    private URI uri;
    private int deadPort;

    private static String inbound(String policies) {
        return "<policies><inbound><base/>" + policies + "</inbound><backend><base/></backend><outbound><base/></outbound>"
                + "<on-error><set-header name=\"X-Reason\" exists-action=\"override\"><value>@(context.LastError.Reason)"
                + "</value></set-header></on-error></policies>";
    }

    @BeforeEach
    void start() throws IOException {
        side = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        side.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        side.createContext("/token", ex -> {
            record(ex);
            ex.getResponseHeaders().set("X-Side", "tokens");
            respond(ex, 201, "{\"access_token\":\"abc\"}");
        });
        side.createContext("/missing", ex -> {
            record(ex);
            respond(ex, 404, "nothing here");
        });
        side.createContext("/slow", ex -> {
            record(ex);
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(ex, 200, "late");
        });
        side.start();
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        String base = "http://127.0.0.1:" + side.getAddress().getPort();
        String answer = """
                <return-response>
                  <set-status code="200"/>
                  <set-header name="X-Status" exists-action="override">
                    <value>@(((IResponse)context.Variables["r"]).StatusCode.ToString())</value>
                  </set-header>
                  <set-header name="X-Side" exists-action="override">
                    <value>@(((IResponse)context.Variables["r"]).Headers.GetValueOrDefault("X-Side", "-"))</value>
                  </set-header>
                  <set-body>@(((IResponse)context.Variables["r"]).Body.As&lt;string&gt;())</set-body>
                </return-response>""";
        new TestFolder(dir)
                .api("s", "s", "http://127.0.0.1:1/unused", false, "GET /new", "POST /copy", "GET /missing", "GET /slow",
                     "GET /dead", "GET /one-way")
                .write("apis/s/operations/op0/policy.xml", inbound("""
                        <send-request mode="new" response-variable-name="r" timeout="5">
                          <set-url>%s/token</set-url>
                          <set-method>POST</set-method>
                          <set-header name="Content-Type" exists-action="override">
                            <value>application/x-www-form-urlencoded</value>
                          </set-header>
                          <set-header name="X-Trace" exists-action="override">
                            <value>@(context.Request.Headers.GetValueOrDefault("X-Trace", "none"))</value>
                          </set-header>
                          <set-body>@("grant_type=client_credentials&amp;scope=" + context.Api.Id)</set-body>
                        </send-request>""".formatted(base) + answer))
                .write("apis/s/operations/op1/policy.xml", inbound("""
                        <send-request mode="copy" response-variable-name="r">
                          <set-url>%s/token</set-url>
                        </send-request>""".formatted(base) + answer))
                .write("apis/s/operations/op2/policy.xml", inbound("""
                        <send-request response-variable-name="r"><set-url>%s/missing</set-url></send-request>"""
                        .formatted(base) + answer))
                .write("apis/s/operations/op3/policy.xml", inbound("""
                        <send-request response-variable-name="r" timeout="1"><set-url>%s/slow</set-url></send-request>"""
                        .formatted(base) + answer))
                .write("apis/s/operations/op4/policy.xml", inbound("""
                        <send-request response-variable-name="r" ignore-error="true">
                          <set-url>http://127.0.0.1:%d/nobody-home</set-url>
                        </send-request>
                        <return-response><set-status code="200"/>
                          <set-header name="X-Null" exists-action="override">
                            <value>@((context.Variables["r"] == null).ToString())</value>
                          </set-header>
                        </return-response>""".formatted(deadPort)))
                .write("apis/s/operations/op5/policy.xml", inbound("""
                        <send-one-way-request mode="new">
                          <set-url>%s/token</set-url>
                          <set-method>PUT</set-method>
                          <set-header name="X-Trace" exists-action="override"><value>one-way</value></set-header>
                          <set-body>fire and forget</set-body>
                        </send-one-way-request>
                        <return-response><set-status code="202"/></return-response>""".formatted(base)));
        gateway = new TestFolder(dir).gateway(Map.of()).start("127.0.0.1", 0);
        uri = URI.create("http://127.0.0.1:" + gateway.port());
    }

    @AfterEach
    void stop() {
        release.countDown();
        gateway.close();
        side.stop(0);
    }

    private void record(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Received(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                                  ex.getRequestHeaders().getFirst("X-Trace"),
                                  ex.getRequestHeaders().getFirst("Content-Type"), body));
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        assertTrue(r != null, "the side service received nothing");
        return r;
    }

    /** mode="new": the URL, method, headers (one from an expression) and body are sent; the answer is readable. */
    @Test
    void newRequestIsSentAndItsAnswerStored() throws Exception {
        HttpResponse<String> r = HttpCalls.get(uri, "/s/new", "X-Trace", "t-42");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("201", r.headers().firstValue("X-Status").orElse(""));
        assertEquals("tokens", r.headers().firstValue("X-Side").orElse(""));
        assertEquals("{\"access_token\":\"abc\"}", r.body());
        assertEquals(new Received("POST", "/token", "t-42", "application/x-www-form-urlencoded",
                                  "grant_type=client_credentials&scope=s"), next());
    }

    /** mode="copy": the caller's method, headers and body go along; set-url changes only the URL. */
    @Test
    void copyRequestCarriesTheCallersRequest() throws Exception {
        HttpResponse<String> r = HttpCalls.send(HttpRequest.newBuilder(uri.resolve("/s/copy"))
                                                        .POST(HttpRequest.BodyPublishers.ofString("order=7")),
                                                "X-Trace", "copied", "Content-Type", "text/plain");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(new Received("POST", "/token", "copied", "text/plain", "order=7"), next());
    }

    /** A 404 from the other side is an answer, stored like any other, not an error. */
    @Test
    void errorStatusIsAnAnswer() {
        HttpResponse<String> r = HttpCalls.get(uri, "/s/missing");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("404", r.headers().firstValue("X-Status").orElse(""));
        assertEquals("nothing here", r.body());
    }

    /** No answer within timeout: on-error with SendRequestFailure, and the caller gets APIM's 500. */
    @Test
    void timeoutGoesToOnError() {
        HttpResponse<String> r = HttpCalls.get(uri, "/s/slow");
        assertEquals(500, r.statusCode(), r.body());
        assertEquals("SendRequestFailure", r.headers().firstValue("X-Reason").orElse(""));
    }

    /** ignore-error="true": an unreachable service leaves the variable set to null, and the pipeline goes on. */
    @Test
    void ignoredErrorLeavesNull() {
        HttpResponse<String> r = HttpCalls.get(uri, "/s/dead");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("True", r.headers().firstValue("X-Null").orElse(""));
    }

    /** send-one-way-request: the caller is answered, and the request reaches the side service anyway. */
    @Test
    void oneWayRequestIsSent() throws Exception {
        assertEquals(202, HttpCalls.get(uri, "/s/one-way").statusCode());
        assertEquals(new Received("PUT", "/token", "one-way", null, "fire and forget"), next());
    }

    /** Configurations that cannot work are refused when the folder loads. */
    @Test
    void impossibleConfigurationsAreRefusedAtLoad() {
        Map<String, String> bad = Map.of(
                "<send-request response-variable-name=\"r\"/>", "<set-url> is required with mode=\"new\"",
                "<send-request><set-url>http://x/</set-url></send-request>", "'response-variable-name' is required",
                "<send-request response-variable-name=\"r\"><set-url>ftp://x/</set-url></send-request>",
                "is not an absolute http(s) URL",
                "<send-request response-variable-name=\"r\" timeout=\"600\"><set-url>http://x/</set-url></send-request>",
                "'timeout' must be between 1 and 240",
                "<send-one-way-request ignore-error=\"true\"><set-url>http://x/</set-url></send-one-way-request>",
                "unknown attribute 'ignore-error'");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            String message = TestFolder.refusal(dir, inbound(e.getKey()));
            assertTrue(message.contains(e.getValue()) && message.contains("apis/x/policy.xml"), message);
        }
    }
}
