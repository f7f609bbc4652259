package io.gatehouse.policy.spi;

import java.time.Instant;
import java.util.ArrayList;
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
 * been checked. Its {@link #toString()} names the algorithm, the issuer and the claims' names, never their values,
 * so a token logged by mistake does not spill personal data.
 *
 * @since SPI 1.2
 */
public final class Jwt {

    private final String algorithm;
    private final String type;
    private final String id;
    private final String issuer;
    private final String subject;
    private final List<String> audiences;
    private final Instant expirationTime;
    private final Instant notBefore;
    private final Instant issuedAt;
    private final Map<String, List<String>> claims;

    private Jwt(Builder b) {
        this.algorithm = b.algorithm;
        this.type = b.type;
        this.id = b.id;
        this.issuer = b.issuer;
        this.subject = b.subject;
        this.audiences = List.copyOf(b.audiences);
        this.expirationTime = b.expirationTime;
        this.notBefore = b.notBefore;
        this.issuedAt = b.issuedAt;
        Map<String, List<String>> copy = new LinkedHashMap<>();
        b.claims.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        this.claims = Collections.unmodifiableMap(copy);
    }

    /**
     * Starts a token.
     *
     * @param algorithm the {@code alg} header ({@code RS256}, {@code HS256}, {@code none}, ...)
     * @return a builder
     */
    public static Builder builder(String algorithm) {
        return new Builder(algorithm);
    }

    /**
     * The {@code alg} header.
     *
     * @return the algorithm's name
     */
    public String algorithm() {
        return algorithm;
    }

    /**
     * The {@code typ} header.
     *
     * @return the type, or empty when the header has none
     */
    public Optional<String> type() {
        return Optional.ofNullable(type);
    }

    /**
     * The {@code jti} claim.
     *
     * @return the token id, or empty
     */
    public Optional<String> id() {
        return Optional.ofNullable(id);
    }

    /**
     * The {@code iss} claim.
     *
     * @return the issuer, or empty
     */
    public Optional<String> issuer() {
        return Optional.ofNullable(issuer);
    }

    /**
     * The {@code sub} claim.
     *
     * @return the subject, or empty
     */
    public Optional<String> subject() {
        return Optional.ofNullable(subject);
    }

    /**
     * The {@code aud} claim, whether the token holds one string or an array.
     *
     * @return the audiences, empty when the claim is absent
     */
    public List<String> audiences() {
        return audiences;
    }

    /**
     * The {@code exp} claim.
     *
     * @return when the token expires, or empty
     */
    public Optional<Instant> expirationTime() {
        return Optional.ofNullable(expirationTime);
    }

    /**
     * The {@code nbf} claim.
     *
     * @return when the token becomes valid, or empty
     */
    public Optional<Instant> notBefore() {
        return Optional.ofNullable(notBefore);
    }

    /**
     * The {@code iat} claim.
     *
     * @return when the token was issued, or empty
     */
    public Optional<Instant> issuedAt() {
        return Optional.ofNullable(issuedAt);
    }

    /**
     * Every claim of the payload by name, in the token's order, each as its values in text form: a JSON array gives
     * one value per element, a string itself, a number or boolean its JSON text, an object its JSON text, a date
     * claim ({@code exp}, {@code nbf}, {@code iat}) its seconds since the epoch.
     *
     * @return the claims, unmodifiable
     */
    public Map<String, List<String>> claims() {
        return claims;
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

    @Override
    public boolean equals(Object o) {
        return o instanceof Jwt j && algorithm.equals(j.algorithm) && Objects.equals(type, j.type)
                && Objects.equals(id, j.id) && Objects.equals(issuer, j.issuer) && Objects.equals(subject, j.subject)
                && audiences.equals(j.audiences) && Objects.equals(expirationTime, j.expirationTime)
                && Objects.equals(notBefore, j.notBefore) && Objects.equals(issuedAt, j.issuedAt)
                && claims.equals(j.claims);
    }

    @Override
    public int hashCode() {
        return Objects.hash(algorithm, type, id, issuer, subject, audiences, expirationTime, notBefore, issuedAt, claims);
    }

    @Override
    public String toString() {
        return "Jwt[alg=" + algorithm + ", iss=" + (issuer == null ? "-" : issuer) + ", claims=" + claims.keySet() + "]";
    }

    /**
     * Builds a {@link Jwt}. Leave out what the token does not have; every setter refuses {@code null}.
     */
    public static final class Builder {
        private final String algorithm;
        private final List<String> audiences = new ArrayList<>();
        private final Map<String, List<String>> claims = new LinkedHashMap<>();
        private String type;
        private String id;
        private String issuer;
        private String subject;
        private Instant expirationTime;
        private Instant notBefore;
        private Instant issuedAt;

        private Builder(String algorithm) {
            this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        }

        /**
         * The {@code typ} header.
         *
         * @param type the type
         * @return this builder
         */
        public Builder type(String type) {
            this.type = Objects.requireNonNull(type, "type");
            return this;
        }

        /**
         * The {@code jti} claim.
         *
         * @param id the token id
         * @return this builder
         */
        public Builder id(String id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * The {@code iss} claim.
         *
         * @param issuer the issuer
         * @return this builder
         */
        public Builder issuer(String issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /**
         * The {@code sub} claim.
         *
         * @param subject the subject
         * @return this builder
         */
        public Builder subject(String subject) {
            this.subject = Objects.requireNonNull(subject, "subject");
            return this;
        }

        /**
         * The {@code aud} claim's values.
         *
         * @param audiences the audiences
         * @return this builder
         */
        public Builder audiences(List<String> audiences) {
            this.audiences.clear();
            this.audiences.addAll(audiences);
            return this;
        }

        /**
         * The {@code exp} claim.
         *
         * @param expirationTime when the token expires
         * @return this builder
         */
        public Builder expirationTime(Instant expirationTime) {
            this.expirationTime = Objects.requireNonNull(expirationTime, "expirationTime");
            return this;
        }

        /**
         * The {@code nbf} claim.
         *
         * @param notBefore when the token becomes valid
         * @return this builder
         */
        public Builder notBefore(Instant notBefore) {
            this.notBefore = Objects.requireNonNull(notBefore, "notBefore");
            return this;
        }

        /**
         * The {@code iat} claim.
         *
         * @param issuedAt when the token was issued
         * @return this builder
         */
        public Builder issuedAt(Instant issuedAt) {
            this.issuedAt = Objects.requireNonNull(issuedAt, "issuedAt");
            return this;
        }

        /**
         * One claim of the payload, with its values in text form (see {@link Jwt#claims()}); claims keep the order
         * they are added in.
         *
         * @param name   the claim's name
         * @param values its values
         * @return this builder
         */
        public Builder claim(String name, List<String> values) {
            claims.put(Objects.requireNonNull(name, "name"), List.copyOf(values));
            return this;
        }

        /**
         * Builds the token.
         *
         * @return the token
         */
        public Jwt build() {
            return new Jwt(this);
        }
    }
}
