package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.config.Api;
import io.gatehouse.config.ApiOpsReader;
import io.gatehouse.config.Snapshot;
import io.gatehouse.policy.engine.SnapshotCompiler;

/**
 * A reload builds the next snapshot out of the serving one's unchanged objects (so a large configuration is not held
 * twice), and what did change is what serves.
 */
class SnapshotSharingTest {

    private static final String KEY_A = "key-a-0123456789abcdef";
    private static final String KEY_B = "key-b-0123456789abcdef";
    private static final String KEY_B2 = "key-b2-0123456789abcdef";

    @TempDir
    Path dir;

    private SnapshotCompiler compiler;

    private CompiledSnapshot compile(Optional<CompiledSnapshot> previous) throws Exception {
        return CompiledSnapshot.compile(ApiOpsReader.read(dir), compiler, p -> { }, previous);
    }

    private static Api api(CompiledSnapshot s, String id) {
        return s.snapshot().apis().stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void unchangedPartsAreTheServingOnesAndChangesServe() throws Exception {
        compiler = GatewayMain.compiler(Settings.load(Map.of(), Optional.empty(), Optional.empty(), Map.of()));
        TestFolder folder = new TestFolder(dir)
                .api("a", "a", "http://127.0.0.1:9/a", true, "GET /x")
                .api("b", "b", "http://127.0.0.1:9/b", true, "GET /x")
                .subscription("sa", "/apis/a", "active", KEY_A)
                .subscription("sb", "/apis/b", "active", KEY_B);
        CompiledSnapshot first = compile(Optional.empty());

        // Only the global policy changes: every API, subscription, the route table and the index are the serving ones.
        folder.write("policy.xml", "<policies><inbound><set-header name=\"X-Rev\" exists-action=\"override\">"
                + "<value>2</value></set-header></inbound><backend><forward-request/></backend><outbound/>"
                + "<on-error/></policies>");
        CompiledSnapshot second = compile(Optional.of(first));
        assertNotEquals(first.snapshot().revision(), second.snapshot().revision());
        assertSame(first.snapshot().apis(), second.snapshot().apis());
        assertSame(first.snapshot().subscriptions(), second.snapshot().subscriptions());
        assertSame(first.routes(), second.routes());
        assertSame(first.subscriptions(), second.subscriptions());
        Snapshot alone = ApiOpsReader.read(dir);
        assertEquals(alone, second.snapshot(), "sharing changes no content");

        // One subscription's key changes: a new index in which the new key works and the old one does not, while the
        // other subscription and both APIs are still the serving objects.
        folder.subscription("sb", "/apis/b", "active", KEY_B2);
        CompiledSnapshot third = compile(Optional.of(second));
        assertNotSame(second.subscriptions(), third.subscriptions());
        assertSame(second.snapshot().apis(), third.snapshot().apis());
        assertSame(second.snapshot().subscriptions().get(0), third.snapshot().subscriptions().get(0));
        assertNotSame(second.snapshot().subscriptions().get(1), third.snapshot().subscriptions().get(1));
        Api b = api(third, "b");
        assertInstanceOf(SubscriptionIndex.Access.Granted.class, third.subscriptions().authorize(b, Optional.of(KEY_B2)));
        assertSame(SubscriptionIndex.Access.Denied.INVALID_KEY, third.subscriptions().authorize(b, Optional.of(KEY_B)));
        assertInstanceOf(SubscriptionIndex.Access.Granted.class,
                         third.subscriptions().authorize(api(third, "a"), Optional.of(KEY_A)));

        // One API's path changes: a new route table that routes the new path, with the other API shared.
        folder.api("b", "b-moved", "http://127.0.0.1:9/b", true, "GET /x");
        CompiledSnapshot fourth = compile(Optional.of(third));
        assertNotSame(third.routes(), fourth.routes());
        assertSame(api(third, "a"), api(fourth, "a"));
        assertEquals("b-moved", api(fourth, "b").path());
        assertTrue(fourth.routes().match("GET", "/b-moved/x").isPresent());
        assertFalse(fourth.routes().match("GET", "/b/x").isPresent());
        assertTrue(third.routes().match("GET", "/b/x").isPresent(), "the serving table is untouched");
        assertEquals(ApiOpsReader.read(dir), fourth.snapshot());
    }
}
