package io.gatehouse.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.gatehouse.federation.GatewayToken;

/** {@code gatehouse token}: tokens that verify against the keys file, valid at most 30 days, and a private env.conf. */
class TokenCommandTest {

    @TempDir
    Path tmp;

    /**
     * What one run of the command printed.
     *
     * @param exitCode its exit code
     * @param out      standard output
     * @param err      standard error
     * @param started  just before it ran
     * @param finished just after it ran
     */
    record Run(int exitCode, String out, String err, Instant started, Instant finished) {

        GatewayToken token() {
            assertEquals(0, exitCode, err);
            return GatewayToken.parse(out.strip());
        }
    }

    private static Run run(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Instant started = Instant.now();
        int code;
        try {
            code = ManagementPlaneMain.execute(args);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), started,
                       Instant.now());
    }

    private Path keysFile() {
        return tmp.resolve("keys.json");
    }

    private GatewayKeys.Keys keysOf(String gatewayId) throws Exception {
        return GatewayKeys.open(keysFile()).of(gatewayId).orElseThrow();
    }

    /** The printed token parses, is for the gateway, verifies against its primary key and expires within 30 days. */
    @Test
    void printsATokenThatVerifiesAgainstTheKeysFile() throws Exception {
        Run run = run("token", "--gateway", "gw9", "--keys", keysFile().toString());
        GatewayToken token = run.token();

        assertEquals("gw9", token.gatewayId());
        assertTrue(token.signedByAnyOf(List.of(keysOf("gw9").primary())), "signed with gw9's primary key");
        assertFalse(token.signedByAnyOf(List.of(keysOf("gw9").secondary())), "not with its secondary");
        assertFalse(token.expiry().isAfter(run.finished().plus(GatewayToken.MAX_VALIDITY)), token.toString());
        assertTrue(token.expiry().isAfter(run.started().plus(GatewayToken.MAX_VALIDITY).minus(Duration.ofMinutes(1))),
                   "the default is 30 days: " + token);
    }

    /** The keys file the command creates is readable by its owner only. */
    @Test
    void keysFileIsMode600() throws Exception {
        run("token", "--gateway", "gw9", "--keys", keysFile().toString()).token();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keysFile())));
    }

    /** --expiry beyond 30 days, or not a duration, exits with 2 and prints no token. */
    @ParameterizedTest(name = "--expiry {0}")
    @ValueSource(strings = {"31d", "721h", "P31D", "soon", "0m"})
    void expiryBeyond30DaysOrMalformedExitsWith2(String expiry) {
        Run run = run("token", "--gateway", "gw9", "--keys", keysFile().toString(), "--expiry", expiry);
        assertEquals(2, run.exitCode(), run.err());
        assertEquals("", run.out());
        assertTrue(run.err().contains("--expiry"), run.err());
    }

    /** --expiry 12h gives a token that expires 12 hours ahead, to the minute. */
    @Test
    void expiryOf12HoursIsTwelveHoursAhead() throws Exception {
        Run run = run("token", "--gateway", "gw9", "--keys", keysFile().toString(), "--expiry", "12h");
        Instant expiry = run.token().expiry();
        Duration twelveHours = Duration.ofHours(12);
        assertFalse(expiry.isAfter(run.finished().plus(twelveHours)), expiry.toString());
        assertTrue(expiry.isAfter(run.started().plus(twelveHours).minus(Duration.ofMinutes(1))), expiry.toString());
    }

    /** --key secondary signs with the secondary key, not the primary. */
    @Test
    void secondaryKeyOptionSignsWithTheSecondary() throws Exception {
        GatewayToken token = run("token", "--gateway", "gw9", "--keys", keysFile().toString(), "--key", "secondary")
                .token();
        assertTrue(token.signedByAnyOf(List.of(keysOf("gw9").secondary())));
        assertFalse(token.signedByAnyOf(List.of(keysOf("gw9").primary())));
    }

    /** A second run for the same gateway reuses its keys: earlier tokens keep verifying. */
    @Test
    void keysAreCreatedOnceAndReused() throws Exception {
        GatewayToken first = run("token", "--gateway", "gw9", "--keys", keysFile().toString()).token();
        GatewayKeys.Keys before = keysOf("gw9");
        GatewayToken second = run("token", "--gateway", "gw9", "--keys", keysFile().toString()).token();
        assertEquals(before.both(), keysOf("gw9").both());
        assertTrue(first.signedByAnyOf(before.both()));
        assertTrue(second.signedByAnyOf(before.both()));
    }

    /** --env-file writes config.service.endpoint and a verifying config.service.auth, with mode 600. */
    @Test
    void envFileHasEndpointAndTokenAndIsMode600() throws Exception {
        Path env = tmp.resolve("env.conf");
        Run run = run("token", "--gateway", "gw9", "--keys", keysFile().toString(), "--env-file", env.toString(),
                      "--endpoint", "http://127.0.0.1:9");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.out(), "the token goes to the file only");

        List<String> lines = Files.readAllLines(env);
        assertTrue(lines.contains("config.service.endpoint=http://127.0.0.1:9"), lines.toString());
        List<String> auth = lines.stream().filter(l -> l.startsWith("config.service.auth=")).toList();
        assertEquals(1, auth.size(), lines.toString());
        GatewayToken token = GatewayToken.parse(auth.getFirst().substring("config.service.auth=".length()));
        assertEquals("gw9", token.gatewayId());
        assertTrue(token.signedByAnyOf(List.of(keysOf("gw9").primary())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
    }

    /** An existing env file that others could read is replaced by one only its owner can. */
    @Test
    void envFileThatOthersCouldReadIsReplacedPrivately() throws Exception {
        Path env = tmp.resolve("env.conf");
        Files.writeString(env, "config.service.auth=old\n");
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(0, run("token", "--gateway", "gw9", "--keys", keysFile().toString(), "--env-file", env.toString())
                .exitCode());
        assertFalse(Files.readString(env).contains("config.service.auth=old"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
    }
}
