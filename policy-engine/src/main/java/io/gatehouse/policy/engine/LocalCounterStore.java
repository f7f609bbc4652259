package io.gatehouse.policy.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import io.gatehouse.policy.spi.CounterStore;

/**
 * Counters held in this process: sliding windows (as APIM's {@code rate-limit}), fixed windows (as
 * {@code quota}) and concurrency permits. Each key has its own lock; there is no global lock. Idle keys are swept
 * out as traffic goes by, so the map does not grow without bound.
 */
public final class LocalCounterStore implements CounterStore {

    private static final long SWEEP_EVERY = 4096;
    /** A sliding window keeps its calls at a thousandth of its length, so at most about this many entries. */
    static final long RESOLUTION = 1000;

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

    /**
     * How many entries a key's sliding window holds now: for tests of its bound.
     *
     * @param key the key
     * @return its entries, 0 for an unknown key
     */
    int slidingEntries(String key) {
        SlidingWindow w = sliding.get(key);
        return w == null ? 0 : w.entries();
    }

    private void maybeSweep() {
        if (operations.incrementAndGet() % SWEEP_EVERY != 0) {
            return;
        }
        long now = clock.millis();
        sliding.entrySet().removeIf(e -> e.getValue().idle(now));
        fixed.entrySet().removeIf(e -> e.getValue().idle(now));
    }

    /**
     * The admitted calls (time and cost) within the last window, oldest first. Calls admitted less than
     * {@code quantum} apart are kept as one entry with the time of the latest of them, so a key holds at most about
     * {@link #RESOLUTION} entries however high its limit: an exact log of every call held a {@code long[]} per call
     * for the whole window (a 60 s window at 50,000 calls/s is 3,000,000 of them), which filled the heap and kept
     * the collector marking. Merged calls leave the window up to one quantum (a thousandth of the window) late: the
     * limit is never exceeded, and a caller at the limit may wait up to that much longer than with the exact log.
     */
    private static final class SlidingWindow {
        private final long windowMillis;
        private final long quantum;
        private final ReentrantLock lock = new ReentrantLock();
        // a ring of entries: time[i] and cost[i], from head, size of them
        private long[] time = new long[4];
        private long[] cost = new long[4];
        private int head;
        private int size;
        /** When the newest entry's first call was admitted. */
        private long newestFirst;
        private long used;
        private long lastTouched;

        private SlidingWindow(long windowMillis) {
            this.windowMillis = windowMillis;
            this.quantum = Math.max(1, windowMillis / RESOLUTION);
        }

        private Admission admit(long now, long limit, long units) {
            lock.lock();
            try {
                lastTouched = now;
                while (size > 0 && time[head] <= now - windowMillis) {
                    used -= cost[head];
                    head = (head + 1) % time.length;
                    size--;
                }
                if (used + units <= limit) {
                    add(now, units);
                    used += units;
                    return new Admission(true, limit, limit - used, Duration.ZERO, false);
                }
                // Retry when enough of the oldest calls have left the window to make room for this one.
                long needed = used + units - limit;
                long freedAt = now + windowMillis;
                long freed = 0;
                for (int i = 0; i < size; i++) {
                    int at = (head + i) % time.length;
                    freed += cost[at];
                    if (freed >= needed) {
                        freedAt = time[at] + windowMillis;
                        break;
                    }
                }
                return new Admission(false, limit, Math.max(0, limit - used),
                                     Duration.ofMillis(Math.max(0, freedAt - now)), false);
            } finally {
                lock.unlock();
            }
        }

        private void add(long now, long units) {
            if (units == 0) {
                return;
            }
            if (size > 0 && now - newestFirst < quantum && now >= newestFirst) {
                int newest = (head + size - 1) % time.length;
                time[newest] = Math.max(time[newest], now);
                cost[newest] += units;
                return;
            }
            if (size == time.length) {
                long[] t = new long[size * 2];
                long[] c = new long[size * 2];
                for (int i = 0; i < size; i++) {
                    t[i] = time[(head + i) % size];
                    c[i] = cost[(head + i) % size];
                }
                time = t;
                cost = c;
                head = 0;
            }
            int at = (head + size) % time.length;
            time[at] = now;
            cost[at] = units;
            size++;
            newestFirst = now;
        }

        private int entries() {
            lock.lock();
            try {
                return size;
            } finally {
                lock.unlock();
            }
        }

        private boolean idle(long now) {
            lock.lock();
            try {
                return now - lastTouched > windowMillis;
            } finally {
                lock.unlock();
            }
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
