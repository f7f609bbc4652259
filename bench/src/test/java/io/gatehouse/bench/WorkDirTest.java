package io.gatehouse.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench leaves nothing in the temporary folder after a clean run, and only the logs after any other. */
class WorkDirTest {

    @TempDir
    Path tmp;

    @Test
    void aCleanRunLeavesNothing() throws IOException {
        Path work = scratch();
        assertFalse(WorkDir.clean(work, false));
        assertFalse(Files.exists(work));
    }

    @Test
    void anotherRunKeepsOnlyTheLogs() throws IOException {
        Path work = scratch();
        assertTrue(WorkDir.clean(work, true));
        try (Stream<Path> left = Files.walk(work)) {
            assertEquals(List.of("", "backend.log", "gateway-bare.log", "nginx", "nginx/nginx.log"),
                         left.map(p -> work.relativize(p).toString().replace('\\', '/')).sorted().toList());
        }
    }

    @Test
    void aFolderAlreadyGoneIsNothingLeft() {
        assertFalse(WorkDir.clean(tmp.resolve("never-made"), true));
    }

    /** A small copy of what a run leaves: artifact folders several levels deep, nginx's prefix, a backup, logs. */
    private Path scratch() throws IOException {
        Path work = Files.createDirectory(tmp.resolve("gatehouse-bench"));
        Path api = Files.createDirectories(work.resolve("artifacts-bare/apis/api-0"));
        Files.writeString(api.resolve("apiInformation.json"), "{}");
        Files.writeString(api.resolve("policy.xml"), "<policies/>");
        Files.createDirectories(work.resolve("artifacts-bare/products"));
        Path nginx = Files.createDirectories(work.resolve("nginx/logs"));
        Files.writeString(nginx.resolve("../nginx.conf"), "events {}");
        Files.writeString(work.resolve("nginx/nginx.log"), "started");
        Files.write(work.resolve("gateway-backup"), new byte[] {1, 2, 3});
        Files.writeString(work.resolve("backend.log"), "listening");
        Files.writeString(work.resolve("gateway-bare.log"), "ready");
        return work;
    }
}
