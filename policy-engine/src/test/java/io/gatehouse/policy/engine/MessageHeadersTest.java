package io.gatehouse.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The header set's rules, with few headers (searched in a list) and with many (indexed by a map). */
class MessageHeadersTest {

    /** Fills a set with {@code filler} unrelated headers first, so both lookups are exercised. */
    private static MessageHeaders headers(int filler) {
        MessageHeaders h = new MessageHeaders();
        for (int i = 0; i < filler; i++) {
            h.add("X-Filler-" + i, "v" + i);
        }
        return h;
    }

    /** Names match case-insensitively; the first spelling stays; values keep their order. */
    @ParameterizedTest
    @ValueSource(ints = {0, 40})
    void namesAreCaseInsensitiveAndKeepTheirFirstSpelling(int filler) {
        MessageHeaders h = headers(filler);
        h.add("X-Multi", "a");
        h.add("x-multi", "b");
        assertEquals(List.of("a", "b"), h.all("X-MULTI"));
        assertEquals(Optional.of("a"), h.first("x-Multi"));
        assertTrue(h.names().contains("X-Multi"));
        assertFalse(h.names().contains("x-multi"));
        assertTrue(h.contains("X-MULTI"));
    }

    /** set replaces every value where the header stands, with the new spelling; an empty list removes it. */
    @ParameterizedTest
    @ValueSource(ints = {0, 40})
    void setReplacesInPlaceAndEmptySetRemoves(int filler) {
        MessageHeaders h = headers(filler);
        h.add("A", "1");
        h.add("B", "2");
        h.add("C", "3");
        h.set("b", "two");
        List<String> names = new ArrayList<>(h.names());
        assertEquals(List.of("A", "b", "C"), names.subList(filler, filler + 3));
        assertEquals(List.of("two"), h.all("B"));
        h.set("C", List.of());
        assertFalse(h.contains("c"));
        assertEquals(filler + 2, h.names().size());
    }

    /** remove takes the header away whatever the case; adding it again appends it at the end. */
    @ParameterizedTest
    @ValueSource(ints = {0, 40})
    void removeThenAddAppends(int filler) {
        MessageHeaders h = headers(filler);
        h.add("First", "1");
        h.add("Second", "2");
        h.remove("FIRST");
        assertFalse(h.contains("first"));
        assertEquals(List.of(), h.all("First"));
        h.add("first", "again");
        List<String> names = new ArrayList<>(h.names());
        assertEquals(List.of("Second", "first"), names.subList(filler, filler + 2));
        List<String> walked = new ArrayList<>();
        h.forEach((name, value) -> walked.add(name + "=" + value));
        assertEquals(List.of("Second=2", "first=again"), walked.subList(filler, filler + 2));
        h.clear();
        assertTrue(h.names().isEmpty());
        assertFalse(h.contains("second"));
    }
}
