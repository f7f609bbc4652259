package io.gatehouse.policy.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Counters for rate limits, quotas and concurrency limits. Implementations take no global lock: each key is
 * counted independently, so unrelated keys never contend.
 *
 * <p>Keys are opaque strings; a policy builds them from what it counts (for example its
 * {@link CompileContext#policyId()} and the subscription id), never from a secret.
 *
 * <p>A store shared between gateways (Redis) may be unreachable. Configured to fail open, it decides with counters
 * of its own and says so in {@link Admission#degraded()}; configured to fail closed, {@link #slidingWindow} and
 * {@link #fixedWindow} throw {@link UnavailableException}, which the gateway answers with 503 unless
 * {@code on-error} does otherwise. A policy need not catch it.
 */
public interface CounterStore {

    /**
     * Counts one event against a sliding window, as APIM's {@code rate-limit}: the call is admitted if fewer than
     * {@code limit} units were admitted for the key during the last {@code window}.
     *
     * @param key    what is counted
     * @param limit  units allowed per window
     * @param window the window length
     * @param cost   units this event consumes (APIM's {@code increment-count}); 0 only checks
     * @return the decision, with what remains and when to retry
     */
    Admission slidingWindow(String key, long limit, Duration window, long cost);

    /**
     * Counts units against a fixed window, as APIM's {@code quota}: windows of {@code period} length start at
     * {@code periodStart} and repeat; a zero period means one window for all time.
     *
     * @param key         what is counted
     * @param limit       units allowed per window
     * @param period      window length, or {@link Duration#ZERO} for no renewal
     * @param periodStart when the first window starts
     * @param cost        units this event consumes; 0 only checks
     * @return the decision, with what remains and when the window renews
     */
    Admission fixedWindow(String key, long limit, Duration period, Instant periodStart, long cost);

    /**
     * Takes one of at most {@code max} concurrent permits for the key, as APIM's {@code limit-concurrency}; never
     * waits.
     *
     * @param key what is limited
     * @param max permits allowed at once
     * @return a permit to close when the work is done, or empty if all permits are taken
     */
    Optional<Permit> tryAcquire(String key, int max);

    /**
     * The outcome of counting.
     *
     * @param admitted   whether the event is within the limit (and was counted)
     * @param limit      the limit counted against
     * @param remaining  units left in the current window after this event
     * @param retryAfter when to retry if not admitted, or when the window renews; never negative
     * @param degraded   whether a shared store was unreachable and the decision was made locally (fail-open)
     */
    record Admission(boolean admitted, long limit, long remaining, Duration retryAfter, boolean degraded) {
    }

    /**
     * The shared store could not be reached and the gateway is set to fail closed: the event was neither counted nor
     * admitted. The gateway answers 503 with {@code Retry-After}, {@code context.LastError.Reason} being
     * {@code CounterStoreUnavailable}.
     *
     * @since SPI 1.2
     */
    final class UnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final Duration retryAfter;

        /**
         * Creates the exception.
         *
         * @param message    what is unreachable, without credentials
         * @param retryAfter when the store will be tried again; never negative
         */
        public UnavailableException(String message, Duration retryAfter) {
            super(message);
            this.retryAfter = retryAfter.isNegative() ? Duration.ZERO : retryAfter;
        }

        /**
         * When the store will be tried again, for the caller's {@code Retry-After}.
         *
         * @return the delay, never negative
         */
        public Duration retryAfter() {
            return retryAfter;
        }
    }

    /**
     * A concurrency permit; closing it gives the permit back. Closing twice has no further effect.
     */
    interface Permit extends AutoCloseable {
        @Override
        void close();
    }
}
