package io.gatehouse.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.gatehouse.config.ConfigException;
import io.gatehouse.policy.engine.GatewayServices;
import io.gatehouse.policy.engine.LocalCounterStore;
import io.gatehouse.policy.spi.PolicyServices;

/** Writes APIOps folders for tests, and starts gateways on them. */
final class TestFolder {

    private final Path root;

    TestFolder(Path root) {
        this.root = root;
    }

    /** A folder of its own under the temporary directory, for a test class to {@link #delete()} when it is done. */
    static TestFolder temporary(String prefix) {
        try {
            return new TestFolder(Files.createTempDirectory(prefix));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the folder and everything in it. */
    void delete() {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    Path root() {
        return root;
    }

    /** An API whose operations are given as "METHOD /template" strings; operationIds are op0, op1, ... */
    TestFolder api(String id, String path, String serviceUrl, boolean subscriptionRequired, String... operations) {
        return apiWith(id, path, serviceUrl, subscriptionRequired, "", operations);
    }

    TestFolder apiWith(String id, String path, String serviceUrl, boolean subscriptionRequired, String extraProperties,
                       String... operations) {
        write("apis/" + id + "/apiInformation.json", """
                {"properties": {"displayName": "%s", "path": "%s", "serviceUrl": "%s", "protocols": ["http"],
                 "subscriptionRequired": %s %s}}
                """.formatted(id, path, serviceUrl, subscriptionRequired, extraProperties));
        StringBuilder spec = new StringBuilder("openapi: 3.0.1\ninfo:\n  title: " + id + "\n  version: '1'\npaths:\n");
        Map<String, StringBuilder> byPath = new LinkedHashMap<>();
        for (int i = 0; i < operations.length; i++) {
            String[] parts = operations[i].split(" ", 2);
            byPath.computeIfAbsent(parts[1], k -> new StringBuilder())
                    .append("    ").append(parts[0].toLowerCase(Locale.ROOT)).append(":\n")
                    .append("      operationId: op").append(i).append("\n")
                    .append("      responses:\n        '200':\n          description: ok\n");
        }
        byPath.forEach((p, ops) -> spec.append("  '").append(p).append("':\n").append(ops));
        write("apis/" + id + "/specification.yaml", spec.toString());
        return this;
    }

    TestFolder product(String id, boolean subscriptionRequired, String... apiIds) {
        write("products/" + id + "/productInformation.json", """
                {"properties": {"displayName": "%s", "state": "published", "subscriptionRequired": %s}}
                """.formatted(id, subscriptionRequired));
        for (String api : apiIds) {
            write("products/" + id + "/apis/" + api + "/productApiInformation.json", "{}");
        }
        return this;
    }

    TestFolder subscription(String id, String scope, String state, String primaryKey) {
        write("subscriptions/" + id + "/subscriptionInformation.json", """
                {"properties": {"displayName": "%s", "scope": "%s", "state": "%s", "primaryKey": "%s"}}
                """.formatted(id, scope, state, primaryKey));
        return this;
    }

    TestFolder write(String relative, String content) {
        try {
            Path file = root.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Why a folder is refused: one API {@code x} (operation {@code GET /y}) whose {@code policy.xml} is the given
     * document, written in a folder of its own under {@code parent}.
     *
     * @return the refusal's message, which names the file and line
     * @throws AssertionError if the folder loads
     */
    static String refusal(Path parent, String policyDocument) {
        Path root = parent.resolve("refused-" + Integer.toHexString(policyDocument.hashCode()));
        TestFolder folder = new TestFolder(root).api("x", "x", "http://127.0.0.1:1", false, "GET /y")
                .write("apis/x/policy.xml", policyDocument);
        try {
            folder.gateway(Map.of()).close();
        } catch (IllegalStateException e) {
            return String.valueOf(e.getCause().getMessage());
        }
        throw new AssertionError("the folder loaded: " + policyDocument);
    }

    /** A gateway serving this folder on a free loopback port, whose policies see {@code clock} as the time. */
    Gateway startedOn(Clock clock) {
        return gateway(Map.of(), new GatewayServices(new LocalCounterStore(clock), clock), null).start("127.0.0.1", 0);
    }

    /** A gateway (not yet listening) serving this folder, with settings given as dotted keys. */
    Gateway gateway(Map<String, String> settings) {
        return gateway(settings, null);
    }

    /** The same, reporting to an observer (null: the default, which exports nothing). */
    Gateway gateway(Map<String, String> settings, RequestObserver observer) {
        return gateway(settings, GatewayServices.local(), observer);
    }

    /** The same, with the given services (a Redis counter store). */
    Gateway gateway(Map<String, String> settings, PolicyServices services, RequestObserver observer) {
        try {
            Settings s = Settings.load(Map.of(), Optional.empty(), Optional.empty(), settings);
            Gateway gateway = observer == null ? new Gateway(s, services) : new Gateway(s, services, observer);
            gateway.activate(LocalFolderSource.load(root, Optional.empty(), GatewayMain.compiler(s), w -> { }));
            return gateway;
        } catch (SettingsException | ConfigException e) {
            throw new IllegalStateException(e);
        }
    }
}
