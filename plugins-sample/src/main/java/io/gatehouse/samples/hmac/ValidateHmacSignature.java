package io.gatehouse.samples.hmac;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.TraceSeverity;
import io.gatehouse.policy.spi.Value;

/**
 * The compiled policy: immutable, shared by every request. It reads the body without consuming it (the backend still
 * gets every byte), computes the MAC and compares it in constant time. A missing or wrong signature ends the request
 * with the configured status, through a {@link PolicyException} the gateway turns into APIM's error body.
 *
 * @param header    the header carrying the signature
 * @param secret    the shared secret (literal, named value or expression)
 * @param algorithm the MAC algorithm
 * @param status    the status of a refusal
 * @param message   the message of a refusal
 */
record ValidateHmacSignature(String header, Value secret, String algorithm, int status, String message)
        implements Policy {

    @Override
    public Flow apply(PolicyContext context) throws PolicyException {
        Optional<String> sent = context.request().headers().first(header);
        if (sent.isEmpty()) {
            throw refused(context, "no " + header + " header");
        }
        byte[] expected;
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret.evaluateString(context).getBytes(StandardCharsets.UTF_8), algorithm));
            // preserveContent=true: the body stays readable for the policies after this one and for the backend.
            expected = mac.doFinal(context.request().body().bytes(true));
        } catch (GeneralSecurityException e) {
            throw PolicyException.internal("SignatureValidationFailure", "cannot compute " + algorithm + ": " + e, e);
        }
        Optional<byte[]> actual = decode(sent.get());
        if (actual.isEmpty() || !MessageDigest.isEqual(expected, actual.get())) {
            throw refused(context, "signature does not match");
        }
        return Flow.CONTINUE;
    }

    private PolicyException refused(PolicyContext context, String why) {
        context.trace("validate-hmac-signature", TraceSeverity.INFORMATION, "request refused: " + why);
        return PolicyException.clientError("SignatureInvalid", message, status);
    }

    /** Hex or base64, after an optional prefix such as {@code sha256=}. */
    private static Optional<byte[]> decode(String value) {
        String text = value.strip();
        int equals = text.indexOf('=');
        if (equals > 0 && equals < text.length() - 2 && text.substring(0, equals).matches("[A-Za-z0-9-]+")) {
            text = text.substring(equals + 1);
        }
        try {
            return Optional.of(HexFormat.of().parseHex(text.toLowerCase(Locale.ROOT)));
        } catch (IllegalArgumentException notHex) {
            try {
                return Optional.of(Base64.getDecoder().decode(text));
            } catch (IllegalArgumentException notBase64) {
                return Optional.empty();
            }
        }
    }

    @Override
    public String toString() {
        return "validate-hmac-signature[header=" + header + ", algorithm=" + algorithm + ", status=" + status + "]";
    }
}
