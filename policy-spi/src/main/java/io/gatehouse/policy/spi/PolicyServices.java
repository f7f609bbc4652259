package io.gatehouse.policy.spi;

import java.time.Clock;
import java.util.Optional;

/**
 * Services shared by every exchange of a gateway node. They outlive configuration snapshots, so counters keep
 * counting when the configuration changes.
 */
public interface PolicyServices {

    /**
     * The counter store for rate limits, quotas and concurrency limits: local to the node, or shared between
     * replicas (Redis), as configured.
     *
     * @return the counter store
     */
    CounterStore counters();

    /**
     * The clock policies must use for time, so tests and benchmarks can control it.
     *
     * @return the clock
     */
    Clock clock();

    /**
     * The gateway's own cache, in its memory ({@code caching-type="internal"}): one per gateway, not shared by
     * replicas, bounded in size.
     *
     * @return the cache; the default keeps nothing
     * @since SPI 1.2
     */
    default ValueCache internalCache() {
        return ValueCache.NONE;
    }

    /**
     * The external cache shared by replicas ({@code caching-type="external"}), when the gateway is configured with
     * one.
     *
     * @return the cache, or empty when none is configured
     * @since SPI 1.2
     */
    default Optional<ValueCache> externalCache() {
        return Optional.empty();
    }
}
