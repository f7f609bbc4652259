package io.gatehouse.management;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.gatehouse.federation.GatewayToken;

/** A real management plane on a free loopback port, serving a copy of the quickstart with two assigned gateways. */
final class ManagementPlaneFixture implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final Path artifacts;
    final GatewayKeys keys;
    final MutableClock clock = new MutableClock();
    final Artifacts folder;
    final ManagementPlane plane;
    final HttpClient http = HttpClient.newHttpClient();

    /** A clock tests can move forward. */
    static final class MutableClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
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
        copyTree(Path.of(System.getProperty("gatehouse.root", "..")).resolve("examples/quickstart"), artifacts);
        assign("gw1", "echo");
        assign("gw2", "time");
        folder = new Artifacts(artifacts, Clock.systemUTC());
        folder.load();
        folder.watch();
        keys = GatewayKeys.open(tmp.resolve("keys/gateway-keys.json"));
        keys.ensure(List.of("gw1", "gw2", "gw3"));
        plane = new ManagementPlane(folder, keys, new Nodes(clock)).start("127.0.0.1", 0);
    }

    void assign(String gatewayId, String apiId) throws IOException {
        Path dir = artifacts.resolve("gateways/" + gatewayId);
        Files.createDirectories(dir.resolve("apis/" + apiId));
        Files.writeString(dir.resolve("gatewayInformation.json"), "{\"properties\": {\"description\": \"" + gatewayId + "\"}}");
        Files.writeString(dir.resolve("apis/" + apiId + "/gatewayApiInformation.json"), "{}");
    }

    String token(String gatewayId) throws IOException {
        return GatewayToken.issue(gatewayId, Instant.now().plus(Duration.ofDays(1)), keys.of(gatewayId).orElseThrow().primary())
                .text();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + plane.port() + path);
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(90));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode landscape() throws Exception {
        return JSON.readTree(get("/api/landscape").body());
    }

    @Override
    public void close() throws IOException {
        plane.close();
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

    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    static void eventually(String what, Check check) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (check.holds()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not within 30 s: " + what);
    }
}
