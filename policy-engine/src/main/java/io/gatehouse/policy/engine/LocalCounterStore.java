package io.gatehouse.policy.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import io.gatehouse.policy.spi.CounterStore;

/**
 * Counters held in this process: exact sliding windows (as APIM's {@code rate-limit}), fixed windows (as
 * {@code quota}) and concurrency permits. Each key has its own lock; there is no global lock. Idle keys are swept
 * out as traffic goes by, so the map does not grow without bound.
 */
public final class LocalCounterStore implements CounterStore {

    private static final long SWEEP_EVERY = 4096;

    private final Clock clock;
    private final ConcurrentMap<String, SlidingWindow> sliding = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, FixedWindow> fixed = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Semaphore> permits = new ConcurrentHashMap<>();
    private final AtomicLong operations = new AtomicLong();

    /**
     * Creates a store.
     *
     * @param clock the time source
     */
    public LocalCounterStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Admission slidingWindow(String key, long limit, Duration window, long cost) {
        maybeSweep();
        long now = clock.millis();
        SlidingWindow w = sliding.computeIfAbsent(key, k -> new SlidingWindow(window.toMillis()));
        return w.admit(now, limit, cost);
    }

    @Override
    public Admission fixedWindow(String key, long limit, Duration period, Instant periodStart, long cost) {
        maybeSweep();
        long now = clock.millis();
        long length = period.toMillis();
        long index = Math.floorDiv(now - periodStart.toEpochMilli(), length);
        long windowEnd = periodStart.toEpochMilli() + (index + 1) * length;
        FixedWindow w = fixed.computeIfAbsent(key, k -> new FixedWindow());
        return w.admit(index, windowEnd, now, limit, cost);
    }

    @Override
    public Optional<Permit> tryAcquire(String key, int max) {
        Semaphore semaphore = permits.computeIfAbsent(key, k -> new Semaphore(max));
        if (!semaphore.tryAcquire()) {
            return Optional.empty();
        }
        return Optional.of(new Permit() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    semaphore.release();
                }
            }
        });
    }

    private void maybeSweep() {
        if (operations.incrementAndGet() % SWEEP_EVERY != 0) {
            return;
        }
        long now = clock.millis();
        sliding.entrySet().removeIf(e -> e.getValue().idle(now));
        fixed.entrySet().removeIf(e -> e.getValue().idle(now));
    }

    /** Exact sliding log of admitted calls (time and cost) within the last window. */
    private static final class SlidingWindow {
        private final long windowMillis;
        private final ArrayDeque<long[]> admitted = new ArrayDeque<>();
        private long used;
        private long lastTouched;

        private SlidingWindow(long windowMillis) {
            this.windowMillis = windowMillis;
        }

        private synchronized Admission admit(long now, long limit, long cost) {
            lastTouched = now;
            while (!admitted.isEmpty() && admitted.peekFirst()[0] <= now - windowMillis) {
                used -= admitted.pollFirst()[1];
            }
            if (used + cost <= limit) {
                admitted.addLast(new long[] {now, cost});
                used += cost;
                return new Admission(true, limit, limit - used, Duration.ZERO, false);
            }
            // Retry when enough of the oldest calls have left the window to make room for this one.
            long needed = used + cost - limit;
            long freedAt = now + windowMillis;
            long freed = 0;
            for (long[] entry : admitted) {
                freed += entry[1];
                if (freed >= needed) {
                    freedAt = entry[0] + windowMillis;
                    break;
                }
            }
            return new Admission(false, limit, Math.max(0, limit - used), Duration.ofMillis(Math.max(0, freedAt - now)),
                                 false);
        }

        private synchronized boolean idle(long now) {
            return now - lastTouched > windowMillis;
        }
    }

    /** A count within the current fixed period. */
    private static final class FixedWindow {
        private long index = Long.MIN_VALUE;
        private long count;
        private long windowEnd;

        private synchronized Admission admit(long currentIndex, long currentEnd, long now, long limit, long cost) {
            if (currentIndex != index) {
                index = currentIndex;
                count = 0;
                windowEnd = currentEnd;
            }
            Duration untilReset = Duration.ofMillis(Math.max(0, windowEnd - now));
            if (count + cost <= limit) {
                count += cost;
                return new Admission(true, limit, limit - count, untilReset, false);
            }
            return new Admission(false, limit, Math.max(0, limit - count), untilReset, false);
        }

        private synchronized boolean idle(long now) {
            return now > windowEnd;
        }
    }
}
