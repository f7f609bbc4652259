package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.policy.spi.CounterStore.Admission;

/**
 * The Redis counter store's semantics against a real Redis: the same cases as the local store's, on a clock the test
 * moves (passed to the scripts), plus what only Redis has: its own clock, key prefixes and lifetimes, scripts it has
 * forgotten, and two stores sharing one limit.
 */
@Timeout(120)
class RedisCounterStoreTest {

    private static final String PREFIX = "test:";

    @TempDir
    static Path dir;
    private static TestRedis redis;

    private final ManualClock clock = new ManualClock(1_000_000_000_000L);
    private final List<RedisCounterStore> stores = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = TestRedis.started(dir);
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void empty() {
        redis.client().flushAll();
    }

    @AfterEach
    void close() {
        stores.forEach(RedisCounterStore::close);
    }

    static RedisCounterStore.Options options(TestRedis redis, String prefix, RedisCounterStore.FailureMode mode) {
        return new RedisCounterStore.Options(RedisEndpoint.parse(redis.url()), Duration.ofMillis(500),
                                             Duration.ofMillis(200), 8, prefix, mode);
    }

    /** A store on the test's clock. */
    private RedisCounterStore store() {
        RedisCounterStore store = new RedisCounterStore(options(redis, PREFIX, RedisCounterStore.FailureMode.CLOSED), clock,
                                                        false, policy -> { });
        stores.add(store);
        return store;
    }

    /** A store on Redis's clock, as the gateway runs it. */
    private RedisCounterStore serverTimeStore() {
        RedisCounterStore store = RedisCounterStore.connect(options(redis, PREFIX, RedisCounterStore.FailureMode.CLOSED),
                                                            Clock.systemUTC(), policy -> { });
        stores.add(store);
        return store;
    }

    /** Calls further apart than the window's resolution are counted exactly, and leave the window exactly on time. */
    @Test
    void spacedCallsAreExact() {
        RedisCounterStore store = store();
        Duration window = Duration.ofSeconds(1);
        for (int i = 0; i < 3; i++) {
            Admission a = store.slidingWindow("k", 3, window, 1);
            assertTrue(a.admitted(), "call " + i);
            assertEquals(2 - i, a.remaining());
            assertFalse(a.degraded());
            clock.advance(100);
        }
        // at 300 ms: full; the first call leaves the window at 1000 ms
        Admission refused = store.slidingWindow("k", 3, window, 1);
        assertFalse(refused.admitted());
        assertEquals(0, refused.remaining());
        assertEquals(Duration.ofMillis(700), refused.retryAfter());
        clock.advance(699);
        assertFalse(store.slidingWindow("k", 3, window, 1).admitted(), "one millisecond early");
        clock.advance(1);
        Admission again = store.slidingWindow("k", 3, window, 1);
        assertTrue(again.admitted(), "when the first call has left");
        assertEquals(0, again.remaining());
    }

    /**
     * A refusal never says to wait longer than the window, as APIM's Retry-After for a 60 s rate limit is at most 60:
     * a bucket's calls count from its latest call, which is never later than now.
     */
    @Test
    void refusalNeverWaitsLongerThanTheWindow() {
        RedisCounterStore store = store();
        Duration window = Duration.ofSeconds(60);
        clock.advance(Math.floorMod(-clock.millis(), 60));
        assertTrue(store.slidingWindow("k", 2, window, 1).admitted(), "at the start of a 60 ms bucket");
        clock.advance(20);
        assertTrue(store.slidingWindow("k", 2, window, 1).admitted(), "in the same bucket");
        clock.advance(10);
        Admission refused = store.slidingWindow("k", 2, window, 1);
        assertFalse(refused.admitted());
        assertEquals(Duration.ofMillis(60_000 - 10), refused.retryAfter(), "both calls count from the latest");
        clock.advance(60_000 - 10 - 1);
        assertFalse(store.slidingWindow("k", 2, window, 1).admitted(), "one millisecond early");
        clock.advance(1);
        assertTrue(store.slidingWindow("k", 2, window, 1).admitted());
    }

    /** Costs count as units, and a zero cost only checks. */
    @Test
    void costsAndChecks() {
        RedisCounterStore store = store();
        Duration window = Duration.ofSeconds(10);
        assertTrue(store.slidingWindow("k", 10, window, 7).admitted());
        Admission check = store.slidingWindow("k", 10, window, 0);
        assertTrue(check.admitted());
        assertEquals(3, check.remaining());
        Admission tooMuch = store.slidingWindow("k", 10, window, 4);
        assertFalse(tooMuch.admitted());
        assertEquals(3, tooMuch.remaining());
        assertEquals(window, tooMuch.retryAfter(), "the 7 units leave the window 10 s after they came");
        assertTrue(store.slidingWindow("k", 10, window, 3).admitted());
        assertEquals(0, store.slidingWindow("k", 10, window, 0).remaining());
    }

