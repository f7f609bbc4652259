package io.gatehouse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading backend entities: APIM's load-balanced pools, credentials and circuit breaker rules, their refusals, and
 * their way through the snapshot JSON the management plane serves to gateways.
 */
class BackendReadingTest {

    private static final String ARM = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ApiManagement"
            + "/service/apim";

    @TempDir
    Path dir;

    private void backend(String id, String properties) throws IOException {
        Path file = dir.resolve("backends").resolve(id).resolve("backendInformation.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"properties\": " + properties + "}");
    }

    private String refusal() {
        return assertThrows(ConfigException.class, () -> ApiOpsReader.read(dir)).getMessage();
    }

    private void poolFolder() throws IOException {
        backend("b1", "{\"url\": \"http://127.0.0.1:1/one\"}");
        backend("b2", "{\"url\": \"http://127.0.0.1:2/two\", \"credentials\": {\"header\": {\"x-key\": [\"k1\", \"k2\"]},"
                + " \"query\": {\"code\": [\"c\"]}}, \"circuitBreaker\": {\"rules\": [{\"name\": \"r\","
                + " \"failureCondition\": {\"count\": 3, \"interval\": \"PT1M\", \"statusCodeRanges\":"
                + " [{\"min\": 500, \"max\": 599}], \"errorReasons\": [\"Server errors\"]}, \"tripDuration\": \"PT30S\","
                + " \"acceptRetryAfter\": true}]}}");
        backend("pool", "{\"type\": \"Pool\", \"pool\": {\"services\": [{\"id\": \"/backends/b1\", \"priority\": 1,"
                + " \"weight\": 3}, {\"id\": \"" + ARM + "/backends/b2\", \"priority\": 2}]}}");
    }

    /** A pool reads without a URL; its members resolve from short and ARM ids, priority and weight default to 1. */
    @Test
    void poolsCredentialsAndBreakersAreRead() throws Exception {
        poolFolder();
        Snapshot s = ApiOpsReader.read(dir);
        Backend pool = s.backends().stream().filter(b -> b.id().equals("pool")).findFirst().orElseThrow();
        assertEquals(Backend.Type.POOL, pool.type());
        assertTrue(pool.url().isEmpty());
        assertEquals(List.of(new Backend.PoolMember("b1", 1, 3), new Backend.PoolMember("b2", 2, 1)), pool.pool());
        Backend b2 = s.backends().stream().filter(b -> b.id().equals("b2")).findFirst().orElseThrow();
        assertEquals(Map.of("x-key", List.of("k1", "k2")), b2.credentials().header());
        assertEquals(Map.of("code", List.of("c")), b2.credentials().query());
        assertFalse(b2.credentials().toString().contains("k1"), "credential values are secrets");
        assertEquals(List.of(new Backend.CircuitBreakerRule("r", 3, Duration.ofMinutes(1),
                                                            List.of(new Backend.StatusCodeRange(500, 599)),
                                                            List.of("Server errors"), Duration.ofSeconds(30), true)),
                     b2.circuitBreaker());
    }

    /** The new fields survive the federation JSON; a folder without them keeps the JSON (and revision) it had. */
    @Test
    void newFieldsTravelThroughTheSnapshotJson() throws Exception {
        poolFolder();
        Files.createDirectories(dir.resolve("gateways/gw"));
        Files.writeString(dir.resolve("gateways/gw/gatewayInformation.json"), "{\"properties\": {}}");
        Snapshot s = ApiOpsReader.read(dir);
        Snapshot back = SnapshotJson.read(SnapshotJson.write(s), "test");
        assertEquals(s, back);
        assertEquals(s.backends(), back.backends());
        assertEquals(s.revision(), back.revision());
        Snapshot cut = SnapshotJson.read(SnapshotJson.write(s.forGateway("gw")), "mp");
        assertEquals(s.backends(), cut.backends());

        Backend single = new Backend("be", URI.create("http://127.0.0.1:9/"), "http", "");
        Snapshot plain = Snapshot.create(Optional.empty(), List.of(), List.of(), List.of(), List.of(), List.of(single),
                                         List.of(), List.of());
        String json = new String(SnapshotJson.write(plain), StandardCharsets.UTF_8);
        assertTrue(json.contains("{\"id\":\"be\",\"url\":\"http://127.0.0.1:9/\",\"protocol\":\"http\","
                + "\"description\":\"\"}"), json);
        Backend withHeader = new Backend("be", Backend.Type.SINGLE, single.url(), "http", "", List.of(),
                                         new Backend.Credentials(Map.of("h", List.of("v")), Map.of()), List.of());
        assertNotEquals(plain.revision(), Snapshot.create(Optional.empty(), List.of(), List.of(), List.of(), List.of(),
                                                          List.of(withHeader), List.of(), List.of()).revision());
    }

