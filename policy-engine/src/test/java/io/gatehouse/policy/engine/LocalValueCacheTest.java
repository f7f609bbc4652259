package io.gatehouse.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The internal value cache: expiry, its size bound and what it may hold. */
class LocalValueCacheTest {

    private final LocalCounterStoreTest.ManualClock clock = new LocalCounterStoreTest.ManualClock();

    /** A value is there until its time is up, and gone after. */
    @Test
    void valueExpiresAfterItsTime() {
        LocalValueCache cache = new LocalValueCache(clock, 10);
        cache.put("k", "v", Duration.ofSeconds(10));
        clock.advance(9_999);
        assertEquals(Optional.of("v"), cache.get("k"));
        clock.advance(1);
        assertEquals(Optional.empty(), cache.get("k"));
    }

    /** A full cache never holds more than its bound; expired entries make room first. */
    @Test
    void fullCacheStaysWithinItsBound() {
        LocalValueCache cache = new LocalValueCache(clock, 3);
        cache.put("short", 1, Duration.ofSeconds(1));
        cache.put("a", 2, Duration.ofSeconds(100));
        cache.put("b", 3L, Duration.ofSeconds(100));
        clock.advance(2_000);
        cache.put("c", true, Duration.ofSeconds(100));
        assertEquals(3, cache.size());
        assertEquals(Optional.of(2), cache.get("a"), "the expired entry made room, not a live one");
        for (int i = 0; i < 100; i++) {
            cache.put("many-" + i, 0.5, Duration.ofSeconds(50 + i));
            assertTrue(cache.size() <= 3, "size " + cache.size());
        }
        assertEquals(Optional.of(0.5), cache.get("many-99"), "the newest value is kept");
    }

    /** Only strings, numbers and booleans are cached, and only for a positive time. */
    @Test
    void refusesWhatItCannotHold() {
        LocalValueCache cache = new LocalValueCache(clock, 3);
        assertThrows(IllegalArgumentException.class, () -> cache.put("k", new Object(), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> cache.put("k", "v", Duration.ZERO));
        cache.put("k", "v", Duration.ofSeconds(1));
        cache.remove("k");
        assertEquals(Optional.empty(), cache.get("k"));
    }
}
