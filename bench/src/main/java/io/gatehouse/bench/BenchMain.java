package io.gatehouse.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./gatehouse bench}: one command, one run, everything side by side on loopback. A fixed-response backend;
 * nginx as a plain reverse proxy with upstream keep-alive; Gatehouse without policies and with a realistic chain.
 * wrk drives each at the same concurrency; the table gives requests/s, p50 and p99, CPU time per request of the
 * proxy process (the most portable figure on a shared machine) and its RSS, and ratios against nginx. Then the same
 * chain with 10,000 APIs and 100,000 subscriptions against the 1-API case, and change-to-effect times through the
 * management plane. Every process started is stopped at the end, also on Ctrl-C, and the scratch folder removed (its
 * logs kept when something went wrong).
 */
public final class BenchMain {

    private static final Path ROOT = Path.of(System.getProperty("gatehouse.root", ".")).toAbsolutePath().normalize();
    private static final Path LIB = ROOT.resolve("distribution/target/gatehouse/lib");
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    private static final long CLOCK_TICKS = clockTicks();
    /** A later round's warm-up: its connections idled while the other targets ran; the JIT's work is done. */
    private static final int REWARM_SECONDS = 2;
    /** The JVM began to shut down (Ctrl-C, SIGTERM) before the run ended. */
    private static final AtomicBoolean INTERRUPTED = new AtomicBoolean();

    private final List<Process> processes = new ArrayList<>();
    private final Path work;
    private final int seconds;
    private final int warmup;
    private final int connections;
    private final int rounds;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final StringBuilder report = new StringBuilder();
    private final AtomicBoolean finished = new AtomicBoolean();
    /** Something went wrong that the report names (failed requests, a gateway that exited): the logs are kept. */
    private volatile boolean troubled;