    /** A member that is not defined is refused with the file and the JSON path. */
    @Test
    void unknownMemberIsRefused() throws Exception {
        backend("b1", "{\"url\": \"http://127.0.0.1:1/one\"}");
        backend("pool", "{\"type\": \"Pool\", \"pool\": {\"services\": [{\"id\": \"/backends/b1\"},"
                + " {\"id\": \"/backends/ghost\"}]}}");
        String m = refusal();
        assertTrue(m.contains("backends/pool/backendInformation.json: 'properties.pool.services[1].id' names backend"
                + " '/backends/ghost', which is not defined"), m);
    }

    /** A pool cannot contain a pool. */
    @Test
    void nestedPoolIsRefused() throws Exception {
        backend("b1", "{\"url\": \"http://127.0.0.1:1/one\"}");
        backend("inner", "{\"type\": \"Pool\", \"pool\": {\"services\": [{\"id\": \"/backends/b1\"}]}}");
        backend("outer", "{\"type\": \"Pool\", \"pool\": {\"services\": [{\"id\": \"/backends/inner\"}]}}");
        String m = refusal();
        assertTrue(m.contains("backends/outer/backendInformation.json: 'properties.pool.services[0].id' names"
                + " 'inner', which is not a single backend"), m);
    }

    /** Malformed values are refused, each with its file and JSON path. */
    @Test
    void malformedValuesAreRefusedWithTheirPath() throws Exception {
        backend("b1", "{\"url\": \"http://127.0.0.1:1/one\", \"circuitBreaker\": {\"rules\": [{\"failureCondition\":"
                + " {\"count\": 0, \"interval\": \"one minute\", \"statusCodeRanges\": [{\"min\": 599, \"max\": 500}]},"
                + " \"tripDuration\": \"PT-5S\"}]}}");
        backend("b2", "{\"url\": \"http://127.0.0.1:2/\", \"credentials\": {\"header\": {\"x\": 5}}}");
        backend("b3", "{\"type\": \"Cluster\"}");
        backend("p", "{\"type\": \"Pool\", \"pool\": {\"services\": [{\"id\": \"/backends/b1\", \"weight\": -1}]}}");
        backend("q", "{\"type\": \"Pool\"}");
        String m = refusal();
        String f = "backends/b1/backendInformation.json: 'properties.circuitBreaker.rules[0].";
        assertTrue(m.contains(f + "failureCondition.count' must be a whole number of at least 1"), m);
        assertTrue(m.contains(f + "failureCondition.interval' is not an ISO-8601 duration"), m);
        assertTrue(m.contains(f + "failureCondition.statusCodeRanges[0]': min 599 is above max 500"), m);
        assertTrue(m.contains(f + "tripDuration' must be longer than zero"), m);
        assertTrue(m.contains("backends/b2/backendInformation.json: 'properties.credentials.header.x' must be a list"),
                   m);
        assertTrue(m.contains("backends/b3/backendInformation.json: 'properties.type' must be 'Single' or 'Pool'"), m);
        assertTrue(m.contains("backends/p/backendInformation.json: 'properties.pool.services[0].weight' must be"), m);
        assertTrue(m.contains("backends/q/backendInformation.json: 'properties.pool.services' must list"), m);
        assertFalse(m.contains("'properties.url' is required"), m);
    }

    /** Member references: the short form and ARM ids, nothing else. */
    @Test
    void memberReferencesResolve() {
        assertEquals("b1", ApiOpsReader.backendIdOf("/backends/b1"));
        assertEquals("b1", ApiOpsReader.backendIdOf(ARM + "/backends/b1"));
        assertEquals("b1", ApiOpsReader.backendIdOf("backends/b1/"));
        assertNull(ApiOpsReader.backendIdOf("/apis/b1"));
        assertNull(ApiOpsReader.backendIdOf("/mybackends/b1"));
        assertNull(ApiOpsReader.backendIdOf("/backends/"));
    }

    /** A named value that only a backend's credentials use is still sent to a gateway. */
    @Test
    void namedValuesOfCredentialsAreServed() throws Exception {
        backend("b1", "{\"url\": \"http://127.0.0.1:1/\", \"credentials\": {\"header\": {\"k\": [\"{{ key }}\"]}}}");
        Path nv = dir.resolve("named values/key/namedValueInformation.json");
        Files.createDirectories(nv.getParent());
        Files.writeString(nv, "{\"properties\": {\"displayName\": \"key\", \"value\": \"s\", \"secret\": true}}");
        Path unused = dir.resolve("named values/other/namedValueInformation.json");
        Files.createDirectories(unused.getParent());
        Files.writeString(unused, "{\"properties\": {\"displayName\": \"other\", \"value\": \"o\"}}");
        Snapshot served = ApiOpsReader.read(dir).servedTo("gw");
        assertEquals(List.of("key"), served.namedValues().stream().map(NamedValue::displayName).toList());
    }
}
