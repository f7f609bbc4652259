package io.gatehouse.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No Docker engine runs on our machines, so this test runs the image's exact entrypoint command line, read from the
 * Dockerfile, against the laid-out distribution, with an environment as {@code docker run --env-file env.conf}
 * passes it: names with dots, no shell in between.
 */
class ContainerEntrypointTest {
    private static final Path ROOT = GatewayProcesses.ROOT;
    private static final Pattern COPY = Pattern.compile("^COPY --from=\\S+ /src/(\\S+) (/opt/gatehouse/\\S*)$");
    private static final Pattern ENTRYPOINT = Pattern.compile("^ENTRYPOINT (\\[.*])$");

    /** The entrypoint, run with dotted env.conf names, starts a gateway that honours them. */
    @Test
    @DisplayName("container: the image entrypoint with a dotted env.conf")
    void entrypointHonoursDottedEnvConfSettings(@TempDir Path tmp) throws Exception {
        int port = GatewayProcesses.freePort();
        Path envConf = tmp.resolve("env.conf");
        Files.writeString(envConf, """
                # as downloaded from the Azure portal, with a local folder instead of the configuration endpoint
                config.local.path=%s
                net.server.http.port=%d
                runtime.deployment.artifact.source=Azure Portal
                runtime.deployment.mechanism=Docker
                """.formatted(ROOT.resolve("examples/quickstart"), port));

        ProcessBuilder pb = new ProcessBuilder(entrypointCommand())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("gateway.log").toFile());
        pb.environment().putAll(readEnvFile(envConf));
        Process gateway = pb.start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> status = GatewayProcesses.awaitStatus(client, gateway, port, tmp.resolve("gateway.log"));
            assertEquals(200, status.statusCode(), "status endpoint");
            assertEquals("", status.body());

            HttpResponse<String> unauthorised = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/time/now")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, unauthorised.statusCode(), "the quickstart's time API needs a key");
            assertTrue(unauthorised.body().contains("missing subscription key"), unauthorised.body());
        } finally {
            gateway.destroy();
            if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
                fail("the gateway did not stop within 30 s of SIGTERM");
            }
        }
        // The JVM reports a SIGTERM stop as 143 (128 + 15) once its shutdown hooks (our drain) have run.
        assertTrue(gateway.exitValue() == 0 || gateway.exitValue() == 143, "exit code after SIGTERM: " + gateway.exitValue());
        assertTrue(Files.readString(tmp.resolve("gateway.log")).contains("gatehouse: stopped"), "drained and stopped");
    }

    /** The Dockerfile's ENTRYPOINT with image paths mapped back to where its COPY lines take them from. */
    private static List<String> entrypointCommand() throws IOException {
        Map<String, String> imageToSource = new LinkedHashMap<>();
        List<String> entrypoint = null;
        for (String line : Files.readAllLines(ROOT.resolve("Dockerfile"))) {
            Matcher copy = COPY.matcher(line.trim());
            if (copy.matches()) {
                imageToSource.put(copy.group(2), ROOT.resolve(copy.group(1)).toString());
            }
            Matcher ep = ENTRYPOINT.matcher(line.trim());
            if (ep.matches()) {
                entrypoint = List.of(new ObjectMapper().readValue(ep.group(1), String[].class));
            }
        }
        if (entrypoint == null || imageToSource.isEmpty()) {
            fail("the Dockerfile has no exec-form ENTRYPOINT or no COPY --from=build lines");
        }
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>();
        for (String arg : entrypoint) {
            String mapped = arg.equals("java") ? java : arg;
            for (Map.Entry<String, String> e : imageToSource.entrySet()) {
                // "/opt/gatehouse/lib/" maps a directory (keep its slash), "/opt/gatehouse/jvm.options" a file
                mapped = mapped.replace(e.getKey(), e.getValue() + (e.getKey().endsWith("/") ? "/" : ""));
            }
            command.add(mapped);
        }
        assertTrue(command.stream().noneMatch(a -> a.contains("/opt/gatehouse")),
                   "every image path in the entrypoint comes from a COPY line: " + command);
        return command;
    }

    /** Reads KEY=VALUE lines as {@code docker run --env-file} does: no quotes, no expansion, # comments. */
    private static Map<String, String> readEnvFile(Path file) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            env.put(line.substring(0, eq).strip(), line.substring(eq + 1));
        }
        return env;
    }
}
