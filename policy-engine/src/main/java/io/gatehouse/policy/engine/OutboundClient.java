package io.gatehouse.policy.engine;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

import io.gatehouse.policy.spi.OutboundRequest;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Response;

/**
 * Sends the requests policies make of their own ({@code send-request}) with the JDK's HTTP client: HTTP/1.1, no
 * redirects followed (the policy sees a 302 as an answer, as APIM), no proxy unless the JVM is told of one.
 *
 * <p>Headers the HTTP layer owns ({@code Host}, {@code Content-Length}, {@code Connection} and the other hop-by-hop
 * headers) are not sent as given: a {@code mode="copy"} request carries the caller's, which describe the caller's
 * connection, not this one.
 */
final class OutboundClient {

    static final OutboundClient SHARED = new OutboundClient();

    private static final Set<String> NOT_SENT = Set.of("host", "content-length", "connection", "keep-alive", "expect",
            "upgrade", "te", "trailer", "transfer-encoding", "proxy-connection", "proxy-authenticate",
            "proxy-authorization", "http2-settings");

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private OutboundClient() {
    }

    /**
     * Sends a request and reads the whole answer.
     *
     * @param request     what to send
     * @param maxBuffered the largest answer body to read
     * @return the answer
     * @throws PolicyException {@code SendRequestFailure} when there is no answer in time, or it is too large
     */
    Response send(OutboundRequest request, long maxBuffered) throws PolicyException {
        HttpRequest.Builder http = HttpRequest.newBuilder(request.url()).timeout(request.timeout());
        byte[] body = request.body();
        http.method(request.method(), body.length == 0 && !"POST".equals(request.method()) && !"PUT".equals(request.method())
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        request.headers().forEach((name, values) -> {
            if (!NOT_SENT.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> http.header(name, v));
            }
        });
        String where = origin(request.url());
        try {
            HttpResponse<InputStream> answer = client.send(http.build(), HttpResponse.BodyHandlers.ofInputStream());
            byte[] bytes;
            try (InputStream in = answer.body()) {
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBuffered + 1));
            }
            if (bytes.length > maxBuffered) {
                throw PolicyException.internal("SendRequestFailure", "the answer of " + where + " is larger than "
                        + maxBuffered + " bytes (policy.max-buffered-body-bytes)");
            }
            MessageResponse response = new MessageResponse(answer.statusCode(),
                    ApimErrors.reasonPhrase(answer.statusCode()), maxBuffered);
            answer.headers().map().forEach((name, values) -> {
                if (!name.startsWith(":")) {
                    response.headers.set(name, values);
                }
            });
            response.body.set(bytes);
            return response;
        } catch (HttpTimeoutException e) {
            throw PolicyException.internal("SendRequestFailure", "no answer from " + where + " within "
                    + request.timeout().toSeconds() + " s", e);
        } catch (IOException e) {
            throw PolicyException.internal("SendRequestFailure", "cannot reach " + where + ": " + e, e);
        } catch (IllegalArgumentException e) {
            throw PolicyException.internal("SendRequestFailure", "cannot send to " + where + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PolicyException.internal("SendRequestFailure", "interrupted while waiting for " + where, e);
        }
    }

    /** Scheme, host and port only: a URL's path and query may carry what a log must not. */
    private static String origin(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }
}
