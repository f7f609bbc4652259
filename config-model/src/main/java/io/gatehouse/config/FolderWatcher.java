package io.gatehouse.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Watches a folder tree and calls back once a burst of changes has settled, so that an editor's save (or a
 * {@code git pull} touching many files) gives one reload, not dozens. Folders created later are watched as well: only
 * they are walked and registered, not the whole tree again (a folder of 10,000 APIs and 100,000 subscriptions has
 * 110,000 folders), unless the system dropped events, in which case the whole tree is walked again.
 */
public final class FolderWatcher implements AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(FolderWatcher.class.getName());

    private final Path root;
    private final Duration quietPeriod;
    private final Runnable onChange;
    private final WatchService service;
    private final Thread thread;
    /** Folders handed to the watch service so far (re-registrations included); read by tests. */
    private final AtomicLong registrations = new AtomicLong();

    private FolderWatcher(Path root, Duration quietPeriod, Runnable onChange) throws IOException {
        this.root = root;
        this.quietPeriod = quietPeriod;
        this.onChange = onChange;
        this.service = FileSystems.getDefault().newWatchService();
        registerTree(root);
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
                List<Path> created = new ArrayList<>();
                boolean lost = drain(service.take(), created);
                // Wait for the burst to settle.
                WatchKey more;
                while ((more = service.poll(quietPeriod.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    lost |= drain(more, created);
                }
                if (lost) {
                    registerTree(root);
                } else {
                    created.forEach(this::registerTree);
                }
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

    /**
     * Takes a key's events, noting what was created in its folder (a new folder must be watched too).
     *
     * @return whether events were lost (the queue overflowed), so that the whole tree must be walked again
     */
    private static boolean drain(WatchKey key, List<Path> created) {
        boolean lost = false;
        Path dir = (Path) key.watchable();
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                lost = true;
            } else if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && event.context() instanceof Path name) {
                created.add(dir.resolve(name));
            }
        }
        key.reset();
        return lost;
    }

    /** Watches {@code top} and every folder below it; a file, or a path gone since its event, adds nothing. */
    private void registerTree(Path top) {
        List<Path> all;
        try (Stream<Path> dirs = Files.walk(top)) {
            all = dirs.filter(Files::isDirectory).toList();
        } catch (IOException | UncheckedIOException e) {
            // A folder vanished while we walked: its parent's delete event comes next, and a new one its own create.
            LOGGER.log(System.Logger.Level.DEBUG, "watching the folders under " + top + ": " + e.getMessage());
            return;
        }
        int unwatched = 0;
        String reason = "";
        for (Path dir : all) {
            try {
                WatchKey key = register(dir);
                if (!dir.equals(key.watchable())) {
                    // A folder moved here within the tree keeps its watch, and that watch still names the old path,
                    // so a folder created in it later would be looked for there. A new watch names the new path.
                    key.cancel();
                    register(dir);
                }
            } catch (NoSuchFileException gone) {
                // removed since the walk: nothing to watch
            } catch (IOException e) {
                unwatched++; // the system's limit of watches (inotify), most likely
                reason = e.getMessage();
            }
        }
        if (unwatched > 0 && Files.isDirectory(top)) {
            // Loud, because an unwatched folder means edits in it are silently not served.
            LOGGER.log(System.Logger.Level.WARNING, unwatched + " of " + all.size() + " folders under " + top
                    + " cannot be watched (" + reason + "); edits in them are not seen. On Linux, raise"
                    + " fs.inotify.max_user_watches, or serve the folder through the management plane.");
        }
    }

    private WatchKey register(Path dir) throws IOException {
        WatchKey key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                                    StandardWatchEventKinds.ENTRY_DELETE);
        registrations.incrementAndGet();
        return key;
    }

    /** @return how many folders have been handed to the watch service so far, counting each re-registration */
    long registrations() {
        return registrations.get();
    }

    @Override
    public void close() throws IOException {
        service.close();
        thread.interrupt();
    }
}
