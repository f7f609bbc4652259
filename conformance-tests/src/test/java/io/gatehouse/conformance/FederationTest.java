package io.gatehouse.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Federation end to end, black box: a real management plane process, real gateway processes started with an
 * {@code env.conf} from {@code gatehouse token --env-file}, a real backend, all on loopback. Tokens for the refusal
 * cases are computed here from the documented scheme, not with Gatehouse's code.
 */
class FederationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration EVENTUALLY = Duration.ofSeconds(45);
    private static final String INTERNAL_STATUS = "/internal-status-0123456789abcdef";

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> processes = new ArrayList<>();
    private Path artifacts;
    private Path keys;
    private int mpPort;
    private Process managementPlane;
    private Process backend;

    @BeforeEach
    void artifactsAndBackend() throws Exception {
        artifacts = tmp.resolve("artifacts");
        int backendPort = GatewayProcesses.freePort();
        GatewayProcesses.copyTree(GatewayProcesses.ROOT.resolve("examples/quickstart"), artifacts);
        for (String api : List.of("echo", "time")) {
            Path info = artifacts.resolve("apis/" + api + "/apiInformation.json");
            Files.writeString(info, Files.readString(info).replace("127.0.0.1:9090", "127.0.0.1:" + backendPort));
        }
        keys = tmp.resolve("gateway-keys.json");
        mpPort = GatewayProcesses.freePort();
        backend = start("backend", "io.gatehouse.demo.DemoBackend", "--port", Integer.toString(backendPort));
        awaitHttp("http://127.0.0.1:" + backendPort + "/echo/ready", backend, "backend");
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** An edit of the artifacts folder reaches a watching gateway and takes effect, without a restart. */
    @Test
    @DisplayName("federation: an artifacts change reaches a watching gateway")
    void artifactChangeReachesWatchingGateway() throws Exception {
        startManagementPlane();
        Gateway gw = startGateway("gw1", token("gw1"));
        assertEquals(200, get(gw, "/mock/status").statusCode());
        String before = status(gw).get("appliedRevision").asText();

        setApiPath("status", "mock", "mocked");
        eventually("the renamed API is served", () -> get(gw, "/mocked/status").statusCode() == 200);
        assertEquals(404, get(gw, "/mock/status").statusCode(), "the old path is gone");
        assertNotEquals(before, status(gw).get("appliedRevision").asText());
        assertEquals("SYNCED", status(gw).get("state").asText());
    }

    /**
     * With {@code config.service.watch=false} the gateway polls every {@code config.service.poll-interval} (1 s here)
     * and still picks up a change. The management plane is reached through a relay that keeps the request lines, so
     * the test also sees that the checks are plain polls (no {@code wait}) that keep coming.
     */
    @Test
    @DisplayName("federation: with watch off, a polling gateway (1 s) picks up a change")
    void pollingGatewayPicksUpAChange() throws Exception {
        startManagementPlane();
        String token = token("gw1");
        try (RecordingRelay relay = new RecordingRelay(mpPort)) {
            Gateway gw = startGateway("gw1", token, tmp.resolve("backup-poll"), relay.port(), """
                    config.service.watch=false
                    config.service.poll-interval=1s
                    """);
            assertEquals(200, get(gw, "/mock/status").statusCode());
            String before = status(gw).get("appliedRevision").asText();

            setApiPath("status", "mock", "mocked");
            eventually("the polling gateway serves the renamed API", () -> get(gw, "/mocked/status").statusCode() == 200);
            assertEquals(404, get(gw, "/mock/status").statusCode(), "the old path is gone");
            assertNotEquals(before, status(gw).get("appliedRevision").asText());
            assertEquals("SYNCED", status(gw).get("state").asText());

            List<String> checks = relay.configurationChecks("gw1");
            assertTrue(checks.size() >= 2 && checks.stream().noneMatch(c -> c.contains("wait=")),
                       "polls, never watch requests: " + checks);
            eventually("polling goes on after the change", () -> {
                if (!gw.process().isAlive()) {
                    fail("the gateway exited with " + gw.process().exitValue() + ":\n" + Files.readString(gw.log()));
                }
                return relay.configurationChecks("gw1").size() >= checks.size() + 3;
            });
            List<String> later = relay.configurationChecks("gw1");
            assertTrue(later.stream().noneMatch(c -> c.contains("wait=")), "polls, never watch requests: " + later);
        }
    }

    /** With the management plane gone the gateway keeps serving; back again, it picks up what changed meanwhile. */
    @Test
    @DisplayName("federation: management plane outage: fail static, then catch up")
    void failsStaticWhileManagementPlaneIsAwayAndCatchesUpAfter() throws Exception {
        startManagementPlane();
        Gateway gw = startGateway("gw1", token("gw1"));
        assertEquals(200, echo(gw).statusCode());

        stopManagementPlane();
        eventually("the gateway notices", () -> status(gw).get("state").asText().equals("UNREACHABLE"));
        for (int i = 0; i < 20; i++) {
            assertEquals(200, echo(gw).statusCode(), "request " + i + " while the management plane is away");
            assertEquals(200, get(gw, "/mock/status").statusCode());
        }
        assertEquals(200, get(gw, INTERNAL_STATUS).statusCode(), "still ready: it has a valid snapshot");

        setApiPath("status", "mock", "mocked");
        startManagementPlane();
        eventually("the change made meanwhile is served", () -> get(gw, "/mocked/status").statusCode() == 200);
        assertEquals("SYNCED", status(gw).get("state").asText());
    }

    /** A gateway started while the management plane is down serves its encrypted backup; a flipped byte is refused. */
    @Test
    @DisplayName("federation: cold start from the encrypted backup; a tampered one refused")
    void coldStartsFromBackupAndRefusesATamperedOne() throws Exception {
        startManagementPlane();
        String token = token("gw1");
        Gateway first = startGateway("gw1", token);
        Path backupFile = first.backupDir.resolve("gatehouse-snapshot.bak");
        eventually("the backup is written", () -> Files.exists(backupFile));
        String revision = status(first).get("appliedRevision").asText();
        stop(first.process);
        stopManagementPlane();
        byte[] good = Files.readAllBytes(backupFile);
        assertFalse(new String(good, StandardCharsets.ISO_8859_1).contains("demo-primary-key"), "encrypted");

        Gateway cold = startGateway("gw1", token, first.backupDir);
        JsonNode status = status(cold);
        assertEquals("BACKUP", status.get("source").asText());
        assertEquals(revision, status.get("appliedRevision").asText());
        assertEquals(200, echo(cold).statusCode(), "serves from the backup");
        stop(cold.process);

        byte[] tampered = good.clone();
        tampered[tampered.length / 2] ^= 0x01;
        Files.write(backupFile, tampered);
        Gateway refused = startGateway("gw1", token, first.backupDir);
        awaitListening(refused);
        HttpResponse<String> notReady = get(refused, INTERNAL_STATUS);
        assertEquals(503, notReady.statusCode(), "nothing valid to serve");
        String reason = JSON.readTree(notReady.body()).get("backupError").asText();
        assertTrue(reason.contains("failed authentication") && reason.contains("gatehouse-snapshot.bak"), reason);
        assertEquals(503, get(refused, "/mock/status").statusCode(), "never an empty 200");
        assertTrue(Files.readString(refused.log).contains("failed authentication"), "the log says why");
    }

    /** Expired, wrongly signed and foreign tokens are refused with their reason; the gateway is not ready and says why. */
    @Test
    @DisplayName("federation: expired, wrongly signed and foreign tokens refused with their reason")
    void badTokensAreRefusedLoudly() throws Exception {
        startManagementPlane();
        token("gw1"); // creates gw1's keys
        JsonNode gw1Keys = JSON.readTree(keys.toFile()).get("gateways").get("gw1");
        String primary = gw1Keys.get("primary").asText();
        byte[] random = new byte[64];
        new SecureRandom().nextBytes(random);

        Gateway expired = startGateway("gw1", sign("gw1", Instant.now().minus(Duration.ofHours(1)), primary));
        assertRefused(expired, "Gateway token expired at");
        Gateway wrongKey = startGateway("gw1", sign("gw1", Instant.now().plus(Duration.ofDays(1)),
                                                    Base64.getEncoder().encodeToString(random)));
        assertRefused(wrongKey, "signature does not match any key of gateway 'gw1'");

        // A token for another gateway, sent for gw1, is refused by the management plane with its reason ...
        String gw2 = token("gw2");
        HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + mpPort + "/gateways/gw1/configuration"))
                .header("Authorization", gw2).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, foreign.statusCode());
        assertTrue(foreign.body().contains("Gateway token is for gateway 'gw2', not 'gw1'"), foreign.body());
        // ... and a gateway named gw1 given gw2's token does not start, naming both.
        Path env = envFile("gw1", gw2, tmp.resolve("backup-foreign"));
        Files.writeString(env, "gateway.name=gw1\n", StandardOpenOption.APPEND);
        Process misnamed = start("gateway-foreign", "io.gatehouse.gateway.GatewayMain", "run", "--env-file",
                                 env.toString(), "--port", Integer.toString(GatewayProcesses.freePort()));
        assertTrue(misnamed.waitFor(60, TimeUnit.SECONDS), "exits");
        assertEquals(2, misnamed.exitValue());
        String log = Files.readString(tmp.resolve("gateway-foreign.log"));
        assertTrue(log.contains("'gw1'") && log.contains("token for gateway 'gw2'"), log);
    }

    /** A policy that does not compile is refused by the gateway; the last good one serves; heartbeat and landscape say so. */
    @Test
    @DisplayName("federation: a broken policy refused, last good serves, reported in heartbeat")
    void brokenPolicyIsRefusedAndReported() throws Exception {
        startManagementPlane();
        Gateway gw = startGateway("gw1", token("gw1"));
        assertEquals("gatehouse", echo(gw).headers().firstValue("X-Served-By").orElse(""));
        String good = status(gw).get("appliedRevision").asText();

        Path policy = artifacts.resolve("apis/echo/policy.xml");
        Files.writeString(policy, Files.readString(policy).replace("<base />\n        <set-header name=\"X-Environment\"",
                                                                   "<base />\n        <no-such-policy />\n"
                                                                           + "        <set-header name=\"X-Environment\""));
        eventually("the gateway refuses it", () -> status(gw).get("state").asText().equals("REFUSED"));
        JsonNode status = status(gw);
        assertEquals(good, status.get("appliedRevision").asText(), "the last good revision keeps serving");
        assertTrue(status.get("lastError").asText().contains("no-such-policy"), status.toString());
        assertEquals(200, echo(gw).statusCode());
        eventually("the heartbeat carries the error to the landscape", () -> {
            JsonNode node = landscapeNode("gw1");
            return node != null && node.path("lastError").asText().contains("no-such-policy")
                    && node.path("state").asText().equals("REFUSED");
        });

        Files.writeString(policy, Files.readString(policy).replace("        <no-such-policy />\n", ""));
        eventually("the fixed policy is applied", () -> status(gw).get("state").asText().equals("SYNCED"));
        eventually("and the landscape shows the node clean", () -> {
            JsonNode node = landscapeNode("gw1");
            return node != null && node.path("lastError").isNull() && node.path("upToDate").asBoolean();
        });
    }

    /** Two gateways with different assignments under gateways/ get different APIs. */
    @Test
    @DisplayName("federation: gateways get their assigned APIs")
    void gatewaysGetTheirAssignedApis() throws Exception {
        writeAssignment("gw1", "status");
        writeAssignment("gw2", "echo");
        startManagementPlane();
        Gateway gw1 = startGateway("gw1", token("gw1"));
        Gateway gw2 = startGateway("gw2", token("gw2"));
        assertEquals(200, get(gw1, "/mock/status").statusCode());
        assertEquals(404, echo(gw1).statusCode(), "echo is not assigned to gw1");
        assertEquals(200, echo(gw2).statusCode());
        assertEquals(404, get(gw2, "/mock/status").statusCode(), "status is not assigned to gw2");
        assertNotEquals(status(gw1).get("appliedRevision").asText(), status(gw2).get("appliedRevision").asText());
    }

    // ---- the pieces ----

    private record Gateway(Process process, int port, Path backupDir, Path log) {
    }

    private void startManagementPlane() throws Exception {
        managementPlane = start("management-plane-" + processes.size(), "io.gatehouse.management.ManagementPlaneMain",
                                "management-plane", "--artifacts", artifacts.toString(), "--port", Integer.toString(mpPort),
                                "--host", "127.0.0.1", "--keys", keys.toString());
        awaitHttp("http://127.0.0.1:" + mpPort + "/health", managementPlane, "management plane");
    }

    private void stopManagementPlane() throws Exception {
        stop(managementPlane);
    }

    private String token(String gatewayId) throws Exception {
        Path out = tmp.resolve("token-" + gatewayId + ".env");
        Process p = start("token-" + gatewayId, "io.gatehouse.management.ManagementPlaneMain", "token", "--gateway",
                          gatewayId, "--keys", keys.toString(), "--env-file", out.toString(), "--endpoint",
                          "http://127.0.0.1:" + mpPort);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("token-" + gatewayId + ".log")));
        return Files.readAllLines(out).stream().filter(l -> l.startsWith("config.service.auth="))
                .map(l -> l.substring("config.service.auth=".length())).findFirst().orElseThrow();
    }

    /** A token made from the documented scheme: base64 HMAC-SHA512 of "id\nyyyyMMddHHmm" under a key. */
    private static String sign(String gatewayId, Instant expiry, String key) throws Exception {
        String when = DateTimeFormatter.ofPattern("yyyyMMddHHmm").withZone(ZoneOffset.UTC).format(expiry);
        Mac mac = Mac.getInstance("HmacSHA512");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA512"));
        byte[] signature = mac.doFinal((gatewayId + "\n" + when).getBytes(StandardCharsets.UTF_8));
        return "GatewayKey " + gatewayId + "&" + when + "&" + Base64.getEncoder().encodeToString(signature);
    }

    private Path envFile(String name, String token, Path backupDir) throws IOException {
        return envFile(name, token, backupDir, mpPort, "");
    }

    /** An env.conf for a gateway of the management plane at {@code endpointPort}, plus {@code extra} settings. */
    private Path envFile(String name, String token, Path backupDir, int endpointPort, String extra) throws IOException {
        Path env = tmp.resolve(name + "-" + processes.size() + ".env");
        Files.writeString(env, """
                config.service.endpoint=http://127.0.0.1:%d
                config.service.auth=%s
                config.backup.path=%s
                config.service.heartbeat-interval=5s
                """.formatted(endpointPort, token, backupDir) + extra);
        return env;
    }

    private Gateway startGateway(String name, String token) throws Exception {
        return startGateway(name, token, tmp.resolve("backup-" + name + "-" + processes.size()));
    }

    private Gateway startGateway(String name, String token, Path backupDir) throws Exception {
        return startGateway(name, token, backupDir, mpPort, "");
    }

    private Gateway startGateway(String name, String token, Path backupDir, int endpointPort, String extra)
            throws Exception {
        int port = GatewayProcesses.freePort();
        String logName = "gateway-" + name + "-" + processes.size();
        Process p = start(logName, "io.gatehouse.gateway.GatewayMain", "run", "--env-file",
                          envFile(name, token, backupDir, endpointPort, extra).toString(), "--port", Integer.toString(port));
        Gateway gateway = new Gateway(p, port, backupDir, tmp.resolve(logName + ".log"));
        awaitListening(gateway);
        return gateway;
    }

    private void assertRefused(Gateway gateway, String reason) throws Exception {
        awaitListening(gateway);
        eventually("the gateway reports '" + reason + "'", () -> {
            HttpResponse<String> r = get(gateway, INTERNAL_STATUS);
            JsonNode body = JSON.readTree(r.body());
            return r.statusCode() == 503 && body.get("state").asText().equals("UNAUTHORIZED")
                    && body.get("lastError").asText().contains(reason);
        });
        assertEquals(503, get(gateway, "/mock/status").statusCode(), "API calls are refused, never an empty 200");
        eventually("the log says why", () -> Files.readString(gateway.log).contains(reason));
    }

    private Process start(String logName, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx128m",
                                                       "-cp", GatewayProcesses.ROOT.resolve("distribution/target/gatehouse/lib")
                                                               + "/*", mainClass));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(logName + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("a process did not stop within 30 s of SIGTERM");
        }
    }

    private JsonNode status(Gateway gateway) throws Exception {
        awaitListening(gateway);
        return JSON.readTree(get(gateway, INTERNAL_STATUS).body());
    }

    private JsonNode landscapeNode(String gatewayId) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mpPort + "/api/landscape"))
                                                   .build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode g : JSON.readTree(r.body()).get("gateways")) {
            if (g.get("id").asText().equals(gatewayId) && !g.get("nodes").isEmpty()) {
                return g.get("nodes").get(g.get("nodes").size() - 1);
            }
        }
        return null;
    }

    private HttpResponse<String> echo(Gateway gateway) throws Exception {
        awaitListening(gateway);
        return get(gateway, "/echo/hello");
    }

    private HttpResponse<String> get(Gateway gateway, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port + path))
                                 .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitListening(Gateway gateway) throws Exception {
        awaitHttp("http://127.0.0.1:" + gateway.port + "/status-0123456789abcdef", gateway.process, "gateway");
        eventually("the gateway has a snapshot or a reason", () -> {
            JsonNode s = JSON.readTree(get(gateway, INTERNAL_STATUS).body());
            return s.get("ready").asBoolean() || !s.get("lastError").isNull();
        });
    }

    /** Waits until a URL answers at all (any status), failing with the process's log if it exits. */
    private void awaitHttp(String url, Process process, String what) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                fail("the " + what + " exited with " + process.exitValue());
            }
            try {
                http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                          HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        fail("the " + what + " did not answer " + url + " within 60 s");
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    private static void eventually(String what, Check check) throws Exception {
        Instant deadline = Instant.now().plus(EVENTUALLY);
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        fail("not within " + EVENTUALLY.toSeconds() + " s: " + what + (last == null ? "" : " (last error: " + last + ")"));
    }

    private void setApiPath(String api, String from, String to) throws IOException {
        Path info = artifacts.resolve("apis/" + api + "/apiInformation.json");
        String text = Files.readString(info);
        assertTrue(text.contains("\"path\": \"" + from + "\""), text);
        Files.writeString(info, text.replace("\"path\": \"" + from + "\"", "\"path\": \"" + to + "\""));
    }

    /**
     * A TCP relay in front of the management plane that keeps every byte gateways send through it, so a test can read
     * the requests they made. Real sockets both ways; what answers is the real management plane behind it.
     */
    private static final class RecordingRelay implements AutoCloseable {
        // Not anchored at a line start: on a kept-alive connection a request follows a heartbeat's body directly.
        private static final Pattern REQUEST_LINE = Pattern.compile("(GET|POST) (/\\S*) HTTP/1\\.1\r\n");

        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final int target;
        private final List<ByteArrayOutputStream> sent = new CopyOnWriteArrayList<>();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        RecordingRelay(int target) throws IOException {
            this.target = target;
            Thread.ofVirtual().name("relay-accept").start(this::accept);
        }

        int port() {
            return listener.getLocalPort();
        }

        /** The request targets of every configuration check gateway {@code gatewayId} sent, for example {@code ...?wait=30}. */
        List<String> configurationChecks(String gatewayId) {
            List<String> checks = new ArrayList<>();
            for (ByteArrayOutputStream connection : sent) {
                String bytes;
                synchronized (connection) {
                    bytes = connection.toString(StandardCharsets.ISO_8859_1);
                }
                Matcher line = REQUEST_LINE.matcher(bytes);
                while (line.find()) {
                    if (line.group(1).equals("GET") && line.group(2).startsWith("/gateways/" + gatewayId + "/configuration")) {
                        checks.add(line.group(2));
                    }
                }
            }
            return checks;
        }

        private void accept() {
            while (!listener.isClosed()) {
                Socket client;
                try {
                    client = listener.accept();
                } catch (IOException closed) {
                    return;
                }
                sockets.add(client);
                try {
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                    sockets.add(server);
                    ByteArrayOutputStream record = new ByteArrayOutputStream();
                    sent.add(record);
                    Thread.ofVirtual().start(() -> pump(client, server, record));
                    Thread.ofVirtual().start(() -> pump(server, client, null));
                } catch (IOException managementPlaneDown) {
                    closeQuietly(client);
                }
            }
        }

        private static void pump(Socket from, Socket to, ByteArrayOutputStream record) {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    if (record != null) {
                        synchronized (record) {
                            record.write(buffer, 0, n);
                        }
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException connectionEnded) {
                // one side closed; close the other below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException alreadyGone) {
                // nothing left to release
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            sockets.forEach(RecordingRelay::closeQuietly);
        }
    }

    private void writeAssignment(String gatewayId, String apiId) throws IOException {
        Path dir = artifacts.resolve("gateways/" + gatewayId);
        Files.createDirectories(dir.resolve("apis/" + apiId));
        Files.writeString(dir.resolve("gatewayInformation.json"), "{\"properties\": {\"description\": \"" + gatewayId + "\"}}");
        Files.writeString(dir.resolve("apis/" + apiId + "/gatewayApiInformation.json"), "{}");
    }
}
