package io.gatehouse.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The APIOps folder the conformance scenarios run against, written for a scripted backend on a given port. Each API
 * holds the policies of one scenario, so a failure points at one behaviour.
 */
final class ConformanceArtifacts {

    static final String KEY_ALL = "conformance-all-apis-key-0001";
    /** The HMAC secret (base64, 256 bits) the {@code secured} API's validate-jwt trusts. */
    static final String JWT_SECRET = "Y29uZm9ybWFuY2Utc3VpdGUtaG1hYy1rZXktMzItYnk=";
    static final String KEY_API = "conformance-one-api-key-0002";
    static final String KEY_PRODUCT = "conformance-product-key-0003";
    static final String KEY_SUSPENDED = "conformance-suspended-key-04";

    private final Path root;
    private final String backend;

    private ConformanceArtifacts(Path root, int backendPort) {
        this.root = root;
        this.backend = "http://127.0.0.1:" + backendPort;
    }

    /**
     * Writes the folder.
     *
     * @param root        where
     * @param backendPort the scripted backend's port
     * @throws IOException if it cannot be written
     */
    static void write(Path root, int backendPort) throws IOException {
        new ConformanceArtifacts(root, backendPort).writeAll();
    }

    private void writeAll() throws IOException {
        api("open", false, "GET /echo/{x}", "POST /echo", "GET /rw/{x}", "GET /slow");
        policy("apis/open/policy.xml", """
                <inbound><base/>
                  <set-header name="X-Conformance" exists-action="override"><value>v1</value></set-header>
                  <set-query-parameter name="added" exists-action="override"><value>1</value></set-query-parameter>
                </inbound>""");
        policy("apis/open/operations/op2/policy.xml", """
                <inbound><base/><rewrite-uri template="/echo/rewritten-{x}"/></inbound>""");
        policy("apis/open/operations/op3/policy.xml", """
                <inbound><base/></inbound><backend><forward-request timeout="1"/></backend>""");

        api("keyed", true, "GET /thing");
        api("other", true, "GET /thing");
        product("gold", true, "keyed");
        product("free", false, "other");
        subscription("all", "/apis", "active", KEY_ALL);
        subscription("one", "/apis/keyed", "active", KEY_API);
        subscription("prod", "/products/gold", "active", KEY_PRODUCT);
        subscription("off", "/apis", "suspended", KEY_SUSPENDED);

        api("limited", false, "GET /x");
        policy("apis/limited/policy.xml", """
                <inbound><base/><rate-limit-by-key calls="2" renewal-period="60" counter-key="@(context.Request.IpAddress)"
                  remaining-calls-header-name="X-Remaining" total-calls-header-name="X-Total"/></inbound>""");
        api("quota", false, "GET /x");
        policy("apis/quota/policy.xml", """
                <inbound><base/><quota-by-key calls="1" renewal-period="3600" counter-key="@(context.Request.IpAddress)"/>
                </inbound>""");
        api("guarded", false, "GET /x");
        policy("apis/guarded/policy.xml", """
                <inbound><base/><check-header name="X-Client" failed-check-httpcode="401"
                  failed-check-error-message="X-Client is missing or wrong"><value>conformance</value></check-header>
                </inbound>""");
        api("secured", false, "GET /x");
        policy("apis/secured/policy.xml", """
                <inbound><base/><validate-jwt header-name="Authorization" require-scheme="Bearer">
                  <issuer-signing-keys><key>%s</key></issuer-signing-keys>
                  <audiences><audience>conformance</audience></audiences>
                </validate-jwt></inbound>""".formatted(JWT_SECRET));
        api("cached", false, "GET /x");
        policy("apis/cached/policy.xml", """
                <inbound><base/><cache-lookup vary-by-developer="false" vary-by-developer-groups="false">
                  <vary-by-query-parameter>v</vary-by-query-parameter></cache-lookup></inbound>
                <outbound><base/><cache-store duration="300"/></outbound>""");
        api("token", false, "GET /x");
        policy("apis/token/policy.xml", """
                <inbound><base/>
                  <cache-lookup-value key="conformance-token" variable-name="token"/>
                  <choose><when condition="@(context.Variables[&quot;token&quot;] == null)">
                    <send-request mode="new" response-variable-name="issued" timeout="10">
                      <set-url>%s/issue</set-url><set-method>POST</set-method><set-body>grant</set-body>
                    </send-request>
                    <set-variable name="token"
                      value="@(((IResponse)context.Variables[&quot;issued&quot;]).Body.As&lt;string&gt;())"/>
                    <cache-store-value key="conformance-token" value="@((string)context.Variables[&quot;token&quot;])"
                      duration="300"/>
                  </when></choose>
                  <return-response><set-status code="200"/>
                    <set-body>@((string)context.Variables["token"])</set-body></return-response>
                </inbound>""".formatted(backend));
        api("fenced", false, "GET /x");
        policy("apis/fenced/policy.xml", """
                <inbound><base/><ip-filter action="forbid"><address>127.0.0.1</address><address>::1</address></ip-filter>
                </inbound>""");
        api("browser", false, "GET /x");
        policy("apis/browser/policy.xml", """
                <inbound><base/><cors><allowed-origins><origin>https://app.example</origin></allowed-origins>
                  <allowed-methods><method>GET</method></allowed-methods><allowed-headers><header>X-Custom</header>
                  </allowed-headers></cors></inbound>""");
        api("static", false, "GET /teapot", "GET /mock");
        policy("apis/static/operations/op0/policy.xml", """
                <inbound><base/><return-response><set-status code="418" reason="I'm a teapot"/>
                  <set-header name="Content-Type" exists-action="override"><value>text/plain</value></set-header>
                  <set-body>short and stout</set-body></return-response></inbound>""");
        policy("apis/static/operations/op1/policy.xml", """
                <inbound><base/><mock-response status-code="200" content-type="application/json"/></inbound>""");
        api("choice", false, "GET /x");
        policy("apis/choice/policy.xml", """
                <inbound><base/><choose>
                  <when condition="@(context.Request.Headers.GetValueOrDefault(&quot;X-Tier&quot;, &quot;&quot;)
                                    == &quot;gold&quot;)">
                    <return-response><set-status code="200"/><set-body>gold</set-body></return-response></when>
                  <otherwise><return-response><set-status code="200"/><set-body>standard</set-body></return-response>
                  </otherwise></choose></inbound>""");
        api("dead", false, "GET /x");
        Files.writeString(root.resolve("apis/dead/apiInformation.json"),
                          Files.readString(root.resolve("apis/dead/apiInformation.json")).replace(backend, "http://127.0.0.1:9"));
        policy("apis/dead/policy.xml", """
                <on-error><base/><set-header name="X-Error-Reason" exists-action="override">
                  <value>@(context.LastError.Reason)</value></set-header></on-error>""");
    }

