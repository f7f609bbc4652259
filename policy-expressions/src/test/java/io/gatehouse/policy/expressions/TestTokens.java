package io.gatehouse.policy.expressions;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import io.gatehouse.policy.spi.Jwt;

/** Tokens for the expression tests, built with nimbus when the class loads; times are relative to the test clock. */
final class TestTokens {

    static final byte[] KEY = "the HS256 key of the expression tests".getBytes(StandardCharsets.UTF_8);
    static final byte[] OTHER_KEY = "another HS256 key, which nobody trusts".getBytes(StandardCharsets.UTF_8);

    static final Instant EXPIRES = TestExchange.NOW.plus(Duration.ofHours(1));
    static final Instant NOT_BEFORE = Instant.parse("2024-03-05T14:00:00Z");
    static final Instant ISSUED = Instant.parse("2024-03-05T14:07:00Z");

    static final JWSHeader HEADER = new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build();

    /** Every registered claim, an array claim, a boolean, numbers and an object. */
    static final JWTClaimsSet CLAIMS = new JWTClaimsSet.Builder()
            .issuer("https://login.contoso.com/")
            .subject("alice")
            .claim("name", "Alice Smith")
            .audience(List.of("api://echo", "api://orders"))
            .claim("roles", List.of("reader", "writer"))
            .expirationTime(Date.from(EXPIRES))
            .notBeforeTime(Date.from(NOT_BEFORE))
            .issueTime(Date.from(ISSUED))
            .jwtID("token-1")
            .claim("admin", true)
            .claim("level", 3)
            .claim("ratio", 0.5)
            .claim("address", Map.of("city", "Paris"))
            .build();

    /** {@link #CLAIMS} signed with HS256, {@code typ: JWT}. */
    static final String SIGNED = sign(HEADER, CLAIMS, KEY);
    /** The same token signed with a key nobody trusts: AsJwt does not care. */
    static final String SIGNED_ELSEWHERE = sign(HEADER, CLAIMS, OTHER_KEY);
    /** {@code alg: none}, no {@code typ}, {@code aud} a single string, no dates, no issuer. */
    static final String UNSECURED = new PlainJWT(new JWTClaimsSet.Builder()
            .subject("guest")
            .audience("api://echo")
            .claim("scope", "read")
            .build()).serialize();
    /**
     * JSON nimbus's claims builder would not write: null, an empty array, mixed and nested array elements; its claims
     * in an order that is neither alphabetical nor a hash map's, so reading it shows the token's order is kept.
     */
    static final String ODD = signRaw("{\"sub\":\"odd\",\"tags\":[1,true,null,{\"k\":\"v\"},[2,3]],\"empty\":[],"
                                              + "\"nothing\":null,\"big\":12.50}");
    /** A JWS whose payload is not JSON. */
    static final String NOT_JSON = signRaw("hello");
    /** A JWS whose payload is a JSON array, not an object. */
    static final String ARRAY_PAYLOAD = signRaw("[\"sub\"]");
    /** A JWS whose {@code iss} is a number. */
    static final String NUMERIC_ISSUER = signRaw("{\"iss\":5}");
    /** An encrypted token (JWE, five parts): unreadable without its key. */
    static final String ENCRYPTED = encrypt(CLAIMS);
    /** The signed token with base64 padding after its header, which nimbus's lenient decoder would skip. */
    static final String PADDED = SIGNED.replaceFirst("\\.", "=.");

    /** What validate-jwt stores in its output variable: an RS256 token read elsewhere, no nbf or iat. */
    static final Jwt VALIDATED = validated();

    private TestTokens() {
    }

    private static String sign(JWSHeader header, JWTClaimsSet claims, byte[] key) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(new MACSigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String signRaw(String payload) {
        try {
            JWSObject jws = new JWSObject(HEADER, new Payload(payload));
            jws.sign(new MACSigner(KEY));
            return jws.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encrypt(JWTClaimsSet claims) {
        try {
            EncryptedJWT jwt = new EncryptedJWT(new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A256GCM), claims);
            jwt.encrypt(new DirectEncrypter(new byte[32]));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Jwt validated() {
        Map<String, List<String>> claims = new LinkedHashMap<>();
        claims.put("sub", List.of("bob"));
        claims.put("groups", List.of("admins", "users"));
        Jwt.Builder jwt = Jwt.builder("RS256").type("JWT").id("token-2").issuer("https://sts.contoso.com/").subject("bob")
                .audiences(List.of("api://echo")).expirationTime(EXPIRES);
        claims.forEach(jwt::claim);
        return jwt.build();
    }
}
