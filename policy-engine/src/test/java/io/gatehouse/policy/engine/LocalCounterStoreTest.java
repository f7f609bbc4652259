package io.gatehouse.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.gatehouse.policy.spi.CounterStore.Admission;

/** The in-process counters, on a clock the test moves. */
class LocalCounterStoreTest {

    /** A clock that only moves when told to. */
    static final class ManualClock extends Clock {
        private long millis = 1_000_000;

        void advance(long by) {
            millis += by;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final LocalCounterStore store = new LocalCounterStore(clock);

    /** Calls further apart than the window's resolution are counted exactly, and leave the window exactly on time. */
    @Test
    void spacedCallsAreExact() {
        Duration window = Duration.ofSeconds(1);
        for (int i = 0; i < 3; i++) {
            Admission a = store.slidingWindow("k", 3, window, 1);
            assertTrue(a.admitted(), "call " + i);
            assertEquals(2 - i, a.remaining());
            clock.advance(100);
        }
        // at 300 ms: full; the first call leaves the window at 1000 ms
        Admission refused = store.slidingWindow("k", 3, window, 1);
        assertFalse(refused.admitted());
        assertEquals(Duration.ofMillis(700), refused.retryAfter());
        clock.advance(699);
        assertFalse(store.slidingWindow("k", 3, window, 1).admitted(), "one millisecond early");
        clock.advance(1);
        assertTrue(store.slidingWindow("k", 3, window, 1).admitted(), "when the first call has left");
    }

    /** Costs count as units, and a zero cost only checks. */
    @Test
    void costsAndChecks() {
        Duration window = Duration.ofSeconds(10);
        assertTrue(store.slidingWindow("k", 10, window, 7).admitted());
        Admission check = store.slidingWindow("k", 10, window, 0);
        assertTrue(check.admitted());
        assertEquals(3, check.remaining());
        assertFalse(store.slidingWindow("k", 10, window, 4).admitted());
        assertTrue(store.slidingWindow("k", 10, window, 3).admitted());
        assertEquals(0, store.slidingWindow("k", 10, window, 0).remaining());
    }

    /**
     * A limit far above the traffic keeps a bounded log: two minutes of a call every millisecond in a 60 s window
     * (120,000 admitted calls, 60,000 of them inside the window at the end) stay within about a thousand entries, and
     * the count is off by at most one quantum's worth of calls, on the safe side.
     */
    @Test
    void highLimitsKeepABoundedLog() {
        Duration window = Duration.ofSeconds(60);
        long limit = 1_000_000_000L;
        Admission last = null;
        for (int i = 0; i < 120_000; i++) {
            last = store.slidingWindow("busy", limit, window, 1);
            assertTrue(last.admitted());
            clock.advance(1);
        }
        int entries = store.slidingEntries("busy");
        assertTrue(entries <= LocalCounterStore.RESOLUTION + 2, "entries: " + entries);
        long counted = limit - last.remaining();
        long quantum = window.toMillis() / LocalCounterStore.RESOLUTION;
        assertTrue(counted >= 60_000 && counted <= 60_000 + quantum, "counted in the window: " + counted);
    }

    /**
     * Whatever the arrival pattern, no window ever holds more admitted units than the limit, and a call is refused only
     * when the window, widened by one quantum, is full: checked against an exact log kept by the test, for bursts and
     * gaps of random lengths.
     */
    @Test
    void neverAdmitsMoreThanTheLimitInAnyWindow() {
        Random random = new Random(42);
        long windowMillis = 5_000;
        long quantum = windowMillis / LocalCounterStore.RESOLUTION;
        long limit = 200;
        ArrayDeque<long[]> exact = new ArrayDeque<>();
        int admitted = 0;
        int refused = 0;
        for (int i = 0; i < 100_000; i++) {
            clock.advance(random.nextInt(10) == 0 ? random.nextInt(200) : random.nextInt(3));
            long now = clock.millis();
            while (!exact.isEmpty() && exact.peekFirst()[0] <= now - windowMillis - quantum) {
                exact.pollFirst();
            }
            long inWindow = 0;
            long widened = 0;
            for (long[] call : exact) {
                widened += call[1];
                if (call[0] > now - windowMillis) {
                    inWindow += call[1];
                }
            }
            long cost = 1 + random.nextInt(3);
            Admission a = store.slidingWindow("k", limit, Duration.ofMillis(windowMillis), cost);
            if (a.admitted()) {
                admitted++;
                exact.addLast(new long[] {now, cost});
                assertTrue(inWindow + cost <= limit, "window ending at " + now + " holds " + (inWindow + cost));
            } else {
                refused++;
                assertTrue(widened + cost > limit, "refused at " + now + " with " + widened + " in the widened window");
            }
        }
        assertTrue(admitted > 1000 && refused > 1000, "the limit was reached and renewed: " + admitted + "/" + refused);
    }
}
