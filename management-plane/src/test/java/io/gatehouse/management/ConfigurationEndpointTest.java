package io.gatehouse.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.gatehouse.config.Api;
import io.gatehouse.config.ApiOpsReader;
import io.gatehouse.config.Backend;
import io.gatehouse.config.Product;
import io.gatehouse.config.Snapshot;
import io.gatehouse.config.SnapshotJson;

/** GET /gateways/{id}/configuration: each gateway's snapshot, its ETag, 304, and the wait that makes watching work. */
class ConfigurationEndpointTest {

    @TempDir
    Path tmp;
    private ManagementPlaneFixture mp;

    @BeforeEach
    void start() throws Exception {
        mp = new ManagementPlaneFixture(tmp);
    }

    @AfterEach
    void stop() throws Exception {
        if (mp != null) {
            mp.close();
        }
    }

    private static Snapshot snapshot(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        return SnapshotJson.read(response.body().getBytes(StandardCharsets.UTF_8), "configuration response");
    }

    private static String etag(HttpResponse<String> response) {
        return response.headers().firstValue("ETag").orElseThrow(() -> new AssertionError("no ETag"));
    }

    private static List<String> apiIds(Snapshot snapshot) {
        return snapshot.apis().stream().map(Api::id).sorted().toList();
    }

    /** A 200 is JSON that reads as a snapshot, with its revision quoted as ETag and its API count in a header. */
    @Test
    void answersTheSnapshotWithItsRevisionAsEtag() throws Exception {
        HttpResponse<String> r = mp.configuration("gw1", "");
        Snapshot snapshot = snapshot(r);
        assertEquals("\"" + snapshot.revision() + "\"", etag(r));
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(Integer.toString(snapshot.apis().size()),
                     r.headers().firstValue("Gatehouse-Snapshot-Apis").orElseThrow());
        assertEquals(List.of("echo"), apiIds(snapshot));
    }

    /** If-None-Match naming the current revision answers 304 with no body and the same ETag. */
    @Test
    void ifNoneMatchWithTheCurrentRevisionAnswers304() throws Exception {
        String etag = etag(mp.configuration("gw1", ""));
        HttpResponse<String> r = mp.configuration("gw1", "", "If-None-Match", etag);
        assertEquals(304, r.statusCode());
        assertEquals("", r.body());
        assertEquals(etag, etag(r));
        assertEquals(200, mp.configuration("gw1", "", "If-None-Match", "\"some-older-revision\"").statusCode(),
                     "another revision gets the snapshot");
    }

    /** With wait=1 and the current revision, the request is held for the second and then answers 304. */
    @Test
    void waitWithTheCurrentRevisionAnswers304AfterTheWait() throws Exception {
        String etag = etag(mp.configuration("gw1", ""));
        long started = System.nanoTime();
        HttpResponse<String> r = mp.configuration("gw1", "?wait=1", "If-None-Match", etag);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(304, r.statusCode());
        assertEquals(etag, etag(r));
        assertTrue(tookMillis >= 950, "answered after " + tookMillis + " ms, before the wait was over");
    }

