package io.gatehouse.policy.engine;

import java.util.Map;

import io.gatehouse.policy.spi.PolicyException;

/**
 * APIM's error responses, byte for byte: {@code { "statusCode": 401, "message": "..." }} (with the spaces inside the
 * braces) and, for internal failures, a generic message plus the request id as {@code activityId}, so that nothing
 * about the failure leaks to the caller but support can find it in the logs.
 */
public final class ApimErrors {

    /** Message of 404 for a request that matches no API or operation. */
    public static final String NOT_FOUND = "Resource not found";
    /** Message of 401 without a key. */
    public static final String MISSING_KEY = "Access denied due to missing subscription key. Make sure to include"
            + " subscription key when making requests to an API.";
    /** Message of 401 with a key that is unknown, inactive or not valid for the API. */
    public static final String INVALID_KEY = "Access denied due to invalid subscription key. Make sure to provide a"
            + " valid key for an active subscription.";

    private ApimErrors() {
    }

    /**
     * The body of a client-visible error.
     *
     * @param statusCode status
     * @param message    message
     * @return JSON text
     */
    public static String body(int statusCode, String message) {
        return "{ \"statusCode\": " + statusCode + ", \"message\": \"" + escape(message) + "\" }";
    }

    /**
     * The body of an internal failure.
     *
     * @param activityId the request id
     * @return JSON text
     */
    public static String internalBody(String activityId) {
        return "{ \"statusCode\": 500, \"message\": \"Internal server error\", \"activityId\": \"" + escape(activityId)
                + "\" }";
    }

    /**
     * Replaces the exchange's response with the error response for a failure, as APIM does before {@code on-error}
     * runs.
     *
     * @param exchange the exchange
     * @param error    the failure
     */
    public static void applyTo(Exchange exchange, PolicyException error) {
        exchange.resetResponse();
        if (error.clientVisible()) {
            exchange.response().setStatus(error.statusCode(), reasonPhrase(error.statusCode()));
            exchange.response().body().set(body(error.statusCode(), error.getMessage()));
        } else {
            exchange.response().setStatus(500, reasonPhrase(500));
            exchange.response().body().set(internalBody(exchange.requestId()));
        }
        exchange.response().headers().set("Content-Type", "application/json");
        for (Map.Entry<String, String> h : error.headers().entrySet()) {
            exchange.response().headers().set(h.getKey(), h.getValue());
        }
    }

    /**
     * The reason phrase APIM sends with a status.
     *
     * @param status the status code
     * @return the phrase
     */
    public static String reasonPhrase(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 401 -> "Access Denied";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Request Entity Too Large";
            case 415 -> "Unsupported Media Type";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "";
        };
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
