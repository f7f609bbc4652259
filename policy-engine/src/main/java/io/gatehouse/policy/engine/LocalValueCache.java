package io.gatehouse.policy.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.gatehouse.policy.spi.ValueCache;

/**
 * The gateway's own cache ({@code caching-type="internal"}): values in memory until they expire, at most
 * {@code maxEntries} of them. When a store finds the cache full it looks at a sample of entries and drops the expired
 * ones among them, or else the one that expires soonest, so a full cache costs a store a bounded amount of work and
 * no global lock is ever taken. Eviction is approximate: the entry dropped is not always the globally soonest.
 */
public final class LocalValueCache implements ValueCache {

    private static final int SAMPLE = 64;

    private record Entry(Object value, long expiresAt) {
    }

    private final Clock clock;
    private final int maxEntries;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /**
     * Creates a cache.
     *
     * @param clock      the time source
     * @param maxEntries the most values kept at once
     */
    public LocalValueCache(Clock clock, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxEntries = maxEntries;
    }

    @Override
    public Optional<Object> get(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (e.expiresAt() <= clock.millis()) {
            entries.remove(key, e);
            return Optional.empty();
        }
        return Optional.of(e.value());
    }

    @Override
    public void put(String key, Object value, Duration ttl) {
        if (!ValueCache.cacheable(value)) {
            throw new IllegalArgumentException("a cache holds strings, numbers and booleans, not "
                                                       + (value == null ? "null" : value.getClass().getSimpleName()));
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("the time to keep a value must be positive: " + ttl);
        }
        long now = clock.millis();
        if (entries.size() >= maxEntries && !entries.containsKey(key)) {
            makeRoom(now);
        }
        entries.put(key, new Entry(value, now + ttl.toMillis()));
    }

    @Override
    public void remove(String key) {
        entries.remove(key);
    }

    /** How many values are held now (expired ones included until they are noticed). */
    int size() {
        return entries.size();
    }

    private void makeRoom(long now) {
        while (entries.size() >= maxEntries) {
            String soonest = null;
            long soonestAt = Long.MAX_VALUE;
            boolean freed = false;
            Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
            for (int i = 0; i < SAMPLE && it.hasNext(); i++) {
                Map.Entry<String, Entry> e = it.next();
                if (e.getValue().expiresAt() <= now) {
                    it.remove();
                    freed = true;
                } else if (e.getValue().expiresAt() < soonestAt) {
                    soonest = e.getKey();
                    soonestAt = e.getValue().expiresAt();
                }
            }
            if (!freed) {
                if (soonest == null) {
                    return;
                }
                entries.remove(soonest);
            }
        }
    }
}