    /** A check (cost 0) of a key never counted writes nothing to Redis. */
    @Test
    void aCheckWritesNothing() {
        RedisCounterStore store = store();
        Admission a = store.slidingWindow("fresh", 5, Duration.ofSeconds(10), 0);
        assertTrue(a.admitted());
        assertEquals(5, a.remaining());
        Admission q = store.fixedWindow("fresh", 5, Duration.ofSeconds(10), Instant.EPOCH, 0);
        assertTrue(q.admitted());
        assertEquals(5, q.remaining());
        assertEquals(Set.of(), redis.client().keys("*"));
    }

    /**
     * A limit far above the traffic keeps a bounded list: two minutes of a call every 6 ms in a 60 s window (10,000 of
     * them inside the window at the end) stay within about a thousand entries, and the count is off by at most one
     * quantum's worth of calls, on the safe side.
     */
    @Test
    void highLimitsKeepABoundedList() {
        RedisCounterStore store = store();
        Duration window = Duration.ofSeconds(60);
        long limit = 1_000_000_000L;
        Admission last = null;
        for (int i = 0; i < 20_000; i++) {
            last = store.slidingWindow("busy", limit, window, 1);
            assertTrue(last.admitted());
            clock.advance(6);
        }
        long entries = redis.client().llen(PREFIX + "sw:busy");
        assertTrue(entries <= RedisCounterStore.RESOLUTION + 2, "entries: " + entries);
        long counted = limit - last.remaining();
        long quantum = window.toMillis() / RedisCounterStore.RESOLUTION;
        assertTrue(counted >= 10_000 && counted <= 10_000 + quantum / 6 + 1, "counted in the window: " + counted);
    }

