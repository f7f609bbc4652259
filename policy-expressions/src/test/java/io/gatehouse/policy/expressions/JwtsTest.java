package io.gatehouse.policy.expressions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.gatehouse.policy.spi.Jwt;

/** {@link Jwts}, the conversion that AsJwt() uses and validate-jwt is to share. */
class JwtsTest {

    /** What {@link TestTokens#SIGNED} holds; the claims' order is checked on a token written by hand. */
    private static Jwt signed() {
        Map<String, List<String>> claims = new LinkedHashMap<>();
        claims.put("iss", List.of("https://login.contoso.com/"));
        claims.put("sub", List.of("alice"));
        claims.put("name", List.of("Alice Smith"));
        claims.put("aud", List.of("api://echo", "api://orders"));
        claims.put("roles", List.of("reader", "writer"));
        claims.put("exp", List.of("1709651230"));
        claims.put("nbf", List.of("1709647200"));
        claims.put("iat", List.of("1709647620"));
        claims.put("jti", List.of("token-1"));
        claims.put("admin", List.of("true"));
        claims.put("level", List.of("3"));
        claims.put("ratio", List.of("0.5"));
        claims.put("address", List.of("{\"city\":\"Paris\"}"));
        Jwt.Builder jwt = Jwt.builder("HS256").type("JWT").id("token-1").issuer("https://login.contoso.com/")
                .subject("alice").audiences(List.of("api://echo", "api://orders")).expirationTime(TestTokens.EXPIRES)
                .notBefore(TestTokens.NOT_BEFORE).issuedAt(TestTokens.ISSUED);
        claims.forEach(jwt::claim);
        return jwt.build();
    }

    /** A signed token yields its header, its registered claims as typed fields and every claim as text. */
    @Test
    void parseReadsEveryPartOfASignedToken() {
        assertEquals(Optional.of(signed()), Jwts.parse(TestTokens.SIGNED));
    }

    /** parse does not verify: a token signed with a key nobody trusts reads the same. */
    @Test
    void parseDoesNotVerifyTheSignature() {
        assertNotEquals(TestTokens.SIGNED, TestTokens.SIGNED_ELSEWHERE);
        assertEquals(Jwts.parse(TestTokens.SIGNED), Jwts.parse(TestTokens.SIGNED_ELSEWHERE));
    }

    /** An unsecured token reads as alg none, without typ; a single-string aud is a list of one. */
    @Test
    void parseReadsAnUnsecuredToken() {
        Map<String, List<String>> claims = new LinkedHashMap<>();
        claims.put("sub", List.of("guest"));
        claims.put("aud", List.of("api://echo"));
        claims.put("scope", List.of("read"));
        Jwt.Builder builder = Jwt.builder("none").subject("guest").audiences(List.of("api://echo"));
        claims.forEach(builder::claim);
        Jwt expected = builder.build();
        assertEquals(Optional.of(expected), Jwts.parse(TestTokens.UNSECURED));
    }

    /** Array elements, nulls, nested values and numbers become text; the token's order is kept. */
    @Test
    void claimsBecomeTextInTheTokensOrder() {
        Jwt jwt = Jwts.parse(TestTokens.ODD).orElseThrow();
        assertEquals(List.of("odd"), jwt.claims().get("sub"));
        assertEquals(List.of("1", "true", "", "{\"k\":\"v\"}", "[2,3]"), jwt.claims().get("tags"));
        assertEquals(List.of(), jwt.claims().get("empty"));
        assertEquals(List.of(""), jwt.claims().get("nothing"));
        assertEquals(List.of("12.5"), jwt.claims().get("big"));
        assertEquals(List.of("sub", "tags", "empty", "nothing", "big"), List.copyOf(jwt.claims().keySet()));
        assertEquals(List.of(), jwt.audiences());
    }

    /** fromClaims, given what validate-jwt holds after verifying, builds what parse builds. */
    @Test
    void fromClaimsBuildsWhatParseBuilds() throws ParseException {
        SignedJWT token = SignedJWT.parse(TestTokens.SIGNED);
        assertEquals(signed(), Jwts.fromClaims(token.getHeader(), token.getJWTClaimsSet()));
        assertEquals(signed(), Jwts.fromClaims(TestTokens.HEADER, TestTokens.CLAIMS));
    }

    /** A header without typ gives no type. */
    @Test
    void fromClaimsWithoutTypGivesNoType() {
        Jwt jwt = Jwts.fromClaims(new JWSHeader(JWSAlgorithm.RS256), TestTokens.CLAIMS);
        assertEquals("RS256", jwt.algorithm());
        assertEquals(Optional.empty(), jwt.type());
    }

    static Stream<Arguments> unreadable() {
        String header = Base64URL.encode("{\"alg\":\"HS256\"}").toString();
        String payload = Base64URL.encode("{\"sub\":\"x\"}").toString();
        String[] parts = TestTokens.SIGNED.split("\\.");
        return Stream.of(
                Arguments.of("empty", ""),
                Arguments.of("one part", "abc"),
                Arguments.of("two parts", header + "." + payload),
                Arguments.of("four parts", header + "." + payload + ".c2ln.c2ln"),
                Arguments.of("empty header", "." + payload + ".c2ln"),
                Arguments.of("empty payload", header + "..c2ln"),
                Arguments.of("not JSON", "abc.def.ghi"),
                Arguments.of("payload not JSON", TestTokens.NOT_JSON),
                Arguments.of("payload a JSON array", TestTokens.ARRAY_PAYLOAD),
                Arguments.of("numeric iss", TestTokens.NUMERIC_ISSUER),
                Arguments.of("JWS without its signature", parts[0] + "." + parts[1] + "."),
                Arguments.of("encrypted", TestTokens.ENCRYPTED),
                Arguments.of("base64 padding", TestTokens.PADDED),
                Arguments.of("character outside base64url", parts[0] + "." + parts[1] + "!." + parts[2]),
                Arguments.of("standard base64", parts[0] + "+." + parts[1] + "." + parts[2]),
                Arguments.of("line break", parts[0] + "\n." + parts[1] + "." + parts[2]),
                Arguments.of("surrounding space", " " + TestTokens.SIGNED),
                Arguments.of("with a scheme", "Bearer " + TestTokens.SIGNED));
    }

    /** What is not a compact JWS or unsecured JWT that can be read is no token. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("unreadable")
    void parseRefusesWhatIsNotAReadableToken(String what, String text) {
        assertTrue(Jwts.parse(text).isEmpty(), () -> what + " was read: " + Jwts.parse(text));
    }
}
