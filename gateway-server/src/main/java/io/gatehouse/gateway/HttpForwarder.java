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
import io.gatehouse.policy.engine.Exchange;
import io.gatehouse.policy.engine.MessageBody;
import io.gatehouse.policy.spi.ForwardOptions;
import io.gatehouse.policy.spi.PolicyException;

/**
 * Calls backends with Helidon's WebClient, set up as a proxy needs it: redirects passed through (unless a policy
 * asks to follow them), no system proxy, no {@code Expect: 100-continue}, pooled keep-alive connections, the raw
 * path and query sent byte for byte, and bodies streamed both ways unless a policy buffered them.
 */
final class HttpForwarder implements BackendForwarder {

    private static final System.Logger LOGGER = System.getLogger(HttpForwarder.class.getName());

    private final WebClient client;
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
        this.proxyErrors = proxyErrors;
    }

    @Override
    public void forward(Exchange exchange, URI target, ForwardOptions options) throws PolicyException {
        String method = exchange.request().method();
        HttpClientRequest request = client.method(Method.create(method))
                .skipUriEncoding(true)
                .uri(target.toString())
                .followRedirects(options.followRedirects())
                .readTimeout(options.timeout());
        // The caller's hop-by-hop headers were dropped on the way in; this catches any a policy added (Host, say).
        Set<String> hopByHop = HopByHop.of(List.of());
        for (String name : exchange.request().headers().names()) {
            if (!hopByHop.contains(name.toLowerCase(Locale.ROOT))) {
                request.header(HeaderValues.create(HeaderNames.create(name), exchange.request().headers().all(name)));
            }
        }
        // The backend call's own span; with telemetry on, its traceparent replaces the caller's.
        RequestObserver.BackendCall call = observer.backendCall(method, target,
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
        List<String> connection = new ArrayList<>();
        response.headers().value(HeaderNames.CONNECTION).ifPresent(connection::add);
        Set<String> drop = HopByHop.of(connection);
        for (Header h : response.headers()) {
            if (!drop.contains(h.name().toLowerCase(Locale.ROOT))) {
                for (String v : h.allValues()) {
                    exchange.response().headers().add(h.name(), v);
                }
            }
        }
        exchange.pinnedResponseHeaders().forEach((name, values) -> exchange.response().headers().set(name, values));
        boolean bodiless = method.equals("HEAD") || status == 204 || status == 304 || status < 200;
        OptionalLong length = response.headers().contentLength();
        if (bodiless) {
            length.ifPresent(n -> exchange.response().headers().set("Content-Length", Long.toString(n)));
            exchange.responseBody(MessageBody.empty(exchange.maxBufferedBody()));
        } else {
            exchange.responseBody(MessageBody.streaming(response.inputStream(), length.orElse(-1),
                                                        exchange.maxBufferedBody()));
        }
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

    private PolicyException failure(URI target, RuntimeException e) {
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
