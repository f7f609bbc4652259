package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.AESEncrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.demo.DemoBackend;

/**
 * {@code validate-jwt} through a real gateway, with a real OpenID provider on a socket publishing its discovery
 * document and its key set, and tokens signed (and encrypted) here with real keys.
 */
class ValidateJwtTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ISSUER = "https://login.example.test/tenant/v2.0";
    private static final String AUDIENCE = "api://gatehouse-orders";

    @TempDir
    Path dir;

    private final byte[] hmacSecret = random(32);
    private final byte[] jweSecret = random(32);
    private final List<JWK> published = new CopyOnWriteArrayList<>();
    private final AtomicInteger keySetFetches = new AtomicInteger();
    private final ManualClock clock = new ManualClock(System.currentTimeMillis());
    private final AtomicBoolean idpDown = new AtomicBoolean();
    private RSAKey signing;
    private HttpServer idp;
    private DemoBackend backend;
    private Gateway gateway;
    private URI uri;

    private static byte[] random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** A policy document whose inbound runs {@code policies}; on-error reports LastError.Reason in X-Reason. */
    private static String policy(String policies) {
        return "<policies><inbound><base/>" + policies + "</inbound><backend><base/></backend><outbound><base/></outbound>"
                + "<on-error><set-header name=\"X-Reason\" exists-action=\"override\"><value>@(context.LastError.Reason)"
                + "</value></set-header></on-error></policies>";
    }

    @BeforeEach
    void start() throws Exception {
        signing = new RSAKeyGenerator(2048).keyID("key-1").generate();
        published.add(signing);
        idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        idp.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        String idpBase = "http://127.0.0.1:" + idp.getAddress().getPort();
        idp.createContext("/tenant/v2.0/.well-known/openid-configuration", ex -> respond(ex, """
                {"issuer": "%s", "jwks_uri": "%s/tenant/discovery/keys"}""".formatted(ISSUER, idpBase)));
        idp.createContext("/tenant/discovery/keys", ex -> {
            keySetFetches.incrementAndGet();
            if (idpDown.get()) {
                ex.sendResponseHeaders(503, -1);
                ex.close();
                return;
            }
            respond(ex, new JWKSet(List.copyOf(published.stream().map(JWK::toPublicJWK).toList())).toString());
        });
        idp.start();

        backend = DemoBackend.start("127.0.0.1", 0);
        String openId = "<openid-config url=\"" + idpBase + "/tenant/v2.0/.well-known/openid-configuration\"/>";
        new TestFolder(dir)
                .api("orders", "orders", "http://127.0.0.1:" + backend.port() + "/echo", false,
                     "GET /openid", "GET /hmac", "GET /rsa-inline", "GET /encrypted", "GET /skew", "GET /unsigned")
                .write("apis/orders/operations/op0/policy.xml", policy("""
                        <validate-jwt header-name="Authorization" require-scheme="Bearer"
                                      output-token-variable-name="jwt">
                          %s
                          <audiences><audience>%s</audience></audiences>
                          <issuers><issuer>%s</issuer></issuers>
                          <required-claims>
                            <claim name="roles" match="any"><value>orders.read</value><value>orders.admin</value></claim>
                            <claim name="scp" separator=" "><value>orders</value></claim>
                          </required-claims>
                        </validate-jwt>
                        <set-header name="X-Subject" exists-action="override">
                          <value>@(((Jwt)context.Variables["jwt"]).Subject)</value>
                        </set-header>
                        <set-header name="X-Roles" exists-action="override">
                          <value>@(context.Variables.GetValueOrDefault&lt;Jwt&gt;("jwt")
                              .Claims.GetValueOrDefault("roles", "-"))</value>
                        </set-header>
                        <set-header name="X-Same-As-AsJwt" exists-action="override">
                          <value>@(context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt()
                              .Equals(context.Variables["jwt"]).ToString())</value>
                        </set-header>""".formatted(openId, AUDIENCE, ISSUER)))
                .write("apis/orders/operations/op1/policy.xml", policy("""
                        <validate-jwt query-parameter-name="access_token" require-expiration-time="false"
                                      failed-validation-httpcode="403" failed-validation-error-message="Token refused.">
                          <issuer-signing-keys><key>%s</key></issuer-signing-keys>
                        </validate-jwt>""".formatted(Base64.getEncoder().encodeToString(hmacSecret))))
                .write("apis/orders/operations/op2/policy.xml", policy("""
                        <validate-jwt
                            token-value="@(context.Request.Headers.GetValueOrDefault(&quot;X-Token&quot;, &quot;&quot;))">
                          <issuer-signing-keys><key id="key-1" n="%s" e="%s"/></issuer-signing-keys>
                        </validate-jwt>""".formatted(signing.getModulus(), signing.getPublicExponent())))
                .write("apis/orders/operations/op3/policy.xml", policy("""
                        <validate-jwt header-name="Authorization">
                          <issuer-signing-keys><key>%s</key></issuer-signing-keys>
                          <decryption-keys><key>%s</key></decryption-keys>
                        </validate-jwt>""".formatted(Base64.getEncoder().encodeToString(hmacSecret),
                                                     Base64.getEncoder().encodeToString(jweSecret))))
                .write("apis/orders/operations/op4/policy.xml", policy("""
                        <validate-jwt header-name="Authorization" clock-skew="120">%s</validate-jwt>""".formatted(openId)))
                .write("apis/orders/operations/op5/policy.xml", policy("""
                        <validate-jwt header-name="Authorization" require-signed-tokens="false"/>"""));
        gateway = new TestFolder(dir).startedOn(clock);
        uri = URI.create("http://127.0.0.1:" + gateway.port());
    }

    @AfterEach
    void stop() {
        gateway.close();
        backend.close();
        idp.stop(0);
    }

    private static void respond(com.sun.net.httpserver.HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private JWTClaimsSet.Builder claims() {
        Instant now = clock.instant();
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER).audience(AUDIENCE).subject("alice")
                .issueTime(java.util.Date.from(now)).expirationTime(java.util.Date.from(now.plusSeconds(300)))
                .claim("roles", List.of("orders.read")).claim("scp", "profile orders");
    }

    private static String rs256(RSAKey key, JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                                              .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static String hs256(byte[] secret, JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    private HttpResponse<String> openId(String authorization) {
        return authorization == null ? HttpCalls.get(uri, "/orders/openid")
                : HttpCalls.get(uri, "/orders/openid", "Authorization", authorization);
    }

    private static void assertRefused(HttpResponse<String> r, int status, String reason, String message) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(reason, r.headers().firstValue("X-Reason").orElse(""), r.body());
        assertEquals("{ \"statusCode\": " + status + ", \"message\": \"" + message + "\" }", r.body());
    }

    /** A token signed with the provider's published key, with the audience, issuer and claims asked for, passes. */
    @Test
    void validTokenFromOpenIdProviderReachesTheBackend() throws Exception {
        HttpResponse<String> r = openId("Bearer " + rs256(signing, claims().build()));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode echo = JSON.readTree(r.body());
        assertEquals("alice", echo.path("headers").path("X-Subject").asText(), r.body());
        assertEquals("orders.read", echo.path("headers").path("X-Roles").asText(), r.body());
        assertEquals("True", echo.path("headers").path("X-Same-As-AsJwt").asText(), "validate-jwt and AsJwt() agree");
        assertTrue(echo.path("headers").path("Authorization").asText().startsWith("Bearer "), "forwarded unchanged");
    }

    /** Without a token, or with another scheme than require-scheme, the caller gets 401 "JWT not present.". */
    @Test
    void missingTokenOrWrongSchemeIsTokenNotPresent() throws Exception {
        assertRefused(openId(null), 401, "TokenNotPresent", "JWT not present.");
        assertRefused(openId("Basic " + rs256(signing, claims().build())), 401, "TokenNotPresent", "JWT not present.");
    }

    /** Lifetime, audience, issuer and each required claim are checked, each failure with its own reason. */
    @Test
    void eachFailedCheckHasItsReason() throws Exception {
        Instant past = clock.instant().minusSeconds(60);
        assertRefused(openId("Bearer " + rs256(signing, claims().expirationTime(java.util.Date.from(past)).build())),
                      401, "TokenExpired", "JWT Validation Failed: Lifetime validation failed. The token is expired.");
        assertRefused(openId("Bearer " + rs256(signing, claims().expirationTime(null).build())), 401,
                      "TokenExpirationTimeNotPresent", "JWT Validation Failed: the token has no expiration time.");
        assertRefused(openId("Bearer " + rs256(signing, claims().notBeforeTime(java.util.Date.from(clock.instant()
                .plusSeconds(120))).build())), 401, "TokenNotYetValid",
                      "JWT Validation Failed: Lifetime validation failed. The token is not yet valid.");
        assertRefused(openId("Bearer " + rs256(signing, claims().audience("api://someone-else").build())), 401,
                      "TokenAudienceNotAllowed", "JWT Validation Failed: Audience validation failed.");
        assertRefused(openId("Bearer " + rs256(signing, claims().issuer("https://evil.test/").build())), 401,
                      "TokenIssuerNotAllowed", "JWT Validation Failed: Issuer validation failed.");
        assertRefused(openId("Bearer " + rs256(signing, claims().claim("roles", null).build())), 401,
                      "TokenClaimNotFound", "JWT Validation Failed: Claim not found: roles.");
        assertRefused(openId("Bearer " + rs256(signing, claims().claim("roles", List.of("billing.read")).build())), 401,
                      "TokenClaimValueNotAllowed", "JWT Validation Failed: Claim value not allowed: roles.");
        assertRefused(openId("Bearer " + rs256(signing, claims().claim("scp", "profile").build())), 401,
                      "TokenClaimValueNotAllowed", "JWT Validation Failed: Claim value not allowed: scp.");
        assertRefused(openId("Bearer not.a-token"), 401, "JwtInvalid", "JWT Validation Failed: the token is malformed.");
    }

    /** A token signed by another key, unsigned, or HMAC-signed with the public key as secret, is refused. */
    @Test
    void forgedTokensAreRefused() throws Exception {
        RSAKey impostor = new RSAKeyGenerator(2048).keyID("key-1").generate();
        assertRefused(openId("Bearer " + rs256(impostor, claims().build())), 401, "TokenSignatureInvalid",
                      "JWT Validation Failed: Signature validation failed.");
        assertRefused(openId("Bearer " + new PlainJWT(claims().build()).serialize()), 401, "TokenNotSigned",
                      "JWT Validation Failed: the token is not signed.");
        // Algorithm confusion: the RSA public key's bytes used as an HMAC secret must never verify.
        byte[] publicKeyAsSecret = signing.toRSAPublicKey().getEncoded();
        assertRefused(openId("Bearer " + hs256(publicKeyAsSecret, claims().build())), 401, "TokenSignatureKeyNotFound",
                      "JWT Validation Failed: no signing key matches the token.");
    }

    /** An EC key (ES256) published by the provider verifies; the same token re-signed by another EC key does not. */
    @Test
    void ecKeyFromProvider() throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        published.add(ec);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(), claims().build());
        jwt.sign(new ECDSASigner(ec));
        assertEquals(200, openId("Bearer " + jwt.serialize()).statusCode());
        ECKey other = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-1").build(), claims().build());
        forged.sign(new ECDSASigner(other));
        assertRefused(openId("Bearer " + forged.serialize()), 401, "TokenSignatureInvalid",
                      "JWT Validation Failed: Signature validation failed.");
    }

    /** A key the provider starts publishing after the first fetch is found by fetching again, once. */
    @Test
    void rotatedKeyIsFetchedOnceWhenATokenNamesIt() throws Exception {
        assertEquals(200, openId("Bearer " + rs256(signing, claims().build())).statusCode());
        int fetches = keySetFetches.get();
        RSAKey rotated = new RSAKeyGenerator(2048).keyID("key-2").generate();
        published.add(rotated);
        // Fetches of one URL are at least 30 s apart, whatever the tokens say.
        clock.advance(Duration.ofSeconds(31));
        HttpResponse<String> r = openId("Bearer " + rs256(rotated, claims().build()));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(fetches + 1, keySetFetches.get(), "one fetch for the new kid");

        RSAKey unknown = new RSAKeyGenerator(2048).keyID("key-never-published").generate();
        assertRefused(openId("Bearer " + rs256(unknown, claims().build())), 401, "TokenSignatureKeyNotFound",
                      "JWT Validation Failed: no signing key matches the token.");
        assertRefused(openId("Bearer " + rs256(unknown, claims().build())), 401, "TokenSignatureKeyNotFound",
                      "JWT Validation Failed: no signing key matches the token.");
        assertEquals(fetches + 1, keySetFetches.get(), "unknown key ids do not make the gateway fetch again at once");
    }

    /** While the provider is down, the keys fetched before keep working, also after they are due for a refresh. */
    @Test
    void providerOutageKeepsTheKeysItHas() throws Exception {
        assertEquals(200, openId("Bearer " + rs256(signing, claims().build())).statusCode());
        int fetches = keySetFetches.get();
        idpDown.set(true);
        clock.advance(Duration.ofHours(2));
        // The refresh of stale keys runs beside the traffic: wait for it to have been tried.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (keySetFetches.get() == fetches && System.nanoTime() < deadline) {
            assertEquals(200, openId("Bearer " + rs256(signing, claims().build())).statusCode());
            Thread.sleep(20);
        }
        assertTrue(keySetFetches.get() > fetches, "the stale keys were refreshed (and the refresh failed)");
        assertEquals(200, openId("Bearer " + rs256(signing, claims().build())).statusCode(), "old keys still serve");
    }

    /** A provider that never answered: tokens cannot be checked, so they are refused; the gateway keeps serving. */
    @Test
    void providerDownFromTheStartRefusesTokens() throws Exception {
        idpDown.set(true);
        assertRefused(openId("Bearer " + rs256(signing, claims().build())), 401, "TokenSignatureKeyNotFound",
                      "JWT Validation Failed: no signing key matches the token.");
        idpDown.set(false);
        clock.advance(Duration.ofSeconds(31));
        assertEquals(200, openId("Bearer " + rs256(signing, claims().build())).statusCode(), "recovers by itself");
    }

    /** An inline HMAC key, a query parameter, no exp required, and the configured status and message. */
    @Test
    void inlineHmacKeyWithCustomFailure() throws Exception {
        String good = hs256(hmacSecret, claims().expirationTime(null).build());
        assertEquals(200, HttpCalls.get(uri, "/orders/hmac?access_token=" + good).statusCode());
        String wrong = hs256(random(32), claims().build());
        assertRefused(HttpCalls.get(uri, "/orders/hmac?access_token=" + wrong), 403, "TokenSignatureInvalid",
                      "Token refused.");
        assertRefused(HttpCalls.get(uri, "/orders/hmac"), 403, "TokenNotPresent", "Token refused.");
    }

    /** An RSA key given as modulus and exponent, and the token taken from an expression. */
    @Test
    void inlineRsaKeyAndTokenValueExpression() throws Exception {
        assertEquals(200, HttpCalls.get(uri, "/orders/rsa-inline", "X-Token", rs256(signing, claims().build()))
                .statusCode());
        RSAKey other = new RSAKeyGenerator(2048).keyID("key-1").generate();
        assertRefused(HttpCalls.get(uri, "/orders/rsa-inline", "X-Token", rs256(other, claims().build())), 401,
                      "TokenSignatureInvalid", "JWT Validation Failed: Signature validation failed.");
    }

    /** An encrypted token (JWE, dir + A256GCM) around a signed one is decrypted with decryption-keys, then checked. */
    @Test
    void encryptedTokenIsDecryptedThenVerified() throws Exception {
        String signed = hs256(hmacSecret, claims().build());
        com.nimbusds.jose.JWEObject jwe = new com.nimbusds.jose.JWEObject(
                new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM).contentType("JWT").build(),
                new Payload(signed));
        jwe.encrypt(new DirectEncrypter(jweSecret));
        assertEquals(200, HttpCalls.get(uri, "/orders/encrypted", "Authorization", "Bearer " + jwe.serialize())
                .statusCode());

        com.nimbusds.jose.JWEObject wrapped = new com.nimbusds.jose.JWEObject(
                new JWEHeader.Builder(JWEAlgorithm.A256KW, EncryptionMethod.A128CBC_HS256).contentType("JWT").build(),
                new Payload(signed));
        wrapped.encrypt(new AESEncrypter(jweSecret));
        assertEquals(200, HttpCalls.get(uri, "/orders/encrypted", "Authorization", "Bearer " + wrapped.serialize())
                .statusCode(), "AES key wrap");

        com.nimbusds.jose.JWEObject other = new com.nimbusds.jose.JWEObject(
                new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM).contentType("JWT").build(),
                new Payload(signed));
        other.encrypt(new DirectEncrypter(random(32)));
        assertRefused(HttpCalls.get(uri, "/orders/encrypted", "Authorization", "Bearer " + other.serialize()), 401,
                      "TokenDecryptionFailed", "JWT Validation Failed: the token could not be decrypted.");
    }

    /** clock-skew accepts a token expired less than that long ago, and no more. */
    @Test
    void clockSkewWidensTheLifetime() throws Exception {
        Instant now = clock.instant();
        assertEquals(200, HttpCalls.get(uri, "/orders/skew", "Authorization", "Bearer " + rs256(signing, claims()
                .expirationTime(java.util.Date.from(now.minusSeconds(60))).build())).statusCode());
        assertRefused(HttpCalls.get(uri, "/orders/skew", "Authorization", "Bearer " + rs256(signing, claims()
                .expirationTime(java.util.Date.from(now.minusSeconds(600))).build())), 401, "TokenExpired",
                      "JWT Validation Failed: Lifetime validation failed. The token is expired.");
    }

    /** require-signed-tokens="false" without keys accepts unsigned tokens but not signed ones it cannot check. */
    @Test
    void unsignedTokensOnlyWhenAllowed() throws Exception {
        assertEquals(200, HttpCalls.get(uri, "/orders/unsigned", "Authorization", "Bearer "
                + new PlainJWT(claims().build()).serialize()).statusCode());
        assertRefused(HttpCalls.get(uri, "/orders/unsigned", "Authorization", "Bearer " + rs256(signing, claims().build())),
                      401, "TokenSignatureKeyNotFound", "JWT Validation Failed: no signing key matches the token.");
    }

    /** Configurations that could never work are refused when the folder loads, naming what is wrong. */
    @Test
    void impossibleConfigurationsAreRefusedAtLoad() {
        Map<String, String> bad = Map.of(
                "<validate-jwt header-name=\"Authorization\"/>", "no key to check signatures with",
                "<validate-jwt header-name=\"A\" query-parameter-name=\"q\"><issuer-signing-keys><key>"
                        + Base64.getEncoder().encodeToString(hmacSecret) + "</key></issuer-signing-keys></validate-jwt>",
                "exactly one of 'header-name', 'query-parameter-name' and 'token-value' is required, 2 given",
                "<validate-jwt header-name=\"A\"><issuer-signing-keys><key>c2hvcnQ=</key></issuer-signing-keys>"
                        + "</validate-jwt>", "the key is 40 bits; HMAC keys must have at least 256",
                "<validate-jwt header-name=\"A\"><issuer-signing-keys><key certificate-id=\"c\"/></issuer-signing-keys>"
                        + "</validate-jwt>", "certificate-id> is not supported",
                "<validate-jwt header-name=\"A\"><openid-config url=\"ftp://idp/x\"/></validate-jwt>",
                "'ftp://idp/x' is not an http(s) URL");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            String message = TestFolder.refusal(dir, policy(e.getKey()));
            assertTrue(message.contains(e.getValue()) && message.contains("apis/x/policy.xml")
                               && message.contains("validate-jwt"), message);
        }
    }
}
