package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import redis.clients.jedis.RedisClient;

/**
 * A real {@code redis-server} on a free loopback port, without persistence, that a test can stop and start again on
 * the same port. The Debian package redis-server provides it; without it the test fails, saying so.
 */
final class TestRedis implements AutoCloseable {

    private final Path binary;
    private final Path dir;
    private final int port;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process process;
    private RedisClient client;

    private TestRedis(Path binary, Path dir, int port) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
    }

    /**
     * A server on a free port, not started yet.
     *
     * @param dir its working directory (it writes nothing there without persistence)
     * @return the server
     */
    static TestRedis onFreePort(Path dir) {
        Path binary = Stream.concat(Stream.of(Path.of("/usr/bin/redis-server")),
                                    Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                                            .filter(p -> !p.isEmpty()).map(p -> Path.of(p, "redis-server")))
                .filter(Files::isExecutable).findFirst().orElse(null);
        if (binary == null) {
            fail("these tests run a real Redis: install the Debian package redis-server (apt-get install redis-server;"
                         + " .ci/run does)");
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return new TestRedis(binary, dir, socket.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a server on a free port.
     *
     * @param dir its working directory
     * @return the running server; close it
     */
    static TestRedis started(Path dir) {
        TestRedis redis = onFreePort(dir);
        redis.start();
        return redis;
    }

    /** Starts the server (again, on the same port) and returns once it accepts connections. */
    void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        output.clear();
        CountDownLatch ready = new CountDownLatch(1);
        try {
            process = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--dir", dir.toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        Process started = process;
        Thread.ofVirtual().name("redis-output").start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(started.getInputStream(),
                                                                                 StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.add(line);
                    if (line.contains("Ready to accept connections")) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                output.add("(output broke off: " + e + ")");
            }
            ready.countDown();
        });
        try {
            if (!ready.await(20, TimeUnit.SECONDS) || !process.isAlive()) {
                fail("redis-server did not start on port " + port + ":\n" + String.join("\n", output));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server and waits until it has exited: its port refuses connections from then on. */
    void stop() {
        if (client != null) {
            client.close();
            client = null;
        }
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    /** @return its port */
    int port() {
        return port;
    }

    /** @return the URL gateways are given */
    String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** @return a client of the test's own, to look at what the gateway wrote */
    RedisClient client() {
        if (client == null) {
            client = RedisClient.create("127.0.0.1", port);
        }
        return client;
    }

    /** @return the server's output so far, for failure messages */
    Optional<String> output() {
        return output.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", output));
    }

    @Override
    public void close() {
        stop();
    }
}
