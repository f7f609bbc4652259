package io.gatehouse.federation;

import java.time.Duration;

/**
 * How long the federation client waits before the next check after one failed (the management plane unreachable or
 * refusing): 1 s, doubled after each further failure up to 60 s, and 1 s again after a success. Each wait is scaled
 * by a random factor between 0.8 and 1.2 so that gateways that lost the management plane together do not all call it
 * again at the same moment when it returns. Immutable: the sync loop holds the current delay and replaces it.
 *
 * @param base the delay before jitter
 */
record RetryDelay(Duration base) {

    /** The first delay, and the one after a success. */
    static final Duration FIRST = Duration.ofSeconds(1);
    /** The longest delay before jitter. */
    static final Duration LAST = Duration.ofSeconds(60);
    /** How far the jitter moves a delay, either way, as a fraction of it. */
    static final double JITTER = 0.2;

    /** @return the delay before the first retry */
    static RetryDelay first() {
        return new RetryDelay(FIRST);
    }

    /** @return the delay after one more failure: twice this one, at most {@link #LAST} */
    RetryDelay afterFailure() {
        Duration doubled = base.multipliedBy(2);
        return new RetryDelay(doubled.compareTo(LAST) > 0 ? LAST : doubled);
    }

    /** @return the delay after a success: {@link #FIRST} again, whatever this one was */
    RetryDelay afterSuccess() {
        return first();
    }

    /**
     * The wait itself: the base scaled by {@code 1 - JITTER + 2 * JITTER * unit}.
     *
     * @param unit a uniformly random number from 0 (inclusive) to 1 (exclusive)
     * @return the wait, to the millisecond, within ±20 % of the base
     * @throws IllegalArgumentException if {@code unit} is outside [0, 1)
     */
    Duration jittered(double unit) {
        if (!(unit >= 0 && unit < 1)) {
            throw new IllegalArgumentException("the random unit must be in [0, 1), not " + unit);
        }
        double factor = 1 - JITTER + 2 * JITTER * unit;
        return Duration.ofMillis(Math.round(base.toMillis() * factor));
    }
}
