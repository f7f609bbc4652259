package io.gatehouse.policy.spi;

import java.util.Map;

/**
 * The request of an exchange ({@code context.Request}). Inbound policies edit it; the backend call sends it as it
 * then stands.
 */
public interface Request {

    /**
     * The HTTP method.
     *
     * @return the method, upper case
     */
    String method();

    /**
     * Changes the method ({@code set-method}).
     *
     * @param method the new method, such as {@code POST}
     */
    void setMethod(String method);

    /**
     * The request URL as it stands now ({@code context.Request.Url}): scheme, host and port as the caller used
     * them, path {@code /<api path><path within API>}, and the current query.
     *
     * @return the URL
     */
    Url url();

    /**
     * The URL as received, never changed by policies ({@code context.Request.OriginalUrl}).
     *
     * @return the URL
     */
    Url originalUrl();

    /**
     * The part of the path after the API's URL suffix, which is appended to the backend URL when forwarding. For an
     * API at {@code orders} and a request to {@code /orders/42/items}, this is {@code /42/items}.
     *
     * @return the path within the API, starting with {@code /}, raw (percent-encoded as received)
     */
    String pathWithinApi();

    /**
     * Replaces the path within the API ({@code rewrite-uri}).
     *
     * @param rawPath the new path, starting with {@code /}, percent-encoded
     */
    void setPathWithinApi(String rawPath);

    /**
     * The request headers; names are case-insensitive.
     *
     * @return the headers, mutable
     */
    NameValues headers();

    /**
     * The query parameters; names are case-sensitive. Until a policy changes them, the query is forwarded exactly
     * as received.
     *
     * @return the query parameters (decoded values), mutable
     */
    NameValues query();

    /**
     * The request body.
     *
     * @return the body
     */
    Body body();

    /**
     * The caller's IP address ({@code context.Request.IpAddress}).
     *
     * @return the address as text
     */
    String clientIp();

    /**
     * The values of the operation's URL template parameters ({@code context.Request.MatchedParameters}), decoded.
     *
     * @return parameter name to value; unmodifiable
     */
    Map<String, String> matchedParameters();
}
