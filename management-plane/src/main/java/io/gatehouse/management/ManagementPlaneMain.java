package io.gatehouse.management;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.gatehouse.config.ConfigException;
import io.gatehouse.config.Gateway;
import io.gatehouse.federation.GatewayToken;
import io.gatehouse.federation.PrivateFile;

/**
 * The management plane's command line: {@code management-plane} serves an artifacts folder to gateways,
 * {@code token} issues a gateway token (and, with {@code --env-file}, a ready {@code env.conf}).
 */
@Command(name = "gatehouse",
         mixinStandardHelpOptions = true,
         description = "Gatehouse management plane",
         subcommands = {ManagementPlaneMain.Serve.class, ManagementPlaneMain.Token.class})
public final class ManagementPlaneMain {

    /** The keys file used when none is given. */
    static final String DEFAULT_KEYS = "gateway-keys.json";

    private ManagementPlaneMain() {
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
        int code = execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Runs a command and returns its exit code.
     *
     * @param args arguments
     * @return the exit code
     */
    static int execute(String... args) {
        return new CommandLine(new ManagementPlaneMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    /** {@code management-plane}: serve until stopped. */
    @Command(name = "management-plane", mixinStandardHelpOptions = true,
             description = "Serve an APIOps folder to gateways, record their heartbeats, show their status")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--artifacts", required = true, paramLabel = "DIR", description = "APIOps folder to serve")
        Path artifactsDir;

        @Option(names = "--port", paramLabel = "PORT", defaultValue = "8081", description = "HTTP port (default: 8081)")
        int port;

        @Option(names = "--host", paramLabel = "HOST", defaultValue = "0.0.0.0", description = "address to bind")
        String host;

        @Option(names = "--keys", paramLabel = "FILE", defaultValue = DEFAULT_KEYS,
                description = "the gateways' keys file, created if missing (default: ./" + DEFAULT_KEYS + ")")
        Path keysFile;

        @Override
        public Integer call() throws Exception {
            System.Logger log = System.getLogger(ManagementPlaneMain.class.getName());
            if (!Files.isDirectory(artifactsDir)) {
                System.err.println("gatehouse: --artifacts " + artifactsDir + " is not a directory");
                return 2;
            }
            Path keysPath = keysFile.toAbsolutePath().normalize();
            if (isInside(keysPath, artifactsDir)) {
                // The folder is what gateways are served and what operators commit: keys there would be shared.
                System.err.println("gatehouse: the keys file " + keysPath + " must not be inside the artifacts folder "
                        + artifactsDir.toRealPath() + "; keep it elsewhere (--keys FILE)");
                return 2;
            }
            Artifacts artifacts = new Artifacts(artifactsDir, Clock.systemUTC());
            try {
                artifacts.load();
            } catch (ConfigException e) {
                System.err.println("gatehouse: " + artifactsDir + " cannot be served:");
                e.problems().forEach(p -> System.err.println("  " + p));
                return 1;
            }
            GatewayKeys keys;
            try {
                keys = GatewayKeys.open(keysPath);
                List<String> created = keys.ensure(artifacts.current().snapshot().gateways().stream().map(Gateway::id)
                                                           .toList());
                if (!created.isEmpty()) {
                    log.log(System.Logger.Level.INFO, "created keys for gateways " + created + " in " + keysPath);
                }
            } catch (IOException e) {
                System.err.println("gatehouse: " + e.getMessage());
                return 2;
            }
            ManagementPlane plane = new ManagementPlane(artifacts, keys, new Nodes(Clock.systemUTC())).start(host, port);
            artifacts.watch();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    plane.close();
                } catch (IOException e) {
                    System.err.println("gatehouse: stopping the management plane: " + e);
                }
                stopped.countDown();
            }, "gatehouse-management-plane-shutdown"));
            log.log(System.Logger.Level.INFO, "Gatehouse management plane serving " + artifactsDir + " (revision "
                    + artifacts.current().snapshot().revision() + ") on http://" + host + ":" + plane.port()
                    + "; status page at /");
            stopped.await();
            return 0;
        }
    }

    /**
     * Whether a file is inside a folder however either is spelled ({@code .}, {@code ..}, symbolic links); the file
     * need not exist yet.
     *
     * @param file   the file
     * @param folder an existing folder
     * @return whether the file is in the folder or below it
     * @throws IOException if the folder or an ancestor of the file cannot be resolved
     */
    static boolean isInside(Path file, Path folder) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        Path real = existing == null ? absolute : existing.toRealPath().resolve(existing.relativize(absolute));
        return real.startsWith(folder.toRealPath());
    }

    /** Which of a gateway's keys signs a token. */
    enum KeyChoice {
        /** the primary key */
        PRIMARY,
        /** the secondary key */
        SECONDARY
    }

    /** {@code token}: print a gateway token, or write an env.conf. */
    @Command(name = "token", mixinStandardHelpOptions = true,
             description = "Issue a gateway token (GatewayKey id&expiry&signature) for config.service.auth")
    static final class Token implements Callable<Integer> {
        @Option(names = "--gateway", required = true, paramLabel = "ID", description = "the gateway id")
        String gatewayId;

        @Option(names = "--expiry", paramLabel = "DURATION", defaultValue = "30d",
                description = "how long the token is valid: 30d, 12h, 90m or ISO-8601 (P7D); at most 30 days")
        String expiry;

        @Option(names = "--key", paramLabel = "primary|secondary", defaultValue = "primary",
                description = "which of the gateway's keys signs the token")
        KeyChoice key;

        @Option(names = "--keys", paramLabel = "FILE", defaultValue = DEFAULT_KEYS,
                description = "the gateways' keys file (default: ./" + DEFAULT_KEYS + ")")
        Path keysFile;

        @Option(names = "--env-file", paramLabel = "FILE",
                description = "write config.service.endpoint and config.service.auth to FILE, for docker --env-file")
        Path envFile;

        @Option(names = "--endpoint", paramLabel = "URL", defaultValue = "http://localhost:8081",
                description = "the management plane's URL, as gateways reach it (for --env-file)")
        URI endpoint;

        @Override
        public Integer call() throws IOException {
            Duration validity;
            try {
                validity = parseDuration(expiry);
            } catch (IllegalArgumentException e) {
                System.err.println("gatehouse: --expiry: " + e.getMessage());
                return 2;
            }
            if (validity.compareTo(GatewayToken.MAX_VALIDITY) > 0 || validity.isNegative() || validity.isZero()) {
                System.err.println("gatehouse: --expiry " + expiry + ": a token is valid for at most 30 days");
                return 2;
            }
            if (!gatewayId.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                System.err.println("gatehouse: --gateway '" + gatewayId + "': use letters, digits, '.', '_' and '-'");
                return 2;
            }
            GatewayKeys keys = GatewayKeys.open(keysFile);
            if (!keys.ensure(List.of(gatewayId)).isEmpty()) {
                System.err.println("gatehouse: created keys for gateway '" + gatewayId + "' in " + keys.file());
            }
            GatewayKeys.Keys gatewayKeys = keys.of(gatewayId).orElseThrow();
            String signingKey = key == KeyChoice.PRIMARY ? gatewayKeys.primary() : gatewayKeys.secondary();
            // Rounded down to the minute, as the token carries it, so the token never outlives the asked validity.
            GatewayToken token = GatewayToken.issue(gatewayId, Instant.now().plus(validity), signingKey);
            if (envFile == null) {
                System.out.println(token.text());
                return 0;
            }
            String content = "# Gatehouse gateway '" + gatewayId + "': docker run --env-file " + envFile.getFileName()
                    + " ...\n# The token expires at " + token.expiry() + "; issue a new one before then.\n"
                    + "config.service.endpoint=" + endpoint + "\n"
                    + "config.service.auth=" + token.text() + "\n";
            // Mode 600 from the first byte: writing first and tightening after left the token readable by others.
            PrivateFile.write(envFile, content.getBytes(StandardCharsets.UTF_8));
            System.err.println("gatehouse: wrote " + envFile + " (token for '" + gatewayId + "', expires "
                    + token.expiry() + ")");
            return 0;
        }
    }

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*([dhm])");

    /**
     * Parses {@code 30d}, {@code 12h}, {@code 90m} or an ISO-8601 duration.
     *
     * @param text the text
     * @return the duration
     */
    static Duration parseDuration(String text) {
        Matcher m = SHORT_DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "d" -> Duration.ofDays(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofMinutes(amount);
            };
        }
        try {
            return Duration.parse(text.strip().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: use 30d, 12h, 90m or ISO-8601 (P7D)");
        }
    }
}
