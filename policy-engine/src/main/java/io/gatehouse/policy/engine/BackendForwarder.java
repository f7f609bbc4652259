package io.gatehouse.policy.engine;

import io.gatehouse.policy.spi.ForwardOptions;
import io.gatehouse.policy.spi.PolicyException;

/**
 * Sends the exchange's request to its backend and puts the backend's answer into the exchange's response. The
 * gateway implements it with its HTTP client; {@code forward-request} calls it through
 * {@link io.gatehouse.policy.spi.PolicyContext#forward(ForwardOptions)}.
 */
@FunctionalInterface
public interface BackendForwarder {

    /**
     * Forwards the request.
     *
     * @param exchange the exchange: its request is sent, its response is replaced by the backend's
     * @param target   the backend base URL, and the raw path within the API and query to send it
     * @param options  timeout, redirects, buffering
     * @throws PolicyException {@code BackendConnectionFailure} if the backend cannot be reached or times out
     */
    void forward(Exchange exchange, BackendTarget target, ForwardOptions options) throws PolicyException;
}
