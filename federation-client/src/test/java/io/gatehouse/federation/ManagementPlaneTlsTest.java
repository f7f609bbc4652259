package io.gatehouse.federation;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to the management plane is verified against the JDK's trust store: a self-signed certificate is refused,
 * unless config.service.endpoint.disableCertificateValidation switches the check off (testing only).
 */
class ManagementPlaneTlsTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    Path tmp;
    private HttpsServer server;
    private GatewayToken token;

    @BeforeEach
    void selfSignedServer() throws Exception {
        Path keystore = tmp.resolve("mp.p12");
        Path keytool = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "mp", "-keyalg", "EC", "-groupname",
                                       "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                                       "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
                                       "-keypass", "changeit")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("keytool.log").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, Files.readString(tmp.resolve("keytool.log")));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(304, -1);
            exchange.close();
        });
        server.start();
        token = GatewayToken.issue("gw1", Instant.now().plus(Duration.ofDays(1)), "key-0123456789-0123456789-0123456789");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ManagementPlaneClient client(boolean disableCertificateValidation) {
        URI endpoint = URI.create("https://127.0.0.1:" + server.getAddress().getPort());
        return new ManagementPlaneClient(endpoint, token, Duration.ofSeconds(10), disableCertificateValidation);
    }

    /** By default a certificate the JDK does not trust fails the handshake. */
    @Test
    void untrustedCertificateIsRefused() {
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                                               () -> client(false).configuration(Optional.of("r"), Duration.ZERO));
        assertTrue(List.of("PKIX", "certification path", "certificate").stream().anyMatch(e.getMessage()::contains),
                   e.getMessage());
    }

    /** With validation switched off, the same server is reached. */
    @Test
    void disabledValidationReachesTheServer() throws Exception {
        ManagementPlaneClient.Answer answer = client(true).configuration(Optional.of("r"), Duration.ZERO);
        assertInstanceOf(ManagementPlaneClient.NotModified.class, answer);
    }
}
