package io.gatehouse.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.config.Api;
import io.gatehouse.config.Snapshot;
import io.gatehouse.config.SnapshotJson;

/** GET /gateways/{id}/configuration: per-gateway snapshots, ETag, 304, and the wait that makes watching work. */
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
        mp.close();
    }

    private HttpResponse<String> configuration(String gatewayId, String query, String... headers) throws Exception {
        String[] all = new String[headers.length + 2];
        all[0] = "Authorization";
        all[1] = mp.token(gatewayId);
        System.arraycopy(headers, 0, all, 2, headers.length);
        return mp.get("/gateways/" + gatewayId + "/configuration" + query, all);
    }

    private static Snapshot snapshot(HttpResponse<String> response) throws Exception {
        return SnapshotJson.read(response.body().getBytes(StandardCharsets.UTF_8), "test");
    }

    /** A 200 carries the snapshot, its revision as ETag, and the API count. */
    @Test
    void answersSnapshotWithEtag() throws Exception {
        HttpResponse<String> r = configuration("gw1", "");
        assertEquals(200, r.statusCode());
        Snapshot snapshot = snapshot(r);
        assertEquals("\"" + snapshot.revision() + "\"", r.headers().firstValue("ETag").orElseThrow());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("1", r.headers().firstValue("Gatehouse-Snapshot-Apis").orElseThrow());
    }

    /** If-None-Match naming the current revision answers 304; with wait=1, after the wait. */
    @Test
    void currentRevisionAnswers304() throws Exception {
        String etag = configuration("gw1", "").headers().firstValue("ETag").orElseThrow();
        assertEquals(304, configuration("gw1", "", "If-None-Match", etag).statusCode());
        assertEquals(304, configuration("gw1", "?wait=1", "If-None-Match", etag).statusCode());
    }

    /** A held watch request answers 200 with the new revision as soon as the folder changes. */
    @Test
    void waitReturnsAsSoonAsTheRevisionChanges() throws Exception {
        String etag = configuration("gw1", "").headers().firstValue("ETag").orElseThrow();
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> {
            try {
                return configuration("gw1", "?wait=60", "If-None-Match", etag);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertTrue(!held.isDone(), "the request is held while nothing changes");
        Path info = mp.artifacts.resolve("apis/echo/apiInformation.json");
        Files.writeString(info, Files.readString(info).replace("\"displayName\": \"Echo\"", "\"displayName\": \"Echo 2\""));
        HttpResponse<String> r = held.get(50, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        assertNotEquals(etag, r.headers().firstValue("ETag").orElseThrow());
        assertEquals("Echo 2", snapshot(r).api("echo").orElseThrow().displayName());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(55), "answered on the change, not the timeout");
    }

    /** wait must be whole seconds from 0 to 60. */
    @Test
    void badWaitIsRefused() throws Exception {
        for (String bad : List.of("abc", "61", "-1")) {
            HttpResponse<String> r = configuration("gw1", "?wait=" + bad);
            assertEquals(400, r.statusCode(), bad);
            assertTrue(r.body().contains("'wait'"), r.body());
        }
    }

    /** Each gateway gets its assigned APIs, with its own revision; one the folder does not define gets them all. */
    @Test
    void gatewaysGetTheirOwnApis() throws Exception {
        Snapshot gw1 = snapshot(configuration("gw1", ""));
        Snapshot gw2 = snapshot(configuration("gw2", ""));
        Snapshot gw3 = snapshot(configuration("gw3", ""));
        assertEquals(List.of("echo"), gw1.apis().stream().map(Api::id).toList());
        assertEquals(List.of("time"), gw2.apis().stream().map(Api::id).toList());
        assertEquals(List.of("echo", "status", "time"), gw3.apis().stream().map(Api::id).toList());
        assertNotEquals(gw1.revision(), gw2.revision());
    }

    /** An edit that does not read is refused whole: the last good revision serves, the landscape shows why. */
    @Test
    void refusedEditKeepsLastGoodRevision() throws Exception {
        String etag = configuration("gw1", "").headers().firstValue("ETag").orElseThrow();
        Path info = mp.artifacts.resolve("apis/echo/apiInformation.json");
        String good = Files.readString(info);
        Files.writeString(info, "{ not json");
        ManagementPlaneFixture.eventually("the edit is refused", () -> !mp.landscape().path("managementPlane")
                .path("lastError").isNull());
        String message = mp.landscape().path("managementPlane").path("lastError").path("message").asText();
        assertTrue(message.contains("apiInformation.json"), message);
        assertEquals(304, configuration("gw1", "", "If-None-Match", etag).statusCode(), "still the last good revision");
        Files.writeString(info, good.replace("\"displayName\": \"Echo\"", "\"displayName\": \"Echo fixed\""));
        ManagementPlaneFixture.eventually("the fix is served", () -> configuration("gw1", "", "If-None-Match", etag)
                .statusCode() == 200);
        assertTrue(mp.landscape().path("managementPlane").path("lastError").isNull());
    }
}
