package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.gatehouse.config.Api;
import io.gatehouse.config.Operation;
import io.gatehouse.config.SubscriptionKeyNames;

/** How a request path finds its API by URL suffix: by segment, case-insensitively, after percent-decoding. */
class RouteTableTest {

    private static final RouteTable TABLE = RouteTable.of(List.of(
            api("shop", "shop", "GET /items/{id}", "GET /", "GET /v22/items/{id}"),
            api("shop-v2", "shop/v2", "GET /items/{id}", "GET /"),
            api("deep", "a/b/c", "GET /x"),
            api("root", "", "GET /", "GET /status")));

    private static Api api(String id, String suffix, String... operations) {
        List<Operation> ops = new ArrayList<>();
        for (String op : operations) {
            String[] parts = op.split(" ", 2);
            ops.add(new Operation(id + "-" + ops.size(), op, parts[0], parts[1], List.of(), List.of(), List.of(),
                                  Optional.empty()));
        }
        return new Api(id, id, suffix, Optional.empty(), Set.of("https"), false, SubscriptionKeyNames.DEFAULT, "", "1",
                       ops, Optional.empty());
    }

    /** The API and the path within it that a request path routes to, or "none". */
    private static String route(String path) {
        return TABLE.match("GET", path).map(m -> m.api().id() + " " + m.pathWithinApi()).orElse("none");
    }

    @Test
    void theLongestSuffixWinsSegmentBySegment() {
        assertEquals("shop-v2 /items/7", route("/shop/v2/items/7"));
        assertEquals("shop /items/7", route("/shop/items/7"));
        assertEquals("shop-v2 ", route("/shop/v2"), "a path as long as the suffix leaves no path within the API");
        assertEquals("deep /x", route("/a/b/c/x"));
        assertEquals("none", route("/a/b/x"), "a path with fewer segments than the suffix");
        assertEquals("none", route("/a/b"));
    }

    @Test
    void aSuffixMatchesWholeSegmentsOnly() {
        assertEquals("none", route("/shopping/items/7"));
        assertEquals("none", route("/sho/items/7"));
        assertEquals("shop /v22/items/7", route("/shop/v22/items/7"), "'v22' is not the segment 'v2'");
        assertEquals("none", route("/a/bb/c/x"));
    }

    @Test
    void suffixesCompareCaseInsensitivelyAndDecoded() {
        assertEquals("shop-v2 /items/7", route("/SHOP/V2/items/7"));
        assertEquals("shop-v2 /items/7", route("/sh%6Fp/v%32/items/7"));
        assertEquals("deep /x", route("/a/%62/c/x"));
        // An encoded slash is part of a segment, not a separator.
        assertEquals("none", route("/shop%2Fv2/items/7"));
    }

    @Test
    void theRootApiTakesWhatNoSuffixMatches() {
        assertEquals("root ", route("/"));
        assertEquals("root ", route(""));
        assertEquals("root /status", route("/status"));
        assertEquals("shop ", route("/shop"));
        assertEquals("shop /", route("/shop/"));
        assertFalse(TABLE.match("GET", "/elsewhere").isPresent());
    }

    @Test
    void templateParametersAreDecoded() {
        Map<String, String> parameters = TABLE.match("GET", "/shop/v2/items/a%20b").orElseThrow().parameters();
        assertEquals(Map.of("id", "a b"), parameters);
    }
}
