package io.gatehouse.policy.engine;

import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

import io.gatehouse.policy.spi.CounterStore;
import io.gatehouse.policy.spi.PolicyServices;
import io.gatehouse.policy.spi.ValueCache;

/**
 * The shared services every exchange of a gateway sees.
 *
 * @param counters      the counter store (local, or shared through Redis)
 * @param clock         the time source
 * @param internalCache the gateway's own value cache
 * @param external      the external value cache shared by replicas, if one is configured
 */
public record GatewayServices(CounterStore counters, Clock clock, ValueCache internalCache,
                              Optional<ValueCache> external) implements PolicyServices {

    /** How many values the internal cache keeps unless told otherwise. */
    public static final int DEFAULT_CACHE_ENTRIES = 10_000;

    /** Validates. */
    public GatewayServices {
        Objects.requireNonNull(counters, "counters");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(internalCache, "internalCache");
        Objects.requireNonNull(external, "external");
    }

    /**
     * Counters and a clock, with an internal cache of the default size and no external cache.
     *
     * @param counters the counter store
     * @param clock    the time source
     */
    public GatewayServices(CounterStore counters, Clock clock) {
        this(counters, clock, new LocalValueCache(clock, DEFAULT_CACHE_ENTRIES), Optional.empty());
    }

    /**
     * Local counters and the system clock.
     *
     * @return the services
     */
    public static GatewayServices local() {
        Clock clock = Clock.systemUTC();
        return new GatewayServices(new LocalCounterStore(clock), clock);
    }

    @Override
    public Optional<ValueCache> externalCache() {
        return external;
    }
}
