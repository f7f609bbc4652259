package io.gatehouse.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFileTest {

    @TempDir
    Path dir;

    @Test
    void partsOfEverySizeArriveWholeAndInOrder() throws IOException {
        // around the 64 KiB slice a write is cut into, and a part of several megabytes
        int[] sizes = {0, 1, 65_535, 65_536, 65_537, 3 * 65_536 + 7, 5_000_000};
        Random random = new Random(42);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        byte[][] parts = new byte[sizes.length][];
        for (int i = 0; i < sizes.length; i++) {
            parts[i] = new byte[sizes[i]];
            random.nextBytes(parts[i]);
            expected.write(parts[i]);
        }
        Path file = dir.resolve("backup.bin");
        PrivateFile.write(file, parts);
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(file));
    }

    @Test
    void replacesTheFileReadableByTheOwnerOnlyAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("keys");
        PrivateFile.write(file, "old".getBytes());
        PrivateFile.write(file, "new".getBytes(), "!".getBytes());
        assertEquals("new!", Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (var entries = Files.list(dir)) {
            assertTrue(entries.allMatch(file::equals), "only the file itself is left");
        }
    }
}
