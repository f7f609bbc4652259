package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plain-HTTP backends over the gateway's own pooled HTTP/1.1 connections ({@link BackendPool}, {@link BackendConnection},
 * {@code HttpForwarder.forwardPlain}): connection reuse, response framing, what goes on the wire and what is refused,
 * checked against a scripted backend on a raw socket that counts its connections and records every request.
 */
@Timeout(30)
class BackendConnectionTest {

    private static final String KEY = "key-backend-connection-00000000";
    private static final String APIM_500 = "\\{ \"statusCode\": 500, \"message\": \"Internal server error\", \"activityId\": "
            + "\"[0-9a-f-]{36}\" }";
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private RawBackend backend;
    private Gateway gateway;
    private URI uri;

    @AfterEach
    void stop() {
        client.close();
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    /** Starts the scripted backend and a gateway whose API "raw" (and "keyed", which needs a key) forward to it. */
    private void start(Function<Received, Reply> script) throws IOException {
        start(script, "", 5);
    }

    private void start(Function<Received, Reply> script, String inbound, int timeoutSeconds) throws IOException {
        backend = new RawBackend(script);
        String base = "http://127.0.0.1:" + backend.port() + "/base";
        String policy = "<policies><inbound>" + inbound + "</inbound><backend><forward-request timeout=\"" + timeoutSeconds
                + "\"/></backend><outbound/><on-error><set-header name=\"X-Reason\" exists-action=\"override\">"
                + "<value>@(context.LastError.Reason)</value></set-header></on-error></policies>";
        new TestFolder(dir)
                .api("raw", "raw", base, false, "GET /{*rest}", "POST /{*rest}", "PUT /{*rest}")
                .api("keyed", "keyed", base, true, "GET /{*rest}")
                .subscription("s", "/apis", "active", KEY)
                .write("apis/raw/policy.xml", policy)
                .write("apis/keyed/policy.xml", policy);
        gateway = new TestFolder(dir).gateway(Map.of()).start("127.0.0.1", 0);
        uri = URI.create("http://127.0.0.1:" + gateway.port());
    }

    // ---- keep-alive and response framing ----

    /** Two sequential requests answered with Content-Length travel over one backend connection. */
    @Test
    void contentLengthResponsesKeepTheConnectionAlive() throws Exception {
        start(r -> Reply.keep("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\n" + "resp" + r.index()));
        assertEquals("resp0", text(get("/raw/a")));
        assertEquals("resp1", text(get("/raw/b")));
        assertEquals(1, backend.accepted(), "one backend connection for both requests");
        assertEquals(List.of(1, 1), backend.connections());
    }

    /** A chunked response (extension, a chunk larger than the read buffer, a trailer) arrives byte for byte. */
    @Test
    void chunkedResponseArrivesWholeAndConnectionIsReused() throws Exception {
        byte[] big = new byte[40_000];
        new Random(7).nextBytes(big);
        String tricky = "\r\n0\r\n\r\n!"; // looks like a last chunk, but is data
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"));
        wire.writeBytes(ascii("5;name=\"quoted value\"\r\nHello\r\n"));
        wire.writeBytes(ascii(Integer.toHexString(big.length).toUpperCase(Locale.ROOT) + "\r\n"));
        wire.writeBytes(big);
        wire.writeBytes(ascii("\r\n" + Integer.toHexString(tricky.length()) + "\r\n" + tricky + "\r\n"));
        wire.writeBytes(ascii("0\r\nX-Checksum: abc\r\n\r\n"));
        byte[] chunked = wire.toByteArray();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(ascii("Hello"));
        expected.writeBytes(big);
        expected.writeBytes(ascii(tricky));

        start(r -> r.index() == 0 ? Reply.keep(chunked) : Reply.keep("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext"));
        HttpResponse<byte[]> first = get("/raw/chunked");
        assertEquals(200, first.statusCode());
        assertArrayEquals(expected.toByteArray(), first.body());
        assertEquals("next", text(get("/raw/after")));
        assertEquals(1, backend.accepted(), "the connection is reused after the last chunk and trailer");
    }

    /** After a response with Connection: close, the next request opens a new connection (even if the socket lingers). */
    @Test
    void connectionCloseFromBackendIsHonoured() throws Exception {
        start(r -> Reply.keep("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n" + "c" + r.index()));
        assertEquals("c0", text(get("/raw/a")));
        assertEquals("c1", text(get("/raw/b")));
        assertEquals(2, backend.accepted());
        assertEquals(List.of(1, 2), backend.connections());
    }

    /** A body with neither Content-Length nor chunked coding ends when the backend closes, and arrives whole. */
    @Test
    void bodyDelimitedByConnectionCloseArrivesWhole() throws Exception {
        byte[] body = new byte[100_000];
        new Random(11).nextBytes(body);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n"));
        wire.writeBytes(body);
        start(r -> Reply.close(wire.toByteArray()));
        HttpResponse<byte[]> r = get("/raw/until-close");
        assertEquals(200, r.statusCode());
        assertArrayEquals(body, r.body());
        assertEquals(200, get("/raw/again").statusCode(), "the next request goes over a new connection");
        assertEquals(2, backend.accepted());
    }

    /** Interim 1xx responses (100 Continue, 103 Early Hints) are skipped; the caller gets the final response only. */
    @Test
    void interimResponsesAreSkipped() throws Exception {
        start(r -> Reply.keep("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                                      + "HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nfinal"));
        HttpResponse<byte[]> r = get("/raw/interim");
        assertEquals(201, r.statusCode());
        assertEquals("final", text(r));
        assertTrue(r.headers().firstValue("Link").isEmpty(), "the interim response's headers are not merged");
        assertEquals(201, get("/raw/again").statusCode());
        assertEquals(1, backend.accepted());
    }

    /** HEAD, 204 and 304 (one stating a Content-Length) carry no body: none is read or sent, and the connection is reused. */
    @Test
    void bodilessResponsesLeaveTheConnectionReusable() throws Exception {
        start(r -> switch (r.target()) {
            case "/base/head" -> Reply.keep("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: text/plain\r\n\r\n");
            case "/base/no-content" -> Reply.keep("HTTP/1.1 204 No Content\r\n\r\n");
            case "/base/not-modified" -> Reply.keep("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 99\r\n\r\n");
            default -> Reply.keep("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nafter");
        });
        HttpResponse<byte[]> head = send(request("/raw/head").method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
        assertEquals("1234", head.headers().firstValue("Content-Length").orElse(""));
        assertEquals(0, head.body().length);
        HttpResponse<byte[]> noContent = get("/raw/no-content");
        assertEquals(204, noContent.statusCode());
        assertEquals(0, noContent.body().length);
        HttpResponse<byte[]> notModified = get("/raw/not-modified");
        assertEquals(304, notModified.statusCode());
        assertEquals("\"v1\"", notModified.headers().firstValue("ETag").orElse(""));
        assertEquals("after", text(get("/raw/after")));
        assertEquals("HEAD", backend.received().getFirst().method(), "HEAD is forwarded as HEAD");
        assertEquals(1, backend.accepted(), "all four requests on one connection");
    }

    /** Concurrent requests never share a connection; afterwards the pool reuses the connections they opened. */
    @Test
    void concurrentRequestsUseSeparateConnections() throws Exception {
        int n = 4;
        CountDownLatch allArrived = new CountDownLatch(n);
        start(r -> {
            allArrived.countDown();
            if (r.index() < n) {
                await(allArrived, "all concurrent requests to arrive");
            }
            String body = r.target().substring(r.target().lastIndexOf('/') + 1);
            return Reply.keep("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        });
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<byte[]>>> calls = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String path = "/raw/c" + i;
                calls.add(callers.submit(() -> get(path)));
            }
            for (int i = 0; i < n; i++) {
                assertEquals("c" + i, text(calls.get(i).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)));
            }
        }
        assertEquals(n, backend.accepted());
        for (int i = 0; i < n; i++) {
            assertEquals("s" + i, text(get("/raw/s" + i)));
        }
        assertEquals(n, backend.accepted(), "the idle connections were reused");
    }

    // ---- failures of pooled connections ----

    /** Bytes a backend sends on an idle connection (a body after a HEAD's head, say) are not read as the next response. */
    @Test
    void strayBytesOnAnIdleConnectionAreNotTakenForTheNextResponse() throws Exception {
        start(r -> r.method().equals("HEAD")
                ? Reply.thenStray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "hello")
                : Reply.keep("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nreal"));
        HttpResponse<byte[]> head = send(request("/raw/head").method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
        backend.sendStray();
        HttpResponse<byte[]> next = get("/raw/next");
        assertEquals(200, next.statusCode(), text(next));
        assertEquals("real", text(next));
    }

    /** A pooled connection the backend closed without saying so: the GET is sent again on a new connection. */
    @Test
    void stalePooledConnectionIsRetriedOnANewOne() throws Exception {
        start(r -> Reply.close("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" + "s" + r.index()));
        assertEquals("s0", text(get("/raw/a")));
        HttpResponse<byte[]> second = get("/raw/b");
        assertEquals(200, second.statusCode(), text(second));
        assertEquals("s1", text(second));
        assertEquals(2, backend.accepted());
        assertEquals(List.of(1, 2), backend.connections(), "the backend saw each request once");
    }

    /** A POST is not idempotent: on a stale pooled connection it fails instead of being sent twice. */
    @Test
    void staleConnectionDoesNotResendPost() throws Exception {
        start(r -> Reply.close("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        assertEquals("ok", text(get("/raw/a")));
        HttpResponse<byte[]> post = send(request("/raw/b").POST(HttpRequest.BodyPublishers.ofString("{\"order\":1}")));
        assertEquals(500, post.statusCode(), text(post));
        assertTrue(text(post).matches(APIM_500), text(post));
        assertEquals(1, backend.received().size(), "the POST did not reach the backend a second time");
    }

    /** A backend that never answers on a pooled connection is cut off by the timeout, and the GET is not resent. */
    @Test
    void timeoutOnPooledConnectionIsNotResent() throws Exception {
        start(r -> r.index() == 0 ? Reply.keep("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") : Reply.hang(), "", 1);
        assertEquals("ok", text(get("/raw/a")));
        HttpResponse<byte[]> slow = get("/raw/never");
        assertEquals(500, slow.statusCode(), text(slow));
        assertTrue(text(slow).matches(APIM_500), text(slow));
        assertEquals("Timeout", slow.headers().firstValue("X-Reason").orElse(""));
        assertEquals(2, backend.received().size(), "the request that timed out was sent once");
        assertEquals(1, backend.accepted());
    }

    // ---- the request on the wire ----

    /** A body of unknown length is sent chunked and arrives complete; a body of known length keeps its Content-Length. */
    @Test
    void requestBodiesArriveComplete() throws Exception {
        byte[] data = new byte[100_000];
        new Random(3).nextBytes(data);
        start(r -> Reply.keep("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        HttpResponse<byte[]> chunked = send(request("/raw/upload")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(data))));
        assertEquals(200, chunked.statusCode(), text(chunked));
        HttpResponse<byte[]> sized = send(request("/raw/upload").PUT(HttpRequest.BodyPublishers.ofByteArray(data)));
        assertEquals(200, sized.statusCode(), text(sized));

        Received unknown = backend.received().get(0);
        assertEquals(List.of("chunked"), unknown.values("Transfer-Encoding"));
        assertEquals(List.of(), unknown.values("Content-Length"));
        assertArrayEquals(data, unknown.body(), "the de-chunked body is the client's");
        Received known = backend.received().get(1);
        assertEquals("PUT", known.method());
        assertEquals(List.of(Integer.toString(data.length)), known.values("Content-Length"));
        assertEquals(List.of(), known.values("Transfer-Encoding"));
        assertArrayEquals(data, known.body());
        assertEquals(1, backend.accepted(), "both uploads on one connection");
    }

    /**
     * The backend gets the raw path and query, its own Host, no subscription key, none of the caller's hop-by-hop
     * headers, and both values of a repeated header; the caller gets neither of the response's hop-by-hop headers but
     * both Set-Cookie headers.
     */
    @Test
    void requestAndResponseHeadersOnTheWire() throws Exception {
        start(r -> Reply.keep("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=5\r\n"
                                      + "Connection: X-Resp-Hop\r\nX-Resp-Hop: secret\r\nSet-Cookie: a=1; Path=/\r\n"
                                      + "Set-Cookie: b=2\r\nX-Kept: yes\r\n\r\nok"));
        String response = callRaw("GET /keyed/items/a%2Fb%20c?x=1%202&y=%26amp&z HTTP/1.1\r\nHost: gw.example\r\n"
                                          + "Ocp-Apim-Subscription-Key: " + KEY + "\r\nConnection: keep-alive, X-Hop\r\n"
                                          + "X-Hop: 1\r\nTE: trailers\r\nUpgrade: foo\r\nKeep-Alive: timeout=9\r\n"
                                          + "X-Multi: one\r\nX-Multi: two\r\n\r\n");
        Received r = backend.received().getFirst();
        assertEquals("GET /base/items/a%2Fb%20c?x=1%202&y=%26amp&z HTTP/1.1", r.requestLine());
        assertEquals(List.of("127.0.0.1:" + backend.port()), r.values("Host"));
        for (String name : List.of("Ocp-Apim-Subscription-Key", "Connection", "X-Hop", "TE", "Upgrade", "Keep-Alive")) {
            assertEquals(List.of(), r.values(name), name + " must not be forwarded: " + r.headerLines());
        }
        assertEquals(List.of("one", "two"), r.values("X-Multi"), "two header lines, in order: " + r.headerLines());

        List<String> lines = List.of(response.substring(0, response.indexOf("\r\n\r\n")).split("\r\n"));
        assertTrue(lines.getFirst().startsWith("HTTP/1.1 200"), response);
        assertEquals(List.of("a=1; Path=/", "b=2"), headerValues(lines, "Set-Cookie"), response);
        assertEquals(List.of("yes"), headerValues(lines, "X-Kept"), response);
        assertEquals(List.of(), headerValues(lines, "Keep-Alive"), response);
        assertEquals(List.of(), headerValues(lines, "X-Resp-Hop"), response);
        assertTrue(response.endsWith("\r\n\r\nok"), response);
    }

    /** Headers named in any of the backend's Connection header lines are dropped, not only those in the last. */
    @Test
    void everyConnectionHeaderLineOfTheResponseIsHonoured() throws Exception {
        start(r -> Reply.keep("HTTP/1.1 200 OK\r\nConnection: X-First\r\nConnection: X-Second\r\nX-First: 1\r\n"
                                      + "X-Second: 2\r\nContent-Length: 2\r\n\r\nok"));
        HttpResponse<byte[]> r = get("/raw/hop");
        assertEquals(200, r.statusCode());
        assertEquals(List.of(), r.headers().allValues("X-First"), r.headers().map().toString());
        assertEquals(List.of(), r.headers().allValues("X-Second"), r.headers().map().toString());
    }

    /** A policy-set header value holding CR LF is refused with a 500: nothing of the request reaches the backend. */
    @Test
    void headerInjectionIsRefused() throws Exception {
        start(r -> Reply.keep("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
              "<set-header name=\"X-Evil\" exists-action=\"override\"><value>a&#13;&#10;X-Injected: 1</value></set-header>", 5);
        HttpResponse<byte[]> r = get("/raw/evil");
        assertEquals(500, r.statusCode(), text(r));
        assertTrue(text(r).matches(APIM_500), text(r));
        assertEquals("BackendRequestInvalid", r.headers().firstValue("X-Reason").orElse(""),
                     "refused because of the line break the XML reader kept");
        assertEquals(List.of(), backend.received(), "the backend received no request");
    }

    /** A policy-built path holding CR LF (a decoded template parameter) is refused: the request line cannot be split. */
    @Test
    void rewrittenPathWithLineBreakIsRefused() throws Exception {
        start(r -> Reply.keep("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
              "<rewrite-uri template='@(\"/v2/\" + context.Request.MatchedParameters[\"rest\"])'/>", 5);
        assertEquals("ok", text(get("/raw/plain")), "the policy works for an ordinary path");
        HttpResponse<byte[]> r = get("/raw/a%20HTTP/1.1%0D%0AX-Injected:%201%0D%0A%0D%0AGET%20/smuggled");
        assertEquals(500, r.statusCode(), text(r) + ", the backend received " + backend.received());
        assertEquals("BackendRequestInvalid", r.headers().firstValue("X-Reason").orElse(""));
        assertEquals(1, backend.received().size(), "nothing more reached the backend: " + backend.received());
    }

    /** A policy-set method that is not an HTTP token is refused: it cannot split the request line either. */
    @Test
    void methodWithLineBreakIsRefused() throws Exception {
        start(r -> Reply.keep("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
              "<set-method>@(context.Request.MatchedParameters[\"rest\"])</set-method>", 5);
        HttpResponse<byte[]> r = get("/raw/GET%20/x%20HTTP/1.1%0D%0AX-Injected:%201%0D%0A%0D%0AGET");
        assertEquals(500, r.statusCode(), text(r) + ", the backend received " + backend.received());
        assertEquals("BackendRequestInvalid", r.headers().firstValue("X-Reason").orElse(""));
        assertEquals(List.of(), backend.received(), "the backend received no request");
    }

    /** A backend URL whose port is out of range (set-backend-service accepts it) is refused as an invalid request. */
    @Test
    void portOutOfRangeGivesApim500() throws Exception {
        start(r -> Reply.keep("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
              "<set-backend-service base-url=\"http://127.0.0.1:70000/base\"/>", 5);
        HttpResponse<byte[]> r = get("/raw/anything");
        assertEquals(500, r.statusCode(), text(r));
        assertTrue(text(r).matches(APIM_500), text(r));
        assertEquals("BackendRequestInvalid", r.headers().firstValue("X-Reason").orElse(""));
    }

    // ---- broken responses ----

    /** A malformed status line gives APIM's 500 at once (not after the timeout); the broken connection is not reused. */
    @Test
    void malformedStatusLineGivesApim500() throws Exception {
        List<String> malformed = List.of("HTCPCP/1.0 418 I'm a teapot", "HTTP/1.1 OK", "HTTP/1.1 2x0 Odd",
                                         "HTTP/1.1 -12 Negative", "HTTP/1.1 +99 Plus", "HTTP/1.1 2000 Four digits",
                                         "garbage");
        start(r -> r.target().startsWith("/base/bad/")
                ? Reply.keep(malformed.get(Integer.parseInt(r.target().substring(10))) + "\r\n\r\n")
                : Reply.keep("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        for (int i = 0; i < malformed.size(); i++) {
            HttpResponse<byte[]> r = get("/raw/bad/" + i);
            assertEquals(500, r.statusCode(), malformed.get(i) + ": " + text(r));
            assertTrue(text(r).matches(APIM_500), text(r));
            assertEquals("BackendConnectionFailure", r.headers().firstValue("X-Reason").orElse(""), malformed.get(i));
        }
        assertEquals("ok", text(get("/raw/after")));
        assertEquals(malformed.size() + 1, backend.accepted(), "each broken connection was closed");
    }

    /** A body shorter than its Content-Length (backend closes early) is an error for the caller, never a full 200. */
    @Test
    void truncatedBodyIsAnErrorNotAHang() throws Exception {
        byte[] partial = new byte[70_000];
        new Random(5).nextBytes(partial);
        ByteArrayOutputStream largeWire = new ByteArrayOutputStream();
        largeWire.writeBytes(ascii("HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n"));
        largeWire.writeBytes(partial);
        start(r -> r.target().endsWith("small")
                ? Reply.close("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
                : Reply.close(largeWire.toByteArray()));
        // Nothing was sent yet when a small body fails: APIM's 500 body. A large one is streamed: the caller's
        // connection is cut short, so its client sees the truncation too.
        HttpResponse<byte[]> small = get("/raw/small");
        assertEquals(500, small.statusCode(), text(small));
        assertTrue(text(small).matches(APIM_500), text(small));
        String large = outcome("/raw/large");
        assertTrue(large.startsWith("a broken response"), large);
    }

    /**
     * A backend that takes the request head and then reads none of a streamed upload is cut off after the
     * forward-request timeout (a socket write has no timeout of its own), not waited on forever.
     */
    @Test
    void uploadToABackendThatStopsReadingIsCutOffByTheTimeout() throws Exception {
        try (ServerSocket stuck = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch headRead = new CountDownLatch(1);
            CountDownLatch droppedByGateway = new CountDownLatch(1);
            threads.submit(() -> {
                try (Socket s = stuck.accept()) {
                    InputStream in = s.getInputStream();
                    int state = 0;
                    while (state < 4) { // read exactly the head, up to CRLF CRLF, and then nothing more
                        int b = in.read();
                        if (b < 0) {
                            return null;
                        }
                        state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : 0;
                    }
                    headRead.countDown();
                    // Hold the connection, unread, until the gateway closes it: then the peer's writes fail.
                    s.setSoTimeout(30_000);
                    OutputStream probe = s.getOutputStream();
                    try {
                        while (true) {
                            probe.write(' '); // a probe: fails once the gateway has closed the connection
                            probe.flush();
                            Thread.sleep(200);
                        }
                    } catch (IOException closed) {
                        droppedByGateway.countDown();
                    }
                }
                return null;
            });
            String policy = "<policies><inbound/><backend><forward-request timeout=\"1\"/></backend><outbound/>"
                    + "<on-error><set-header name=\"X-Reason\" exists-action=\"override\">"
                    + "<value>@(context.LastError.Reason)</value></set-header></on-error></policies>";
            new TestFolder(dir)
                    .api("stuck", "stuck", "http://127.0.0.1:" + stuck.getLocalPort(), false, "PUT /{*rest}")
                    .write("apis/stuck/policy.xml", policy);
            gateway = new TestFolder(dir).gateway(Map.of()).start("127.0.0.1", 0);
            uri = URI.create("http://127.0.0.1:" + gateway.port());
            // 256 MiB of unknown length: far more than the loopback socket buffers hold, so the gateway's write blocks.
            long size = 256L * 1024 * 1024;
            InputStream endless = new InputStream() {
                private long left = size;

                @Override
                public int read() {
                    return left-- > 0 ? 'x' : -1;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = (int) Math.min(len, left);
                    Arrays.fill(b, off, off + n, (byte) 'x');
                    left -= n;
                    return n;
                }
            };
            String outcome;
            try {
                HttpResponse<byte[]> r = send(request("/stuck/upload")
                                                      .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> endless)));
                outcome = r.statusCode() + " " + r.headers().firstValue("X-Reason").orElse("");
            } catch (HttpTimeoutException e) {
                outcome = "a hang";
            } catch (IOException e) {
                outcome = "a broken response"; // the gateway may close the caller's connection with the upload unread
            }
            assertTrue(headRead.await(10, TimeUnit.SECONDS), "the backend got the request head");
            assertTrue(outcome.equals("500 Timeout") || outcome.equals("a broken response"), outcome);
            assertTrue(droppedByGateway.await(20, TimeUnit.SECONDS), "the gateway closed the stalled backend connection");
        }
    }

    /** Calls the gateway and says what the caller saw: a status and body length, a hang or a broken response. */
    private String outcome(String path) throws InterruptedException {
        try {
            HttpResponse<byte[]> r = send(request(path).GET());
            return r.statusCode() + " with " + r.body().length + " bytes";
        } catch (HttpTimeoutException e) {
            return "a hang (" + e.getMessage() + ")";
        } catch (IOException e) {
            return "a broken response (" + e.getMessage() + ")";
        }
    }

    // ---- calling the gateway ----

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri.resolve(path)).timeout(CALL_TIMEOUT);
    }

    private HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder builder) throws IOException, InterruptedException {
        return client.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends one raw request to the gateway and reads the response head and its Content-Length body. */
    private String callRaw(String request) throws IOException {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout((int) CALL_TIMEOUT.toMillis());
            socket.getOutputStream().write(ascii(request));
            socket.getOutputStream().flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String head = readHead(in);
            if (head == null) {
                throw new EOFException("the gateway closed the connection without a response");
            }
            List<String> length = headerValues(List.of(head.split("\r\n")), "Content-Length");
            int n = length.isEmpty() ? 0 : Integer.parseInt(length.getFirst());
            return head + "\r\n\r\n" + new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
        }
    }

    private static List<String> headerValues(List<String> lines, String name) {
        List<String> values = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                values.add(line.substring(colon + 1).strip());
            }
        }
        return values;
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void await(CountDownLatch latch, String what) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("waited 10 s for " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Reads up to and without the blank line that ends a head; null if the stream ends before its first byte. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                if (head.isEmpty()) {
                    return null;
                }
                throw new EOFException("the stream ended in a head: " + head);
            }
            head.append((char) b);
        }
        return head.substring(0, head.length() - 4);
    }

    // ---- the scripted backend ----

    /**
     * What the backend read for one request: its number (from 0, over all connections), the connection it came on
     * (from 1), the request line, the header lines as sent, and the body (de-chunked when it was chunked).
     */
    record Received(int index, int connection, String requestLine, List<String> headerLines, byte[] body) {

        String method() {
            return requestLine.substring(0, requestLine.indexOf(' '));
        }

        /** The path and query of the request line. */
        String target() {
            int start = requestLine.indexOf(' ') + 1;
            int end = requestLine.lastIndexOf(' ');
            String t = end < start ? requestLine.substring(start) : requestLine.substring(start, end);
            int q = t.indexOf('?');
            return q < 0 ? t : t.substring(0, q);
        }

        /** The values of the header lines with this name, one per line, in order. */
        List<String> values(String name) {
            List<String> lines = new ArrayList<>();
            lines.add(requestLine);
            lines.addAll(headerLines);
            return headerValues(lines, name);
        }
    }

    /** The bytes to answer one request with, and what to do with the connection afterwards. */
    record Reply(byte[] bytes, After after, byte[] stray) {

        static Reply keep(String s) {
            return keep(ascii(s));
        }

        static Reply keep(byte[] bytes) {
            return new Reply(bytes, After.KEEP_OPEN, new byte[0]);
        }

        static Reply close(String s) {
            return close(ascii(s));
        }

        static Reply close(byte[] bytes) {
            return new Reply(bytes, After.CLOSE, new byte[0]);
        }

        /** Answers nothing and holds the connection until the gateway drops it. */
        static Reply hang() {
            return new Reply(new byte[0], After.HANG, new byte[0]);
        }

        /** Answers, then sends {@code stray} on the idle connection when the test says so. */
        static Reply thenStray(String s, String stray) {
            return new Reply(ascii(s), After.STRAY, ascii(stray));
        }
    }

    /** What the backend does with a connection after writing a reply. */
    enum After {
        /** Waits for the next request. */
        KEEP_OPEN,
        /** Closes it, without having said so in the response. */
        CLOSE,
        /** Reads and discards until the gateway closes it. */
        HANG,
        /** Writes the reply's stray bytes once {@link RawBackend#sendStray()} is called, then waits for a request. */
        STRAY
    }

    /**
     * An HTTP/1.1 backend on a raw loopback socket: each connection is served by a virtual thread that reads request
     * heads and bodies (Content-Length or chunked) and writes the scripted bytes, so wire-level behaviour is visible.
     */
    private static final class RawBackend implements AutoCloseable {

        private final ServerSocket server;
        private final Function<Received, Reply> script;
        private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private final AtomicInteger accepted = new AtomicInteger();
        private final AtomicInteger requests = new AtomicInteger();
        private final List<Received> received = new CopyOnWriteArrayList<>();
        private final CountDownLatch strayGate = new CountDownLatch(1);
        private final CountDownLatch strayWritten = new CountDownLatch(1);

        RawBackend(Function<Received, Reply> script) throws IOException {
            this.script = script;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            threads.submit(this::acceptLoop);
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        List<Received> received() {
            return List.copyOf(received);
        }

        /** Lets a {@link After#STRAY} reply write its stray bytes, and waits until they are written. */
        void sendStray() {
            strayGate.countDown();
            await(strayWritten, "the stray bytes to be written");
        }

        /** The connection each request came on, in request order. */
        List<Integer> connections() {
            return received.stream().map(Received::connection).toList();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException e) {
                    return; // closed at the end of the test
                }
                int connection = accepted.incrementAndGet();
                open.add(socket);
                threads.submit(() -> serve(socket, connection));
            }
        }

        private void serve(Socket socket, int connection) {
            try (socket) {
                socket.setSoTimeout(30_000);
                InputStream in = new BufferedInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                while (true) {
                    String head = readHead(in);
                    if (head == null) {
                        return;
                    }
                    Received r = read(connection, head, in);
                    received.add(r);
                    Reply reply = script.apply(r);
                    out.write(reply.bytes());
                    out.flush();
                    if (reply.after() == After.CLOSE) {
                        return;
                    }
                    if (reply.after() == After.HANG) {
                        in.transferTo(OutputStream.nullOutputStream());
                        return;
                    }
                    if (reply.after() == After.STRAY) {
                        await(strayGate, "the test to ask for the stray bytes");
                        out.write(reply.stray());
                        out.flush();
                        strayWritten.countDown();
                    }
                }
            } catch (IOException e) {
                // the gateway dropped the connection or the test closed it: nothing left to serve on it
            } finally {
                open.remove(socket);
            }
        }

        private Received read(int connection, String head, InputStream in) throws IOException {
            List<String> lines = List.of(head.split("\r\n"));
            Received r = new Received(requests.getAndIncrement(), connection, lines.getFirst(),
                                      lines.subList(1, lines.size()), new byte[0]);
            List<String> length = r.values("Content-Length");
            byte[] body;
            if (r.values("Transfer-Encoding").contains("chunked")) {
                body = dechunk(in);
            } else if (!length.isEmpty()) {
                body = in.readNBytes(Integer.parseInt(length.getFirst()));
            } else {
                body = new byte[0];
            }
            return new Received(r.index(), connection, r.requestLine(), r.headerLines(), body);
        }

        private static byte[] dechunk(InputStream in) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = line(in);
                int semicolon = sizeLine.indexOf(';');
                int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
                if (size == 0) {
                    String trailer;
                    do {
                        trailer = line(in); // trailer fields, if any, up to the blank line
                    } while (!trailer.isEmpty());
                    return body.toByteArray();
                }
                byte[] chunk = in.readNBytes(size);
                if (chunk.length != size || !line(in).isEmpty()) {
                    throw new IOException("malformed chunk from the gateway");
                }
                body.writeBytes(chunk);
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new EOFException("the gateway closed the connection in a chunked body");
                }
                line.append((char) b);
            }
            int n = line.length();
            return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            for (Socket socket : open) {
                try {
                    socket.close();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            threads.shutdownNow();
            try {
                if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the backend's connection threads did not end");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
