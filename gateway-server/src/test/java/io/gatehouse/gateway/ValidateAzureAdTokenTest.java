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
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.Executors;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code validate-azure-ad-token} through a real gateway, with a stand-in for Microsoft Entra ID on a socket (the
 * authority setting points the policy at it): the tenant's v2 and v1 issuers, backend and client application ids.
 */
class ValidateAzureAdTokenTest {

    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String V2_ISSUER = "https://login.microsoftonline.com/" + TENANT + "/v2.0";

    @TempDir
    Path dir;

    private RSAKey key;
    private HttpServer entra;
    private Gateway gateway;
    private URI uri;

    private static String policy(String policies) {
        return "<policies><inbound><base/>" + policies + "<return-response><set-status code=\"200\"/></return-response>"
                + "</inbound><backend/><outbound/><on-error><set-header name=\"X-Reason\" exists-action=\"override\">"
                + "<value>@(context.LastError.Reason)</value></set-header></on-error></policies>";
    }

    @BeforeEach
    void start() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("entra-1").generate();
        entra = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        entra.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        String base = "http://127.0.0.1:" + entra.getAddress().getPort();
        // As Entra ID: the discovery document is found by the tenant's domain, and names the tenant's GUID.
        entra.createContext("/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration", ex -> respond(ex, """
                {"issuer": "%s", "jwks_uri": "%s/%s/discovery/v2.0/keys"}""".formatted(V2_ISSUER, base, TENANT)));
        entra.createContext("/" + TENANT + "/discovery/v2.0/keys",
                            ex -> respond(ex, new JWKSet(key.toPublicJWK()).toString()));
        entra.start();
        new TestFolder(dir).api("orders", "orders", "http://127.0.0.1:1/unused", false, "GET /x")
                .write("apis/orders/policy.xml", policy("""
                        <validate-azure-ad-token tenant-id="contoso.onmicrosoft.com">
                          <client-application-ids><application-id>client-app</application-id></client-application-ids>
                          <backend-application-ids><application-id>orders-api</application-id></backend-application-ids>
                        </validate-azure-ad-token>"""));
        gateway = new TestFolder(dir).gateway(Map.of("policy.validate-azure-ad-token.authority", base))
                .start("127.0.0.1", 0);
        uri = URI.create("http://127.0.0.1:" + gateway.port());
    }

    @AfterEach
    void stop() {
        gateway.close();
        entra.stop(0);
    }

    private static void respond(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private String token(String issuer, String audience, String clientClaim, String client) throws JOSEException {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("entra-1").build(),
                                      new JWTClaimsSet.Builder().issuer(issuer).audience(audience).claim("tid", TENANT)
                                              .claim(clientClaim, client).expirationTime(Date.from(now.plusSeconds(600)))
                                              .build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private HttpResponse<String> call(String token) {
        return token == null ? HttpCalls.get(uri, "/orders/x") : HttpCalls.get(uri, "/orders/x", "Authorization",
                                                                                "Bearer " + token);
    }

    private void assertRefused(String token, String reason) {
        HttpResponse<String> r = call(token);
        assertEquals(401, r.statusCode(), r.body());
        assertEquals(reason, r.headers().firstValue("X-Reason").orElse(""), r.body());
    }

    /** v2 tokens (the discovered issuer, azp) and v1 tokens (sts.windows.net, appid, an api:// audience) pass. */
    @Test
    void tenantTokensOfBothVersionsPass() throws Exception {
        assertEquals(200, call(token(V2_ISSUER, "orders-api", "azp", "client-app")).statusCode());
        assertEquals(200, call(token("https://sts.windows.net/" + TENANT + "/", "api://orders-api", "appid",
                                     "client-app")).statusCode());
    }

    /** Another tenant, another audience, another client, or no token at all is refused with its reason. */
    @Test
    void othersAreRefused() throws Exception {
        assertRefused(token("https://login.microsoftonline.com/another-tenant/v2.0", "orders-api", "azp", "client-app"),
                      "TokenIssuerNotAllowed");
        assertRefused(token(V2_ISSUER, "billing-api", "azp", "client-app"), "TokenAudienceNotAllowed");
        assertRefused(token(V2_ISSUER, "orders-api", "azp", "some-other-app"), "TokenClientApplicationNotAllowed");
        assertRefused(null, "TokenNotPresent");
    }

    /** tenant-id is required, and checked at load. */
    @Test
    void tenantIdIsRequired() {
        String message = TestFolder.refusal(dir, policy("<validate-azure-ad-token/>"));
        assertTrue(message.contains("attribute 'tenant-id' is required") && message.contains("apis/x/policy.xml"),
                   message);
    }
}
