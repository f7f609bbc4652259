package io.gatehouse.policy.spi;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One exchange as a policy sees it: the request, the response, the variables, and read-only facts about where
 * the request was routed. This is APIM's {@code context} object.
 *
 * <p>An exchange is used by one request at a time, from one virtual thread; it is not thread-safe.
 */
public interface PolicyContext {

    /**
     * The request; policies in {@code inbound} and {@code backend} edit it before it is forwarded.
     *
     * @return the request
     */
    Request request();

    /**
     * The response; set by the backend call, by {@code return-response} and friends, or by an error.
     *
     * @return the response
     */
    Response response();

    /**
     * The exchange's variables ({@code context.Variables}).
     *
     * @return the variables
     */
    Variables variables();

    /**
     * The API the request was routed to.
     *
     * @return the API
     */
    ApiInfo api();

    /**
     * The operation the request was matched to.
     *
     * @return the operation
     */
    OperationInfo operation();

    /**
     * The product the request runs in, if any. As APIM, a request runs in a product context when its subscription
     * is scoped to a product, or when it came without a key to an API in an open product.
     *
     * @return the product, or empty
     */
    Optional<ProductInfo> product();

    /**
     * The subscription that authorised the request. Its keys are never exposed.
     *
     * @return the subscription, or empty for an anonymous request
     */
    Optional<SubscriptionInfo> subscription();

    /**
     * The request id ({@code context.RequestId}), a GUID unique per exchange; also the {@code activityId} of
     * error bodies.
     *
     * @return the request id
     */
    String requestId();

    /**
     * Where the gateway runs ({@code context.Deployment}).
     *
     * @return gateway id, node id and region
     */
    Deployment deployment();

    /**
     * The error that sent the exchange to {@code on-error} ({@code context.LastError}).
     *
     * @return the error; empty outside {@code on-error}
     */
    Optional<LastError> lastError();

    /**
     * When the gateway received the request ({@code context.Timestamp}).
     *
     * @return the instant
     */
    Instant timestamp();

    /**
     * Time since the request was received ({@code context.Elapsed}).
     *
     * @return the elapsed time
     */
    Duration elapsed();

    /**
     * The base URL requests are forwarded to: the API's {@code serviceUrl} unless a policy changed it.
     *
     * @return the backend base URL
     */
    URI backendUrl();

    /**
     * Changes the base URL requests are forwarded to ({@code set-backend-service}).
     *
     * @param baseUrl the new base URL, absolute, {@code http} or {@code https}
     */
    void setBackendUrl(URI baseUrl);

    /**
     * Sends the current request to the backend and makes its answer the current {@link #response()}. The response
     * body is streamed: it is not read unless a policy reads it.
     *
     * @param options how to forward
     * @throws PolicyException with reason {@code BackendConnectionFailure} when the backend cannot be reached, or
     *                         {@code Timeout} when it does not answer within {@link ForwardOptions#timeout()}
     */
    void forward(ForwardOptions options) throws PolicyException;

    /**
     * Services shared by all exchanges of this gateway node: counters and the clock.
     *
     * @return the services
     */
    PolicyServices services();

    /**
     * Records a trace message on the exchange's span and in the log ({@code trace} policy).
     *
     * @param source   who traces, such as the policy or API name
     * @param severity how important
     * @param message  the message; never a secret
     */
    void trace(String source, TraceSeverity severity, String message);

    /**
     * Sends a request of the policy's own and waits for the answer, as APIM's {@code send-request}: the answer is
     * returned whatever its status (a 404 or a 500 from the other side is an answer, not a failure). The body is read
     * whole, up to the gateway's buffering limit.
     *
     * @param request what to send
     * @return the answer; a response of its own, not the exchange's
     * @throws PolicyException {@code SendRequestFailure} if the other side cannot be reached, does not answer
     *                         within the request's timeout, or sends a body over the buffering limit
     * @since SPI 1.2
     */
    default Response send(OutboundRequest request) throws PolicyException {
        throw PolicyException.internal("SendRequestFailure", "this gateway cannot send requests from policies");
    }

    /**
     * Sends later backend calls to a backend entity of the configuration's {@code backends/} folder
     * ({@code set-backend-service backend-id}), as APIM: the entity is resolved on each {@link #forward}, so a pool
     * picks a member per call, and the entity's credentials are added to the request. {@link #backendUrl()} gives the
     * entity's URL (for a pool, its first member's) until a call is forwarded; {@link #setBackendUrl} undoes it.
     *
     * @param backendId the backend's id, one {@link CompileContext#hasBackend} accepted
     * @throws PolicyException if this context cannot forward to backend entities
     * @since SPI 1.2
     */
    default void setBackend(String backendId) throws PolicyException {
        throw PolicyException.internal("BackendConnectionFailure", "this gateway cannot forward to backend entities");
    }

    /**
     * Emits a custom metric, as APIM's {@code emit-metric}: the gateway adds it to its metrics (Prometheus,
     * OpenTelemetry, Application Insights). Never blocks on an exporter.
     *
     * @param metric the metric
     * @since SPI 1.2
     */
    default void emitMetric(CustomMetric metric) {
        // A context without metrics drops it.
    }
}
