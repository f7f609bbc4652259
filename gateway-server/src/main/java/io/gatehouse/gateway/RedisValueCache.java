package io.gatehouse.gateway;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

import io.gatehouse.policy.spi.ValueCache;

/**
 * The external value cache ({@code caching-type="external"}) in Redis, shared by every gateway that uses it, as
 * APIM's external cache: {@code SET} with an expiry, {@code GET}, {@code DEL}, one round trip each. Values keep their
 * type: each is stored with a one-letter tag ({@code s:}, {@code b:}, {@code i:}, {@code l:}, {@code d:}).
 *
 * <p>As APIM, the cache never fails a call: while Redis does not answer, lookups miss and stores and removals are
 * dropped. After a failure Redis is left alone for the retry interval, so an outage costs one timeout per interval
 * rather than one per request; one warning says when it stops answering and one line when it answers again.
 */
final class RedisValueCache implements ValueCache, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RedisValueCache.class.getName());

    private final RedisEndpoint endpoint;
    private final RedisClient redis;
    private final String prefix;
    private final long retryNanos;
    private final AtomicBoolean down = new AtomicBoolean();
    private volatile long retryAt;

    RedisValueCache(RedisEndpoint endpoint, Duration timeout, Duration retryInterval, String prefix) {
        this.endpoint = endpoint;
        this.redis = endpoint.client(timeout, 16);
        this.prefix = prefix;
        this.retryNanos = retryInterval.toNanos();
        LOG.log(System.Logger.Level.INFO, "the external cache (caching-type external and prefer-external) is Redis at "
                + endpoint);
    }

    @Override
    public Optional<Object> get(String key) {
        if (skipping()) {
            return Optional.empty();
        }
        try {
            String stored = redis.get(prefix + key);
            answered();
            return stored == null ? Optional.empty() : Optional.of(decode(stored));
        } catch (JedisException e) {
            failed(e);
            return Optional.empty();
        }
    }

    @Override
    public void put(String key, Object value, Duration ttl) {
        String encoded = encode(value);
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("the time to keep a value must be positive: " + ttl);
        }
        if (skipping()) {
            return;
        }
        try {
            redis.set(prefix + key, encoded, SetParams.setParams().px(ttl.toMillis()));
            answered();
        } catch (JedisException e) {
            failed(e);
        }
    }

    @Override
    public void remove(String key) {
        if (skipping()) {
            return;
        }
        try {
            redis.del(prefix + key);
            answered();
        } catch (JedisException e) {
            failed(e);
        }
    }

    @Override
    public void close() {
        redis.close();
    }

    static String encode(Object value) {
        return switch (value) {
            case String s -> "s:" + s;
            case Boolean b -> "b:" + b;
            case Integer i -> "i:" + i;
            case Long l -> "l:" + l;
            case Double d -> "d:" + d;
            case null -> throw new IllegalArgumentException("a cache holds strings, numbers and booleans, not null");
            default -> throw new IllegalArgumentException("a cache holds strings, numbers and booleans, not "
                                                                  + value.getClass().getSimpleName());
        };
    }

    static Object decode(String stored) {
        String v = stored.length() < 2 ? "" : stored.substring(2);
        return switch (stored.isEmpty() ? ' ' : stored.charAt(0)) {
            case 'b' -> Boolean.parseBoolean(v);
            case 'i' -> Integer.parseInt(v);
            case 'l' -> Long.parseLong(v);
            case 'd' -> Double.parseDouble(v);
            case 's' -> v;
            // Written by something else than a gateway: the text as it is.
            default -> stored;
        };
    }

    private boolean skipping() {
        return down.get() && System.nanoTime() - retryAt < 0;
    }

    private void answered() {
        if (down.compareAndSet(true, false)) {
            LOG.log(System.Logger.Level.INFO, "the external cache at " + endpoint + " answers again");
        }
    }

    private void failed(JedisException e) {
        retryAt = System.nanoTime() + retryNanos;
        if (down.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "the external cache at " + endpoint + " does not answer ("
                    + e.getClass().getSimpleName() + "); lookups miss and stores are dropped until it does");
        }
    }
}
