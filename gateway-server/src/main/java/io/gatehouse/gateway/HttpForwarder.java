package io.gatehouse.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.WebClient;

import io.gatehouse.policy.engine.BackendForwarder;
import io.gatehouse.policy.engine.BackendTarget;
import io.gatehouse.policy.engine.Exchange;
import io.gatehouse.policy.engine.MessageBody;
import io.gatehouse.policy.spi.ForwardOptions;
import io.gatehouse.policy.spi.NameValues;
import io.gatehouse.policy.spi.PolicyException;

/**
 * Calls backends. Plain-HTTP backends, the usual case for a gateway that runs next to them, go over our own pooled
 * HTTP/1.1 connections ({@link BackendPool}, {@link BackendConnection}): the request head is written in one piece
 * and the response parsed from one buffer, which costs a fraction of a general-purpose client's per-request work
 * (its protocol discovery, client services, URI resolution and header objects were half of the gateway's CPU in the
 * profile of {@code ./gatehouse bench}). HTTPS backends and {@code forward-request follow-redirects="true"} go through
 * Helidon's WebClient, which owns TLS and redirects, set up as a proxy needs it: no system proxy, no
 * {@code Expect: 100-continue}, pooled keep-alive connections. Both send the raw path and query byte for byte and
 * stream bodies both ways unless a policy buffered them.
 */
