package io.gatehouse.policy.expressions;

import java.util.Optional;

/**
 * Implemented by an exchange that lets expressions read the subscription key the caller presented
 * ({@code context.Subscription.Key}, as APIM). Keys are reachable in no other way.
 */
public interface SubscriptionKeyAccess {

    /** @return the key the caller presented, if any */
    Optional<String> subscriptionKey();
}
