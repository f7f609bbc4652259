package io.gatehouse.policy.spi;

import java.time.Clock;

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
}
