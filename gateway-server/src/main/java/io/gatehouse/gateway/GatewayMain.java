package io.gatehouse.gateway;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.service.registry.Services;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.gatehouse.config.ApiOpsReader;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigProblem;
import io.gatehouse.config.Snapshot;
import io.gatehouse.config.SnapshotSink;
import io.gatehouse.federation.BackupKey;
import io.gatehouse.federation.FederationClient;
import io.gatehouse.federation.FederationSettings;
import io.gatehouse.federation.GatewayToken;
import io.gatehouse.policy.engine.CompilerOptions;
import io.gatehouse.policy.engine.GatewayServices;
import io.gatehouse.policy.engine.LocalCounterStore;
import io.gatehouse.policy.engine.LocalValueCache;
import io.gatehouse.policy.engine.PluginLoader;
import io.gatehouse.policy.engine.PolicyRegistry;
import io.gatehouse.policy.engine.SnapshotCompiler;
import io.gatehouse.policy.spi.CounterStore;
import io.gatehouse.policy.spi.ValueCache;
import io.gatehouse.telemetry.Telemetry;
import io.gatehouse.telemetry.TelemetrySettings;

/**
 * The gateway's command line: {@code run} serves, {@code validate} checks a folder as {@code nginx -t} does. Wires
 * the parts by hand; reading it top to bottom shows how the gateway is put together.
 */
@Command(name = "gatehouse",
         mixinStandardHelpOptions = true,
         description = "Gatehouse API gateway",
         subcommands = {GatewayMain.Run.class, GatewayMain.Validate.class})
public final class GatewayMain {

    /**
     * Helidon's wire logs, which print requests as they arrive and leave (prologue with the query, every header, the
     * bytes): subscription keys and credentials included. Kept at INFO whatever {@code telemetry.logs.std.level} says;
     * held here because java.util.logging holds loggers weakly and would forget the level.
     */
    private static final List<Logger> WIRE_LOGGERS = List.of(
            Logger.getLogger("io.helidon.webserver.http1.Http1LoggingConnectionListener"),
            Logger.getLogger("io.helidon.webclient.http1"));

    /** Spans export dropped rather than make a request wait; on Prometheus {@code gatehouse_telemetry_spans_dropped_total}. */
    static final String DROPPED_SPANS = "gatehouse.telemetry.spans.dropped";

    private GatewayMain() {
    }