final class HttpForwarder implements BackendForwarder, AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(HttpForwarder.class.getName());

    /** Methods whose repetition has no further effect (RFC 9110 §9.2.2): safe to resend on a new connection. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
    /** Methods whose requests carry content, so an empty one says {@code Content-Length: 0}. */
    private static final Set<String> BODY_EXPECTED = Set.of("POST", "PUT", "PATCH");

    private final WebClient client;
    private final BackendPool pool;
    private final boolean proxyErrors;
    private final RequestObserver observer;

    HttpForwarder(Duration connectTimeout, boolean proxyErrors, RequestObserver observer) {
        this.observer = observer;
        this.client = WebClient.builder()
                .followRedirects(false)
                .proxy(Proxy.noProxy())
                .sendExpectContinue(false)
                .keepAlive(true)
                .connectionCacheSize(256)
                .shareConnectionCache(false)
                .connectTimeout(connectTimeout)
                .build();
        this.pool = new BackendPool(connectTimeout, 256);
        this.proxyErrors = proxyErrors;
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public void forward(Exchange exchange, BackendTarget target, ForwardOptions options) throws PolicyException {
        if ("http".equalsIgnoreCase(target.base().getScheme()) && !options.followRedirects()) {
            forwardPlain(exchange, target, options);
        } else {
            forwardWithWebClient(exchange, target, options);
        }
    }

    /** Plain HTTP without redirects, the common case next to a backend: our pooled HTTP/1.1 connections. */
    private void forwardPlain(Exchange exchange, BackendTarget target, ForwardOptions options) throws PolicyException {
        String method = exchange.request().method();
        URI base = target.base();
        String host = base.getHost();
        int port = base.getPort() > 0 ? base.getPort() : 80;
        String authority = base.getRawAuthority();
        if (host == null || authority == null) {
            throw PolicyException.internal("BackendConnectionFailure", "backend URL has no host: " + base);
        }
        if (authority.indexOf('@') >= 0) {
            authority = authority.substring(authority.indexOf('@') + 1);
        }
        String requestTarget = target.requestTarget();
        List<String> propagation = new ArrayList<>(2);
        RequestObserver.BackendCall call = observer.backendCall(method, target, (carrier, key, value) -> {
            propagation.add(key);
            propagation.add(value);
        });
        MessageBody body = exchange.requestBody();
        // A body already in memory (or none) can be sent again; a streamed one cannot once it was read.
        boolean replayable = !body.isPresent() || body.isBuffered() || options.bufferRequest();
        byte[] bytes = body.isPresent() && replayable ? body.bytes(true) : null;
        int timeout = (int) Math.min(Integer.MAX_VALUE, Math.max(1, options.timeout().toMillis()));
        BackendConnection connection = null;
        BackendConnection.ResponseHead head;
        try {
            connection = pool.acquire(host, port);
            while (true) {
                try {
                    connection.begin(timeout);
                    writeRequest(connection, exchange, method, requestTarget, authority, propagation, body, bytes);
                    head = connection.readHead();
                    break;
                } catch (IOException e) {
                    connection.close();
                    // A pooled connection the backend closed while it was idle fails before any response byte: send
                    // the request again on a new connection, once, if that cannot repeat an effect (RFC 9110 §9.2.2).
                    // A timeout is not that: the backend has the request and is slow, and the timeout is the caller's.
                    if (connection.reused() && !connection.received() && !(e instanceof SocketTimeoutException)
                            && replayable && IDEMPOTENT.contains(method)) {
                        connection = pool.fresh(connection.origin());
                        continue;
                    }
                    throw e;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            if (connection != null) {
                connection.close();
            }
            call.end(-1, Optional.of(e));
            throw failure(base, e);
        } catch (IllegalArgumentException e) {
            if (connection != null) {
                connection.close(); // null when connecting refused the address itself (a port out of range)
            }
            call.end(-1, Optional.of(e));
            throw PolicyException.internal("BackendRequestInvalid", "the request for the backend is invalid: "
                    + e.getMessage(), e);
        }
        int status = head.status();
        call.end(status, Optional.empty());
        boolean bodiless = isBodiless(method, status);
        InputStream responseBody = connection.body(head, bodiless);
        exchange.onClose(responseBody);
        exchange.resetResponse();
        exchange.response().setStatus(status, head.reason());
        List<String> names = head.names();
        List<String> values = head.values();
        List<String> connectionValues = List.of();
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase("connection")) {
                if (connectionValues.isEmpty()) {
                    connectionValues = new ArrayList<>(1);
                }
                connectionValues.add(values.get(i));
            }
        }
        HopByHop drop = HopByHop.of(connectionValues);
        NameValues responseHeaders = exchange.response().headers();
        for (int i = 0; i < names.size(); i++) {
            if (!drop.drops(names.get(i))) {
                responseHeaders.add(names.get(i), values.get(i));
            }
        }
        takeBody(exchange, status, bodiless, head.contentLength(), responseBody);
    }

    private static boolean isBodiless(String method, int status) {
        return method.equals("HEAD") || status == 204 || status == 304 || status < 200;
    }

    /**
     * The end of taking a backend's response, once its headers are in: the headers policies set before the call
     * win, and the body is the backend's stream, or nothing (with the length a HEAD would have had, if stated).
     */
    private static void takeBody(Exchange exchange, int status, boolean bodiless, long contentLength, InputStream body) {
        NameValues responseHeaders = exchange.response().headers();
        exchange.pinnedResponseHeaders().forEach(responseHeaders::set);
        if (bodiless) {
            if (contentLength >= 0 && statesLength(status)) {
                responseHeaders.set("Content-Length", Long.toString(contentLength));
            }
            exchange.responseBody(MessageBody.empty(exchange.maxBufferedBody()));
        } else {
            exchange.responseBody(MessageBody.streaming(body, contentLength, exchange.maxBufferedBody()));
        }
    }

    private static void writeRequest(BackendConnection connection, Exchange exchange, String method, String requestTarget,
                                     String authority, List<String> propagation, MessageBody body, byte[] bytes)
            throws IOException {
        connection.startHead(method, requestTarget, authority);
        // The caller's hop-by-hop headers were dropped on the way in; this catches any a policy added (Host, say).
        exchange.request().headers().forEach((name, value) -> {
            if (!HopByHop.isAlways(name) && !isPropagated(propagation, name)) {
                connection.header(name, value);
            }
        });
        for (int i = 0; i < propagation.size(); i += 2) {
            connection.header(propagation.get(i), propagation.get(i + 1));
        }
        if (bytes != null) {
            connection.header("Content-Length", Integer.toString(bytes.length));
            connection.sendHead(bytes);
        } else if (!body.isPresent()) {
            if (BODY_EXPECTED.contains(method)) {
                connection.header("Content-Length", "0");
            }
            connection.sendHead(null);
        } else {
            OptionalLong length = body.length();
            InputStream in = body.stream();
            try (in) {
                if (length.isPresent()) {
                    connection.header("Content-Length", Long.toString(length.getAsLong()));
                    connection.sendHead(null);
                    connection.sendBody(in);
                } else {
                    connection.header("Transfer-Encoding", "chunked");
                    connection.sendHead(null);
                    connection.sendChunked(in);
                }
            }
        }
    }

    private static boolean isPropagated(List<String> propagation, String name) {
        for (int i = 0; i < propagation.size(); i += 2) {
            if (propagation.get(i).equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** HTTPS backends and forward-request follow-redirects="true": Helidon's WebClient (TLS, redirects). */
    private void forwardWithWebClient(Exchange exchange, BackendTarget backend, ForwardOptions options)
            throws PolicyException {
        String method = exchange.request().method();
        URI target = backend.toUri();
        HttpClientRequest request = client.method(Method.create(method))
                .skipUriEncoding(true)
                .uri(target.toString())
                .followRedirects(options.followRedirects())
                .readTimeout(options.timeout());
        // The caller's hop-by-hop headers were dropped on the way in; this catches any a policy added (Host, say).
        for (String name : exchange.request().headers().names()) {
            if (!HopByHop.isAlways(name)) {
                request.header(HeaderValues.create(HeaderNames.create(name), exchange.request().headers().all(name)));
            }
        }
        // The backend call's own span; with telemetry on, its traceparent replaces the caller's.
        RequestObserver.BackendCall call = observer.backendCall(method, backend,
                (carrier, key, value) -> request.header(HeaderNames.create(key), value));
        HttpClientResponse response;
        try {
            response = send(request, exchange.requestBody(), options);
        } catch (UncheckedIOException | IllegalStateException e) {
            call.end(-1, Optional.of(e));
            throw failure(target, e);
        } catch (RuntimeException e) {
            call.end(-1, Optional.of(e));
            if (rootCause(e) instanceof IOException) {
                throw failure(target, e);
            }
            throw e;
        }
        call.end(response.status().code(), Optional.empty());
        exchange.onClose(response);
        exchange.resetResponse();
        int status = response.status().code();
        exchange.response().setStatus(status, response.status().reasonPhrase());
        HopByHop drop = HopByHop.of(response.headers().all(HeaderNames.CONNECTION, List::of));
        for (Header h : response.headers()) {
            if (!drop.drops(h.name())) {
                for (String v : h.allValues()) {
                    exchange.response().headers().add(h.name(), v);
                }
            }
        }
        boolean bodiless = isBodiless(method, status);
        takeBody(exchange, status, bodiless, response.headers().contentLength().orElse(-1),
                 bodiless ? null : response.inputStream());
    }

    /**
     * Whether a bodiless response passes the backend's Content-Length on: a HEAD's says what a GET would send, but a
     * 204 must not have one (RFC 9110 §8.6) and Helidon answers a 304 that has one with a 500 whose head still
     * announces that length and no body, which leaves the caller waiting.
     */
    private static boolean statesLength(int status) {
        return status >= 200 && status != 204 && status != 304;
    }

    private static HttpClientResponse send(HttpClientRequest request, MessageBody body, ForwardOptions options) {
        if (!body.isPresent()) {
            return request.request();
        }
        if (body.isBuffered() || options.bufferRequest()) {
            return request.submit(body.bytes(true));
        }
        body.length().ifPresent(n -> request.header(HeaderNames.CONTENT_LENGTH, Long.toString(n)));
        InputStream in = body.stream();
        return request.outputStream(out -> {
            try (in) {
                in.transferTo(out);
            }
            out.close();
        });
    }

    private PolicyException failure(URI target, Exception e) {
        Throwable root = rootCause(e);
        boolean timeout = root instanceof SocketTimeoutException
                || root.getClass().getSimpleName().contains("Timeout")
                || String.valueOf(root.getMessage()).toLowerCase(Locale.ROOT).contains("timed out");
        String what = timeout ? "timed out" : root instanceof ConnectException ? "refused the connection"
                : root instanceof UnknownHostException ? "has an unknown host" : "failed";
        String message = "backend " + target.getScheme() + "://" + target.getRawAuthority() + " " + what + ": " + root;
        LOGGER.log(System.Logger.Level.DEBUG, message, e);
        if (proxyErrors) {
            return timeout
                    ? PolicyException.clientError("Timeout", "Gateway Timeout", 504)
                    : PolicyException.clientError("BackendConnectionFailure", "Bad Gateway", 502);
        }
        return PolicyException.internal(timeout ? "Timeout" : "BackendConnectionFailure", message, e);
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
