package io.gatehouse.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code gatehouse management-plane} refuses a keys file inside the artifacts folder, the folder gateways are served
 * and operators commit, however the two paths are spelled; it exits with 2, says why, and creates nothing.
 */
class KeysFileLocationTest {

    @TempDir
    Path tmp;

    private Path artifacts;

    @BeforeEach
    void artifacts() throws Exception {
        artifacts = tmp.resolve("artifacts");
        ManagementPlaneFixture.copyTree(ManagementPlaneFixture.QUICKSTART, artifacts);
    }

    /**
     * What one refused start printed.
     *
     * @param exitCode its exit code
     * @param err      standard error
     */
    private record Refused(int exitCode, String err) {
    }

    /** Runs the command; a start that is not refused would serve until stopped, so it fails on a timeout. */
    private static Refused serve(Path artifactsArgument, Path keysArgument) {
        return assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            PrintStream original = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code;
            try {
                code = ManagementPlaneMain.execute("management-plane", "--artifacts", artifactsArgument.toString(),
                                                   "--keys", keysArgument.toString(), "--host", "127.0.0.1", "--port",
                                                   "0");
            } finally {
                System.setErr(original);
            }
            return new Refused(code, err.toString(StandardCharsets.UTF_8));
        }, "the management plane started with its keys file inside the artifacts folder");
    }

    /** The plain case: the message names the keys file, the folder and the fix. */
    @Test
    void keysFileInTheArtifactsFolderIsRefused() {
        Path keys = artifacts.resolve("gateway-keys.json");
        Refused refused = serve(artifacts, keys);
        assertEquals(2, refused.exitCode(), refused.err());
        assertTrue(refused.err().contains("the keys file " + keys + " must not be inside the artifacts folder"),
                   refused.err());
        assertTrue(refused.err().contains("--keys FILE"), "says how to fix it: " + refused.err());
        assertFalse(Files.exists(keys), "no keys were written into the folder");
    }

    /** However the paths are spelled, a keys file that ends up inside the folder is refused. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"in a subfolder", "folder spelled with ./", "keys spelled with ..",
                            "folder through a symbolic link", "keys through a symbolic link"})
    void keysFileInsideTheFolderIsRefusedHoweverSpelled(String spelling) throws IOException {
        Path link = tmp.resolve("link");
        Path[] arguments = switch (spelling) {
            case "in a subfolder" -> new Path[] {artifacts, artifacts.resolve("secrets/keys.json")};
            case "folder spelled with ./" -> new Path[] {tmp.resolve("./artifacts"), artifacts.resolve("keys.json")};
            case "keys spelled with .." -> new Path[] {artifacts, artifacts.resolve("apis/../keys.json")};
            case "folder through a symbolic link" -> new Path[] {Files.createSymbolicLink(link, artifacts),
                                                                 artifacts.resolve("keys.json")};
            case "keys through a symbolic link" -> new Path[] {artifacts,
                                                               Files.createSymbolicLink(link, artifacts).resolve("keys.json")};
            default -> throw new IllegalArgumentException(spelling);
        };
        Refused refused = serve(arguments[0], arguments[1]);
        assertEquals(2, refused.exitCode(), refused.err());
        assertTrue(refused.err().contains("must not be inside the artifacts folder"), refused.err());
        assertFalse(Files.exists(artifacts.resolve("keys.json")), "no keys were written into the folder");
    }

    /** A keys file beside the folder, whose name merely starts with the folder's, is not inside it. */
    @Test
    void siblingWithTheSamePrefixIsNotInside() throws Exception {
        assertFalse(ManagementPlaneMain.isInside(tmp.resolve("artifacts-keys.json"), artifacts));
        assertFalse(ManagementPlaneMain.isInside(tmp.resolve("artifacts2/keys.json"), artifacts));
        assertTrue(ManagementPlaneMain.isInside(artifacts.resolve("not/yet/there.json"), artifacts));
    }
}