    /**
     * Runs the command line.
     *
     * @param args arguments
     */
    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$-7s %3$s: %5$s%6$s%n");
        }
        Gateway.fixMapperManager();
        int code = execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Runs a command and returns its exit code, without exiting.
     *
     * @param args arguments
     * @return 0 on success, 1 for an invalid folder, 2 for bad usage or settings
     */
    static int execute(String... args) {
        return new CommandLine(new GatewayMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    /** Options shared by run and validate. */
    static class SettingsOptions {
        @Option(names = "--env-file", paramLabel = "FILE", description = "key=value settings, as docker --env-file")
        Path envFile;

        @Option(names = "--settings", paramLabel = "FILE", description = "YAML settings file")
        Path settingsFile;

        Settings load(Map<String, String> overrides) throws SettingsException {
            return Settings.load(System.getenv(), Optional.ofNullable(settingsFile), Optional.ofNullable(envFile),
                                 overrides);
        }
    }

    /** The compiler with the built-in policies only (tests, embedding). */
    static SnapshotCompiler compiler(Settings settings) {
        return compiler(settings, PolicyRegistry.load(GatewayMain.class.getClassLoader()));
    }

    static SnapshotCompiler compiler(Settings settings, PolicyRegistry registry) {
        CompilerOptions.UnknownElements unknown = settings.string(SettingKey.POLICY_UNKNOWN_ELEMENTS).equals("skip")
                ? CompilerOptions.UnknownElements.SKIP
                : CompilerOptions.UnknownElements.REFUSE;
        return new SnapshotCompiler(registry, new CompilerOptions(unknown, settings.policySettings()));
    }

    /**
     * The built-in policies plus the plugins in {@code policy.plugins.path} (by default {@code plugins/} beside the
     * served folder, if there is one, else beside the installation's {@code lib/}).
     *
     * @param settings the settings
     * @return the registry
     * @throws SettingsException naming each plugin that cannot be loaded and why
     */
    static PolicyRegistry registry(Settings settings) throws SettingsException {
        Optional<String> configured = settings.optional(SettingKey.POLICY_PLUGINS_PATH);
        // Unset: plugins/ beside the served folder if there is one, else plugins/ beside the installation's lib/.
        Optional<Path> besideConfig = settings.optional(SettingKey.CONFIG_LOCAL_PATH)
                .map(folder -> Path.of(folder).toAbsolutePath().normalize().resolveSibling("plugins"))
                .filter(Files::isDirectory);
        Path directory = configured.map(Path::of).or(() -> besideConfig).orElseGet(GatewayMain::installedPlugins);
        if (configured.isPresent() && !Files.isDirectory(directory)) {
            throw new SettingsException("policy.plugins.path (from " + settings.source(SettingKey.POLICY_PLUGINS_PATH)
                    + "): " + directory + " is not a directory");
        }
        Set<String> overrides = Arrays.stream(settings.string(SettingKey.POLICY_PLUGINS_OVERRIDE).split(","))
                .map(String::trim).filter(v -> !v.isEmpty()).collect(Collectors.toSet());
        try {
            return PluginLoader.load(GatewayMain.class.getClassLoader(), directory, overrides);
        } catch (PluginLoader.PluginException e) {
            throw new SettingsException("policy plugins in " + directory + " cannot be loaded:\n  "
                    + String.join("\n  ", e.problems()));
        }
    }

    /** {@code plugins/} beside the {@code lib/} this gateway runs from. */
    private static Path installedPlugins() {
        try {
            Path jar = Path.of(GatewayMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path parent = jar.getParent();
            return parent == null || parent.getParent() == null ? Path.of("plugins")
                    : parent.getParent().resolve("plugins");
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return Path.of("plugins");
        }
    }


    /** {@code run}: serve until stopped. */
    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the gateway")
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin
        SettingsOptions options = new SettingsOptions();

        @Option(names = "--config", paramLabel = "DIR", description = "APIOps folder to serve (config.local.path)")
        Path config;

        @Option(names = "--port", paramLabel = "PORT", description = "HTTP port (net.server.http.port)")
        Integer port;

        @Override
        public Integer call() throws Exception {
            System.Logger log = System.getLogger(GatewayMain.class.getName());
            Map<String, String> overrides = new HashMap<>();
            if (config != null) {
                overrides.put(SettingKey.CONFIG_LOCAL_PATH.key(), config.toString());
            }
            if (port != null) {
                overrides.put(SettingKey.NET_SERVER_HTTP_PORT.key(), port.toString());
            }
            Settings settings;
            try {
                settings = options.load(overrides);
            } catch (SettingsException e) {
                System.err.println("gatehouse: " + e.getMessage());
                return 2;
            }
            configureLogging(settings);
            if (settings.optional(SettingKey.CONFIG_SERVICE_ENDPOINT).isPresent()) {
                return federated(settings, log);
            }
            Optional<String> folder = settings.optional(SettingKey.CONFIG_LOCAL_PATH);
            if (folder.isEmpty()) {
                System.err.println("gatehouse: nothing to serve: set config.local.path (or --config DIR) to an APIOps"
                        + " folder, for example examples/quickstart, or config.service.endpoint and config.service.auth"
                        + " to a management plane");
                return 2;
            }
            Path dir = Path.of(folder.get());
            if (!Files.isDirectory(dir)) {
                System.err.println("gatehouse: config.local.path (from " + settings.source(SettingKey.CONFIG_LOCAL_PATH)
                        + "): " + dir + " is not a directory");
                return 2;
            }
            SnapshotCompiler compiler;
            try {
                compiler = compiler(settings, registry(settings));
            } catch (SettingsException e) {
                System.err.println("gatehouse: " + e.getMessage());
                return 2;
            }
            String name = settings.optional(SettingKey.GATEWAY_NAME).orElse("gatehouse");
            Telemetry telemetry;
            try {
                telemetry = telemetry(settings, name, name + "-" + ProcessHandle.current().pid());
            } catch (IllegalArgumentException e) {
                System.err.println("gatehouse: " + e.getMessage());
                return 2;
            }
            RequestObserver observer = observer(settings, telemetry);
            Clock clock = Clock.systemUTC();
            GatewayServices services = services(settings, clock, observer);
            Gateway gateway = new Gateway(settings, services, observer);
            LocalFolderSource source = new LocalFolderSource(dir, settings.optional(SettingKey.GATEWAY_NAME), compiler,
                                                             gateway);
            try {
                source.loadInitial();
            } catch (ConfigException e) {
                System.err.println("gatehouse: " + dir + " cannot be served:");
                e.problems().forEach(p -> System.err.println("  " + p));
                return 1;
            }
            gateway.start(settings.string(SettingKey.NET_SERVER_HTTP_HOST), settings.integer(SettingKey.NET_SERVER_HTTP_PORT));
            if (settings.bool(SettingKey.CONFIG_LOCAL_WATCH)) {
                source.watch();
            }
            return serveUntilStopped(settings, gateway, () -> {
                source.close();
                close(services);
                telemetry.close();
            }, log);
        }

        /** Federated: the management plane's snapshots, after the backup (or the local folder) at start. */
        private Integer federated(Settings settings, System.Logger log) throws InterruptedException {
            FederationSettings federation;
            try {
                federation = federationSettings(settings);
            } catch (SettingsException e) {
                System.err.println("gatehouse: " + e.getMessage());
                return 2;
            }
            Optional<String> name = settings.optional(SettingKey.GATEWAY_NAME);
            if (name.isPresent() && !name.get().equals(federation.gatewayId())) {
                System.err.println("gatehouse: gateway.name (from " + settings.source(SettingKey.GATEWAY_NAME) + ") is '"
                        + name.get() + "' but config.service.auth is a token for gateway '" + federation.gatewayId()
                        + "'; leave gateway.name unset or make them agree");
                return 2;
            }
            Settings named = settings.with(SettingKey.GATEWAY_NAME, federation.gatewayId());
            SnapshotCompiler compiler;
            try {
                compiler = compiler(named, registry(named));
            } catch (SettingsException e) {
                System.err.println("gatehouse: " + e.getMessage());
                return 2;
            }
            AtomicReference<Gateway> target = new AtomicReference<>();
            SnapshotSink sink = snapshot -> target.get().activate(CompiledSnapshot.compile(
                    snapshot, compiler, GatewayMain::warn, target.get().activeSnapshot()));
            FederationClient client = new FederationClient(federation, sink, Clock.systemUTC());
            Telemetry telemetry;
            try {
                telemetry = telemetry(named, federation.gatewayId(), client.nodeId());
            } catch (IllegalArgumentException e) {
                System.err.println("gatehouse: " + e.getMessage());
                return 2;
            }
            RequestObserver observer = observer(named, telemetry);
            Clock clock = Clock.systemUTC();
            GatewayServices services = services(named, clock, observer);
            Gateway gateway = new Gateway(named, services, observer);
            target.set(gateway);
            gateway.observer().gauge("gatehouse.sync.failures", "Failed configuration checks since start",
                                     client::syncFailures);
            gateway.observer().gauge("gatehouse.sync.last.success.age.seconds",
                                     "Seconds since the management plane last answered (-1: never)",
                                     () -> client.status().lastSyncAt()
                                             .map(t -> Duration.between(t, Instant.now()).toSeconds()).orElse(-1L));
            gateway.statusDetail(() -> client.status().toJson());
            boolean fromBackup = client.loadBackup();
            Optional<String> folder = settings.optional(SettingKey.CONFIG_LOCAL_PATH);
            if (!fromBackup && folder.isPresent()) {
                // Start order, as Kong documents it: a valid backup, else the local folder, else nothing (not ready).
                try {
                    CompiledSnapshot local = LocalFolderSource.load(Path.of(folder.get()), Optional.empty(), compiler,
                                                                    GatewayMain::warn);
                    gateway.activate(local);
                    client.servingFallback(local.snapshot().revision());
                    log.log(System.Logger.Level.INFO, "serving the local folder " + folder.get()
                            + " until the management plane answers");
                } catch (ConfigException e) {
                    log.log(System.Logger.Level.ERROR, "the fallback folder " + folder.get() + " (config.local.path)"
                            + " cannot be served:\n  " + e.getMessage().replace("\n", "\n  "));
                }
            }
            client.start();
            gateway.start(named.string(SettingKey.NET_SERVER_HTTP_HOST), named.integer(SettingKey.NET_SERVER_HTTP_PORT));
            log.log(System.Logger.Level.INFO, "gateway '" + federation.gatewayId() + "' (node " + client.nodeId()
                    + ") syncing with " + federation.endpoint() + (federation.watch() ? " (watching)" : "")
                    + "; backup at " + client.backupFile());
            return serveUntilStopped(named, gateway, () -> {
                client.close();
                close(services);
                telemetry.close();
            }, log);
        }

        private static Integer serveUntilStopped(Settings settings, Gateway gateway, AutoCloseable source,
                                                 System.Logger log) throws InterruptedException {
            CountDownLatch stopped = new CountDownLatch(1);
            Duration drain = Duration.ofSeconds(settings.integer(SettingKey.GATEWAY_DRAIN_TIMEOUT));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                // java.util.logging shuts down in its own hook, so these lines go to stderr directly.
                printToStderr(settings, Level.INFO, "stopping; requests in flight get up to " + drain.toSeconds() + " s");
                try {
                    source.close();
                } catch (Exception e) {
                    printToStderr(settings, Level.WARNING, "closing the configuration source: " + e);
                }
                gateway.drainAndStop(drain);
                printToStderr(settings, Level.INFO, "stopped");
                stopped.countDown();
            }, "gatehouse-shutdown"));
            log.log(System.Logger.Level.INFO, "Gatehouse listening on http://" + settings.string(SettingKey.NET_SERVER_HTTP_HOST)
                    + ":" + gateway.port() + gateway.managementPort().map(p -> "; metrics on http://"
                    + settings.string(SettingKey.NET_SERVER_MANAGEMENT_HOST) + ":" + p + "/observe/metrics").orElse(""));
            stopped.await();
            return 0;
        }
    }

    /**
     * The services policies share: the counters, the internal cache and, with {@code policy.cache.redis.url}, the
     * external one.
     *
     * @param settings the settings
     * @param clock    the gateway's clock
     * @param observer told of decisions made without Redis, and whether Redis answers
     * @return the services; {@link #close(GatewayServices) close} them when the gateway stops
     */
    static GatewayServices services(Settings settings, Clock clock, RequestObserver observer) {
        CounterStore counters = counters(settings, clock, observer);
        Optional<ValueCache> external = settings.optional(SettingKey.POLICY_CACHE_REDIS_URL)
                .map(url -> new RedisValueCache(RedisEndpoint.parse(url),
                                                settings.duration(SettingKey.POLICY_CACHE_REDIS_TIMEOUT),
                                                settings.duration(SettingKey.POLICY_CACHE_REDIS_RETRY_INTERVAL),
                                                settings.string(SettingKey.POLICY_CACHE_REDIS_KEY_PREFIX)));
        return new GatewayServices(counters, clock,
                                   new LocalValueCache(clock, settings.integer(SettingKey.POLICY_CACHE_INTERNAL_MAX_ENTRIES)),
                                   external);
    }

    /**
     * Closes the services' connections to Redis, if they have any.
     *
     * @param services the services
     */
    static void close(GatewayServices services) {
        close(services.counters());
        services.external().ifPresent(cache -> {
            if (cache instanceof RedisValueCache redis) {
                redis.close();
            }
        });
    }

    /**
     * The rate-limit and quota counters: this process's own, or, with {@code policy.counters.redis.url}, Redis shared
     * with every gateway that uses it. A Redis that does not answer does not stop the gateway from starting.
     *
     * @param settings the settings
     * @param clock    the gateway's clock
     * @param observer told of decisions made without Redis, and whether Redis answers
     * @return the store; {@link #close(CounterStore) close} it when the gateway stops
     */
    static CounterStore counters(Settings settings, Clock clock, RequestObserver observer) {
        Optional<String> url = settings.optional(SettingKey.POLICY_COUNTERS_REDIS_URL);
        if (url.isEmpty()) {
            return new LocalCounterStore(clock);
        }
        RedisCounterStore.FailureMode mode = settings.string(SettingKey.POLICY_COUNTERS_REDIS_FAILURE_MODE).trim()
                .equals("closed") ? RedisCounterStore.FailureMode.CLOSED : RedisCounterStore.FailureMode.OPEN;
        RedisCounterStore store = RedisCounterStore.connect(
                new RedisCounterStore.Options(RedisEndpoint.parse(url.get()),
                                              settings.duration(SettingKey.POLICY_COUNTERS_REDIS_TIMEOUT),
                                              settings.duration(SettingKey.POLICY_COUNTERS_REDIS_RETRY_INTERVAL),
                                              settings.integer(SettingKey.POLICY_COUNTERS_REDIS_POOL_SIZE),
                                              settings.string(SettingKey.POLICY_COUNTERS_REDIS_KEY_PREFIX),
                                              mode),
                clock, observer::counterDegraded);
        observer.counterStore(store::shared);
        return store;
    }

    /**
     * Closes a counter store's connections, if it has any.
     *
     * @param counters the store
     */
    static void close(CounterStore counters) {
        if (counters instanceof RedisCounterStore redis) {
            redis.close();
        }
    }

    /**
     * Starts telemetry from the settings ({@code observability.*}, {@code APPLICATIONINSIGHTS_CONNECTION_STRING} and
     * the standard {@code OTEL_*} variables).
     *
     * @param settings  the settings
     * @param gatewayId the gateway id, a resource attribute
     * @param nodeId    this process, a resource attribute
     * @return the telemetry
     * @throws IllegalArgumentException if the settings do not add up, saying why
     */
    static Telemetry telemetry(Settings settings, String gatewayId, String nodeId) {
        Optional<String> appInsights = settings.optional(SettingKey.OBSERVABILITY_APPLICATIONINSIGHTS_CONNECTION_STRING)
                .or(() -> Optional.ofNullable(System.getenv("APPLICATIONINSIGHTS_CONNECTION_STRING"))
                        .filter(v -> !v.isBlank()));
        String version = Optional.ofNullable(GatewayMain.class.getPackage().getImplementationVersion()).orElse("dev");
        return Telemetry.start(new TelemetrySettings(settings.bool(SettingKey.OBSERVABILITY_OPENTELEMETRY_ENABLED),
                                                     settings.optional(SettingKey.OBSERVABILITY_OPENTELEMETRY_COLLECTOR_URI)
                                                             .map(SettingKey::endpoint),
                                                     appInsights,
                                                     buckets(settings),
                                                     version, gatewayId, nodeId,
                                                     settings.string(SettingKey.GATEWAY_REGION)),
                               System.getenv());
    }

    private static List<Double> buckets(Settings settings) {
        return SettingKey.parseBuckets(settings.string(SettingKey.OBSERVABILITY_OPENTELEMETRY_HISTOGRAM_BUCKETS));
    }

    /**
     * What observes requests: spans and metrics through the telemetry, Prometheus meters (with the telemetry's
     * dropped spans), and the access log when logs are JSON.
     *
     * @param settings  the settings
     * @param telemetry the telemetry
     * @return the observer
     */
    static RequestObserver observer(Settings settings, Telemetry telemetry) {
        AccessLog access = settings.string(SettingKey.TELEMETRY_LOGS_STD).equals("json") ? AccessLog.to(System.out)
                : AccessLog.off();
        MeterRegistry registry = Services.get(MeterRegistry.class);
        // The process's telemetry: a meter left by an earlier one (tests start several) would read the wrong count.
        registry.remove(DROPPED_SPANS, List.of());
        registry.getOrCreate(FunctionalCounter.builder(DROPPED_SPANS, telemetry, Telemetry::droppedSpans)
                                     .description("Spans dropped because too many were waiting for export"));
        return new RequestObserver(telemetry, registry, access, buckets(settings));
    }

    /**
     * Applies {@code telemetry.logs.std} (text, json or none) and {@code telemetry.logs.std.level} to the JDK's
     * logging, which everything in the gateway logs through; Helidon's wire logs stay off at every level.
     *
     * @param settings the settings
     */
    static void configureLogging(Settings settings) {
        Level level = switch (settings.string(SettingKey.TELEMETRY_LOGS_STD_LEVEL).toLowerCase(Locale.ROOT)) {
            case "all" -> Level.ALL;
            case "debug" -> Level.FINE;
            case "warn" -> Level.WARNING;
            case "error", "fatal" -> Level.SEVERE;
            default -> Level.INFO;
        };
        Logger root = Logger.getLogger("");
        root.setLevel(level);
        WIRE_LOGGERS.forEach(wire -> wire.setLevel(Level.INFO));
        String mode = settings.string(SettingKey.TELEMETRY_LOGS_STD);
        for (Handler handler : root.getHandlers()) {
            if (mode.equals("none")) {
                root.removeHandler(handler);
                continue;
            }
            handler.setLevel(level);
            if (mode.equals("json")) {
                handler.setFormatter(new JsonLogFormatter());
            }
        }
    }

    /**
     * A line on standard error, bypassing java.util.logging but in the form {@code telemetry.logs.std} asks for: a
     * JSON object with json (so every line of a JSON log parses), nothing with none, plain text otherwise.
     */
    static void printToStderr(Settings settings, Level level, String message) {
        String mode = settings.string(SettingKey.TELEMETRY_LOGS_STD);
        if (mode.equals("json")) {
            LogRecord record = new LogRecord(level, message);
            record.setLoggerName(GatewayMain.class.getName());
            System.err.print(new JsonLogFormatter().format(record));
        } else if (!mode.equals("none")) {
            System.err.println("gatehouse: " + message);
        }
    }

    private static void warn(ConfigProblem problem) {
        System.getLogger(GatewayMain.class.getName()).log(System.Logger.Level.WARNING, problem.toString());
    }

    /**
     * Reads the federation settings, checking the token and the backup key without ever echoing them.
     *
     * @param settings the settings
     * @return the federation settings
     * @throws SettingsException naming the setting that is wrong
     */
    static FederationSettings federationSettings(Settings settings) throws SettingsException {
        Optional<String> auth = settings.optional(SettingKey.CONFIG_SERVICE_AUTH);
        if (auth.isEmpty()) {
            throw new SettingsException("config.service.endpoint is set (from "
                    + settings.source(SettingKey.CONFIG_SERVICE_ENDPOINT) + ") but config.service.auth is not: set it"
                    + " to the gateway token (./gatehouse token --gateway ID)");
        }
        GatewayToken token;
        try {
            token = GatewayToken.parse(auth.get());
        } catch (IllegalArgumentException e) {
            throw new SettingsException("config.service.auth (from " + settings.source(SettingKey.CONFIG_SERVICE_AUTH)
                    + ") is not a gateway token 'GatewayKey <id>&<yyyyMMddHHmm>&<signature>': " + e.getMessage());
        }
        Optional<BackupKey> backupKey;
        try {
            backupKey = settings.optional(SettingKey.CONFIG_BACKUP_KEY)
                    .map(k -> BackupKey.fromSetting(k, "config.backup.key (from "
                            + settings.source(SettingKey.CONFIG_BACKUP_KEY) + ")"));
        } catch (IllegalArgumentException e) {
            throw new SettingsException(e.getMessage());
        }
        String version = Optional.ofNullable(GatewayMain.class.getPackage().getImplementationVersion()).orElse("dev");
        return new FederationSettings(SettingKey.endpoint(settings.string(SettingKey.CONFIG_SERVICE_ENDPOINT)),
                                      token,
                                      settings.bool(SettingKey.CONFIG_SERVICE_ENDPOINT_DISABLE_CERTIFICATE_VALIDATION),
                                      settings.bool(SettingKey.CONFIG_SERVICE_WATCH),
                                      settings.duration(SettingKey.CONFIG_SERVICE_POLL_INTERVAL),
                                      settings.duration(SettingKey.CONFIG_SERVICE_WATCH_TIMEOUT),
                                      settings.duration(SettingKey.CONFIG_SERVICE_HEARTBEAT_INTERVAL),
                                      settings.duration(SettingKey.CONFIG_SERVICE_INTEGRATION_TIMEOUT),
                                      Path.of(settings.string(SettingKey.CONFIG_BACKUP_PATH)),
                                      backupKey,
                                      version);
    }

    /** {@code validate DIR}: every problem of a folder, without serving it. */
    @Command(name = "validate", mixinStandardHelpOptions = true,
             description = "Check an APIOps folder and list every problem; exit 1 if there is any")
    static final class Validate implements Callable<Integer> {
        @CommandLine.Mixin
        SettingsOptions options = new SettingsOptions();

        @Parameters(paramLabel = "DIR", description = "APIOps folder")
        Path folder;

        @Option(names = "--gateway", paramLabel = "NAME", description = "check only the APIs assigned to this gateway")
        String gatewayName;

        @Override
        public Integer call() {
            Settings settings;
            PolicyRegistry registry;
            try {
                settings = options.load(Map.of());
                registry = registry(settings);
            } catch (SettingsException e) {
                System.err.println("gatehouse: " + e.getMessage());
                return 2;
            }
            List<ConfigProblem> warnings = new ArrayList<>();
            Optional<String> name = Optional.ofNullable(gatewayName).or(() -> settings.optional(SettingKey.GATEWAY_NAME));
            // Read what can be read, then compile the policies of that, so one run lists the problems of every file.
            ApiOpsReader.Partial partial = ApiOpsReader.readPartial(folder, warnings::add);
            List<ConfigProblem> problems = new ArrayList<>(partial.problems());
            Snapshot snapshot = partial.snapshot();
            CompiledSnapshot compiled = null;
            try {
                if (name.isPresent()) {
                    snapshot = snapshot.forGateway(name.get());
                }
                compiled = CompiledSnapshot.compile(snapshot, compiler(settings, registry), warnings::add);
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
            warnings.forEach(w -> System.out.println("warning: " + w));
            if (problems.isEmpty() && compiled != null) {
                System.out.println(folder + ": OK, " + compiled.describe());
                return 0;
            }
            problems.forEach(p -> System.out.println(p.toString()));
            System.out.println(folder + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems"));
            return 1;
        }
    }
}
