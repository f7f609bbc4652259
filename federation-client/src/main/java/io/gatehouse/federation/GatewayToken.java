package io.gatehouse.federation;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A gateway token, {@code GatewayKey <gatewayId>&<expiry>&<signature>}: how a gateway proves to the management plane
 * which gateway it is. The signature is the base64 HMAC-SHA512 of {@code "<gatewayId>\n<expiry>"} under one of the
 * gateway's two keys, the scheme APIM documents for its shared access signatures; the expiry is UTC
 * {@code yyyyMMddHHmm}. Both sides of the protocol use this class, so they agree by construction.
 *
 * @param gatewayId the gateway the token is for
 * @param expiry    when it stops being valid
 * @param signature the signature bytes
 */
public record GatewayToken(String gatewayId, Instant expiry, byte[] signature) {

    /** The scheme word that starts every token. */
    public static final String SCHEME = "GatewayKey";
    /** The longest validity a token may have, as APIM's gateway tokens. */
    public static final Duration MAX_VALIDITY = Duration.ofDays(30);

    private static final DateTimeFormatter EXPIRY = DateTimeFormatter.ofPattern("yyyyMMddHHmm");

    /**
     * Creates a token.
     *
     * @param gatewayId gateway id
     * @param expiry    expiry, whole minutes
     * @param signature signature bytes
     */
    public GatewayToken {
        signature = signature.clone();
    }

    /**
     * Issues a token signed with a key.
     *
     * @param gatewayId the gateway
     * @param expiry    when it expires; truncated to the minute
     * @param key       the gateway's primary or secondary key
     * @return the token
     */
    public static GatewayToken issue(String gatewayId, Instant expiry, String key) {
        Instant minute = expiry.truncatedTo(ChronoUnit.MINUTES);
        return new GatewayToken(gatewayId, minute, sign(gatewayId, minute, key));
    }

    /**
     * Parses a token, as sent in an {@code Authorization} header or set as {@code config.service.auth}.
     *
     * @param text the token text
     * @return the token
     * @throws IllegalArgumentException saying what is malformed (never echoing the signature)
     */
    public static GatewayToken parse(String text) {
        String value = text.strip();
        if (!value.startsWith(SCHEME + " ")) {
            throw new IllegalArgumentException("it does not start with '" + SCHEME + " '");
        }
        String[] parts = value.substring(SCHEME.length() + 1).strip().split("&", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("expected '<gatewayId>&<yyyyMMddHHmm>&<signature>', found " + parts.length
                                                       + (parts.length == 1 ? " part" : " parts"));
        }
        if (parts[0].isEmpty()) {
            throw new IllegalArgumentException("the gateway id is empty");
        }
        Instant expiry;
        try {
            expiry = LocalDateTime.parse(parts[1], EXPIRY).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("the expiry '" + parts[1] + "' is not UTC yyyyMMddHHmm");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the signature is not base64");
        }
        if (signature.length != 64) {
            throw new IllegalArgumentException("the signature has " + signature.length + " bytes, an HMAC-SHA512 has 64");
        }
        return new GatewayToken(parts[0], expiry, signature);
    }

    /**
     * Checks this token's signature against a gateway's keys in constant time; each key is compared in full, so
     * the time taken does not say which key (if any) matched.
     *
     * @param keys the gateway's keys (primary, secondary)
     * @return whether one of them signed this token
     */
    public boolean signedByAnyOf(List<String> keys) {
        boolean matched = false;
        for (String key : keys) {
            matched |= MessageDigest.isEqual(signature, sign(gatewayId, expiry, key));
        }
        return matched;
    }

    /**
     * Whether this token has expired.
     *
     * @param now the current time
     * @return whether it is at or past its expiry
     */
    public boolean expiredAt(Instant now) {
        return !now.isBefore(expiry);
    }

    /**
     * The expiry as it travels in the token.
     *
     * @return UTC {@code yyyyMMddHHmm}
     */
    public String expiryText() {
        return EXPIRY.format(LocalDateTime.ofInstant(expiry, ZoneOffset.UTC));
    }

    /**
     * The token text, for an {@code Authorization} header or {@code config.service.auth}.
     *
     * @return {@code GatewayKey id&expiry&signature}
     */
    public String text() {
        return SCHEME + " " + gatewayId + "&" + expiryText() + "&" + Base64.getEncoder().encodeToString(signature);
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GatewayToken t && t.gatewayId.equals(gatewayId) && t.expiry.equals(expiry)
                && MessageDigest.isEqual(t.signature, signature);
    }

    @Override
    public int hashCode() {
        return gatewayId.hashCode() * 31 + expiry.hashCode();
    }

    /** Never shows the signature: tokens end up in logs by accident. */
    @Override
    public String toString() {
        return "GatewayToken[" + gatewayId + ", expires " + expiry + "]";
    }

    /**
     * How long until expiry, if not yet expired.
     *
     * @param now the current time
     * @return the time left, or empty if expired
     */
    public Optional<Duration> remaining(Instant now) {
        return expiredAt(now) ? Optional.empty() : Optional.of(Duration.between(now, expiry));
    }

    private static byte[] sign(String gatewayId, Instant expiry, String key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA512");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA512"));
            String expiryText = EXPIRY.format(LocalDateTime.ofInstant(expiry, ZoneOffset.UTC));
            return mac.doFinal((gatewayId + "\n" + expiryText).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA512 is not available in this JDK", e);
        }
    }
}
