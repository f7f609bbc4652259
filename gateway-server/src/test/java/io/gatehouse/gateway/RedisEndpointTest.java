package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Redis URLs as {@code policy.counters.redis.url} takes them, and that no message or log line shows a password. */
class RedisEndpointTest {

    /** redis:// and rediss:// with the parts Redis clients accept, defaults filled in, the password decoded. */
    @Test
    void readsTheUrlsRedisClientsWrite() {
        Map<String, RedisEndpoint> cases = Map.of(
                "redis://cache", new RedisEndpoint(false, "cache", 6379, "", "", 0),
                "redis://cache:6380/", new RedisEndpoint(false, "cache", 6380, "", "", 0),
                "rediss://gatehouse:p%40ss%3Aw0rd@cache.example.com:6380/2",
                new RedisEndpoint(true, "cache.example.com", 6380, "gatehouse", "p@ss:w0rd", 2),
                "redis://:secret@[::1]:7000", new RedisEndpoint(false, "::1", 7000, "", "secret", 0),
                " redis://10.0.0.5 ", new RedisEndpoint(false, "10.0.0.5", 6379, "", "", 0));
        cases.forEach((url, expected) -> assertEquals(expected, RedisEndpoint.parse(url), url));
    }

    /** The printed form, used in logs, masks the password and keeps everything else. */
    @Test
    void printsWithoutThePassword() {
        assertEquals("rediss://gatehouse:***@cache.example.com:6380/2",
                     RedisEndpoint.parse("rediss://gatehouse:hunter2@cache.example.com:6380/2").toString());
        assertEquals("redis://:***@[::1]:7000", RedisEndpoint.parse("redis://:hunter2@[::1]:7000").toString());
        assertEquals("redis://cache:6379", RedisEndpoint.parse("redis://cache").toString());
    }

    /** What is not a Redis URL is refused with a reason, never repeating the value (it may hold a password). */
    @Test
    void refusesWhatIsNotARedisUrl() {
        for (String url : new String[] {"http://u:hunter2@cache", "cache:6379", "redis://u@cache", "redis://:hunter2@",
                                        "redis://:hunter2@cache/zero", "redis://:hunter2@cache?db=1",
                                        "redis://:hun ter2@cache", "redis://:hunter2@cache/-1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RedisEndpoint.parse(url), url);
            assertFalse(e.getMessage().contains("hunter2") || e.getMessage().contains("hun ter2"), e.getMessage());
        }
    }

    /** A bad URL stops start-up naming the key, without the password; the other counter settings are checked too. */
    @Test
    void settingsAreCheckedAtStart() {
        SettingsException e = assertThrows(SettingsException.class,
                                           () -> SettingsTest.load(Map.of("policy.counters.redis.url",
                                                                          "http://app:hunter2@cache:6379")));
        assertTrue(e.getMessage().contains("policy.counters.redis.url (from environment): must start with redis://"),
                   e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        for (Map.Entry<String, String> bad : Map.of("policy.counters.redis.failure-mode", "ignore",
                                                    "policy.counters.redis.timeout", "20s",
                                                    "policy.counters.redis.retry-interval", "10ms",
                                                    "policy.counters.redis.key-prefix", " ",
                                                    "policy.counters.redis.pool-size", "0").entrySet()) {
            SettingsException refused = assertThrows(SettingsException.class, () -> SettingsTest.load(Map.of(bad.getKey(),
                                                                                                              bad.getValue())));
            assertTrue(refused.getMessage().contains(bad.getKey()), refused.getMessage());
        }
    }

    /** Policies see the policy.* settings, but not the counter store's: its URL may carry a password. */
    @Test
    void policiesDoNotSeeTheRedisUrl() throws SettingsException {
        Settings s = SettingsTest.load(Map.of("policy.counters.redis.url", "redis://:hunter2@cache",
                                              "policy.unknown-elements", "skip"));
        assertEquals(Map.of("policy.unknown-elements", "skip"), s.policySettings());
        assertEquals("redis://:hunter2@cache", s.string(SettingKey.POLICY_COUNTERS_REDIS_URL));
    }
}
