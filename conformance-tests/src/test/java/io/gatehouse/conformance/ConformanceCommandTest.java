package io.gatehouse.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./gatehouse conformance} checks its options before it builds anything: each mistake is refused at once, with
 * a message that names the option. (A whole run against a running gateway takes a build of its own; docs/conformance.md
 * says how it was checked.)
 */
class ConformanceCommandTest {

    @TempDir
    Path tmp;

    @Test
    @DisplayName("./gatehouse conformance: a missing or malformed option is refused, naming it, before any build")
    void badOptionsAreRefusedByName() throws Exception {
        try (ServerSocket listening = new ServerSocket(0)) {
            String gateway = "http://127.0.0.1:" + listening.getLocalPort();
            String folder = tmp.toString();
            refused("--gateway URL is required", "conformance");
            refused("--gateway must be a URL like http://127.0.0.1:8080", "conformance", "--gateway", "127.0.0.1:8080");
            refused("--gateway must be a URL", "conformance", "--gateway", gateway + "/some/path", "--artifacts", folder);
            refused("--artifacts DIR is required", "conformance", "--gateway", gateway);
            refused("--artifacts '" + tmp.resolve("missing") + "' is not a writable folder",
                    "conformance", "--gateway", gateway, "--artifacts", tmp.resolve("missing").toString());
            refused("--backend-port must be a port number from 1 to 65535, got '70000'",
                    "conformance", "--gateway", gateway, "--artifacts", folder, "--backend-port", "70000");
            refused("port " + listening.getLocalPort() + " (--backend-port) is in use", "conformance", "--gateway", gateway,
                    "--artifacts", folder, "--backend-port", Integer.toString(listening.getLocalPort()));
            refused("unknown option '--gatway'", "conformance", "--gatway", gateway);
            refused("--artifacts needs a value", "conformance", "--gateway", gateway, "--artifacts");
        }
        int nobody = GatewayProcesses.freePort();
        refused("nothing listens at http://127.0.0.1:" + nobody, "conformance", "--gateway", "http://127.0.0.1:" + nobody,
                "--artifacts", tmp.toString());
    }

    /** Runs the script and expects exit status 1 with {@code message} on its error output, and nothing built. */
    private void refused(String message, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", GatewayProcesses.ROOT.resolve("gatehouse").toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script did not end within 60 s: " + command);
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(1, p.exitValue(), command + " -> " + output);
        assertTrue(output.contains("gatehouse: conformance: " + message), command + " -> " + output);
        assertFalse(output.contains("building"), "refused before any build: " + output);
    }
}
