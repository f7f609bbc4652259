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

import io.gatehouse.federation.Heartbeat;

/** Heartbeats: recorded per gateway and node, shown in the landscape, lost after three missed intervals. */
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
        mp.close();
    }

    private HttpResponse<String> send(String gatewayId, Heartbeat heartbeat) throws Exception {
        return mp.post("/gateways/" + gatewayId + "/heartbeat", heartbeat.toJson(), "Authorization", mp.token(gatewayId),
                       "Content-Type", "application/json");
    }

    private JsonNode node(String gatewayId) throws Exception {
        for (JsonNode g : mp.landscape().get("gateways")) {
            if (g.get("id").asText().equals(gatewayId)) {
                return g.get("nodes").get(0);
            }
        }
        throw new AssertionError("no gateway " + gatewayId);
    }

    /** A heartbeat is answered 204 and shows in the landscape with its revision, whether current, and its error. */
    @Test
    void heartbeatShowsInLandscape() throws Exception {
        String served = mp.folder.servedTo("gw1").revision();
        assertEquals(204, send("gw1", new Heartbeat("gw1-a", "host-a", "1.0", "SYNCED", Optional.of(served),
                                                    Optional.empty(), Optional.empty(), 5, 60, false)).statusCode());
        JsonNode node = node("gw1");
        assertEquals("host-a", node.get("host").asText());
        assertEquals(served, node.get("appliedRevision").asText());
        assertTrue(node.get("upToDate").asBoolean());
        assertEquals("SYNCED", node.get("state").asText());

        send("gw1", new Heartbeat("gw1-a", "host-a", "1.0", "REFUSED", Optional.of("old"),
                                  Optional.of("policy.xml: boom"), Optional.empty(), 6, 60, false));
        node = node("gw1");
        assertFalse(node.get("upToDate").asBoolean());
        assertEquals("policy.xml: boom", node.get("lastError").asText());
        assertEquals("REFUSED", node.get("state").asText());
    }

    /** A node that missed three heartbeats shows as lost. */
    @Test
    void silentNodeIsLost() throws Exception {
        send("gw2", new Heartbeat("gw2-a", "h", "1.0", "SYNCED", Optional.empty(), Optional.empty(), Optional.empty(), 0,
                                  10, false));
        mp.clock.advance(Duration.ofSeconds(29));
        assertFalse(node("gw2").get("lost").asBoolean(), "two missed heartbeats are not yet lost");
        mp.clock.advance(Duration.ofSeconds(2));
        assertTrue(node("gw2").get("lost").asBoolean());
        assertEquals("LOST", node("gw2").get("state").asText());
    }

    /** A body that is not a heartbeat is refused with 400 and the reason. */
    @Test
    void malformedHeartbeatIsRefused() throws Exception {
        HttpResponse<String> r = mp.post("/gateways/gw1/heartbeat", "{\"host\": \"x\"}".getBytes(StandardCharsets.UTF_8),
                                         "Authorization", mp.token("gw1"));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("nodeId"), r.body());
    }
}
