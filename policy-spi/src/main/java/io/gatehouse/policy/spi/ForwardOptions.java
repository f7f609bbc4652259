package io.gatehouse.policy.spi;

import java.time.Duration;

/**
 * How {@link PolicyContext#forward} sends the request, as the attributes of APIM's {@code forward-request}.
 *
 * @param timeout         how long to wait for the backend's response headers; honoured exactly, with no hidden cap
 * @param followRedirects whether to follow 3xx responses instead of passing them to the caller
 * @param bufferRequest   whether to buffer the request body first, so the request can be sent again by
 *                        {@code retry}
 */
public record ForwardOptions(Duration timeout, boolean followRedirects, boolean bufferRequest) {

    /** APIM's default: 300 seconds, redirects passed through, body streamed. */
    public static final ForwardOptions DEFAULT = new ForwardOptions(Duration.ofSeconds(300), false, false);

    /**
     * Creates options.
     *
     * @param timeout         positive timeout
     * @param followRedirects whether to follow redirects
     * @param bufferRequest   whether to buffer the request body
     */
    public ForwardOptions {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
    }
}
