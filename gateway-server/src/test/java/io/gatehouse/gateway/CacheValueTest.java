package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cache-lookup-value}, {@code cache-store-value} and {@code cache-remove-value} through a real gateway, in
 * APIM's token-caching pattern: look the token up, fetch it with {@code send-request} on a miss, store it.
 */
class CacheValueTest {

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(System.currentTimeMillis());
    private TokenIssuer issuer;
    private Gateway gateway;
    private URI uri;

    /** Looks the token up in {@code type}; on a miss fetches and stores it for 60 s; answers with it. */
    static String tokenFlow(String type, String issuerUrl) {
        return """
                <policies><inbound><base/>
                  <cache-lookup-value key="@(&quot;token-&quot; + context.Api.Id)" variable-name="token"
                                      caching-type="%1$s"/>
                  <choose>
                    <when condition="@(context.Variables[&quot;token&quot;] == null)">
                      <send-request response-variable-name="answer" timeout="5"><set-url>%2$s</set-url></send-request>
                      <set-variable name="token"
                                    value="@(((IResponse)context.Variables[&quot;answer&quot;]).Body.As&lt;string&gt;())"/>
                      <cache-store-value key="@(&quot;token-&quot; + context.Api.Id)"
                                         value="@((string)context.Variables[&quot;token&quot;])" duration="60"
                                         caching-type="%1$s"/>
                    </when>
                  </choose>
                  <return-response><set-status code="200"/>
                    <set-body>@((string)context.Variables["token"])</set-body></return-response>
                </inbound><backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>
                """.formatted(type, issuerUrl);
    }

    @BeforeEach
    void start() {
        issuer = new TokenIssuer();
        String token = issuer.url();
        new TestFolder(dir)
                .api("a", "a", "http://127.0.0.1:1/unused", false, "GET /token", "GET /forget", "GET /default")
                .api("b", "b", "http://127.0.0.1:1/unused", false, "GET /token")
                .api("ext", "ext", "http://127.0.0.1:1/unused", false, "GET /token")
                .write("apis/a/operations/op0/policy.xml", tokenFlow("internal", token))
                .write("apis/b/operations/op0/policy.xml", tokenFlow("prefer-external", token))
                .write("apis/ext/operations/op0/policy.xml", tokenFlow("external", token))
                .write("apis/a/operations/op1/policy.xml", """
                        <policies><inbound><cache-remove-value key="token-a" caching-type="internal"/>
                          <return-response><set-status code="204"/></return-response></inbound>
                        <backend/><outbound/><on-error/></policies>""")
                .write("apis/a/operations/op2/policy.xml", """
                        <policies><inbound>
                          <cache-lookup-value key="never-stored" default-value="@(&quot;fallback-&quot; + context.Api.Id)"
                                              variable-name="v"/>
                          <return-response><set-status code="200"/><set-body>@((string)context.Variables["v"])</set-body>
                          </return-response></inbound><backend/><outbound/><on-error/></policies>""");
        gateway = new TestFolder(dir).startedOn(clock);
        uri = URI.create("http://127.0.0.1:" + gateway.port());
    }

    @AfterEach
    void stop() {
        gateway.close();
        issuer.close();
    }

    private String body(String path) {
        HttpResponse<String> r = HttpCalls.get(uri, path);
        assertTrue(r.statusCode() == 200 || r.statusCode() == 204, r.statusCode() + " " + r.body());
        return r.body();
    }

    /** The first call fetches and stores the token; later calls are served from the cache, per key. */
    @Test
    void storedValueIsFoundByLaterCalls() {
        assertEquals("token-1", body("/a/token"));
        assertEquals("token-1", body("/a/token"));
        assertEquals("token-1", body("/a/token"));
        assertEquals(1, issuer.calls(), "one fetch for three calls");
        assertEquals("token-2", body("/b/token"), "another key, another token");
        assertEquals("token-2", body("/b/token"), "prefer-external without an external cache uses the internal one");
        assertEquals(2, issuer.calls());
    }

    /** A value expires after its duration; cache-remove-value drops it at once. */
    @Test
    void valuesExpireAndCanBeRemoved() {
        assertEquals("token-1", body("/a/token"));
        clock.advance(Duration.ofSeconds(59));
        assertEquals("token-1", body("/a/token"), "still within its 60 s");
        clock.advance(Duration.ofSeconds(2));
        assertEquals("token-2", body("/a/token"), "expired, fetched again");
        body("/a/forget");
        assertEquals("token-3", body("/a/token"), "removed, fetched again");
        assertEquals(3, issuer.calls());
    }

    /** A miss gives default-value (an expression); caching-type="external" without one keeps nothing. */
    @Test
    void missGivesDefaultAndExternalWithoutCacheKeepsNothing() {
        assertEquals("fallback-a", body("/a/default"));
        assertEquals("token-1", body("/ext/token"));
        assertEquals("token-2", body("/ext/token"));
        assertEquals(2, issuer.calls(), "nothing was kept, as no external cache is configured");
    }
}
