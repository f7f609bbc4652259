package io.gatehouse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder watch on a real file system: what it sees, and that it walks only what is new. */
class FolderWatcherTest {

    private static final Duration QUIET = Duration.ofMillis(150);

    @TempDir
    Path root;

    private final AtomicInteger changes = new AtomicInteger();
    private FolderWatcher watcher;
    /** The folders of the tree made in {@link #tree()}: root, apis, apis/a, apis/a/operations, subscriptions. */
    private static final int FOLDERS = 5;

    @BeforeEach
    void tree() throws IOException {
        Files.createDirectories(root.resolve("apis/a/operations"));
        Files.createDirectories(root.resolve("subscriptions"));
        Files.writeString(root.resolve("apis/a/apiInformation.json"), "{}");
        watcher = FolderWatcher.start(root, QUIET, changes::incrementAndGet);
        assertEquals(FOLDERS, watcher.registrations());
    }

    @AfterEach
    void stop() throws IOException {
        watcher.close();
    }

    @Test
    void anEditIsSeenWithoutWalkingTheTreeAgain() throws Exception {
        Files.writeString(root.resolve("apis/a/apiInformation.json"), "{\"properties\": {}}");
        awaitChanges(1);
        assertEquals(FOLDERS, watcher.registrations(), "an edit that creates no folder registers nothing");
    }

    @Test
    void aFileCreatedAndRemovedAtOnceWalksNothing() throws Exception {
        // what editors do when they save (a probe file, a swap file)
        Path probe = root.resolve("apis/a/4913");
        Files.writeString(probe, "");
        Files.delete(probe);
        awaitChanges(1);
        assertEquals(FOLDERS, watcher.registrations());
    }

    @Test
    void aNewFolderAndTheFoldersInItAreWatched() throws Exception {
        Files.createDirectories(root.resolve("apis/b/operations/get-item"));
        awaitChanges(1);
        assertEquals(FOLDERS + 3, watcher.registrations(), "only the three new folders are registered");
        int seen = changes.get();
        Files.writeString(root.resolve("apis/b/operations/get-item/policy.xml"), "<policies/>");
        awaitChanges(seen + 1);
    }

    @Test
    void aFolderMovedWithinTheTreeKeepsSeeingNewFolders() throws Exception {
        Files.move(root.resolve("apis/a"), root.resolve("apis/renamed"));
        awaitChanges(1);
        int seen = changes.get();
        // Created under the moved folder: the watch of apis/renamed/operations must know its new path.
        Files.createDirectories(root.resolve("apis/renamed/operations/get-item"));
        awaitChanges(seen + 1);
        seen = changes.get();
        Files.writeString(root.resolve("apis/renamed/operations/get-item/policy.xml"), "<policies/>");
        awaitChanges(seen + 1);
    }

    @Test
    void aBurstOfEditsGivesFewerCallbacksThanEdits() throws Exception {
        for (int i = 0; i < 50; i++) {
            Files.writeString(root.resolve("subscriptions/s" + i + ".json"), "{}");
        }
        awaitChanges(1);
        Thread.sleep(QUIET.toMillis() * 4);
        assertTrue(changes.get() < 50, "callbacks: " + changes.get());
    }

    private void awaitChanges(int atLeast) throws InterruptedException {
        await(() -> changes.get() >= atLeast, "at least " + atLeast + " callbacks; saw " + changes.get());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