    private BenchMain(Path work, int seconds, int warmup, int connections, int rounds) {
        this.work = work;
        this.seconds = seconds;
        this.warmup = warmup;
        this.connections = connections;
        this.rounds = rounds;
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code [--duration S] [--warmup S] [--connections N] [--rounds N] [--scenarios proxy,scale,propagation]};
     *             {@code --help} describes them
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new Options()).setExecutionExceptionHandler(BenchMain::failed).execute(args));
    }

    /**
     * How a run that threw ends. On Ctrl-C the targets die with the bench, so the measurement running then fails: that
     * is the interruption, not an error. The bench's own failures (a missing tool, a target that did not start) say
     * what went wrong in their message; anything else gets its stack trace.
     */
    private static int failed(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
        if (INTERRUPTED.get()) {
            return 130; // the clean-up has said so
        }
        if (e instanceof IllegalStateException || e instanceof IOException) {
            System.err.println("bench: " + e.getMessage());
        } else {
            e.printStackTrace();
        }
        return 1;
    }

    /** The command line; checked whole before anything starts, so a mistyped option never costs a benchmark run. */
    @Command(name = "gatehouse bench", sortOptions = false,
             description = "Load benchmark on loopback: the same backend direct, through nginx and through Gatehouse, side"
                     + " by side (wrk); 10,000 APIs against 1; config propagation. Results are printed and written to"
                     + " bench/results/. Needs the Debian packages nginx and wrk. `gatehouse bench jmh` runs the JMH"
                     + " microbenchmarks instead.")
    static final class Options implements Callable<Integer> {

        static final List<String> SCENARIOS = List.of("proxy", "scale", "propagation");

        @Spec
        private CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;

        @Option(names = "--duration", paramLabel = "S", defaultValue = "15",
                description = "seconds measured per target and round (default: ${DEFAULT-VALUE})")
        int duration;

        @Option(names = "--warmup", paramLabel = "S", defaultValue = "20",
                description = "seconds of warm-up before a target's first round (default: ${DEFAULT-VALUE})")
        int warmup;

        @Option(names = "--connections", paramLabel = "N", defaultValue = "50",
                description = "wrk's concurrent connections (default: ${DEFAULT-VALUE})")
        int connections;

        @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
                description = "rounds over the targets of a scenario; figures are their medians (default: ${DEFAULT-VALUE})")
        int rounds;

        @Option(names = "--scenarios", paramLabel = "NAME", split = ",", defaultValue = "proxy,scale,propagation",
                description = "which scenarios, comma-separated: proxy, scale, propagation (default: all)")
        List<String> scenarios;

        /** @throws ParameterException naming the option, for a value out of range or an unknown scenario */
        void validate() {
            atLeast("--duration", duration, 1);
            atLeast("--warmup", warmup, 0);
            atLeast("--connections", connections, 1);
            atLeast("--rounds", rounds, 1);
            for (String scenario : scenarios) {
                if (!SCENARIOS.contains(scenario)) {
                    throw new ParameterException(spec.commandLine(), "--scenarios: unknown scenario '" + scenario
                            + "'; choose from " + String.join(", ", SCENARIOS));
                }
            }
        }

        private void atLeast(String option, int value, int least) {
            if (value < least) {
                throw new ParameterException(spec.commandLine(), option + " must be at least " + least + ", got " + value);
            }
        }

        @Override
        public Integer call() throws Exception {
            validate();
            Path work = Files.createTempDirectory("gatehouse-bench");
            BenchMain bench = new BenchMain(work, duration, warmup, connections, rounds);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                INTERRUPTED.set(!bench.finished.get());
                bench.finish(false);
            }, "bench-cleanup"));
            boolean completed = false;
            try {
                bench.run(scenarios);
                completed = true;
            } finally {
                bench.finish(completed);
            }
            return 0;
        }
    }

    private void run(List<String> scenarios) throws Exception {
        for (String tool : List.of("/usr/sbin/nginx", "/usr/bin/wrk")) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw new IllegalStateException(tool + " is missing: install the Debian packages nginx and wrk");
            }
        }
        report.append("# Gatehouse benchmark, ").append(LocalDateTime.now().withNano(0)).append("\n\n")
                .append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, JDK ")
                .append(Runtime.version()).append("; wrk -t2 -c").append(connections).append(" -d").append(seconds)
                .append("s after ").append(warmup).append(" s of warm-up, all on loopback, all sharing the cores. ")
                .append(rounds).append(" rounds: the targets of a scenario run side by side and are measured in turn, each ")
                .append("round after a ").append(REWARM_SECONDS).append(" s re-warm-up; figures are medians over the rounds,")
                .append(" ratios the median (and range) of each round's ratio.\n");
        int backendPort = freePort();
        Process backend = start("backend", List.of(JAVA, "-Xmx256m", "-cp", LIB + "/*", "io.gatehouse.demo.DemoBackend",
                                                   "--port", Integer.toString(backendPort)));
        awaitHttp("http://127.0.0.1:" + backendPort + "/fixed", backend);
        if (scenarios.contains("proxy")) {
            proxyScenario(backend, backendPort);
        }
        if (scenarios.contains("scale")) {
            scaleScenario(backendPort);
        }
        if (scenarios.contains("propagation")) {
            propagationScenario(backendPort);
        }
        Path results = Files.createDirectories(ROOT.resolve("bench/results"));
        Path file = results.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm")) + ".md");
        Files.writeString(file, report);
        System.out.println(report);
        System.out.println("bench: results written to " + ROOT.relativize(file));
    }

    // ---- scenario 1: direct, nginx, Gatehouse bare, Gatehouse with the realistic chain ----

    private void proxyScenario(Process backend, int backendPort) throws Exception {
        // Every target runs for the whole scenario and the rounds alternate between them, so a change in the machine's
        // other load during the run touches all of them alike rather than whichever was measured at the time.
        int nginxPort = nginx(backendPort);
        Gateway bare = gateway("bare", backendPort, 1, 0, false);
        Gateway chain = gateway("policies", backendPort, 1, 1, true);
        List<List<Row>> rows = interleaved(List.of(
                new Target("direct backend", "http://127.0.0.1:" + backendPort + "/fixed", List.of(), backend),
                new Target("nginx", "http://127.0.0.1:" + nginxPort + "/fixed", List.of(), null),
                new Target("Gatehouse, no policies", bare.url("/api-0/fixed"), List.of(), bare.process),
                new Target("Gatehouse, realistic chain", chain.url("/api-0/fixed"),
                           List.of("Ocp-Apim-Subscription-Key: " + BenchArtifacts.key(0)), chain.process)));
        stop(bare.process);
        stop(chain.process);
        List<Row> nginx = rows.get(1);
        report.append("\n## Proxy: the same backend direct, through nginx and through Gatehouse\n\n")
                .append("| Target | req/s | p50 | p99 | CPU µs/req (proxy) | of which kernel | RSS MiB (proxy) | req/s vs nginx |"
                        + " p99 vs nginx |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        for (List<Row> target : rows) {
            Row row = median(target);
            report.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %s | %.1f | %.1f | %.0f | %s | %s |%n", row.name,
                                        row.rps, ms(row.p50), ms(row.p99), row.cpuMicros, row.kernelMicros, row.rssMiB,
                                        ratio(target, nginx, Row::rps), ratio(target, nginx, Row::p99)));
        }
        List<Row> policies = rows.get(3);
        Row chainRow = median(policies);
        report.append(String.format(Locale.ROOT, "%nTargets (issue 7): realistic chain ≤ 45 µs CPU/request (%.1f), ≥ 0.7× nginx"
                + " req/s (%s), p99 ≤ 1.5× nginx (%s), RSS ≤ 256 MiB (%.0f).%n", chainRow.cpuMicros,
                ratio(policies, nginx, Row::rps), ratio(policies, nginx, Row::p99), chainRow.rssMiB));
        report.append(roundToRound(rows));
        List<Row> all = rows.stream().flatMap(List::stream).toList();
        if (all.stream().anyMatch(r -> r.errors > 0)) {
            troubled = true;
            report.append("\nErrors or non-2xx answers: ");
            all.stream().filter(r -> r.errors > 0).forEach(r -> report.append(r.name).append(" ").append(r.errors).append("; "));
            report.append("\n");
        }
    }

    // ---- scenario 2: 10,000 APIs and 100,000 subscriptions against 1 API ----

    private void scaleScenario(int backendPort) throws Exception {
        Gateway small = gateway("scale-1", backendPort, 1, 1, true);
        long loadStart = System.nanoTime();
        Gateway big = gateway("scale-10k", backendPort, 10_000, 100_000, true);
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        List<List<Row>> rows = interleaved(List.of(
                new Target("1 API, 1 subscription", small.url("/api-0/fixed"),
                           List.of("Ocp-Apim-Subscription-Key: " + BenchArtifacts.key(0)), small.process),
                new Target("10,000 APIs, 100,000 subscriptions", big.url("/api-5000/fixed"),
                           List.of("Ocp-Apim-Subscription-Key: " + BenchArtifacts.key(55_000)), big.process)));
        stop(small.process);
        Reload reload = reloadUnderLoad("10,000 APIs, reload under load", big.process, big.url("/api-5000/fixed"),
                                        BenchArtifacts.key(55_000), work.resolve("artifacts-scale-10k"));
        stop(big.process);
        report.append("\n## Scale: the realistic chain with 10,000 APIs and 100,000 subscriptions\n\n")
                .append("| Snapshot | req/s | p50 | p99 | CPU µs/req | RSS MiB |\n|---|---|---|---|---|---|\n");
        for (List<Row> target : rows) {
            Row row = median(target);
            report.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %s | %.1f | %.0f |%n", row.name, row.rps,
                                        ms(row.p50), ms(row.p99), row.cpuMicros, row.rssMiB));
        }
        report.append(String.format(Locale.ROOT, "%nThroughput with 10,000 APIs: %s the 1-API case (target ≥ 0.95×)."
                + " Start-up with the large folder (read, compile, listen): %.1f s.%n", ratio(rows.get(1), rows.get(0), Row::rps),
                loadSeconds));
        report.append(roundToRound(rows));
        report.append("\nA reload under the same load (the global policy edited, so every API recompiles while the old"
                + " snapshot serves): ").append(describe(reload, "gateway-scale-10k.log")).append('\n');
    }

    private String describe(Reload reload, String log) {
        if (!reload.alive() || reload.row().errors() > 0) {
            troubled = true;
        }
        return reload.describe(work.resolve(log));
    }

    private record Reload(Row row, boolean alive, double appliedAfterSeconds) {
        String describe(Path log) {
            return String.format(Locale.ROOT, "%.0f req/s, p99 %s, %d failed requests, RSS %.0f MiB at the end; %s", row.rps,
                                 ms(row.p99), row.errors, row.rssMiB, !alive ? "**the gateway exited** (see " + log + ")"
                                         : appliedAfterSeconds < 0 ? "**the new revision was not served within 60 s**"
                                         : String.format(Locale.ROOT, "the new revision served %.1f s after the edit.",
                                                         appliedAfterSeconds));
        }
    }

    /** Edits a folder's global policy during a measurement, then waits for the gateway to serve it. */
    private Reload reloadUnderLoad(String name, Process gateway, String url, String key, Path folder) throws Exception {
        long[] editedAt = {0};
        Thread edit = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(Duration.ofSeconds(warmup + 2L));
                editedAt[0] = System.nanoTime();
                BenchArtifacts.writeGlobalPolicy(folder, "reloaded");
            } catch (InterruptedException | IOException e) {
                throw new IllegalStateException("the reload edit failed", e);
            }
        });
        Row row = measure(name, url, List.of("Ocp-Apim-Subscription-Key: " + key), gateway);
        edit.join();
        double applied = -1;
        Instant deadline = Instant.now().plusSeconds(60);
        while (gateway.isAlive() && Instant.now().isBefore(deadline)) {
            if ("reloaded".equals(header(url, key, "X-Bench"))) {
                applied = (System.nanoTime() - editedAt[0]) / 1e9;
                break;
            }
            Thread.sleep(100);
        }
        return new Reload(row, gateway.isAlive(), applied);
    }

    // ---- scenario 3: change-to-effect through the management plane ----

    private void propagationScenario(int backendPort) throws Exception {
        Path artifacts = work.resolve("propagation-artifacts");
        BenchArtifacts.write(artifacts, backendPort, 1, 1, true);
        Federated federated = federated("propagation", artifacts);
        Process gateway = federated.gateway();
        Process mp = federated.managementPlane();
        String url = federated.url("/api-0/fixed");
        awaitHttp(url, gateway);
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String marker = "rev-" + i;
            long started = System.nanoTime();
            BenchArtifacts.writeGlobalPolicy(artifacts, marker);
            Instant deadline = Instant.now().plusSeconds(15);
            while (!marker.equals(header(url, BenchArtifacts.key(0), "X-Bench"))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("change " + marker + " did not arrive within 15 s");
                }
                Thread.sleep(2);
            }
            millis.add((System.nanoTime() - started) / 1e6);
        }
        millis.sort(Double::compare);
        report.append("\n## Propagation: an artifacts edit until a watching gateway answers with it\n\n")
                .append(String.format(Locale.ROOT, "30 changes: median %.0f ms, p99 %.0f ms, max %.0f ms (target: p99 < 1 s)."
                        + " Includes the management plane's folder watch (200 ms quiet period) and the gateway's"
                        + " compile.%n", millis.get(14), millis.get(29), millis.get(29)));
        stop(gateway);
        stop(mp);
        federatedScale(backendPort);
    }

    /** The production path at size: a federated gateway cold-starting 10,000 APIs from the management plane, then a reload. */
    private void federatedScale(int backendPort) throws Exception {
        Path artifacts = work.resolve("federated-10k-artifacts");
        BenchArtifacts.write(artifacts, backendPort, 10_000, 100_000, true);
        System.out.println("bench: federated, 10,000 APIs ...");
        long started = System.nanoTime();
        Federated federated = federated("federated-10k", artifacts);
        String url = federated.url("/api-5000/fixed");
        String key = BenchArtifacts.key(55_000);
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (status(url, key) != 200) {
            if (!federated.gateway().isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the federated gateway did not serve 10,000 APIs within 5 minutes; see "
                        + work.resolve("federated-gateway-federated-10k.log"));
            }
            Thread.sleep(100);
        }
        double ready = (System.nanoTime() - started) / 1e9;
        Reload reload = reloadUnderLoad("federated, 10,000 APIs, reload under load", federated.gateway(), url, key,
                                        artifacts);
        stop(federated.gateway());
        stop(federated.managementPlane());
        report.append(String.format(Locale.ROOT, "%nFederated, 10,000 APIs and 100,000 subscriptions: the gateway served"
                + " them %.1f s after both processes started (management plane read and compile, a 24 MB snapshot,"
                + " the gateway's compile). A reload through the management plane under load: %s%n", ready,
                describe(reload, "federated-gateway-federated-10k.log")));
    }

    private record Federated(Process managementPlane, Process gateway, int port) {
        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }
    }

    /**
     * A management plane serving {@code artifacts} and a federated, watching gateway syncing from it, both run with
     * the launcher's JVM flags. Returns once both processes are started; the gateway may not have a snapshot yet.
     */
    private Federated federated(String name, Path artifacts) throws Exception {
        int mpPort = freePort();
        Path keys = work.resolve(name + "-gateway-keys.json");
        Process mp = start("management-plane-" + name, List.of(JAVA, "@" + ROOT.resolve("distribution/jvm.options"), "-cp",
                                                               LIB + "/*", "io.gatehouse.management.ManagementPlaneMain",
                                                               "management-plane", "--artifacts", artifacts.toString(),
                                                               "--port", Integer.toString(mpPort), "--host", "127.0.0.1",
                                                               "--keys", keys.toString()));
        awaitHttp("http://127.0.0.1:" + mpPort + "/health", mp);
        Path env = work.resolve(name + "-env.conf");
        Process token = start("token-" + name, List.of(JAVA, "-cp", LIB + "/*", "io.gatehouse.management.ManagementPlaneMain",
                                                       "token", "--gateway", "bench", "--keys", keys.toString(), "--env-file",
                                                       env.toString(), "--endpoint", "http://127.0.0.1:" + mpPort));
        if (!token.waitFor(60, TimeUnit.SECONDS) || token.exitValue() != 0) {
            throw new IllegalStateException("the token command failed; see " + work.resolve("token-" + name + ".log"));
        }
        Files.writeString(env, Files.readString(env) + "config.backup.path=" + work.resolve(name + "-backup") + "\n");
        int port = freePort();
        Process gateway = start("federated-gateway-" + name,
                                List.of(JAVA, "@" + ROOT.resolve("distribution/jvm.options"), "-cp", LIB + "/*",
                                        "io.gatehouse.gateway.GatewayMain", "run", "--env-file", env.toString(),
                                        "--port", Integer.toString(port)));
        return new Federated(mp, gateway, port);
    }

    // ---- targets ----

    private record Gateway(Process process, int port) {
        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }
    }

    private Gateway gateway(String name, int backendPort, int apis, int subscriptions, boolean policies) throws Exception {
        Path folder = work.resolve("artifacts-" + name);
        BenchArtifacts.write(folder, backendPort, apis, subscriptions, policies);
        int port = freePort();
        Process p = start("gateway-" + name, List.of(JAVA, "@" + ROOT.resolve("distribution/jvm.options"), "-cp", LIB + "/*",
                                                      "io.gatehouse.gateway.GatewayMain", "run", "--config", folder.toString(),
                                                      "--port", Integer.toString(port)));
        awaitHttp("http://127.0.0.1:" + port + "/status-0123456789abcdef", p);
        return new Gateway(p, port);
    }

    private int nginx(int backendPort) throws Exception {
        int port = freePort();
        Path prefix = Files.createDirectories(work.resolve("nginx"));
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, """
                daemon off;
                worker_processes 2;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 1024; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    upstream backend { server 127.0.0.1:%2$d; keepalive 128; }
                    server {
                        listen 127.0.0.1:%3$d;
                        location / {
                            proxy_pass http://backend;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                        }
                    }
                }
                """.formatted(prefix, backendPort, port));
        Process p = start("nginx", List.of("/usr/sbin/nginx", "-p", prefix.toString(), "-c", conf.toString()));
        awaitHttp("http://127.0.0.1:" + port + "/fixed", p);
        return port;
    }

    // ---- measuring ----

    /** One measurement; {@code kernelMicros} is the part of {@code cpuMicros} spent in the kernel (stime). */
    private record Row(String name, double rps, double p50, double p99, double cpuMicros, double kernelMicros,
                       double rssMiB, long errors) {
    }

    /** What a scenario measures: a URL, its headers, and the process whose CPU and RSS count (null: nginx's). */
    private record Target(String name, String url, List<String> headers, Process process) {
    }

    /**
     * Measures the targets in turn, {@link #rounds} times: the first round after the full warm-up, later ones after
     * {@link #REWARM_SECONDS}.
     *
     * @return each target's rows, one per round, in round order
     */
    private List<List<Row>> interleaved(List<Target> targets) throws Exception {
        List<List<Row>> rows = new ArrayList<>();
        targets.forEach(t -> rows.add(new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < targets.size(); i++) {
                Target t = targets.get(i);
                System.out.println("bench: " + t.name() + ", round " + (round + 1) + " of " + rounds + " ...");
                rows.get(i).add(measure(t.name(), t.url(), t.headers(), t.process(),
                                        round == 0 ? warmup : Math.min(warmup, REWARM_SECONDS)));
            }
        }
        return rows;
    }

    /** @return the median of each figure over the rounds (RSS: the largest), errors summed */
    private static Row median(List<Row> rounds) {
        return new Row(rounds.get(0).name, median(rounds, Row::rps), median(rounds, Row::p50), median(rounds, Row::p99),
                       median(rounds, Row::cpuMicros), median(rounds, Row::kernelMicros),
                       rounds.stream().mapToDouble(Row::rssMiB).max().orElse(0),
                       rounds.stream().mapToLong(Row::errors).sum());
    }

    private static double median(List<Row> rounds, ToDoubleFunction<Row> figure) {
        return median(rounds.stream().mapToDouble(figure).sorted().toArray());
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** @return the median of the per-round ratios of a figure, with their range when there are several rounds */
    private static String ratio(List<Row> rows, List<Row> reference, ToDoubleFunction<Row> figure) {
        double[] ratios = new double[rows.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = figure.applyAsDouble(rows.get(i)) / figure.applyAsDouble(reference.get(i));
        }
        Arrays.sort(ratios);
        double median = median(ratios);
        return ratios.length == 1 ? String.format(Locale.ROOT, "%.2f×", median)
                : String.format(Locale.ROOT, "%.2f× (%.2f–%.2f)", median, ratios[0], ratios[ratios.length - 1]);
    }

    /** {@link #roundToRound(List, List)} for a scenario's rows: each target's, one per round. */
    private static String roundToRound(List<List<Row>> rows) {
        return roundToRound(rows.stream().map(t -> t.get(0).name).toList(),
                            rows.stream().map(t -> t.stream().mapToDouble(Row::rps).toArray()).toList());
    }

    /** Largest spread of a target's req/s between rounds that the report lets pass without a warning. */
    static final double STEADY_SPREAD = 1.2;

    /**
     * The req/s of each target from round to round, in round order (a first round below the others means its warm-up
     * was short), and a warning when one of them moved by more than
     * {@link #STEADY_SPREAD}: then the machine's other load changed during the run, and a single ratio says less
     * than its range.
     *
     * @param names the targets
     * @param rps   each target's req/s, one per round, in round order
     * @return a paragraph for the report, or "" for a single round
     */
    static String roundToRound(List<String> names, List<double[]> rps) {
        if (rps.isEmpty() || rps.get(0).length < 2) {
            return "";
        }
        StringBuilder line = new StringBuilder("\nRound to round, req/s: ");
        List<String> unsteady = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            double[] inOrder = rps.get(i);
            line.append(i == 0 ? "" : "; ").append(names.get(i)).append(' ').append(Arrays.stream(inOrder)
                    .mapToObj(r -> String.format(Locale.ROOT, "%.0f", r)).collect(Collectors.joining(" → ")));
            double spread = Arrays.stream(inOrder).max().orElseThrow() / Arrays.stream(inOrder).min().orElseThrow();
            if (spread > STEADY_SPREAD) {
                unsteady.add(String.format(Locale.ROOT, "%s %.2f×", names.get(i), spread));
            }
        }
        line.append(".\n");
        if (!unsteady.isEmpty()) {
            line.append("\n**The machine's load changed during the run**: between its fastest and slowest round, ")
                    .append(String.join(", ", unsteady))
                    .append(". Read the ratios' ranges, not only their medians, and compare with another run.\n");
        }
        return line.toString();
    }

    /** Warm up, then measure with wrk; CPU and RSS are the proxy's (all of nginx's processes; the JVM otherwise). */
    private Row measure(String name, String url, List<String> headers, Process target) throws Exception {
        System.out.println("bench: " + name + " ...");
        return measure(name, url, headers, target, warmup);
    }

    private Row measure(String name, String url, List<String> headers, Process target, int warmupSeconds)
            throws Exception {
        wrk(url, headers, warmupSeconds);
        Process nginx = target == null ? processes.stream().filter(p -> p.info().command().orElse("").endsWith("nginx"))
                .findFirst().orElseThrow() : null;
        List<ProcessHandle> measured = target != null ? List.of(target.toHandle())
                : Stream.concat(Stream.of(nginx.toHandle()), nginx.children()).toList();
        Ticks before = cpuTicks(measured);
        String out = wrk(url, headers, seconds);
        Ticks after = cpuTicks(measured);
        double rss = measured.stream().mapToLong(BenchMain::rssKiB).sum() / 1024.0;
        long requests = longOf(out, "(\\d+) requests in");
        double rps = doubleOf(out, "Requests/sec:\\s+([\\d.]+)");
        long errors = longOf(out, "Non-2xx or 3xx responses: (\\d+)") + longOf(out, "Socket errors: connect (\\d+)");
        double cpuMicros = requests == 0 ? 0 : (after.total - before.total) * 1e6 / CLOCK_TICKS / requests;
        double kernelMicros = requests == 0 ? 0 : (after.kernel - before.kernel) * 1e6 / CLOCK_TICKS / requests;
        return new Row(name, rps, latency(out, "50%"), latency(out, "99%"), cpuMicros, kernelMicros, rss, errors);
    }

    private String wrk(String url, List<String> headers, int duration) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/wrk", "-t2", "-c" + connections, "-d" + duration + "s",
                                                       "--latency"));
        headers.forEach(h -> command.addAll(List.of("-H", h)));
        command.add(url);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(duration + 30L, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("wrk failed on " + url + ":\n" + out);
        }
        return out;
    }

    private static double latency(String wrk, String percentile) {
        Matcher m = Pattern.compile("\\s" + Pattern.quote(percentile) + "\\s+([\\d.]+)(us|ms|s)").matcher(wrk);
        if (!m.find()) {
            return Double.NaN;
        }
        double value = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }

    private static String ms(double millis) {
        return String.format(Locale.ROOT, "%.2f ms", millis);
    }

    private static long longOf(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static double doubleOf(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** CPU time in clock ticks: utime + stime, and stime (the kernel's part) alone. */
    private record Ticks(long total, long kernel) {
    }

    /** @return the CPU time of the processes (all their threads) so far, from /proc */
    private static Ticks cpuTicks(List<ProcessHandle> processes) {
        long total = 0;
        long kernel = 0;
        for (ProcessHandle process : processes) {
            try {
                String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long stime = Long.parseLong(fields[12]);
                total += Long.parseLong(fields[11]) + stime;
                kernel += stime;
            } catch (IOException e) {
                // gone: counts nothing
            }
        }
        return new Ticks(total, kernel);
    }

    private static long rssKiB(ProcessHandle process) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            // gone
        }
        return 0;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            return Long.parseLong(new String(p.getInputStream().readAllBytes()).trim());
        } catch (IOException | NumberFormatException e) {
            return 100;
        }
    }

    private int status(String url, String key) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).header("Ocp-Apim-Subscription-Key", key)
                                     .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException notYet) {
            return -1;
        }
    }

    private String header(String url, String key, String name) throws Exception {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Ocp-Apim-Subscription-Key", key)
                                                 .timeout(Duration.ofSeconds(5)).build(),
                                         HttpResponse.BodyHandlers.discarding());
        return r.headers().firstValue(name).orElse("");
    }

    // ---- processes ----

    private Process start(String name, List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile())
                .start();
        processes.add(p);
        return p;
    }

    private void awaitHttp(String url, Process process) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(url + ": the process exited; see the logs in " + work);
            }
            try {
                http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                          HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(url + " did not answer within 5 minutes; see the logs in " + work);
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    /**
     * Stops every process, then removes the scratch folder; after a failed or interrupted run, or one where a gateway
     * exited, it keeps the processes' logs and says where. Runs once, from the end of the run or the shutdown hook.
     */
    private void finish(boolean completed) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        stopAll();
        boolean kept = WorkDir.clean(work, !completed || troubled);
        String where = kept ? "; the processes' logs are kept in " + work : "";
        if (INTERRUPTED.get()) {
            System.out.println("bench: interrupted; every process it started is stopped" + where);
        } else if (kept) {
            System.out.println("bench:" + where.substring(1));
        }
    }

    private void stopAll() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