    /** A held watch request answers 200 with the new revision once the folder changes, long before its wait ends. */
    @Test
    void waitAnswersWithTheNewRevisionWhenTheFolderChanges() throws Exception {
        String etag = etag(mp.configuration("gw1", ""));
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> held = mp.http.sendAsync(
                mp.request("/gateways/gw1/configuration?wait=30", "Authorization", mp.token("gw1"), "If-None-Match",
                           etag).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThrows(TimeoutException.class, () -> held.get(500, TimeUnit.MILLISECONDS),
                     "the request is held while nothing changes");

        mp.edit("apis/echo/apiInformation.json", "\"displayName\": \"Echo\"", "\"displayName\": \"Echo 2\"");
        HttpResponse<String> r = held.get(30, TimeUnit.SECONDS);
        long tookSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

        Snapshot snapshot = snapshot(r);
        assertNotEquals(etag, etag(r));
        assertEquals("\"" + snapshot.revision() + "\"", etag(r));
        assertEquals("Echo 2", snapshot.api("echo").orElseThrow().displayName());
        assertTrue(tookSeconds < 20, "answered after " + tookSeconds + " s: on the time-out, not on the change");
    }

    /** A pool, its members' credentials and circuit breakers reach the gateway in the snapshot, as the folder has them. */
    @Test
    void backendPoolsCredentialsAndBreakersTravelToTheGateway() throws Exception {
        Path backends = mp.artifacts.resolve("backends");
        Files.createDirectories(backends.resolve("b1"));
        Files.writeString(backends.resolve("b1/backendInformation.json"), """
                {"properties": {"url": "http://127.0.0.1:9/one", "credentials": {"header": {"x-key": ["k"]}},
                 "circuitBreaker": {"rules": [{"failureCondition": {"count": 2, "interval": "PT10S",
                   "statusCodeRanges": [{"min": 500, "max": 599}]}, "tripDuration": "PT1M"}]}}}""");
        Files.createDirectories(backends.resolve("pool"));
        Files.writeString(backends.resolve("pool/backendInformation.json"), """
                {"properties": {"type": "Pool", "pool": {"services": [{"id": "/backends/b1", "weight": 2}]}}}""");
        Snapshot[] served = new Snapshot[1];
        ManagementPlaneFixture.eventually(Duration.ofSeconds(20), "the pool is served", () -> {
            served[0] = snapshot(mp.configuration("gw1", ""));
            return served[0].backends().size() == 2;
        });
        Snapshot local = ApiOpsReader.read(mp.artifacts).forGateway("gw1");
        assertEquals(local.backends(), served[0].backends());
        Backend pool = served[0].backends().get(1);
        assertEquals(List.of(new Backend.PoolMember("b1", 1, 2)), pool.pool());
        Backend b1 = served[0].backends().getFirst();
        assertEquals(List.of("k"), b1.credentials().header().get("x-key"));
        assertEquals(Duration.ofSeconds(10), b1.circuitBreaker().getFirst().interval());
    }

    /** wait must be whole seconds from 0 to 60; anything else is a 400 that names 'wait'. */
    @ParameterizedTest(name = "wait={0}")
    @ValueSource(strings = {"abc", "61", "-1", "1.5", ""})
    void waitThatIsNotWholeSecondsUpTo60IsRefused(String wait) throws Exception {
        HttpResponse<String> r = mp.configuration("gw1", "?wait=" + wait);
        assertEquals(400, r.statusCode(), r.body());
        JsonNode body = ManagementPlaneFixture.json(r);
        assertEquals(400, body.get("statusCode").asInt());
        assertTrue(body.get("message").asText().contains("'wait'"), body.toString());
    }

    /** The largest wait, 60, is accepted; without If-None-Match there is nothing to wait for. */
    @Test
    void waitOf60IsAccepted() throws Exception {
        HttpResponse<String> r = mp.configuration("gw1", "?wait=60");
        assertEquals(200, r.statusCode(), r.body());
    }

    /** Each gateway gets only its assigned APIs and their products; an undefined one gets all; revisions differ. */
    @Test
    void eachGatewayGetsOnlyItsAssignedApis() throws Exception {
        HttpResponse<String> r1 = mp.configuration("gw1", "");
        HttpResponse<String> r2 = mp.configuration("gw2", "");
        HttpResponse<String> r3 = mp.configuration("gw3", "");
        Snapshot gw1 = snapshot(r1);
        Snapshot gw2 = snapshot(r2);
        Snapshot gw3 = snapshot(r3);

        assertEquals(List.of("echo"), apiIds(gw1));
        assertEquals(List.of("time"), apiIds(gw2));
        assertEquals(apiIds(mp.folder.current().snapshot()), apiIds(gw3));
        assertEquals(List.of("echo", "status", "time"), apiIds(gw3));
        assertEquals(List.of("public"), gw1.products().stream().map(Product::id).toList());
        assertEquals(List.of("starter"), gw2.products().stream().map(Product::id).toList());
        assertEquals("3", r3.headers().firstValue("Gatehouse-Snapshot-Apis").orElseThrow());

        Set<String> etags = Set.of(etag(r1), etag(r2), etag(r3));
        assertEquals(3, etags.size(), "each gateway has its own revision: " + etags);
        String whole = "\"" + mp.folder.current().snapshot().revision() + "\"";
        assertNotEquals(whole, etag(r1), "a cut of the folder has a revision of its own");
        assertNotEquals(whole, etag(r2), "a cut of the folder has a revision of its own");
    }

    /**
     * A large snapshot arrives whole. Helidon's default NIO socket sent a 24 MB snapshot (10,000 APIs, 100,000
     * subscriptions) in six minutes on loopback; with it, this 12 MB one failed after six minutes (checked), where the
     * blocking socket takes well under a second.
     */
    @Test
    void largeSnapshotArrivesWhole() throws Exception {
        String big = "x".repeat(12 * 1024 * 1024);
        Path policy = mp.artifacts.resolve("policy.xml");
        Files.writeString(policy, Files.readString(policy) + "<!-- " + big + " -->\n");
        mp.folder.load();
        Snapshot snapshot = snapshot(mp.configuration("gw1", ""));
        assertTrue(snapshot.globalPolicy().orElseThrow().xml().contains(big), "the whole policy arrived");
    }
}
