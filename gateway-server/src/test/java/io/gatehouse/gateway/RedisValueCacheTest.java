package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.policy.engine.GatewayServices;
import io.gatehouse.policy.engine.LocalCounterStore;
import io.gatehouse.policy.engine.LocalValueCache;

/**
 * The external value cache in a real Redis: values keep their type and expire; two real gateways share what one
 * stored; with Redis stopped, calls still succeed (every lookup misses) and sharing resumes when it is back.
 */
@Timeout(120)
class RedisValueCacheTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private TestRedis redis;
    private TokenIssuer issuer;

    @BeforeEach
    void start() {
        redis = TestRedis.started(dir);
        closing.add(redis);
        issuer = new TokenIssuer();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        issuer.close();
    }

    private RedisValueCache cache() {
        RedisValueCache cache = new RedisValueCache(RedisEndpoint.parse(redis.url()), Duration.ofMillis(250),
                                                    Duration.ofMillis(200), "test:cache:");
        closing.add(cache);
        return cache;
    }

    /** Strings, booleans, ints, longs and doubles come back as they went in, under the prefix, until they expire. */
    @Test
    void valuesKeepTheirTypeAndExpire() throws Exception {
        RedisValueCache cache = cache();
        Map<String, Object> values = Map.of("s", "text with: colons", "b", true, "i", 42, "l", 5_000_000_000L, "d", 0.25);
        values.forEach((k, v) -> cache.put(k, v, Duration.ofMinutes(1)));
        values.forEach((k, v) -> assertEquals(Optional.of(v), cache.get(k), k));
        assertEquals("s:text with: colons", redis.client().get("test:cache:s"), "stored under the prefix, tagged");
        long ttl = redis.client().pttl("test:cache:i");
        assertTrue(ttl > 0 && ttl <= 60_000, "expiry set: " + ttl);
        cache.remove("s");
        assertEquals(Optional.empty(), cache.get("s"));
        cache.put("brief", "x", Duration.ofMillis(50));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (cache.get("brief").isPresent() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(Optional.empty(), cache.get("brief"), "expired");
    }

    private Gateway gateway(String name, RedisValueCache external) throws IOException {
        Path folder = dir.resolve(name);
        new TestFolder(folder)
                .api("a", "a", "http://127.0.0.1:1/unused", false, "GET /token")
                .write("apis/a/operations/op0/policy.xml",
                       CacheValueTest.tokenFlow("prefer-external", issuer.url()));
        Clock clock = Clock.systemUTC();
        Gateway gateway = new TestFolder(folder).gateway(Map.of(), new GatewayServices(
                new LocalCounterStore(clock), clock, new LocalValueCache(clock, 100), Optional.of(external)), null)
                .start("127.0.0.1", 0);
        closing.add(gateway);
        return gateway;
    }

    private static String token(Gateway gateway) {
        HttpResponse<String> r = HttpCalls.get(URI.create("http://127.0.0.1:" + gateway.port()), "/a/token");
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** What one gateway stored, the other finds; with Redis gone both keep answering; back, they share again. */
    @Test
    void replicasShareValuesAndSurviveAnOutage() throws Exception {
        Gateway one = gateway("one", cache());
        Gateway two = gateway("two", cache());
        assertEquals("token-1", token(one));
        assertEquals("token-1", token(two), "stored by the other replica");
        assertEquals(1, issuer.calls());

        redis.stop();
        assertEquals("token-2", token(one), "a miss, fetched again, no error");
        assertEquals("token-3", token(two));

        redis.start();
        redis.client().flushAll();
        // Each replica tries Redis again once its retry interval is over: until then its lookups miss. Sharing has
        // resumed when a call on one replica is answered, without the issuer, with what the other stored in Redis.
        String fresh = "";
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline && redis.client().get("test:cache:token-a") == null) {
            fresh = token(one);
        }
        assertEquals("s:" + fresh, redis.client().get("test:cache:token-a"), "one stored in Redis again");
        boolean shared = false;
        while (System.nanoTime() < deadline && !shared) {
            int before = issuer.calls();
            String answer = token(two);
            shared = issuer.calls() == before && ("s:" + answer).equals(redis.client().get("test:cache:token-a"));
        }
        assertTrue(shared, "two answered from Redis again within 20 s");
    }
}
