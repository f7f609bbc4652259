package io.gatehouse.config;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A subscription ({@code subscriptions/<id>/subscriptionInformation.json}).
 *
 * <p>APIOps exports no keys; Gatehouse accepts {@code primaryKey} and {@code secondaryKey} in the information
 * file to provision keys locally. The snapshot never holds a key itself, only its {@link KeyHash}: the gateway
 * looks keys up by hash, and a snapshot or backup that leaks reveals no key.
 *
 * @param id                the subscription id: its folder name
 * @param displayName       the display name
 * @param scope             {@code /apis}, {@code /apis/<api>} or {@code /products/<product>}
 * @param state             {@code active}, {@code suspended}, {@code cancelled}, ...; only {@code active} grants
 *                          access
 * @param primaryKeyHash    the hash of the primary key, if one is provisioned
 * @param secondaryKeyHash  the hash of the secondary key, if one is provisioned
 * @param createdDate       when it was created, if known (quota windows align to it)
 * @param allowTracing      APIM's {@code allowTracing}
 */
public record Subscription(String id,
                           String displayName,
                           String scope,
                           String state,
                           Optional<String> primaryKeyHash,
                           Optional<String> secondaryKeyHash,
                           Optional<Instant> createdDate,
                           boolean allowTracing) {

    /**
     * Creates a subscription.
     *
     * @param id               id
     * @param displayName      display name
     * @param scope            scope
     * @param state            state
     * @param primaryKeyHash   primary key hash
     * @param secondaryKeyHash secondary key hash
     * @param createdDate      creation time
     * @param allowTracing     whether tracing is allowed
     */
    public Subscription {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(primaryKeyHash, "primaryKeyHash");
        Objects.requireNonNull(secondaryKeyHash, "secondaryKeyHash");
        Objects.requireNonNull(createdDate, "createdDate");
        // Many subscriptions share a scope and nearly all share a state: one copy of each, not one per subscription
        // (about 10 MB of a snapshot with 100,000 subscriptions).
        scope = scope.intern();
        state = state.intern();
    }

    /**
     * Whether the subscription grants access.
     *
     * @return {@code true} if the state is {@code active}
     */
    public boolean active() {
        return "active".equalsIgnoreCase(state);
    }
}
