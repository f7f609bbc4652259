package io.gatehouse.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A product ({@code products/<id>/productInformation.json}) with its API associations
 * ({@code products/<id>/apis/<api>/}).
 *
 * @param id                   the product id: its folder name
 * @param displayName          the display name
 * @param state                {@code published} or {@code notPublished}
 * @param subscriptionRequired {@code false} makes it an open product: calls without a key run in its context
 * @param apiIds               the ids of the APIs it contains
 * @param policy               the product-scope policy document, if any
 */
public record Product(String id,
                      String displayName,
                      String state,
                      boolean subscriptionRequired,
                      List<String> apiIds,
                      Optional<PolicyDocument> policy) {

    /**
     * Creates a product.
     *
     * @param id                   id
     * @param displayName          display name
     * @param state                state
     * @param subscriptionRequired whether a subscription is required
     * @param apiIds               API ids
     * @param policy               policy document
     */
    public Product {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(state, "state");
        apiIds = List.copyOf(apiIds);
        Objects.requireNonNull(policy, "policy");
    }

    /**
     * Whether the product is published; as APIM, only published products grant access.
     *
     * @return {@code true} if the state is {@code published}
     */
    public boolean published() {
        return "published".equalsIgnoreCase(state);
    }
}
