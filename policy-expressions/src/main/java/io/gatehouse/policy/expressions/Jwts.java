package io.gatehouse.policy.expressions;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.util.JSONArrayUtils;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;

import io.gatehouse.policy.spi.Jwt;

/**
 * Turns a token read by nimbus-jose-jwt into the SPI's {@link Jwt}: the one conversion behind the expression
 * {@code "...".AsJwt()}, public so that {@code validate-jwt} can build the {@code Jwt} it stores the same way and a
 * token reads the same whichever way it arrived.
 *
 * <p>Claims become text as APIM (through Microsoft's JWT handler) shows them: a string as is; a number or boolean as
 * its JSON text ({@code 3}, {@code 1.5}, {@code true}); an object as its JSON text; a JSON array one value per element,
 * each converted the same way (a nested array as its JSON text); a JSON {@code null} as the empty string; {@code exp},
 * {@code nbf} and {@code iat} as their number of seconds. {@code aud} is a list whether the token gave one string or an
 * array. Claims keep the token's order.
 */
public final class Jwts {

    private Jwts() {
    }

    /**
     * Reads a compact JWS or unsecured ({@code alg: none}) JWT <em>without verifying it</em>: the result says what the
     * token claims, not that anyone signed it.
     *
     * @param compact the token, {@code header.payload.signature} in base64url (the signature empty for {@code none}),
     *                with no scheme such as {@code Bearer} and no white space
     * @return the token, or empty when the text is not one this can read: not three parts, a character outside
     *         base64url, a header or payload that is not a JSON object, a registered claim of the wrong JSON type (a
     *         numeric {@code iss}, a string {@code exp}), a JWS without its signature, or an encrypted token (JWE, five
     *         parts), whose claims cannot be read without its key
     */
    public static Optional<Jwt> parse(String compact) {
        Objects.requireNonNull(compact, "compact");
        if (!isCompactJws(compact)) {
            return Optional.empty();
        }
        try {
            // Three parts: nimbus gives a SignedJWT or a PlainJWT, never an EncryptedJWT.
            JWT jwt = JWTParser.parse(compact);
            return Optional.of(fromClaims(jwt.getHeader(), jwt.getJWTClaimsSet()));
        } catch (ParseException notReadable) {
            // As APIM's AsJwt: text that is not a readable token yields no token, not an error.
            return Optional.empty();
        }
    }

    /**
     * Builds the {@code Jwt} of a token whose header and claims nimbus has read (and, for {@code validate-jwt},
     * verified).
     *
     * @param header the token's header: {@code alg} and {@code typ} are read from it
     * @param claims the token's claims
     * @return the decoded token
     */
    public static Jwt fromClaims(Header header, JWTClaimsSet claims) {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(claims, "claims");
        Map<String, List<String>> texts = new LinkedHashMap<>();
        claims.getClaims().forEach((name, value) -> texts.put(name, values(value)));
        Jwt.Builder jwt = Jwt.builder(header.getAlgorithm().getName())
                .audiences(claims.getAudience().stream().map(Jwts::text).toList());
        if (header.getType() != null) {
            jwt.type(header.getType().getType());
        }
        Optional.ofNullable(claims.getJWTID()).ifPresent(jwt::id);
        Optional.ofNullable(claims.getIssuer()).ifPresent(jwt::issuer);
        Optional.ofNullable(claims.getSubject()).ifPresent(jwt::subject);
        Optional.ofNullable(claims.getExpirationTime()).map(Date::toInstant).ifPresent(jwt::expirationTime);
        Optional.ofNullable(claims.getNotBeforeTime()).map(Date::toInstant).ifPresent(jwt::notBefore);
        Optional.ofNullable(claims.getIssueTime()).map(Date::toInstant).ifPresent(jwt::issuedAt);
        texts.forEach(jwt::claim);
        return jwt.build();
    }

    /**
     * Three base64url parts, header and payload not empty. Checked here because nimbus's decoder skips characters
     * outside the alphabet ({@code =}, {@code !}, line breaks) where Microsoft's handler refuses the token.
     */
    private static boolean isCompactJws(String s) {
        int dots = 0;
        int partStart = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (i == partStart || ++dots > 2) {
                    return false;
                }
                partStart = i + 1;
            } else if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return dots == 2;
    }

    /** A claim's values: one per element of an array, otherwise one. */
    private static List<String> values(Object value) {
        return switch (value) {
            case Collection<?> c -> c.stream().map(Jwts::text).toList();
            case Object[] a -> Arrays.stream(a).map(Jwts::text).toList();
            case null, default -> List.of(text(value));
        };
    }

    private static String text(Object value) {
        return switch (value) {
            // As Microsoft's handler, which gives a JSON null claim an empty value.
            case null -> "";
            case String s -> s;
            // exp, nbf and iat, which nimbus reads as dates: their NumericDate again.
            case Date d -> String.valueOf(Math.floorDiv(d.getTime(), 1000L));
            case Map<?, ?> m -> {
                Map<String, Object> object = new LinkedHashMap<>();
                m.forEach((k, v) -> object.put(String.valueOf(k), v));
                yield JSONObjectUtils.toJSONString(object);
            }
            case Collection<?> c -> JSONArrayUtils.toJSONString(new ArrayList<>(c));
            case Object[] a -> JSONArrayUtils.toJSONString(Arrays.asList(a));
            default -> String.valueOf(value);
        };
    }
}
