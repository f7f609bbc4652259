package io.gatehouse.policy.spi;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A request a policy sends itself, beside the backend call, as APIM's {@code send-request}: see
 * {@link PolicyContext#send(OutboundRequest)}.
 *
 * @param method  the HTTP method, upper case
 * @param url     an absolute {@code http} or {@code https} URL
 * @param headers the headers, in order; each name once, with its values
 * @param body    the body, empty for none
 * @param timeout how long to wait for the whole answer
 * @since SPI 1.2
 */
public record OutboundRequest(String method, URI url, Map<String, List<String>> headers, byte[] body,
                              Duration timeout) {

    /**
     * Validates and copies, so a request is immutable.
     */
    public OutboundRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        if (!url.isAbsolute() || !("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme()))) {
            throw new IllegalArgumentException("not an absolute http(s) URL: " + url.getScheme() + "://" + url.getHost());
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        headers = Collections.unmodifiableMap(copy);
        body = body.clone();
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    /**
     * The body; a copy, as arrays cannot be made read-only.
     *
     * @return the body's bytes
     */
    @Override
    public byte[] body() {
        return body.clone();
    }
}
