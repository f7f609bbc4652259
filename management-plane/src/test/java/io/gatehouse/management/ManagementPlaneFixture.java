package io.gatehouse.management;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.gatehouse.federation.GatewayToken;
import io.gatehouse.federation.Heartbeat;

/**
 * A real management plane on a free loopback port, serving a copy of the quickstart in which gateway {@code gw1} is
 * assigned the API {@code echo} and {@code gw2} the API {@code time}; {@code gw3} has keys but is not defined, so it
 * gets every API. Its clock is a {@link MutableClock}. Closing it stops the server, the folder watch and the client.
 */
final class ManagementPlaneFixture implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path QUICKSTART = Path.of(System.getProperty("gatehouse.root", "..")).resolve("examples/quickstart");

    final Path artifacts;
    final MutableClock clock = new MutableClock(Instant.now());
    final Artifacts folder;
    final GatewayKeys keys;
    final ManagementPlane plane;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** A clock a test moves by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    ManagementPlaneFixture(Path tmp) throws Exception {
        artifacts = tmp.resolve("artifacts");
        folder = new Artifacts(artifacts, clock);
        try {
            copyTree(QUICKSTART, artifacts);
            assign("gw1", "echo");
            assign("gw2", "time");
            folder.load();
            folder.watch();
            keys = GatewayKeys.open(tmp.resolve("keys/gateway-keys.json"));
            keys.ensure(List.of("gw1", "gw2", "gw3"));
            plane = new ManagementPlane(folder, keys, new Nodes(clock)).start("127.0.0.1", 0);
        } catch (Exception | Error e) {
            folder.close();
            http.shutdownNow();
            throw e;
        }
    }

    /** Defines a gateway in the artifacts folder (if not yet) and assigns it an API. */
    void assign(String gatewayId, String apiId) throws IOException {
        Path dir = artifacts.resolve("gateways/" + gatewayId);
        Files.createDirectories(dir.resolve("apis/" + apiId));
        Files.writeString(dir.resolve("gatewayInformation.json"), "{\"properties\": {\"description\": \"edge\"}}");
        Files.writeString(dir.resolve("apis/" + apiId + "/gatewayApiInformation.json"), "{}");
    }

    /** Replaces text in an artifact, failing if the text is not there (so a test never "edits" nothing). */
    void edit(String file, String from, String to) throws IOException {
        Path path = artifacts.resolve(file);
        String content = Files.readString(path);
        if (!content.contains(from)) {
            throw new AssertionError(file + " does not contain " + from);
        }
        Files.writeString(path, content.replace(from, to));
    }

    /** A token for a gateway, signed with its primary key, valid for a day. */
    String token(String gatewayId) throws IOException {
        return token(gatewayId, keys.of(gatewayId).orElseThrow().primary());
    }

    /** A token for a gateway, signed with the given key, valid for a day. */
    String token(String gatewayId, String key) {
        return GatewayToken.issue(gatewayId, clock.instant().plus(Duration.ofDays(1)), key).text();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + plane.port() + path);
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        return http.send(request(path, headers).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
        return http.send(request(path, headers).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                         HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(90));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return request;
    }

    /** GET a gateway's configuration with its own valid token and any further headers. */
    HttpResponse<String> configuration(String gatewayId, String query, String... headers) throws Exception {
        return get("/gateways/" + gatewayId + "/configuration" + query, withToken(gatewayId, headers));
    }

    /** POST a heartbeat for a gateway with its own valid token. */
    HttpResponse<String> heartbeat(String gatewayId, Heartbeat heartbeat) throws Exception {
        return post("/gateways/" + gatewayId + "/heartbeat", heartbeat.toJson(),
                    withToken(gatewayId, "Content-Type", "application/json"));
    }

    private String[] withToken(String gatewayId, String... headers) throws IOException {
        String[] all = new String[headers.length + 2];
        all[0] = "Authorization";
        all[1] = token(gatewayId);
        System.arraycopy(headers, 0, all, 2, headers.length);
        return all;
    }

    /** A heartbeat of a healthy node. */
    static Heartbeat heartbeat(String nodeId, String host, Optional<String> revision, long intervalSeconds) {
        return new Heartbeat(nodeId, host, "0.1.0", "SYNCED", revision, Optional.empty(), Optional.empty(), 1,
                             intervalSeconds, false);
    }

    JsonNode landscape() throws Exception {
        HttpResponse<String> response = get("/api/landscape");
        if (response.statusCode() != 200) {
            throw new AssertionError("/api/landscape answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** The landscape's entry for a gateway. */
    JsonNode gateway(String gatewayId) throws Exception {
        for (JsonNode gateway : landscape().get("gateways")) {
            if (gateway.get("id").asText().equals(gatewayId)) {
                return gateway;
            }
        }
        throw new AssertionError("the landscape lists no gateway '" + gatewayId + "'");
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        try {
            plane.close();
        } finally {
            http.shutdownNow();
            http.close();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** A condition polled until it holds. */
    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    /** Polls a condition until it holds, failing with {@code what} if it does not within {@code timeout}. */
    static void eventually(Duration timeout, String what, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
