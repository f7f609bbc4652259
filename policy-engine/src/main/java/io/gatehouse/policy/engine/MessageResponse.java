package io.gatehouse.policy.engine;

import io.gatehouse.policy.spi.Body;
import io.gatehouse.policy.spi.NameValues;
import io.gatehouse.policy.spi.Response;

/** A response policies read and change: the exchange's own, or the answer to a {@code send-request}. */
final class MessageResponse implements Response {

    final MessageHeaders headers = new MessageHeaders();
    MessageBody body;
    private int statusCode;
    private String reason;

    MessageResponse(int statusCode, String reason, long maxBuffered) {
        this.statusCode = statusCode;
        this.reason = reason;
        this.body = MessageBody.empty(maxBuffered);
    }

    @Override
    public int statusCode() {
        return statusCode;
    }

    @Override
    public String statusReason() {
        return reason;
    }

    @Override
    public void setStatus(int code, String newReason) {
        if (code < 100 || code > 599) {
            throw new IllegalArgumentException("status code out of range: " + code);
        }
        this.statusCode = code;
        this.reason = newReason == null ? "" : newReason;
    }

    @Override
    public NameValues headers() {
        return headers;
    }

    @Override
    public Body body() {
        return body;
    }

    @Override
    public String toString() {
        return "Response[" + statusCode + "]";
    }
}
