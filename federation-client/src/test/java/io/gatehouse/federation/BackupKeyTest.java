package io.gatehouse.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

import org.junit.jupiter.api.Test;

/** The backup key: a configured key is checked without echoing it, a derived key is HKDF-SHA256 (RFC 5869). */
class BackupKeyTest {

    private static final String SETTING = "config.backup.key";

    /** Not base64 at all: the message names the setting and never the value. */
    @Test
    void configuredKeyMustBeBase64() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                  () -> BackupKey.fromSetting("%%not-a-key%%", SETTING));
        assertTrue(e.getMessage().startsWith(SETTING + " is not base64"), e.getMessage());
        assertFalse(e.getMessage().contains("not-a-key"), e.getMessage());
    }

    /** Base64 of 16 bytes: says how many bytes it decodes to and that 32 are needed, never the value. */
    @Test
    void configuredKeyMustBe32Bytes() {
        String sixteen = Base64.getEncoder().encodeToString(new byte[16]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                  () -> BackupKey.fromSetting(sixteen, SETTING));
        assertTrue(e.getMessage().startsWith(SETTING + " decodes to 16 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("32"), e.getMessage());
        assertFalse(e.getMessage().contains(sixteen), e.getMessage());
    }

    /** A good configured key is an AES key of those 32 bytes, and its source is the setting. */
    @Test
    void configuredKeyIsUsedAsIs() {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) 7);
        BackupKey key = BackupKey.fromSetting(Base64.getEncoder().encodeToString(bytes), SETTING);
        assertEquals("AES", key.key().getAlgorithm());
        assertArrayEquals(bytes, key.key().getEncoded());
        assertEquals(SETTING, key.source());
    }

    /** The derived key is 32 bytes, the same for the same token and gateway, and differs between gateways. */
    @Test
    void derivedKeyDependsOnTokenAndGateway() {
        byte[] signature = new byte[64];
        Arrays.fill(signature, (byte) 0x5a);
        BackupKey key = BackupKey.derive(signature, "gw1");
        assertEquals("AES", key.key().getAlgorithm());
        assertEquals(32, key.key().getEncoded().length);
        assertEquals("derived from the gateway token", key.source());
        assertArrayEquals(key.key().getEncoded(), BackupKey.derive(signature.clone(), "gw1").key().getEncoded());
        assertFalse(Arrays.equals(key.key().getEncoded(), BackupKey.derive(signature, "gw2").key().getEncoded()));
        assertFalse(Arrays.equals(key.key().getEncoded(), BackupKey.derive(new byte[64], "gw1").key().getEncoded()));
    }

    /** The derivation is HKDF-SHA256 with the gateway id as salt and "gatehouse-backup-v1" as info. */
    @Test
    void derivedKeyIsHkdfOfTheSignature() {
        byte[] signature = {1, 2, 3};
        byte[] expected = BackupKey.hkdf("gw1".getBytes(StandardCharsets.UTF_8), signature,
                                         "gatehouse-backup-v1".getBytes(StandardCharsets.UTF_8), 32);
        assertArrayEquals(expected, BackupKey.derive(signature, "gw1").key().getEncoded());
    }

    /** toString shows where the key came from, never its bytes. */
    @Test
    void toStringDoesNotRevealTheKey() {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) 0x41);
        BackupKey key = BackupKey.fromSetting(Base64.getEncoder().encodeToString(bytes), SETTING);
        String text = key.toString();
        assertEquals("BackupKey[" + SETTING + "]", text);
        assertFalse(text.contains("AAAA"), text);
        assertFalse(text.contains(Base64.getEncoder().encodeToString(bytes)), text);
        assertFalse(text.toLowerCase(Locale.ROOT).contains(HexFormat.of().formatHex(bytes)), text);
    }

    /** HKDF matches RFC 5869, test case 1. */
    @Test
    void hkdfMatchesRfc5869TestCase1() {
        HexFormat hex = HexFormat.of();
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        byte[] okm = BackupKey.hkdf(hex.parseHex("000102030405060708090a0b0c"), ikm,
                                    hex.parseHex("f0f1f2f3f4f5f6f7f8f9"), 42);
        assertArrayEquals(hex.parseHex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                                               + "34007208d5b887185865"), okm);
    }

    /** HKDF-SHA256 cannot give more than 255 blocks. */
    @Test
    void hkdfRefusesImpossibleLengths() {
        assertThrows(IllegalArgumentException.class, () -> BackupKey.hkdf(new byte[1], new byte[1], new byte[0], 0));
        assertThrows(IllegalArgumentException.class,
                     () -> BackupKey.hkdf(new byte[1], new byte[1], new byte[0], 255 * 32 + 1));
    }
}
