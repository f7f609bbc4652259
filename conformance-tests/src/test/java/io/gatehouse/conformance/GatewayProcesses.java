package io.gatehouse.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Starting the laid-out distribution as a separate gateway process, and waiting until it serves. */
final class GatewayProcesses {

    static final Path ROOT = Path.of(System.getProperty("gatehouse.root", "..")).toAbsolutePath().normalize();

    private GatewayProcesses() {
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Copies a folder tree (an APIOps folder a test then edits). */
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

    /** Removes a folder tree. */
    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** {@code gatehouse run} on a folder, with this JVM's java, the given heap, and output to {@code log}. */
    static Process start(String maxHeap, Path folder, int port, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return new ProcessBuilder(List.of(java, "-Xmx" + maxHeap, "-XX:+ExitOnOutOfMemoryError", "-cp",
                                          ROOT.resolve("distribution/target/gatehouse/lib") + "/*",
                                          "io.gatehouse.gateway.GatewayMain", "run", "--config", folder.toString(),
                                          "--port", Integer.toString(port)))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /** Polls the status endpoint until it answers 200; fails with the gateway's log if it exits or takes 60 s. */
    static HttpResponse<String> awaitStatus(HttpClient client, Process gateway, int port, Path log) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status-0123456789abcdef"))
                .timeout(Duration.ofSeconds(2))
                .build();
        while (Instant.now().isBefore(deadline)) {
            if (!gateway.isAlive()) {
                fail("the gateway exited with " + gateway.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return response;
                }
            } catch (IOException notYetListening) {
                // keep polling until the deadline
            }
            Thread.sleep(100);
        }
        fail("the gateway did not become ready within 60 s:\n" + Files.readString(log));
        return null;
    }
}
