package io.gatehouse.policy.spi;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A decoded JSON web token, as APIM's {@code Jwt} type: what {@code validate-jwt} stores in its
 * {@code output-token-variable-name} and what the expression {@code "...".AsJwt()} returns.
 *
 * <p>A {@code Jwt} says what the token claims, not that it is valid: only one that {@code validate-jwt} produced has
 * been checked.
 *
 * @since SPI 1.2
 *
 * @param algorithm the {@code alg} header ({@code RS256}, {@code HS256}, {@code none}, ...)
 * @param type      the {@code typ} header, or {@code null}
 * @param id        the {@code jti} claim, or {@code null}
 * @param issuer    the {@code iss} claim, or {@code null}
 * @param subject   the {@code sub} claim, or {@code null}
 * @param audiences the {@code aud} claim's values, empty when absent
 * @param expirationTime the {@code exp} claim, or {@code null}
 * @param notBefore the {@code nbf} claim, or {@code null}
 * @param issuedAt  the {@code iat} claim, or {@code null}
 * @param claims    every claim of the payload by name, each as its values in text form (a JSON array gives one value
 *                  per element, a number or boolean its JSON text, an object its JSON text), in the token's order
 */
public record Jwt(String algorithm, String type, String id, String issuer, String subject, List<String> audiences,
                  Instant expirationTime, Instant notBefore, Instant issuedAt, Map<String, List<String>> claims) {

    /**
     * Copies the collections, so a {@code Jwt} is immutable.
     */
    public Jwt {
        Objects.requireNonNull(algorithm, "algorithm");
        audiences = List.copyOf(audiences);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        claims.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        claims = Collections.unmodifiableMap(copy);
    }

    /**
     * One claim's values joined with commas, as APIM's {@code Claims.GetValueOrDefault(name, default)}.
     *
     * @param name         the claim's name
     * @param defaultValue what to return when the token has no such claim
     * @return the joined values, or {@code defaultValue}
     */
    public String claim(String name, String defaultValue) {
        List<String> values = claims.get(name);
        return values == null ? defaultValue : String.join(",", values);
    }

    /**
     * One claim's values.
     *
     * @param name the claim's name
     * @return its values, or empty when the token has no such claim
     */
    public Optional<List<String>> claimValues(String name) {
        return Optional.ofNullable(claims.get(name));
    }
}
