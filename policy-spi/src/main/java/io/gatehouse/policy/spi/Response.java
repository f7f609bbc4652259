package io.gatehouse.policy.spi;

/**
 * The response of an exchange ({@code context.Response}).
 */
public interface Response {

    /**
     * The status code; 200 until a backend call or a policy sets it.
     *
     * @return the status code
     */
    int statusCode();

    /**
     * The reason phrase.
     *
     * @return the reason phrase, possibly empty
     */
    String statusReason();

    /**
     * Sets the status ({@code set-status}).
     *
     * @param code   status code, 100 to 599
     * @param reason reason phrase, possibly empty
     */
    void setStatus(int code, String reason);

    /**
     * The response headers; names are case-insensitive.
     *
     * @return the headers, mutable
     */
    NameValues headers();

    /**
     * The response body; streamed from the backend unless a policy reads or replaces it.
     *
     * @return the body
     */
    Body body();
}
