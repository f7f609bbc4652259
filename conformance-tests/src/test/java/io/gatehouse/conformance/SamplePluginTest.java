package io.gatehouse.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample plugin as users get it: the jar the reactor built, copied into a gateway's plugins directory, on the
 * quickstart's webhook operation. A correctly signed request reaches the backend with its body intact; a wrongly
 * signed one is refused with the configured status and message. The status and message configured here differ from
 * the plugin's defaults (401, "Invalid signature."), so a plugin that ignored them would fail; a second operation
 * leaves them out and gets the defaults.
 */
class SamplePluginTest {

    private static final String SECRET = "demo-webhook-secret";
    private static final String WEBHOOK = "/echo/webhooks/github";
    private static final String ITEM = "/echo/items/7";

    @TempDir
    Path tmp;

    /**
     * Signed: through, body intact. Wrongly signed or unsigned: the configured status and message; where none are
     * configured, 401 and "Invalid signature.".
     */
    @Test
    @DisplayName("plugins: the sample validate-hmac-signature jar, dropped in")
    void validatesWebhookSignatures() throws Exception {
        Path folder = tmp.resolve("quickstart");
        GatewayProcesses.copyTree(GatewayProcesses.ROOT.resolve("examples/quickstart"), folder);
        int backendPort = GatewayProcesses.freePort();
        Path info = folder.resolve("apis/echo/apiInformation.json");
        Files.writeString(info, Files.readString(info).replace("127.0.0.1:9090", "127.0.0.1:" + backendPort));
        Path webhookPolicy = folder.resolve("apis/echo/operations/post-webhook/policy.xml");
        String shipped = Files.readString(webhookPolicy);
        String defaults = "failed-validation-httpcode=\"401\" failed-validation-error-message=\"Invalid signature.\"";
        assertTrue(shipped.contains(defaults), "the quickstart's webhook policy changed:\n" + shipped);
        Files.writeString(webhookPolicy, shipped.replace(defaults, "failed-validation-httpcode=\"422\""
                + " failed-validation-error-message=\"Webhook signature rejected.\""));
        // put-item gets the policy with neither attribute: the plugin's defaults apply.
        Path itemPolicy = Files.createDirectories(folder.resolve("apis/echo/operations/put-item")).resolve("policy.xml");
        Files.writeString(itemPolicy, """
                <policies>
                    <inbound>
                        <base />
                        <validate-hmac-signature secret="{{webhook-secret}}" />
                    </inbound>
                    <backend>
                        <base />
                    </backend>
                    <outbound>
                        <base />
                    </outbound>
                    <on-error>
                        <base />
                    </on-error>
                </policies>
                """);
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Files.copy(GatewayProcesses.ROOT.resolve("distribution/target/gatehouse/plugins/validate-hmac-signature.jar"),
                   plugins.resolve("validate-hmac-signature.jar"));
        String java = ProcessHandle.current().info().command().orElseThrow();
        String lib = GatewayProcesses.ROOT.resolve("distribution/target/gatehouse/lib") + "/*";
        Process backend = new ProcessBuilder(java, "-Xmx64m", "-cp", lib, "io.gatehouse.demo.DemoBackend", "--port",
                                             Integer.toString(backendPort))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("backend.log").toFile()).start();
        int port = GatewayProcesses.freePort();
        ProcessBuilder gatewayBuilder = new ProcessBuilder(java, "-Xmx128m", "-cp", lib, "io.gatehouse.gateway.GatewayMain",
                                                           "run", "--config", folder.toString(), "--port",
                                                           Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("gateway.log").toFile());
        gatewayBuilder.environment().put("POLICY_PLUGINS_PATH", plugins.toString());
        Process gateway = gatewayBuilder.start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            GatewayProcesses.awaitStatus(client, gateway, port, tmp.resolve("gateway.log"));
            assertTrue(Files.readString(tmp.resolve("gateway.log")).contains("policy plugin validate-hmac-signature.jar"),
                       "loaded from the plugins directory");
            String body = "{\"event\":\"push\",\"ref\":\"refs/heads/main\",\"note\":\"" + "x".repeat(2000) + "\"}";
            HttpResponse<String> signed = send(client, port, "POST", WEBHOOK, body, "sha256=" + sign(body));
            assertEquals(200, signed.statusCode(), signed.body());
            assertEquals(body, new ObjectMapper().readTree(signed.body()).get("body").asText(),
                         "the backend got the body intact");
            HttpResponse<String> wrong = send(client, port, "POST", WEBHOOK, body, "sha256=" + sign(body + " "));
            assertEquals(422, wrong.statusCode(), "the configured status");
            assertEquals("{ \"statusCode\": 422, \"message\": \"Webhook signature rejected.\" }", wrong.body());
            HttpResponse<String> unsigned = send(client, port, "POST", WEBHOOK, body, null);
            assertEquals(422, unsigned.statusCode(), "no signature at all");
            assertEquals(wrong.body(), unsigned.body());

            assertEquals(200, send(client, port, "PUT", ITEM, body, sign(body)).statusCode(), "defaults: signed");
            HttpResponse<String> wrongDefault = send(client, port, "PUT", ITEM, body, sign(body + " "));
            assertEquals(401, wrongDefault.statusCode(), "the default status");
            assertEquals("{ \"statusCode\": 401, \"message\": \"Invalid signature.\" }", wrongDefault.body());
        } finally {
            for (Process p : List.of(gateway, backend)) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static HttpResponse<String> send(HttpClient client, int port, String method, String path, String body,
                                             String signature) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            request.header("X-Signature", signature);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sign(String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
