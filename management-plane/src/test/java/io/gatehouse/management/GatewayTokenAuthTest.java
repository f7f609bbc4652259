package io.gatehouse.management;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.federation.GatewayToken;

/** Every way a gateway token can be wrong gets 401 with a message that says which; both keys work, so keys rotate. */
class GatewayTokenAuthTest {

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

    private void assertRefused(String authorization, String message) throws Exception {
        HttpResponse<String> r = authorization == null
                ? mp.get("/gateways/gw1/configuration")
                : mp.get("/gateways/gw1/configuration", "Authorization", authorization);
        assertEquals(401, r.statusCode(), r.body());
        JsonNode body = ManagementPlaneFixture.JSON.readTree(r.body());
        assertEquals(401, body.get("statusCode").asInt());
        assertEquals(message, body.get("message").asText());
        HttpResponse<String> heartbeat = authorization == null
                ? mp.post("/gateways/gw1/heartbeat", "{}".getBytes(StandardCharsets.UTF_8))
                : mp.post("/gateways/gw1/heartbeat", "{}".getBytes(StandardCharsets.UTF_8), "Authorization", authorization);
        assertEquals(401, heartbeat.statusCode(), "heartbeats are protected the same way");
    }

    private String primary(String gatewayId) throws Exception {
        return mp.keys.of(gatewayId).orElseThrow().primary();
    }

    /** No token at all. */
    @Test
    void missingToken() throws Exception {
        assertRefused(null, "Missing gateway token: send 'Authorization: GatewayKey <id>&<expiry>&<signature>'.");
    }

    /** Malformed tokens name what is malformed. */
    @Test
    void malformedTokens() throws Exception {
        assertRefused("Bearer x", "Malformed gateway token: it does not start with 'GatewayKey '.");
        assertRefused("GatewayKey gw1&202612241000", "Malformed gateway token: expected "
                + "'<gatewayId>&<yyyyMMddHHmm>&<signature>', found 2 parts.");
        assertRefused("GatewayKey gw1&2026-12-24&AAAA", "Malformed gateway token: the expiry '2026-12-24' is not UTC"
                + " yyyyMMddHHmm.");
    }

    /** A token for another gateway. */
    @Test
    void foreignToken() throws Exception {
        assertRefused(mp.token("gw2"), "Gateway token is for gateway 'gw2', not 'gw1'.");
    }

    /** An expired token, and one valid for longer than 30 days. */
    @Test
    void expiry() throws Exception {
        GatewayToken expired = GatewayToken.issue("gw1", Instant.now().minus(Duration.ofMinutes(5)), primary("gw1"));
        assertRefused(expired.text(), "Gateway token expired at " + expired.expiry() + ".");
        assertRefused(GatewayToken.issue("gw1", Instant.now().plus(Duration.ofDays(40)), primary("gw1")).text(),
                      "Gateway token expiry is more than 30 days ahead.");
    }

    /** A token signed with neither key, and a gateway without keys. */
    @Test
    void wrongKeyAndUnknownGateway() throws Exception {
        byte[] random = new byte[64];
        new SecureRandom().nextBytes(random);
        assertRefused(GatewayToken.issue("gw1", Instant.now().plus(Duration.ofDays(1)),
                                         Base64.getEncoder().encodeToString(random)).text(),
                      "Gateway token signature does not match any key of gateway 'gw1'.");
        HttpResponse<String> r = mp.get("/gateways/nokeys/configuration", "Authorization",
                                        GatewayToken.issue("nokeys", Instant.now().plus(Duration.ofDays(1)),
                                                           primary("gw1")).text());
        assertEquals(401, r.statusCode());
        assertEquals("Unknown gateway 'nokeys'.", ManagementPlaneFixture.JSON.readTree(r.body()).get("message").asText());
    }

    /** Either key signs a valid token; after the primary is regenerated, only secondary-signed tokens work. */
    @Test
    void keysRotate() throws Exception {
        String secondary = GatewayToken.issue("gw1", Instant.now().plus(Duration.ofDays(1)),
                                              mp.keys.of("gw1").orElseThrow().secondary()).text();
        String oldPrimary = mp.token("gw1");
        assertEquals(200, mp.get("/gateways/gw1/configuration", "Authorization", secondary).statusCode());
        assertEquals(200, mp.get("/gateways/gw1/configuration", "Authorization", oldPrimary).statusCode());
        mp.keys.regenerate("gw1", true);
        assertEquals(200, mp.get("/gateways/gw1/configuration", "Authorization", secondary).statusCode());
        assertRefused(oldPrimary, "Gateway token signature does not match any key of gateway 'gw1'.");
    }
}
