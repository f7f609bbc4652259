package io.gatehouse.policy.spi;

import java.time.Instant;

/**
 * The subscription that authorised a request ({@code context.Subscription}), without its keys: a policy never sees
 * a subscription key.
 *
 * @param id        the subscription id
 * @param name      the display name
 * @param createdAt when the subscription was created (quota windows are aligned to it, as APIM); the epoch when
 *                  unknown
 */
public record SubscriptionInfo(String id, String name, Instant createdAt) {
}
