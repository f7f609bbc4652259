package io.gatehouse.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.gatehouse.config.Backend;

/** Choosing a pool's member: the lowest priority group with an available member, by weight within it. */
class BackendDirectoryTest {

    private static Backend single(String id) {
        return new Backend(id, URI.create("http://127.0.0.1:1/" + id), "http", "");
    }

    private static final BackendDirectory DIRECTORY = new BackendDirectory(List.of(
            single("a"), single("b"), single("c"),
            new Backend("pool", Backend.Type.POOL, Optional.empty(), "http", "",
                        List.of(new Backend.PoolMember("a", 1, 1), new Backend.PoolMember("b", 1, 1),
                                new Backend.PoolMember("c", 2, 1)),
                        Backend.Credentials.NONE, List.of())));

    private static Set<String> chosen(Predicate<String> available) {
        Random random = new Random(7);
        return Set.copyOf(IntStream.range(0, 50)
                                  .mapToObj(i -> DIRECTORY.choose("pool", available, random).map(Backend::id)
                                          .orElse("none"))
                                  .toList());
    }

    /** Table: which members are available, and which the pool may choose. */
    @Test
    void priorityTwoOnlyServesWhilePriorityOneIsUnavailable() {
        assertEquals(Set.of("a", "b"), chosen(id -> true));
        assertEquals(Set.of("b"), chosen(id -> !id.equals("a")));
        assertEquals(Set.of("c"), chosen(id -> id.equals("c")));
        assertEquals(Set.of("none"), chosen(id -> false));
    }

    /** A single backend is itself; before a call chooses, a pool stands for its first member's URL. */
    @Test
    void singleBackendsAndNominalUrls() {
        assertEquals("a", DIRECTORY.choose("a", id -> true, new Random()).orElseThrow().id());
        assertTrue(DIRECTORY.choose("a", id -> false, new Random()).isEmpty());
        assertTrue(DIRECTORY.choose("ghost", id -> true, new Random()).isEmpty());
        assertEquals(URI.create("http://127.0.0.1:1/a"), DIRECTORY.nominalUrl("pool").orElseThrow());
    }
}
