package io.gatehouse.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies are streamed through the gateway, not held: a gateway process with a 64 MiB heap passes a 512 MiB upload and
 * a 512 MiB download. If either were buffered, the gateway would die of OutOfMemoryError (it runs with
 * ExitOnOutOfMemoryError) and the transfer would fail.
 */
class LargeBodyStreamingTest {

    private static final long SIZE = 512L * 1024 * 1024;

    @TempDir
    Path tmp;

    /** 512 MiB each way through a gateway whose heap is 64 MiB. */
    @Test
    @DisplayName("streaming: 512 MiB each way through a 64 MiB heap")
    void bodiesEightTimesTheHeapStreamBothWays() throws Exception {
        HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/big/sink", exchange -> {
            long n = 0;
            try (InputStream in = exchange.getRequestBody()) {
                byte[] buffer = new byte[64 * 1024];
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    n += read;
                }
            }
            byte[] answer = Long.toString(n).getBytes();
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        backend.createContext("/big/source", exchange -> {
            exchange.sendResponseHeaders(200, SIZE);
            OutputStream out = exchange.getResponseBody();
            byte[] chunk = new byte[64 * 1024];
            for (long sent = 0; sent < SIZE; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
            exchange.close();
        });
        backend.start();
        Path folder = tmp.resolve("apiops");
        Files.createDirectories(folder.resolve("apis/big"));
        Files.writeString(folder.resolve("apis/big/apiInformation.json"),
                          "{\"properties\": {\"path\": \"big\", \"subscriptionRequired\": false, \"serviceUrl\": "
                                  + "\"http://127.0.0.1:" + backend.getAddress().getPort() + "/big\"}}");
        Files.writeString(folder.resolve("apis/big/specification.yaml"), """
                openapi: 3.0.1
                info: {title: big, version: '1'}
                paths:
                  /sink:
                    post: {operationId: sink, responses: {'200': {description: ok}}}
                  /source:
                    get: {operationId: source, responses: {'200': {description: ok}}}
                """);
        int port = GatewayProcesses.freePort();
        Process gateway = GatewayProcesses.start("64m", folder, port, tmp.resolve("gateway.log"));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            GatewayProcesses.awaitStatus(client, gateway, port, tmp.resolve("gateway.log"));
            HttpResponse<String> upload = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/big/sink"))
                            .timeout(Duration.ofMinutes(3))
                            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(SIZE)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, upload.statusCode(), upload.body());
            assertEquals(Long.toString(SIZE), upload.body(), "bytes the backend received");

            // The JDK client reads more slowly than a raw socket, so the gateway's writes meet back-pressure: this is
            // what caught Helidon's NIO socket dropping the end of large responses.
            HttpResponse<InputStream> download = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/big/source"))
                            .timeout(Duration.ofMinutes(3)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, download.statusCode());
            assertEquals(SIZE, download.headers().firstValueAsLong("Content-Length").orElse(-1));
            long received = 0;
            try (InputStream in = download.body()) {
                byte[] buffer = new byte[64 * 1024];
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    received += read;
                }
            }
            assertEquals(SIZE, received, "bytes the client received");
            assertEquals(true, gateway.isAlive(), "the gateway survived: " + Files.readString(tmp.resolve("gateway.log")));
        } finally {
            gateway.destroy();
            if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
            }
            backend.stop(0);
        }
    }

    /** {@code size} zero bytes, generated as read. */
    private static final class ZeroStream extends InputStream {
        private long left;

        ZeroStream(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
