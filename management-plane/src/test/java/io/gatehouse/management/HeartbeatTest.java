package io.gatehouse.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.gatehouse.federation.Heartbeat;

/** POST /gateways/{id}/heartbeat: nodes recorded per gateway, shown in the landscape, lost after three missed beats. */
class HeartbeatTest {

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

    private JsonNode node(String gatewayId, String nodeId) throws Exception {
        for (JsonNode node : mp.gateway(gatewayId).get("nodes")) {
            if (node.get("nodeId").asText().equals(nodeId)) {
                return node;
            }
        }
        throw new AssertionError("gateway '" + gatewayId + "' lists no node '" + nodeId + "'");
    }

    /** A heartbeat is answered 204 and its node is listed with host, revision, upToDate and no error. */
    @Test
    void heartbeatIsAnswered204AndListedInTheLandscape() throws Exception {
        String served = mp.folder.servedTo("gw1").revision();
        HttpResponse<String> r = mp.heartbeat("gw1", ManagementPlaneFixture.heartbeat("gw1-a", "host-a",
                                                                                      Optional.of(served), 60));
        assertEquals(204, r.statusCode(), r.body());

        JsonNode node = node("gw1", "gw1-a");
        assertEquals("host-a", node.get("host").asText());
        assertEquals(served, node.get("appliedRevision").asText());
        assertTrue(node.get("upToDate").asBoolean(), node.toString());
        assertTrue(node.get("lastError").isNull(), node.toString());
        assertEquals("SYNCED", node.get("state").asText());
        assertFalse(node.get("lost").asBoolean());
        assertEquals(0, mp.gateway("gw2").get("nodes").size(), "a node is listed under its own gateway only");
    }

    /** A node running another revision is not up to date, and the error it reports is shown. */
    @Test
    void nodeOnAnotherRevisionIsNotUpToDateAndShowsItsError() throws Exception {
        Heartbeat refused = new Heartbeat("gw1-a", "host-a", "0.1.0", "REFUSED", Optional.of("0123456789abcdef"),
                                          Optional.of("policy.xml line 3: boom"), Optional.empty(), 5, 60, false);
        assertEquals(204, mp.heartbeat("gw1", refused).statusCode());
        JsonNode node = node("gw1", "gw1-a");
        assertEquals("0123456789abcdef", node.get("appliedRevision").asText());
        assertFalse(node.get("upToDate").asBoolean(), node.toString());
        assertEquals("policy.xml line 3: boom", node.get("lastError").asText());
        assertEquals("REFUSED", node.get("state").asText());
    }

    /** upToDate compares with what the gateway would be sent now: a folder change makes an idle node behind. */
    @Test
    void nodeFallsBehindWhenTheFolderChanges() throws Exception {
        String served = mp.folder.servedTo("gw1").revision();
        mp.heartbeat("gw1", ManagementPlaneFixture.heartbeat("gw1-a", "host-a", Optional.of(served), 60));
        assertTrue(node("gw1", "gw1-a").get("upToDate").asBoolean());

        mp.edit("apis/echo/apiInformation.json", "\"displayName\": \"Echo\"", "\"displayName\": \"Echo 2\"");
        ManagementPlaneFixture.eventually(Duration.ofSeconds(20), "the node shows as behind",
                                          () -> !node("gw1", "gw1-a").get("upToDate").asBoolean());
    }

    /** A body that is not a heartbeat is refused with 400 and the reason; nothing is recorded. */
    @ParameterizedTest(name = "body {0}")
    @ValueSource(strings = {"{ not json", "[1, 2]", "{\"host\": \"x\"}", "{\"nodeId\": \"n\", \"lastSyncAt\": \"yesterday\"}",
                            ""})
    void malformedHeartbeatIsRefusedWith400(String body) throws Exception {
        HttpResponse<String> r = mp.post("/gateways/gw1/heartbeat", body.getBytes(StandardCharsets.UTF_8),
                                         "Authorization", mp.token("gw1"), "Content-Type", "application/json");
        assertEquals(400, r.statusCode(), r.body());
        JsonNode error = ManagementPlaneFixture.json(r);
        assertEquals(400, error.get("statusCode").asInt());
        assertTrue(error.get("message").asText().startsWith("Invalid heartbeat: "), error.toString());
        assertEquals(0, mp.gateway("gw1").get("nodes").size());
    }

    /** A node silent for more than three heartbeat intervals shows state LOST and lost=true; a heartbeat revives it. */
    @Test
    void nodeSilentForMoreThanThreeIntervalsIsLost() throws Exception {
        mp.heartbeat("gw2", ManagementPlaneFixture.heartbeat("gw2-a", "host-b", Optional.empty(), 10));

        mp.clock.advance(Duration.ofSeconds(30));
        JsonNode node = node("gw2", "gw2-a");
        assertFalse(node.get("lost").asBoolean(), "three intervals exactly are not yet lost: " + node);
        assertEquals("SYNCED", node.get("state").asText());

        mp.clock.advance(Duration.ofSeconds(1));
        node = node("gw2", "gw2-a");
        assertTrue(node.get("lost").asBoolean(), node.toString());
        assertEquals("LOST", node.get("state").asText());
        assertEquals("SYNCED", node.get("reportedState").asText());

        mp.heartbeat("gw2", ManagementPlaneFixture.heartbeat("gw2-a", "host-b", Optional.empty(), 10));
        node = node("gw2", "gw2-a");
        assertFalse(node.get("lost").asBoolean(), node.toString());
        assertEquals("SYNCED", node.get("state").asText());
    }
}
