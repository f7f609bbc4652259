package io.gatehouse.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import io.gatehouse.policy.engine.LocalCounterStore;
import io.gatehouse.policy.spi.CounterStore;

/**
 * Rate-limit and quota counters shared by every gateway that uses the same Redis, so that a limit holds across
 * replicas. Each decision is one round trip: a Lua script, run atomically by Redis with {@code EVALSHA} (loaded at
 * start, loaded again if Redis answers {@code NOSCRIPT} after a restart).
 *
 * <p>Time is Redis's: the scripts read the server's clock ({@code TIME}), so replicas whose clocks differ still
 * agree on when a window starts and ends. Sliding windows keep buckets of a thousandth of the window, as
 * {@link LocalCounterStore} does: a bounded list per key whatever the call rate, a limit never exceeded, and a caller
 * at the limit waiting up to one bucket longer than with an exact log. Every key expires when nothing in it counts
 * any more.
 *
 * <p>When Redis does not answer (within the timeout), the failure mode decides: {@code open} counts on this node
 * alone, with a {@link LocalCounterStore}, and marks the decision {@link Admission#degraded() degraded};
 * {@code closed} throws {@link CounterStore.UnavailableException} (the caller gets 503). Either way Redis is not
 * asked again for a retry interval, so an outage costs one timeout per interval rather than one per request; then a
 * single request probes it. One warning is logged when Redis stops answering and one line when it answers
 * again.
 *
 * <p>Concurrency permits ({@code limit-concurrency}) stay on each node: sharing them would need a lease per request
 * that a crashed replica could not give back, and two round trips per request.
 */
final class RedisCounterStore implements CounterStore, AutoCloseable {

    /** As {@link LocalCounterStore}: a sliding window counts in buckets of a thousandth of its length. */
    static final long RESOLUTION = 1000;

    private static final System.Logger LOGGER = System.getLogger(RedisCounterStore.class.getName());
    private static final Script SLIDING = Script.named("sliding-window.lua");
    private static final Script FIXED = Script.named("fixed-window.lua");

    /** What to do while Redis does not answer. */
    enum FailureMode {
        /** Count on this node alone, and say so. */
        OPEN,
        /** Refuse the call: the caller gets 503. */
        CLOSED
    }

    /**
     * How to reach Redis and what to do without it.
     *
     * @param endpoint      where Redis is
     * @param timeout       connect and read timeout of one call, and the longest wait for a pooled connection
     * @param retryInterval how long Redis is left alone after it did not answer
     * @param poolSize      connections kept at most
     * @param keyPrefix     prefix of every key written
     * @param failureMode   what to do while Redis does not answer
     */
    record Options(RedisEndpoint endpoint, Duration timeout, Duration retryInterval, int poolSize, String keyPrefix,
                   FailureMode failureMode) {
    }

    private final Options options;
    private final RedisClient redis;
    private final LocalCounterStore local;
    private final Clock clock;
    private final boolean serverTime;
    private final Consumer<String> onDegraded;
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicBoolean probing = new AtomicBoolean();
    /** Decisions that asked Redis: what tests check the back-off with, rather than with a clock. */
    private final LongAdder tries = new LongAdder();
    private final String slidingPrefix;
    private final String fixedPrefix;
    private volatile long retryAt;
    private volatile long downSince;

    /**
     * Connects to Redis and loads the scripts. Redis not answering does not stop the gateway from starting: the
     * failure mode applies until it answers, and the log says so.
     *
     * @param options    how to reach Redis
     * @param clock      the gateway's clock, for the counters kept on this node while Redis is away
     * @param onDegraded told of each decision made on this node alone (fail-open), with the policy:
     *                   {@code rate-limit} or {@code quota}
     * @return the store; close it to close its connections
     */
    static RedisCounterStore connect(Options options, Clock clock, Consumer<String> onDegraded) {
        return new RedisCounterStore(options, clock, true, onDegraded);
    }

