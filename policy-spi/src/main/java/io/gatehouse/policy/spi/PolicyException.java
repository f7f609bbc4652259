package io.gatehouse.policy.spi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A policy failed at run time. The rest of the pipeline is skipped and {@code on-error} runs with
 * {@code context.LastError} holding the {@link #reason()} and {@link #getMessage() message}, as APIM.
 *
 * <p>The exception also carries the response the caller gets if {@code on-error} does not replace it. There are two
 * kinds:
 * <ul>
 *     <li>{@link #clientError(String, String, int)}: the caller is told what happened, in APIM's body
 *     {@code { "statusCode": 429, "message": "Rate limit is exceeded. Try again in 5 seconds." }};</li>
 *     <li>{@link #internal(String, String)}: the caller gets APIM's generic
 *     {@code { "statusCode": 500, "message": "Internal server error", "activityId": "..." }} and the detail stays
 *     in {@code LastError} and the logs.</li>
 * </ul>
 * Never put a secret (a key, a token, a named value marked secret) in the message.
 */
public class PolicyException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final int statusCode;
    private final boolean clientVisible;
    private final Map<String, String> headers = new LinkedHashMap<>();

    /**
     * Creates an exception; prefer the factories {@link #clientError} and {@link #internal}.
     *
     * @param reason        APIM-style reason code, such as {@code RateLimitExceeded}
     * @param message       human-readable message
     * @param statusCode    status of the default error response
     * @param clientVisible whether the default error response shows {@code message} to the caller
     * @param cause         underlying failure, or {@code null}
     */
    protected PolicyException(String reason, String message, int statusCode, boolean clientVisible, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        if (statusCode < 100 || statusCode > 599) {
            throw new IllegalArgumentException("status code out of range: " + statusCode);
        }
        this.statusCode = statusCode;
        this.clientVisible = clientVisible;
    }

    /**
     * A failure the caller is told about, with its own status code (for example {@code check-header}'s
     * {@code failed-check-httpcode}).
     *
     * @param reason     APIM-style reason code, such as {@code HeaderNotFound}
     * @param message    message shown to the caller and kept in {@code LastError.Message}
     * @param statusCode status code of the response
     * @return the exception, to throw
     */
    public static PolicyException clientError(String reason, String message, int statusCode) {
        return new PolicyException(reason, message, statusCode, true, null);
    }

    /**
     * An internal failure: the caller gets APIM's 500 {@code Internal server error} body; the message stays in
     * {@code LastError.Message} and the logs.
     *
     * @param reason  APIM-style reason code, such as {@code ExpressionValueEvaluationFailure}
     * @param message what failed, for operators
     * @return the exception, to throw
     */
    public static PolicyException internal(String reason, String message) {
        return new PolicyException(reason, message, 500, false, null);
    }

    /**
     * An internal failure with its cause.
     *
     * @param reason  APIM-style reason code
     * @param message what failed, for operators
     * @param cause   the underlying exception
     * @return the exception, to throw
     */
    public static PolicyException internal(String reason, String message, Throwable cause) {
        return new PolicyException(reason, message, 500, false, cause);
    }

    /**
     * Adds a header to the default error response, such as {@code Retry-After}.
     *
     * @param name  header name
     * @param value header value
     * @return this exception
     */
    public PolicyException withHeader(String name, String value) {
        headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * The APIM-style reason code, exposed as {@code context.LastError.Reason}.
     *
     * @return the reason
     */
    public String reason() {
        return reason;
    }

    /**
     * Status code of the default error response.
     *
     * @return the status code
     */
    public int statusCode() {
        return statusCode;
    }

    /**
     * Whether the default error response shows {@link #getMessage()} to the caller.
     *
     * @return {@code true} for {@link #clientError}, {@code false} for {@link #internal}
     */
    public boolean clientVisible() {
        return clientVisible;
    }

    /**
     * Headers of the default error response.
     *
     * @return an unmodifiable view, in insertion order
     */
    public Map<String, String> headers() {
        return Map.copyOf(headers);
    }
}
