package io.gatehouse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The snapshot's JSON form and its content-derived revision. Both are pinned: a revision is compared across processes
 * and versions (the management plane's ETag, a gateway's backup written by an older release), so a change in how the
 * JSON is produced must not change a single byte.
 */
class SnapshotJsonTest {

    /** A snapshot with every kind of item and every optional part, and text that JSON must escape. */
    static Snapshot everything() {
        PolicyDocument doc = new PolicyDocument("policy.xml", "<policies>\n  <inbound a=\"1\">é ✓ \t \\ </inbound>\n</policies>");
        Operation op = new Operation("get-x", "Get \"x\"", "GET", "/x/{id}",
                                     List.of(new Operation.Parameter("id", true, "string")),
                                     List.of(new Operation.Parameter("q", false, "integer")),
                                     List.of(new Operation.ResponseExample(200, "application/json", "{\"a\":1}")),
                                     Optional.of(doc));
        Api api = new Api("api-1", "API one", "one", Optional.of(URI.create("http://127.0.0.1:9/base")),
                          Set.of("https", "http"), true, new SubscriptionKeyNames("Key-Header", "key"), "v1", "2",
                          List.of(op), Optional.of(doc));
        Api bare = new Api("api-0", "API zero", "", Optional.empty(), Set.of("https"), false, SubscriptionKeyNames.DEFAULT,
                           "", "1", List.of(), Optional.empty());
        Product product = new Product("starter", "Starter", "published", true, List.of("api-1"), Optional.of(doc));
        Subscription sub = new Subscription("sub-1", "Sub one", "/products/starter", "active",
                                            Optional.of(KeyHash.of("primary-key-0123456789")),
                                            Optional.of(KeyHash.of("secondary-key-0123456789")),
                                            Optional.of(Instant.parse("2026-01-02T03:04:05Z")), true);
        Subscription plain = new Subscription("sub-0", "Sub zero", "/apis", "suspended", Optional.empty(),
                                              Optional.empty(), Optional.empty(), false);
        return Snapshot.create(Optional.of(doc), List.of(api, bare), List.of(product), List.of(sub, plain),
                               List.of(new NamedValue("nv", "Named", "va\"lue", true)),
                               List.of(new Backend("be", URI.create("http://127.0.0.1:9/"), "http", "a backend")),
                               List.of(new PolicyFragment("frag", "a fragment", doc)),
                               List.of(new Gateway("gw", "a gateway", List.of("api-1", "api-0"))));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void revisionAndBytesArePinned() throws Exception {
        Snapshot s = everything();
        assertEquals("c0d59d2d83bb13f1ebb1e19ab4e0a168", s.revision());
        assertEquals("0d890df7b159702af4fe7fc0c96f49d6b85b2f1c049d88d1733c1c8b9055d7be", sha256(SnapshotJson.write(s)));
        assertEquals(s, SnapshotJson.read(SnapshotJson.write(s), "test"));
    }

    @Test
    void quickstartRevisionIsPinned() throws Exception {
        Snapshot s = ApiOpsReader.read(ApiOpsReaderTest.QUICKSTART);
        assertEquals("852418b2e7bc2a83a6402399476cc596", s.revision());
        assertEquals(s, SnapshotJson.read(SnapshotJson.write(s), "test"));
    }

    private static String refusal(String json) {
        ConfigException e = assertThrows(ConfigException.class,
                                         () -> SnapshotJson.read(json.getBytes(StandardCharsets.UTF_8), "test.json"));
        return e.getMessage();
    }

    /** Every way a document can be wrong is refused with a message that says which. */
    @Test
    void badDocumentsAreRefusedWithTheReason() {
        String good = new String(SnapshotJson.write(everything()), StandardCharsets.UTF_8);
        assertTrue(refusal("[1, 2]").contains("a snapshot must be a JSON object"));
        assertTrue(refusal("").contains("a snapshot must be a JSON object"));
        assertTrue(refusal(good.replace("\"format\":1", "\"format\":2")).contains("unsupported snapshot format 2"));
        assertTrue(refusal(good.replace("\"format\":1,", "")).contains("unsupported snapshot format"));
        assertTrue(refusal(good.substring(0, good.length() / 2)).contains("malformed snapshot JSON"));
        String notArray = refusal(good.replace("\"gateways\":[", "\"gateways\":\"none\",\"x\":["));
        assertTrue(notArray.contains("'gateways' must be an array"), notArray);
        String noBackends = good.replaceFirst("\"backends\":\\[[^\\]]*\\],", "");
        assertTrue(refusal(noBackends).contains("'backends' must be an array"), noBackends);
        assertTrue(refusal(good.replace("\"id\":\"sub-1\"", "\"id\":7")).contains("invalid snapshot"));
        assertTrue(refusal(good.replace("Sub one", "Sub 1")).contains("does not match its revision"));
    }
}
