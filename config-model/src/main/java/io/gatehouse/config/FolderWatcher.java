package io.gatehouse.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Watches a folder tree and calls back once a burst of changes has settled, so that an editor's save (or a
 * {@code git pull} touching many files) gives one reload, not dozens. Folders created later are watched as well.
 */
public final class FolderWatcher implements AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(FolderWatcher.class.getName());

    private final Path root;
    private final Duration quietPeriod;
    private final Runnable onChange;
    private final WatchService service;
    private final Thread thread;

    private FolderWatcher(Path root, Duration quietPeriod, Runnable onChange) throws IOException {
        this.root = root;
        this.quietPeriod = quietPeriod;
        this.onChange = onChange;
        this.service = FileSystems.getDefault().newWatchService();
        registerTree();
        this.thread = Thread.ofPlatform().daemon().name("gatehouse-folder-watch").start(this::loop);
    }

    /**
     * Starts watching.
     *
     * @param root        the folder
     * @param quietPeriod how long no change must be seen before {@code onChange} runs
     * @param onChange    called on the watcher's thread after each settled burst of changes
     * @return the running watcher; close it to stop
     * @throws IOException if the folder cannot be watched
     */
    public static FolderWatcher start(Path root, Duration quietPeriod, Runnable onChange) throws IOException {
        Objects.requireNonNull(onChange, "onChange");
        return new FolderWatcher(root, quietPeriod, onChange);
    }

    private void loop() {
        try {
            while (true) {
                WatchKey key = service.take();
                drain(key);
                // Wait for the burst to settle.
                WatchKey more;
                while ((more = service.poll(quietPeriod.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    drain(more);
                }
                registerTree();
                try {
                    onChange.run();
                } catch (RuntimeException e) {
                    LOGGER.log(System.Logger.Level.ERROR, "reloading " + root + " failed", e);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed: stop quietly
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    private void registerTree() {
        List<Path> all;
        try (Stream<Path> dirs = Files.walk(root)) {
            all = dirs.filter(Files::isDirectory).toList();
        } catch (IOException | UncheckedIOException e) {
            // A folder vanished while we walked: the next event re-walks the tree.
            LOGGER.log(System.Logger.Level.DEBUG, "re-registering watches under " + root + ": " + e.getMessage());
            return;
        }
        int unwatched = 0;
        String reason = "";
        for (Path dir : all) {
            try {
                dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                             StandardWatchEventKinds.ENTRY_DELETE);
            } catch (NoSuchFileException gone) {
                // removed since the walk: nothing to watch
            } catch (IOException e) {
                unwatched++; // the system's limit of watches (inotify), most likely
                reason = e.getMessage();
            }
        }
        if (unwatched > 0 && Files.isDirectory(root)) {
            // Loud, because an unwatched folder means edits in it are silently not served.
            LOGGER.log(System.Logger.Level.WARNING, unwatched + " of " + all.size() + " folders under " + root
                    + " cannot be watched (" + reason + "); edits in them are not seen. On Linux, raise"
                    + " fs.inotify.max_user_watches, or serve the folder through the management plane.");
        }
    }

    @Override
    public void close() throws IOException {
        service.close();
        thread.interrupt();
    }
}
