package io.gatehouse.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The gateway token: the documented HMAC-SHA512 scheme, parsing with clear errors, either key, expiry. */
class GatewayTokenTest {

    private static final String PRIMARY = "primary-key-0123456789-0123456789-0123456789";
    private static final String SECONDARY = "secondary-key-0123456789-0123456789-012345678";

    /** The signature is base64 HMAC-SHA512 of "id\nyyyyMMddHHmm", computed here independently. */
    @Test
    void signatureFollowsTheDocumentedScheme() throws Exception {
        GatewayToken token = GatewayToken.issue("gw1", Instant.parse("2026-12-24T10:15:42Z"), PRIMARY);
        Mac mac = Mac.getInstance("HmacSHA512");
        mac.init(new SecretKeySpec(PRIMARY.getBytes(StandardCharsets.UTF_8), "HmacSHA512"));
        String expected = Base64.getEncoder().encodeToString(mac.doFinal("gw1\n202612241015".getBytes(StandardCharsets.UTF_8)));
        assertEquals("GatewayKey gw1&202612241015&" + expected, token.text());
        assertEquals(token, GatewayToken.parse(token.text()));
    }

    /** Either key verifies; any other key does not. */
    @Test
    void eitherKeyVerifies() {
        GatewayToken bySecondary = GatewayToken.issue("gw1", Instant.parse("2026-12-24T10:15:00Z"), SECONDARY);
        assertTrue(bySecondary.signedByAnyOf(List.of(PRIMARY, SECONDARY)));
        assertFalse(bySecondary.signedByAnyOf(List.of(PRIMARY, PRIMARY + "x")));
    }

    /** A token is expired from its expiry minute on. */
    @Test
    void expiry() {
        GatewayToken token = GatewayToken.issue("gw1", Instant.parse("2026-12-24T10:15:00Z"), PRIMARY);
        assertFalse(token.expiredAt(Instant.parse("2026-12-24T10:14:59Z")));
        assertTrue(token.expiredAt(Instant.parse("2026-12-24T10:15:00Z")));
    }

    /** Malformed tokens are refused saying what is wrong, never echoing the signature. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Bearer abc|does not start with 'GatewayKey '",
        "GatewayKey gw1&202612241015|found 2 parts",
        "GatewayKey &202612241015&AAAA|gateway id is empty",
        "GatewayKey gw1&2026-12-24&AAAA|not UTC yyyyMMddHHmm",
        "GatewayKey gw1&202612241015&not base64!|not base64",
        "GatewayKey gw1&202612241015&AAAA|has 3 bytes"})
    void malformedTokensSayWhy(String text, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GatewayToken.parse(text));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    /** toString never shows the signature. */
    @Test
    void toStringHidesTheSignature() {
        GatewayToken token = GatewayToken.issue("gw1", Instant.parse("2026-12-24T10:15:00Z"), PRIMARY);
        String signature = token.text().substring(token.text().lastIndexOf('&') + 1);
        assertFalse(token.toString().contains(signature));
    }
}
