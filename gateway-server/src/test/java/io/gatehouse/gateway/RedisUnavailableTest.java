package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.policy.spi.CounterStore;
import io.gatehouse.policy.spi.CounterStore.Admission;

/**
 * The Redis counter store when Redis does not answer: fail-open decides on this node and says so, fail-closed
 * refuses, an outage costs one timeout per retry interval rather than one per call, one line is logged when Redis
 * goes and one when it comes back, and a store started without Redis starts anyway.
 */
@Timeout(60)
class RedisUnavailableTest {

    private static final Duration WINDOW = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private CapturedLog log;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<String> degraded = new CopyOnWriteArrayList<>();

    @BeforeEach
    void captureLog() {
        log = CapturedLog.of(RedisCounterStore.class);
    }

    @AfterEach
    void close() throws Exception {
        log.close();
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private TestRedis redis() {
        TestRedis redis = TestRedis.started(dir);
        closing.add(redis);
        return redis;
    }

    private RedisCounterStore store(RedisCounterStore.Options options) {
        RedisCounterStore store = RedisCounterStore.connect(options, Clock.systemUTC(), degraded::add);
        closing.add(store);
        return store;
    }

    private List<String> messages(Level level) {
        return log.messages(level);
    }

    /** Calls until one is shared through Redis again; the store tries Redis again once its retry interval is over. */
    private static <T> T awaitShared(Supplier<T> call, Predicate<T> shared) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                T result = call.get();
                if (shared.test(result)) {
                    return result;
                }
            } catch (CounterStore.UnavailableException stillDown) {
                // not yet
            }
            Thread.sleep(20);
        }
        throw new AssertionError("Redis was not used again within 10 s");
    }

    /**
     * Fail-open: without Redis, this node counts alone (its limit still holds on this node), every such decision says
     * it is degraded and is reported; one warning is logged for the outage, one line when Redis is back.
     */
    @Test
    void failOpenCountsOnThisNodeUntilRedisAnswers() throws InterruptedException {
        TestRedis redis = redis();
        RedisCounterStore store = store(RedisCounterStoreTest.options(redis, "gatehouse:", RedisCounterStore.FailureMode.OPEN));
        Admission shared = store.slidingWindow("k", 2, WINDOW, 1);
        assertTrue(shared.admitted());
        assertFalse(shared.degraded());
        redis.stop();

        List<Admission> alone = List.of(store.slidingWindow("k", 2, WINDOW, 1), store.slidingWindow("k", 2, WINDOW, 1),
                                        store.slidingWindow("k", 2, WINDOW, 1));
        assertEquals(List.of(true, true, false), alone.stream().map(Admission::admitted).toList(), "this node's own limit");
        assertTrue(alone.stream().allMatch(Admission::degraded), alone.toString());
        assertEquals(0, alone.get(1).remaining());
        Admission quota = store.fixedWindow("q", 5, Duration.ofHours(1), Instant.EPOCH, 1);
        assertTrue(quota.admitted() && quota.degraded());
        assertEquals(4, quota.remaining());
        assertEquals(List.of("rate-limit", "rate-limit", "rate-limit", "quota"), degraded);
        assertFalse(store.shared());
        assertEquals(1, messages(Level.WARNING).size(), "one warning for the outage: " + messages(Level.WARNING));
        assertTrue(messages(Level.WARNING).getFirst().contains("redis://127.0.0.1:" + redis.port() + " does not answer"),
                   messages(Level.WARNING).toString());
        assertTrue(messages(Level.WARNING).getFirst().contains("counted on this node alone"));

        redis.start();
        Admission back = awaitShared(() -> store.slidingWindow("k", 2, WINDOW, 1), a -> !a.degraded());
        assertTrue(back.admitted(), "a fresh Redis counts from zero");
        assertEquals(1, back.remaining());
        assertTrue(store.shared());
        assertEquals(1, messages(Level.WARNING).size(), messages(Level.WARNING).toString());
        assertEquals(1, messages(Level.INFO).stream().filter(m -> m.contains("answers again")).count(),
                     messages(Level.INFO).toString());
    }

    /** Fail-closed: without Redis, calls are refused with the time to the next try; they are shared again after. */
    @Test
    void failClosedRefusesUntilRedisAnswers() throws InterruptedException {
        TestRedis redis = redis();
        RedisCounterStore store = store(RedisCounterStoreTest.options(redis, "gatehouse:",
                                                                      RedisCounterStore.FailureMode.CLOSED));
        assertTrue(store.slidingWindow("k", 2, WINDOW, 1).admitted());
        redis.stop();
        for (int i = 0; i < 3; i++) {
            CounterStore.UnavailableException e = assertThrows(CounterStore.UnavailableException.class,
                                                               () -> store.slidingWindow("k", 2, WINDOW, 1));
            assertTrue(e.retryAfter().compareTo(Duration.ofMillis(200)) <= 0, e.retryAfter().toString());
            assertFalse(e.getMessage().contains("password"));
        }
        assertThrows(CounterStore.UnavailableException.class,
                     () -> store.fixedWindow("q", 1, Duration.ofHours(1), Instant.EPOCH, 1));
        assertEquals(List.of(), degraded, "nothing decided without Redis");
        assertEquals(1, messages(Level.WARNING).size(), messages(Level.WARNING).toString());
        assertTrue(messages(Level.WARNING).getFirst().contains("get 503"), messages(Level.WARNING).toString());

        redis.start();
        Admission back = awaitShared(() -> store.slidingWindow("k", 2, WINDOW, 1), a -> true);
        assertTrue(back.admitted());
        assertFalse(back.degraded());
    }

    /**
     * A Redis that takes connections but never answers (a hung server, a black-holed route) costs one timeout per
     * retry interval: the calls after the first do not wait for it.
     */
    @Test
    void anOutageCostsOneTimeoutPerRetryInterval() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            RedisCounterStore.Options options = new RedisCounterStore.Options(
                    RedisEndpoint.parse("redis://:not-logged@127.0.0.1:" + silent.getLocalPort()), Duration.ofMillis(300),
                    Duration.ofSeconds(30), 8, "gatehouse:", RedisCounterStore.FailureMode.OPEN);
            long started = System.nanoTime();
            RedisCounterStore store = store(options);
            assertTrue(System.nanoTime() - started >= 250_000_000L, "the scripts' load waited for the timeout");
            assertTrue(store.slidingWindow("k", 1000, WINDOW, 1).degraded());
            long afterFirst = store.redisTries();
            for (int i = 0; i < 50; i++) {
                assertTrue(store.slidingWindow("k", 1000, WINDOW, 1).degraded());
            }
            // Counted, not timed: within the 30 s retry interval no call may wait for the silent Redis again.
            assertEquals(afterFirst, store.redisTries(), "the 50 calls after the first asked Redis");
            assertEquals(1, messages(Level.WARNING).size(), messages(Level.WARNING).toString());
            String warning = messages(Level.WARNING).getFirst();
            assertTrue(warning.contains("does not answer at start") && warning.contains("starting anyway"), warning);
            assertFalse(log.records().stream().anyMatch(r -> r.getMessage().contains("not-logged")), "the password stays out");
        }
    }

    /** A store whose Redis is down at start starts anyway, counts alone, and uses Redis once it is there. */
    @Test
    void startsWithoutRedis() throws InterruptedException {
        TestRedis redis = TestRedis.onFreePort(dir);
        closing.add(redis);
        RedisCounterStore store = store(RedisCounterStoreTest.options(redis, "gatehouse:", RedisCounterStore.FailureMode.OPEN));
        assertFalse(store.shared());
        assertTrue(messages(Level.WARNING).getFirst().contains("starting anyway"), messages(Level.WARNING).toString());
        Admission alone = store.fixedWindow("q", 2, Duration.ofHours(1), Instant.EPOCH, 1);
        assertTrue(alone.admitted() && alone.degraded());
        redis.start();
        Admission shared = awaitShared(() -> store.fixedWindow("q", 2, Duration.ofHours(1), Instant.EPOCH, 1),
                                       a -> !a.degraded());
        assertEquals(1, shared.remaining(), "Redis counts from its own zero");
        assertEquals(1, redis.client().exists("gatehouse:fw:q") ? 1 : 0);
    }
}