    private void api(String id, boolean subscriptionRequired, String... operations) throws IOException {
        write("apis/" + id + "/apiInformation.json", """
                {"properties": {"displayName": "%s", "path": "%s", "serviceUrl": "%s", "protocols": ["http"],
                 "subscriptionRequired": %s}}
                """.formatted(id, id, backend, subscriptionRequired));
        StringBuilder spec = new StringBuilder("openapi: 3.0.1\ninfo:\n  title: " + id + "\n  version: '1'\npaths:\n");
        for (int i = 0; i < operations.length; i++) {
            String[] parts = operations[i].split(" ", 2);
            spec.append("  '").append(parts[1]).append("':\n    ").append(parts[0].toLowerCase(Locale.ROOT))
                    .append(":\n      operationId: op").append(i).append("\n      responses:\n        '200':\n")
                    .append("          description: ok\n");
            if (parts[1].contains("mock")) {
                spec.append("          content:\n            application/json:\n              example: {\"mocked\": true}\n");
            }
            if (parts[1].contains("{x}")) {
                spec.append("      parameters:\n        - {name: x, in: path, required: true, schema: {type: string}}\n");
            }
        }
        write("apis/" + id + "/specification.yaml", spec.toString());
    }

    private void product(String id, boolean subscriptionRequired, String... apis) throws IOException {
        write("products/" + id + "/productInformation.json", """
                {"properties": {"displayName": "%s", "state": "published", "subscriptionRequired": %s}}
                """.formatted(id, subscriptionRequired));
        for (String api : apis) {
            write("products/" + id + "/apis/" + api + "/productApiInformation.json", "{}");
        }
    }

    private void subscription(String id, String scope, String state, String key) throws IOException {
        write("subscriptions/" + id + "/subscriptionInformation.json", """
                {"properties": {"displayName": "%s", "scope": "%s", "state": "%s", "primaryKey": "%s"}}
                """.formatted(id, scope, state, key));
    }

    private void policy(String file, String sections) throws IOException {
        String xml = "<policies>" + sections;
        for (String section : new String[] {"inbound", "backend", "outbound", "on-error"}) {
            if (!sections.contains("<" + section + ">") && !sections.contains("<" + section + "/>")) {
                xml += "<" + section + "><base/></" + section + ">";
            }
        }
        write(file, xml + "</policies>\n");
    }

    private void write(String relative, String content) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
