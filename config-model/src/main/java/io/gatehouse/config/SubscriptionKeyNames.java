package io.gatehouse.config;

import java.util.Objects;

/**
 * Where an API takes its subscription key from, as APIM's {@code subscriptionKeyParameterNames}.
 *
 * @param header the request header name
 * @param query  the query parameter name, checked only when the header is absent
 */
public record SubscriptionKeyNames(String header, String query) {

    /** APIM's defaults: {@code Ocp-Apim-Subscription-Key} and {@code subscription-key}. */
    public static final SubscriptionKeyNames DEFAULT = new SubscriptionKeyNames("Ocp-Apim-Subscription-Key",
                                                                                "subscription-key");

    /**
     * Creates key names.
     *
     * @param header header name
     * @param query  query parameter name
     */
    public SubscriptionKeyNames {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(query, "query");
    }
}
