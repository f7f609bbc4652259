package io.gatehouse.gateway;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

import io.gatehouse.config.ApiOpsReader;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigProblem;
import io.gatehouse.config.FolderWatcher;
import io.gatehouse.config.Snapshot;
import io.gatehouse.config.SpecCache;
import io.gatehouse.policy.engine.SnapshotCompiler;

/**
 * Serves an APIOps folder: reads and compiles it, and, when watching, does so again after every edit. An edit that
 * does not read or compile is refused whole and logged with each file and reason; the snapshot already being served
 * stays.
 */
final class LocalFolderSource implements AutoCloseable {

    private static final System.Logger LOGGER = System.getLogger(LocalFolderSource.class.getName());

    private final Path folder;
    private final Optional<String> gatewayName;
    private final SnapshotCompiler compiler;
    private final Gateway gateway;
    /** The specifications the last reads parsed: a reload parses only those that changed. */
    private final SpecCache specs = new SpecCache();
    private FolderWatcher watcher;

    LocalFolderSource(Path folder, Optional<String> gatewayName, SnapshotCompiler compiler, Gateway gateway) {
        this.folder = folder;
        this.gatewayName = gatewayName;
        this.compiler = compiler;
        this.gateway = gateway;
    }

    /**
     * Reads, compiles and checks a folder without serving it.
     *
     * @param folder      the folder
     * @param gatewayName the gateway whose assigned APIs to keep, if any
     * @param compiler    the compiler
     * @param warnings    receives warnings
     * @return the compiled snapshot
     * @throws ConfigException listing every problem
     */
    static CompiledSnapshot load(Path folder, Optional<String> gatewayName, SnapshotCompiler compiler,
                                 Consumer<ConfigProblem> warnings) throws ConfigException {
        return load(folder, gatewayName, compiler, warnings, Optional.empty(), new SpecCache());
    }

    private static CompiledSnapshot load(Path folder, Optional<String> gatewayName, SnapshotCompiler compiler,
                                         Consumer<ConfigProblem> warnings, Optional<CompiledSnapshot> previous,
                                         SpecCache specs)
            throws ConfigException {
        Snapshot snapshot = ApiOpsReader.read(folder, warnings, specs);
        if (gatewayName.isPresent()) {
            snapshot = snapshot.forGateway(gatewayName.get());
        }
        return CompiledSnapshot.compile(snapshot, compiler, warnings, previous);
    }

    /**
     * Loads the folder once and serves it.
     *
     * @throws ConfigException if the folder does not load
     */
    void loadInitial() throws ConfigException {
        CompiledSnapshot snapshot = load(folder, gatewayName, compiler, LocalFolderSource::warn, Optional.empty(), specs);
        gateway.activate(snapshot);
        LOGGER.log(System.Logger.Level.INFO, "serving " + folder + ", " + snapshot.describe());
    }

    /**
     * Watches the folder for edits.
     *
     * @throws IOException if the folder cannot be watched
     */
    void watch() throws IOException {
        watcher = FolderWatcher.start(folder, Duration.ofMillis(300), this::reload);
    }

    /** Reads the folder again; serves the result if it is valid and different. */
    void reload() {
        try {
            CompiledSnapshot snapshot = load(folder, gatewayName, compiler, LocalFolderSource::warn,
                                             gateway.activeSnapshot(), specs);
            String previous = gateway.activeSnapshot().map(s -> s.snapshot().revision()).orElse("");
            if (previous.equals(snapshot.snapshot().revision())) {
                return;
            }
            gateway.activate(snapshot);
            LOGGER.log(System.Logger.Level.INFO, "configuration changed; now serving " + snapshot.describe());
        } catch (ConfigException e) {
            String serving = gateway.activeSnapshot().map(s -> s.snapshot().revision()).orElse("nothing");
            LOGGER.log(System.Logger.Level.ERROR, "edit in " + folder + " refused, still serving revision " + serving
                    + ":\n  " + e.getMessage().replace("\n", "\n  "));
        }
    }

    private static void warn(ConfigProblem problem) {
        LOGGER.log(System.Logger.Level.WARNING, problem.toString());
    }

    @Override
    public void close() throws IOException {
        if (watcher != null) {
            watcher.close();
        }
    }
}
