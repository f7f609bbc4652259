package io.gatehouse.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The bench's scratch folder: artifact folders (1.8 GB for the 10,000-API scenarios), nginx's prefix, backups and one
 * log per process. A run that finished cleanly leaves nothing behind; any other run keeps only the logs, which say
 * what went wrong. The JMH benchmarks remove the folder they build their snapshot from the same way.
 */
public final class WorkDir {

    private WorkDir() {
    }

    /**
     * Removes the folder, or everything in it but the logs.
     *
     * @param dir      the folder
     * @param keepLogs whether to keep the {@code .log} files (and the folders that hold them)
     * @return whether anything is left: the logs, or what could not be deleted
     */
    public static boolean clean(Path dir, boolean keepLogs) {
        if (!Files.exists(dir)) {
            return false;
        }
        List<Path> deepestFirst;
        try (Stream<Path> walk = Files.walk(dir)) {
            deepestFirst = walk.sorted(Comparator.reverseOrder()).toList();
        } catch (IOException | UncheckedIOException e) {
            return Files.exists(dir);
        }
        boolean kept = false;
        for (Path p : deepestFirst) {
            boolean log = Files.isRegularFile(p) && p.getFileName().toString().endsWith(".log");
            if (keepLogs && log) {
                kept = true;
                continue;
            }
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // A folder holding kept logs, or a file still in use (a process that would not stop): keep going.
                kept = true;
            }
        }
        return kept;
    }
}
