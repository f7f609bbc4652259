package io.gatehouse.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Secret named values never reach a log line. */
class SecretRedactorTest {

    /** Every occurrence is masked, longer secrets before the shorter ones they contain. */
    @Test
    void masksEveryOccurrenceLongestFirst() {
        SecretRedactor r = new SecretRedactor(List.of("abc", "abcdef", "x"));
        assertEquals("key *** and *** and x", r.redact("key abcdef and abc and x"));
        assertEquals("nothing here", SecretRedactor.NONE.redact("nothing here"));
    }
}
