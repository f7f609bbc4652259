package io.gatehouse.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM lets a request already in flight finish before the gateway process exits. */
class GracefulShutdownTest {


    @TempDir
    Path tmp;

    /** A slow request that started before SIGTERM still gets its full answer; then the process exits. */
    @Test
    @DisplayName("shutdown: a request in flight completes after SIGTERM")
    void inFlightRequestCompletesAfterSigterm() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/slow", exchange -> {
            arrived.countDown();
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "finished".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.start();
        Path folder = tmp.resolve("apiops");
        Files.createDirectories(folder.resolve("apis/slow"));
        Files.writeString(folder.resolve("apis/slow/apiInformation.json"),
                          "{\"properties\": {\"path\": \"slow\", \"subscriptionRequired\": false, \"serviceUrl\": "
                                  + "\"http://127.0.0.1:" + backend.getAddress().getPort() + "/slow\"}}");
        Files.writeString(folder.resolve("apis/slow/specification.yaml"), """
                openapi: 3.0.1
                info: {title: slow, version: '1'}
                paths:
                  /:
                    get: {operationId: slow, responses: {'200': {description: ok}}}
                """);
        int port = GatewayProcesses.freePort();
        Process gateway = GatewayProcesses.start("128m", folder, port, tmp.resolve("gateway.log"));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            GatewayProcesses.awaitStatus(client, gateway, port, tmp.resolve("gateway.log"));
            CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(arrived.await(20, TimeUnit.SECONDS), "the request reached the backend");
            gateway.destroy(); // SIGTERM
            HttpResponse<String> response = inFlight.get(30, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            assertEquals("finished", response.body());
            assertTrue(gateway.waitFor(30, TimeUnit.SECONDS), "the gateway exits after draining");
            assertTrue(Files.readString(tmp.resolve("gateway.log")).contains("gatehouse: stopped"));
        } finally {
            if (gateway.isAlive()) {
                gateway.destroyForcibly();
            }
            backend.stop(0);
        }
    }
}
