package io.gatehouse.policy.engine;

import java.time.Clock;
import java.util.Objects;

import io.gatehouse.policy.spi.CounterStore;
import io.gatehouse.policy.spi.PolicyServices;

/**
 * The shared services every exchange of a gateway sees.
 *
 * @param counters the counter store (local, or shared through Redis)
 * @param clock    the time source
 */
public record GatewayServices(CounterStore counters, Clock clock) implements PolicyServices {

    /** Validates. */
    public GatewayServices {
        Objects.requireNonNull(counters, "counters");
        Objects.requireNonNull(clock, "clock");
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
}