    /**
     * Whatever the arrival pattern, no window ever holds more admitted units than the limit, and a call is refused only
     * when the window, widened by one quantum, is full: checked against an exact log kept by the test, for bursts and
     * gaps of random lengths.
     */
    @Test
    void neverAdmitsMoreThanTheLimitInAnyWindow() {
        RedisCounterStore store = store();
        Random random = new Random(42);
        long windowMillis = 5_000;
        long quantum = windowMillis / RedisCounterStore.RESOLUTION;
        long limit = 200;
        ArrayDeque<long[]> exact = new ArrayDeque<>();
        int admitted = 0;
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
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
                assertTrue(a.remaining() <= limit - inWindow - cost && a.remaining() >= limit - widened - cost,
                           "remaining " + a.remaining() + " at " + now);
            } else {
                refused++;
                assertTrue(widened + cost > limit, "refused at " + now + " with " + widened + " in the widened window");
                assertTrue(a.retryAfter().toMillis() > 0 && a.retryAfter().toMillis() <= windowMillis,
                           "retry after " + a.retryAfter() + " at " + now);
            }
        }
        assertTrue(admitted > 1000 && refused > 1000, "the limit was reached and renewed: " + admitted + "/" + refused);
    }

    /** A sliding window's key lives as long as its newest call counts, and goes when the window has passed. */
    @Test
    void slidingKeysExpire() {
        RedisCounterStore store = store();
        store.slidingWindow("ttl", 5, Duration.ofSeconds(30), 1);
        long ttl = redis.client().pttl(PREFIX + "sw:ttl");
        assertTrue(ttl > 29_000 && ttl <= 30_001, "TTL " + ttl);
        assertEquals(Set.of(PREFIX + "sw:ttl"), redis.client().keys("*"), "keys are prefixed");
    }

    /**
     * A fixed window, as APIM's quota: units count until the window aligned to its start ends, then the count starts
     * again; remaining and the time to renewal are right throughout, a check only reads, and the key expires with its
     * window.
     */
    @Test
    void fixedWindowRenews() {
        RedisCounterStore store = store();
        Instant start = Instant.parse("2024-01-01T00:00:07Z");
        Duration period = Duration.ofHours(1);
        long intoWindow = Math.floorMod(clock.millis() - start.toEpochMilli(), period.toMillis());
        long untilRenewal = period.toMillis() - intoWindow;
        Admission first = store.fixedWindow("q", 3, period, start, 2);
        assertTrue(first.admitted());
        assertEquals(1, first.remaining());
        assertEquals(Duration.ofMillis(untilRenewal), first.retryAfter());
        long ttl = redis.client().pttl(PREFIX + "fw:q");
        assertTrue(ttl > 0 && ttl <= untilRenewal, "TTL " + ttl + " for a window ending in " + untilRenewal);
        clock.advance(1000);
        Admission over = store.fixedWindow("q", 3, period, start, 2);
        assertFalse(over.admitted());
        assertEquals(1, over.remaining());
        assertEquals(Duration.ofMillis(untilRenewal - 1000), over.retryAfter());
        Admission last = store.fixedWindow("q", 3, period, start, 1);
        assertTrue(last.admitted());
        assertEquals(0, last.remaining());
        Admission check = store.fixedWindow("q", 3, period, start, 0);
        assertTrue(check.admitted());
        assertEquals(0, check.remaining());
        assertFalse(store.fixedWindow("q", 3, period, start, 1).admitted());
        clock.advance(untilRenewal - 1000 - 1);
        assertFalse(store.fixedWindow("q", 3, period, start, 1).admitted(), "one millisecond before renewal");
        clock.advance(1);
        Admission renewed = store.fixedWindow("q", 3, period, start, 1);
        assertTrue(renewed.admitted(), "the next window");
        assertEquals(2, renewed.remaining());
        assertEquals(period, renewed.retryAfter());
    }

    /** With Redis's clock, as gateways run: a window's calls leave it and a quota renews, in real time. */
    @Test
    void serverClockMovesTheWindows() throws InterruptedException {
        RedisCounterStore store = serverTimeStore();
        Duration window = Duration.ofMillis(300);
        assertTrue(store.slidingWindow("real", 2, window, 1).admitted());
        assertTrue(store.slidingWindow("real", 2, window, 1).admitted());
        Admission refused = store.slidingWindow("real", 2, window, 1);
        long refusedAt = System.nanoTime();
        assertFalse(refused.admitted());
        assertTrue(refused.retryAfter().toMillis() > 0 && refused.retryAfter().toMillis() <= 300, refused.toString());
        long waited = awaitAdmitted(() -> store.slidingWindow("real", 2, window, 1));
        assertTrue(waited - refusedAt >= (refused.retryAfter().toMillis() - 5) * 1_000_000,
                   "admitted " + (waited - refusedAt) / 1_000_000 + " ms after a refusal saying " + refused.retryAfter());

        Duration period = Duration.ofMillis(400);
        assertTrue(store.fixedWindow("real", 1, period, Instant.EPOCH, 1).admitted());
        Admission over = store.fixedWindow("real", 1, period, Instant.EPOCH, 1);
        assertFalse(over.admitted());
        assertTrue(over.retryAfter().toMillis() > 0 && over.retryAfter().toMillis() <= 400, over.toString());
        awaitAdmitted(() -> store.fixedWindow("real", 1, period, Instant.EPOCH, 1));
    }

    /** Polls until a call is admitted (a window passing is not an event to wait on); returns when, in nanoseconds. */
    private static long awaitAdmitted(Supplier<Admission> call) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (call.get().admitted()) {
                return System.nanoTime();
            }
            Thread.sleep(5);
        }
        throw new AssertionError("not admitted again within 5 s");
    }

    /** Redis forgetting the scripts (a restart, SCRIPT FLUSH) costs one reload, not a failure. */
    @Test
    void forgottenScriptsAreLoadedAgain() {
        RedisCounterStore store = store();
        assertTrue(store.slidingWindow("k", 2, Duration.ofSeconds(10), 1).admitted());
        redis.client().scriptFlush();
        Admission a = store.slidingWindow("k", 2, Duration.ofSeconds(10), 1);
        assertTrue(a.admitted());
        assertEquals(0, a.remaining(), "the count survived");
        assertFalse(a.degraded());
        redis.client().scriptFlush();
        assertTrue(store.fixedWindow("k", 1, Duration.ofSeconds(10), Instant.EPOCH, 1).admitted());
        assertTrue(store.shared());
    }

    /** Two stores on one Redis (two gateways) share each limit: under concurrent calls, exactly the limit is admitted. */
    @Test
    void twoStoresShareOneLimit() throws Exception {
        RedisCounterStore a = serverTimeStore();
        RedisCounterStore b = serverTimeStore();
        AtomicInteger slidingAdmitted = new AtomicInteger();
        AtomicInteger fixedAdmitted = new AtomicInteger();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                RedisCounterStore store = i % 2 == 0 ? a : b;
                calls.add(threads.submit(() -> {
                    if (store.slidingWindow("both", 50, Duration.ofSeconds(60), 1).admitted()) {
                        slidingAdmitted.incrementAndGet();
                    }
                    if (store.fixedWindow("both", 30, Duration.ofHours(1), Instant.EPOCH, 1).admitted()) {
                        fixedAdmitted.incrementAndGet();
                    }
                }));
            }
            for (Future<?> call : calls) {
                call.get();
            }
        }
        assertEquals(50, slidingAdmitted.get());
        assertEquals(30, fixedAdmitted.get());
    }

    /** limit-concurrency stays on each node: two stores on one Redis each give their own permits. */
    @Test
    void concurrencyPermitsArePerNode() {
        RedisCounterStore a = store();
        RedisCounterStore b = store();
        assertTrue(a.tryAcquire("c", 1).isPresent());
        assertTrue(a.tryAcquire("c", 1).isEmpty());
        assertTrue(b.tryAcquire("c", 1).isPresent(), "another node's permit");
        assertEquals(Set.of(), redis.client().keys("*"), "nothing in Redis");
    }
}