    /**
     * A store whose scripts take the time from {@code clock} rather than from Redis: for tests that move time.
     *
     * @param options    how to reach Redis
     * @param clock      the time of every decision, shared or local
     * @param serverTime whether shared decisions use Redis's clock instead
     * @param onDegraded told of each degraded decision
     */
    RedisCounterStore(Options options, Clock clock, boolean serverTime, Consumer<String> onDegraded) {
        this.options = options;
        this.clock = clock;
        this.serverTime = serverTime;
        this.onDegraded = onDegraded;
        this.local = new LocalCounterStore(clock);
        this.slidingPrefix = options.keyPrefix() + "sw:";
        this.fixedPrefix = options.keyPrefix() + "fw:";
        RedisEndpoint endpoint = options.endpoint();
        this.redis = endpoint.client(options.timeout(), options.poolSize());
        try {
            SLIDING.load(redis);
            FIXED.load(redis);
            LOGGER.log(System.Logger.Level.INFO, "rate limits and quotas are counted in Redis at " + endpoint
                    + ", shared with every gateway using it (failure mode " + mode() + ", timeout "
                    + options.timeout().toMillis() + " ms)");
        } catch (JedisException e) {
            down.set(true);
            downSince = System.nanoTime();
            retryAt = downSince;
            LOGGER.log(System.Logger.Level.WARNING, "Redis at " + endpoint + " does not answer at start ("
                    + describe(e) + "); starting anyway: " + whileDown());
        }
    }

    @Override
    public Admission slidingWindow(String key, long limit, Duration window, long cost) {
        long windowMillis = window.toMillis();
        long quantum = Math.max(1, windowMillis / RESOLUTION);
        return decide("rate-limit",
                      () -> SLIDING.run(redis, slidingPrefix + key, limit, Long.toString(limit), Long.toString(windowMillis),
                                        Long.toString(quantum), Long.toString(cost), now()),
                      () -> local.slidingWindow(key, limit, window, cost));
    }

    @Override
    public Admission fixedWindow(String key, long limit, Duration period, Instant periodStart, long cost) {
        if (period.isZero() || period.isNegative()) {
            // LocalCounterStore cannot count a window for all time either; no built-in policy asks for one.
            throw new IllegalArgumentException("a quota needs a renewal period, was " + period);
        }
        return decide("quota",
                      () -> FIXED.run(redis, fixedPrefix + key, limit, Long.toString(limit), Long.toString(period.toMillis()),
                                      Long.toString(periodStart.toEpochMilli()), Long.toString(cost), now()),
                      () -> local.fixedWindow(key, limit, period, periodStart, cost));
    }

    /** Per node, as the class says: {@code limit-concurrency} admits up to max-count on each replica. */
    @Override
    public Optional<Permit> tryAcquire(String key, int max) {
        return local.tryAcquire(key, max);
    }

    /** @return whether decisions are shared through Redis now (false while it does not answer) */
    boolean shared() {
        return !down.get();
    }

    @Override
    public void close() {
        redis.close();
    }

    @Override
    public String toString() {
        return "RedisCounterStore[" + options.endpoint() + ", prefix " + options.keyPrefix() + ", failure mode " + mode()
                + "]";
    }

    /** The scripts' "now": empty for Redis's own clock. */
    private String now() {
        return serverTime ? "" : Long.toString(clock.millis());
    }

    /** @return how many decisions asked Redis so far */
    long redisTries() {
        return tries.sum();
    }

    private Admission decide(String policy, Supplier<Admission> shared, Supplier<Admission> alone) {
        if (down.get()) {
            // One request at a time probes Redis once the interval is over; the others do not wait for it.
            if (System.nanoTime() - retryAt < 0 || !probing.compareAndSet(false, true)) {
                return withoutRedis(policy, alone);
            }
            try {
                return ask(policy, shared, alone);
            } finally {
                probing.set(false);
            }
        }
        return ask(policy, shared, alone);
    }

