package io.gatehouse.management;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.gatehouse.federation.GatewayToken;

/**
 * Every way a gateway token can be wrong is a 401 whose message says which (as {@code docs/federation-protocol.md}
 * lists them), on the configuration and the heartbeat alike; tokens of either key are accepted, so keys rotate.
 */
class GatewayTokenAuthTest {

    private static final String SIGNATURE_MISMATCH = "Gateway token signature does not match any key of gateway 'gw1'.";

    @TempDir
    Path tmp;
    private ManagementPlaneFixture mp;

    /**
     * A request that must be refused.
     *
     * @param gatewayId     the gateway in the path
     * @param authorization the Authorization header, or null for none
     * @param message       the documented refusal
     */
    record Refusal(String gatewayId, String authorization, String message) {
    }

    /** Makes a refusal case against a running management plane. */
    @FunctionalInterface
    interface Case {
        Refusal make(ManagementPlaneFixture mp) throws Exception;
    }

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

    private static String primary(ManagementPlaneFixture mp, String gatewayId) throws Exception {
        return mp.keys.of(gatewayId).orElseThrow().primary();
    }

    private static String secondary(ManagementPlaneFixture mp, String gatewayId) throws Exception {
        return mp.keys.of(gatewayId).orElseThrow().secondary();
    }

    private static String randomKey() {
        byte[] key = new byte[64];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("no Authorization header", (Case) mp -> new Refusal(
                        "gw1", null,
                        "Missing gateway token: send 'Authorization: GatewayKey <id>&<expiry>&<signature>'.")),
                Arguments.of("not a GatewayKey token", (Case) mp -> new Refusal(
                        "gw1", "Bearer " + mp.token("gw1").substring("GatewayKey ".length()),
                        "Malformed gateway token: it does not start with 'GatewayKey '.")),
                Arguments.of("two parts instead of three", (Case) mp -> new Refusal(
                        "gw1", "GatewayKey gw1&202612241000",
                        "Malformed gateway token: expected '<gatewayId>&<yyyyMMddHHmm>&<signature>', found 2 parts.")),
                Arguments.of("expiry not yyyyMMddHHmm", (Case) mp -> new Refusal(
                        "gw1", "GatewayKey gw1&2026-12-24T10:00&" + Base64.getEncoder().encodeToString(new byte[64]),
                        "Malformed gateway token: the expiry '2026-12-24T10:00' is not UTC yyyyMMddHHmm.")),
                Arguments.of("token of gw2 sent for gw1", (Case) mp -> new Refusal(
                        "gw1", mp.token("gw2"), "Gateway token is for gateway 'gw2', not 'gw1'.")),
                Arguments.of("expired token", (Case) mp -> {
                    GatewayToken expired = GatewayToken.issue("gw1", mp.clock.instant().minus(Duration.ofMinutes(5)),
                                                              primary(mp, "gw1"));
                    return new Refusal("gw1", expired.text(), "Gateway token expired at " + expired.expiry() + ".");
                }),
                Arguments.of("expiry 40 days ahead", (Case) mp -> new Refusal(
                        "gw1", GatewayToken.issue("gw1", mp.clock.instant().plus(Duration.ofDays(40)),
                                                  primary(mp, "gw1")).text(),
                        "Gateway token expiry is more than 30 days ahead.")),
                Arguments.of("signed with a random key", (Case) mp -> new Refusal(
                        "gw1", mp.token("gw1", randomKey()), SIGNATURE_MISMATCH)),
                Arguments.of("gateway without keys", (Case) mp -> new Refusal(
                        "nokeys", mp.token("nokeys", randomKey()), "Unknown gateway 'nokeys'.")));
    }

    private HttpResponse<String> configuration(String gatewayId, String authorization) throws Exception {
        String path = "/gateways/" + gatewayId + "/configuration";
        return authorization == null ? mp.get(path) : mp.get(path, "Authorization", authorization);
    }

    private HttpResponse<String> heartbeat(String gatewayId, String authorization) throws Exception {
        List<String> headers = new ArrayList<>(List.of("Content-Type", "application/json"));
        if (authorization != null) {
            headers.addAll(List.of("Authorization", authorization));
        }
        return mp.post("/gateways/" + gatewayId + "/heartbeat",
                       ManagementPlaneFixture.heartbeat(gatewayId + "-node", "host-a", Optional.empty(), 60).toJson(),
                       headers.toArray(String[]::new));
    }

    private static void assertRefused(HttpResponse<String> response, String message) throws Exception {
        assertEquals(401, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(null));
        ObjectNode expected = ManagementPlaneFixture.JSON.createObjectNode().put("statusCode", 401).put("message", message);
        assertEquals(expected, ManagementPlaneFixture.json(response));
    }

    /** Each wrong token is refused with 401 and its documented message, on configuration and heartbeat alike. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void wrongTokenIsRefusedWithItsDocumentedMessage(String name, Case make) throws Exception {
        Refusal refusal = make.make(mp);
        assertRefused(configuration(refusal.gatewayId(), refusal.authorization()), refusal.message());
        assertRefused(heartbeat(refusal.gatewayId(), refusal.authorization()), refusal.message());
        for (JsonNode gateway : mp.landscape().get("gateways")) {
            assertEquals(0, gateway.get("nodes").size(), "a refused heartbeat is not recorded: " + gateway);
        }
    }

    /** A token signed with the gateway's secondary key is accepted. */
    @Test
    void tokenSignedWithTheSecondaryKeyIsAccepted() throws Exception {
        String token = mp.token("gw1", secondary(mp, "gw1"));
        assertEquals(200, configuration("gw1", token).statusCode());
        assertEquals(204, heartbeat("gw1", token).statusCode());
    }

    /** A token valid for the full 30 days (what the token command issues by default) is accepted. */
    @Test
    void tokenValidFor30DaysIsAccepted() throws Exception {
        String token = GatewayToken.issue("gw1", mp.clock.instant().plus(GatewayToken.MAX_VALIDITY), primary(mp, "gw1"))
                .text();
        assertEquals(200, configuration("gw1", token).statusCode());
    }

    /** After the primary key is regenerated, primary-signed tokens are refused and secondary-signed ones still work. */
    @Test
    void regeneratingThePrimaryKeyRefusesItsTokensButNotTheSecondarys() throws Exception {
        String oldPrimary = mp.token("gw1");
        String secondary = mp.token("gw1", secondary(mp, "gw1"));
        assertEquals(200, configuration("gw1", oldPrimary).statusCode());
        assertEquals(200, configuration("gw1", secondary).statusCode());

        mp.keys.regenerate("gw1", true);

        assertRefused(configuration("gw1", oldPrimary), SIGNATURE_MISMATCH);
        assertRefused(heartbeat("gw1", oldPrimary), SIGNATURE_MISMATCH);
        assertEquals(200, configuration("gw1", secondary).statusCode());
        assertEquals(204, heartbeat("gw1", secondary).statusCode());
        assertEquals(200, configuration("gw1", mp.token("gw1")).statusCode(), "the new primary signs valid tokens");
    }
}
