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

    private static final MessageDigest PROTOTYPE = newSha256();

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
        MessageDigest sha256;
        try {
            // Cloning a prototype skips getInstance's provider lookup, which cost more than the hash of a short key.
            sha256 = (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            sha256 = newSha256();
        }
        return sha256.digest(key.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
