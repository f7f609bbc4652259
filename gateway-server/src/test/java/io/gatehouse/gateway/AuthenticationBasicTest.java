package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.demo.DemoBackend;

/** {@code authentication-basic}: the backend sees the configured credentials, whatever the caller sent. */
class AuthenticationBasicTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private DemoBackend backend;
    private Gateway gateway;
    private URI uri;

    @BeforeEach
    void start() {
        backend = DemoBackend.start("127.0.0.1", 0);
        new TestFolder(dir)
                .api("legacy", "legacy", "http://127.0.0.1:" + backend.port() + "/echo", false, "GET /things")
                .write("named values/legacy-password/namedValueInformation.json", """
                        {"properties": {"displayName": "legacy-password", "value": "s3cr:et", "secret": true}}""")
                .write("apis/legacy/policy.xml", """
                        <policies><inbound><base/>
                          <authentication-basic username="svc-gatehouse" password="{{legacy-password}}"/>
                        </inbound><backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error>
                        </policies>""");
        gateway = new TestFolder(dir).gateway(Map.of()).start("127.0.0.1", 0);
        uri = URI.create("http://127.0.0.1:" + gateway.port());
    }

    @AfterEach
    void stop() {
        gateway.close();
        backend.close();
    }

    /** The caller's own Authorization is replaced by Basic base64(username:password), the password from a named value. */
    @Test
    void backendGetsBasicCredentialsInsteadOfTheCallers() throws IOException {
        HttpResponse<String> r = HttpCalls.get(uri, "/legacy/things", "Authorization", "Bearer caller-token");
        assertEquals(200, r.statusCode(), r.body());
        String sent = JSON.readTree(r.body()).path("headers").path("Authorization").asText();
        assertTrue(sent.startsWith("Basic "), sent);
        assertEquals("svc-gatehouse:s3cr:et",
                     new String(Base64.getDecoder().decode(sent.substring(6)), StandardCharsets.UTF_8));
    }
}
