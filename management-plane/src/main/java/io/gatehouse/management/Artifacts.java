package io.gatehouse.management;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.gatehouse.config.ApiOpsReader;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigProblem;
import io.gatehouse.config.FolderWatcher;
import io.gatehouse.config.Snapshot;
import io.gatehouse.config.SpecCache;

/**
 * The artifacts folder the management plane serves: the last good snapshot read from it, each gateway's cut of
 * that snapshot, and the last load error. A watched edit that does not read is refused whole; the last good
 * revision keeps being served. Watch requests wait here for a gateway's revision to change.
 */
final class Artifacts implements AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(Artifacts.class.getName());

    private final Path folder;
    private final Clock clock;
    /** The specifications the last reads parsed: a reload parses only those that changed. */
    private final SpecCache specs = new SpecCache();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // The snapshot and its per-gateway cuts are replaced together, so a cut can never outlive its snapshot.
    private volatile Served served;
    private volatile Optional<LoadError> lastError = Optional.empty();
    private volatile boolean closed;
    private FolderWatcher watcher;

    /**
     * A snapshot and when it was loaded.
     *
     * @param snapshot the whole folder
     * @param loadedAt when
     */
    record Loaded(Snapshot snapshot, Instant loadedAt) {
    }

    /**
     * A refused edit.
     *
     * @param at      when
     * @param message every problem, one per line, with file and line
     */
    record LoadError(Instant at, String message) {
    }

    /**
     * A loaded snapshot with the cuts made of it so far.
     *
     * @param loaded the snapshot
     * @param cuts   each gateway's cut of it, by gateway id
     */
    private record Served(Loaded loaded, Map<String, Snapshot> cuts) {
    }

    Artifacts(Path folder, Clock clock) {
        this.folder = folder;
        this.clock = clock;
    }

    /**
     * Reads the folder for the first time.
     *
     * @throws ConfigException if it does not read: the management plane does not start on a broken folder
     */
    void load() throws ConfigException {
        Snapshot snapshot = ApiOpsReader.read(folder, Artifacts::warn, specs);
        install(snapshot);
    }

    /**
     * Watches the folder; every settled burst of edits is read again.
     *
     * @throws IOException if it cannot be watched
     */
    void watch() throws IOException {
        watcher = FolderWatcher.start(folder, Duration.ofMillis(200), this::reload);
    }

    private static void warn(ConfigProblem warning) {
        LOGGER.log(System.Logger.Level.WARNING, warning.toString());
    }

    /** Reads the folder again; serves the result if it reads, else keeps the last good one and records why. */
    void reload() {
        try {
            Snapshot snapshot = ApiOpsReader.read(folder, Artifacts::warn, specs);
            if (snapshot.revision().equals(current().snapshot().revision())) {
                lastError = Optional.empty();
                return;
            }
            install(snapshot);
            LOGGER.log(System.Logger.Level.INFO, "artifacts changed; now serving revision " + snapshot.revision() + " ("
                    + snapshot.apis().size() + " APIs)");
        } catch (ConfigException e) {
            lastError = Optional.of(new LoadError(clock.instant(), e.getMessage()));
            LOGGER.log(System.Logger.Level.ERROR, "edit in " + folder + " refused; still serving revision "
                    + current().snapshot().revision() + ":\n  " + e.getMessage().replace("\n", "\n  "));
        }
    }

    private void install(Snapshot snapshot) {
        lock.lock();
        try {
            served = new Served(new Loaded(snapshot, clock.instant()), new ConcurrentHashMap<>());
            lastError = Optional.empty();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return the folder */
    Path folder() {
        return folder;
    }

    /** @return the whole snapshot being served, and when it was loaded */
    Loaded current() {
        return served.loaded();
    }

    /** @return the last refused edit, if the folder has not loaded since */
    Optional<LoadError> lastError() {
        return lastError;
    }

    /**
     * A gateway's snapshot.
     *
     * @param gatewayId the gateway
     * @return what it is sent
     */
    Snapshot servedTo(String gatewayId) {
        Served now = served;
        return now.cuts().computeIfAbsent(gatewayId, now.loaded().snapshot()::servedTo);
    }

    /**
     * Waits until a gateway's snapshot has a revision other than the one it has, or the time is up.
     *
     * @param gatewayId the gateway
     * @param known     the revision the gateway has (from {@code If-None-Match})
     * @param wait      the longest time to wait
     * @return the gateway's snapshot now: a new revision, or the known one if the time ran out
     * @throws InterruptedException if interrupted while waiting
     */
    Snapshot awaitChange(String gatewayId, String known, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (true) {
                Snapshot snapshot = servedTo(gatewayId);
                long left = deadline - System.nanoTime();
                if (!snapshot.revision().equals(known) || left <= 0 || closed) {
                    return snapshot;
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (watcher != null) {
            watcher.close();
        }
    }
}
