package io.gatehouse.federation;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 key of the configuration backup, and where it came from (for messages): {@code config.backup.key}, or
 * derived with HKDF-SHA256 from the gateway token's signature with the gateway id as salt. A derived key changes
 * with the token; see {@code docs/federation-protocol.md} for that caveat.
 *
 * @param key    the key
 * @param source where it came from
 */
public record BackupKey(SecretKey key, String source) {

    private static final byte[] INFO = "gatehouse-backup-v1".getBytes(StandardCharsets.UTF_8);

    /**
     * Creates a backup key.
     *
     * @param key    key
     * @param source source
     */
    public BackupKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(source, "source");
    }

    /**
     * Reads a configured key.
     *
     * @param base64      base64 of 32 bytes
     * @param settingName the setting, for messages
     * @return the key
     * @throws IllegalArgumentException naming the setting and what is wrong, never the value
     */
    public static BackupKey fromSetting(String base64, String settingName) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(settingName + " is not base64; set it to 32 random bytes in base64"
                                                       + " (openssl rand -base64 32)");
        }
        if (bytes.length != 32) {
            throw new IllegalArgumentException(settingName + " decodes to " + bytes.length + " bytes; an AES-256 key"
                                                       + " needs 32 (openssl rand -base64 32)");
        }
        return new BackupKey(new SecretKeySpec(bytes, "AES"), "config.backup.key");
    }

    /**
     * Derives the key from the gateway token.
     *
     * @param tokenSignature the token's signature bytes
     * @param gatewayId      the gateway id
     * @return the key
     */
    public static BackupKey derive(byte[] tokenSignature, String gatewayId) {
        byte[] okm = hkdf(gatewayId.getBytes(StandardCharsets.UTF_8), tokenSignature, INFO, 32);
        return new BackupKey(new SecretKeySpec(okm, "AES"), "derived from the gateway token");
    }

    /** HKDF-SHA256, RFC 5869: extract, then expand to {@code length} bytes. */
    static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) {
        if (length < 1 || length > 255 * 32) {
            throw new IllegalArgumentException("HKDF-SHA256 yields 1 to " + 255 * 32 + " bytes, not " + length);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt.length == 0 ? new byte[32] : salt, "HmacSHA256"));
            byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            byte[] okm = new byte[length];
            byte[] block = new byte[0];
            int filled = 0;
            for (int counter = 1; filled < length; counter++) {
                mac.update(block);
                mac.update(info);
                mac.update((byte) counter);
                block = mac.doFinal();
                int n = Math.min(block.length, length - filled);
                System.arraycopy(block, 0, okm, filled, n);
                filled += n;
            }
            Arrays.fill(prk, (byte) 0);
            return okm;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }

    /** Never shows the key. */
    @Override
    public String toString() {
        return "BackupKey[" + source + "]";
    }
}
