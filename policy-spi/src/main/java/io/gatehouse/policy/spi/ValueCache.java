package io.gatehouse.policy.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * A cache of values by key, as APIM's {@code cache-lookup-value}, {@code cache-store-value} and
 * {@code cache-remove-value} use it: the gateway's own memory ({@code caching-type="internal"}) or an external cache
 * shared by replicas ({@code external}, Redis). See {@link PolicyServices#internalCache()} and
 * {@link PolicyServices#externalCache()}.
 *
 * <p>As APIM, a cache never fails the call that uses it: an implementation that cannot reach its store answers a
 * lookup with a miss and lets a store or a removal go, and says so in the gateway's log. Policies must treat a miss
 * as normal and get the value another way.
 *
 * @since SPI 1.2
 */
public interface ValueCache {

    /** A cache that keeps nothing: every lookup misses. */
    ValueCache NONE = new ValueCache() {
        @Override
        public Optional<Object> get(String key) {
            return Optional.empty();
        }

        @Override
        public void put(String key, Object value, Duration ttl) {
        }

        @Override
        public void remove(String key) {
        }
    };

    /**
     * A value stored under a key and not yet expired.
     *
     * @param key the key
     * @return the value, or empty on a miss
     */
    Optional<Object> get(String key);

    /**
     * Stores a value, replacing what the key held.
     *
     * @param key   the key
     * @param value a {@code String}, {@code Boolean}, {@code Integer}, {@code Long} or {@code Double}
     * @param ttl   how long the value is kept; positive
     * @throws IllegalArgumentException if the value is of another type or the time is not positive
     */
    void put(String key, Object value, Duration ttl);

    /**
     * Removes a key; nothing happens when it is not there.
     *
     * @param key the key
     */
    void remove(String key);

    /**
     * Whether a value is one a cache can hold.
     *
     * @param value the value
     * @return {@code true} for strings, booleans, ints, longs and doubles
     */
    static boolean cacheable(Object value) {
        return value instanceof String || value instanceof Boolean || value instanceof Integer || value instanceof Long
                || value instanceof Double;
    }
}