    private Admission ask(String policy, Supplier<Admission> shared, Supplier<Admission> alone) {
        Admission admission;
        tries.increment();
        try {
            admission = shared.get();
        } catch (JedisException e) {
            failed(e);
            return withoutRedis(policy, alone);
        }
        // A plain read first: a compare-and-set on every request would make all of them contend for one cache line.
        if (down.get() && down.compareAndSet(true, false)) {
            long millis = Duration.ofNanos(System.nanoTime() - downSince).toMillis();
            LOGGER.log(System.Logger.Level.INFO, "Redis at " + options.endpoint() + " answers again after "
                    + (millis < 10_000 ? millis + " ms" : millis / 1000 + " s") + ": rate limits and quotas are shared again");
        }
        return admission;
    }

    private Admission withoutRedis(String policy, Supplier<Admission> alone) {
        if (options.failureMode() == FailureMode.CLOSED) {
            throw new CounterStore.UnavailableException("Redis at " + options.endpoint() + " does not answer",
                                                        Duration.ofNanos(Math.max(0, retryAt - System.nanoTime())));
        }
        Admission a = alone.get();
        onDegraded.accept(policy);
        return new Admission(a.admitted(), a.limit(), a.remaining(), a.retryAfter(), true);
    }

    private void failed(JedisException e) {
        retryAt = System.nanoTime() + options.retryInterval().toNanos();
        // Idle connections to a Redis that went away are dead too: without them, the first try after it is back works.
        redis.getPool().clear();
        if (down.compareAndSet(false, true)) {
            downSince = System.nanoTime();
            LOGGER.log(System.Logger.Level.WARNING, "Redis at " + options.endpoint() + " does not answer (" + describe(e)
                    + "): " + whileDown());
        }
    }

    private String whileDown() {
        String meanwhile = options.failureMode() == FailureMode.OPEN
                ? "rate limits and quotas are counted on this node alone (policy.counters.redis.failure-mode=open)"
                : "calls to rate-limited and quota APIs get 503 (policy.counters.redis.failure-mode=closed)";
        return meanwhile + " until it does; trying it again every " + options.retryInterval().toMillis() + " ms";
    }

    private String mode() {
        return options.failureMode() == FailureMode.OPEN ? "open" : "closed";
    }

    /** The failure and its cause, without a stack trace: Jedis's messages carry no credentials. */
    private static String describe(JedisException e) {
        Throwable cause = e.getCause();
        String message = String.valueOf(e.getMessage());
        return cause == null || cause.getMessage() == null || message.contains(cause.getMessage()) ? message
                : message + ": " + cause.getMessage();
    }

    /** A Lua script known by its SHA-1, run with EVALSHA and loaded again when Redis has forgotten it. */
    private record Script(String text, String sha) {

        static Script named(String resource) {
            try (InputStream in = RedisCounterStore.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + resource);
                }
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
                return new Script(text, HexFormat.of().formatHex(digest));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void load(UnifiedJedis redis) {
            String loaded = redis.scriptLoad(text);
            if (!loaded.equals(sha)) {
                throw new IllegalStateException("Redis gave the script " + loaded + " for " + sha);
            }
        }

        /** Runs the script on one key; its answer is {admitted, remaining, retry after or renewal in ms}. */
        Admission run(UnifiedJedis redis, String key, long limit, String... args) {
            List<String> keys = List.of(key);
            List<String> argv = List.of(args);
            Object answer;
            try {
                answer = redis.evalsha(sha, keys, argv);
            } catch (JedisNoScriptException e) {
                // Redis restarted (or SCRIPT FLUSH): load it again, once.
                load(redis);
                answer = redis.evalsha(sha, keys, argv);
            }
            List<?> values = (List<?>) answer;
            return new Admission((Long) values.get(0) == 1, limit, (Long) values.get(1),
                                 Duration.ofMillis((Long) values.get(2)), false);
        }
    }
}
