package io.gatehouse.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.federation.GatewayToken;

/** {@code gatehouse token}: tokens that verify against the keys file, at most 30 days, and a ready env.conf. */
class TokenCommandTest {

    @TempDir
    Path tmp;

    private String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, ManagementPlaneMain.execute(args));
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    /** The printed token verifies against the gateway's primary key (created on first use) and expires as asked. */
    @Test
    void printsAVerifiableToken() throws Exception {
        Path keysFile = tmp.resolve("keys.json");
        GatewayToken token = GatewayToken.parse(run("token", "--gateway", "gw9", "--keys", keysFile.toString(),
                                                    "--expiry", "12h"));
        GatewayKeys keys = GatewayKeys.open(keysFile);
        GatewayKeys.Keys gw9 = keys.of("gw9").orElseThrow();
        assertTrue(token.signedByAnyOf(List.of(gw9.primary())));
        Duration left = Duration.between(Instant.now(), token.expiry());
        assertTrue(left.compareTo(Duration.ofHours(12)) <= 0 && left.compareTo(Duration.ofHours(12).minusMinutes(2)) > 0,
                   left.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keysFile)));
        GatewayToken secondary = GatewayToken.parse(run("token", "--gateway", "gw9", "--keys", keysFile.toString(),
                                                        "--key", "secondary"));
        assertTrue(secondary.signedByAnyOf(List.of(gw9.secondary())));
        assertTrue(!secondary.signedByAnyOf(List.of(gw9.primary())));
    }

    /** More than 30 days, or a duration that does not parse, is refused with exit code 2. */
    @Test
    void refusesLongOrBadExpiry() {
        String keys = tmp.resolve("keys.json").toString();
        assertEquals(2, ManagementPlaneMain.execute("token", "--gateway", "gw9", "--keys", keys, "--expiry", "31d"));
        assertEquals(2, ManagementPlaneMain.execute("token", "--gateway", "gw9", "--keys", keys, "--expiry", "soon"));
    }

    /** --env-file writes config.service.endpoint and config.service.auth, private to its owner. */
    @Test
    void writesEnvConf() throws Exception {
        Path env = tmp.resolve("env.conf");
        run("token", "--gateway", "gw9", "--keys", tmp.resolve("keys.json").toString(), "--env-file", env.toString(),
            "--endpoint", "http://127.0.0.1:9");
        List<String> lines = Files.readAllLines(env);
        assertTrue(lines.contains("config.service.endpoint=http://127.0.0.1:9"), lines.toString());
        String auth = lines.stream().filter(l -> l.startsWith("config.service.auth=")).findFirst().orElseThrow();
        assertEquals("gw9", GatewayToken.parse(auth.substring("config.service.auth=".length())).gatewayId());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
    }
}
