package io.gatehouse.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash a snapshot keeps instead of a subscription key: lowercase hex SHA-256 of the key's UTF-8 bytes. The
 * gateway hashes the key a caller presents and looks the hash up, so no snapshot, backup or heap dump holds a key.
 */
public final class KeyHash {

    private KeyHash() {
    }

    /**
     * Hashes a key.
     *
     * @param key the subscription key
     * @return lowercase hex SHA-256
     */
    public static String of(String key) {
        return HexFormat.of().formatHex(digest(key));
    }

    /**
     * Hashes a key to raw bytes, for constant-time comparison with {@link MessageDigest#isEqual}.
     *
     * @param key the subscription key
     * @return the 32-byte SHA-256
     */
    public static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
