package io.gatehouse.policies.builtin;

import java.util.Set;

import io.gatehouse.policy.spi.Response;

/** Helpers for policies that answer the caller themselves (return-response, mock-response, cors). */
final class Responses {

    private Responses() {
    }

    /**
     * Starts a fresh response: no headers, no body, the given status.
     *
     * @param response the exchange's response
     * @param status   status code
     * @param reason   reason phrase, or empty for the standard one
     */
    static void startNew(Response response, int status, String reason) {
        for (String name : Set.copyOf(response.headers().names())) {
            response.headers().remove(name);
        }
        response.setStatus(status, reason);
        response.body().set("");
    }
}
