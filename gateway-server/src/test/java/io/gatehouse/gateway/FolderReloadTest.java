package io.gatehouse.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.gatehouse.demo.DemoBackend;
import io.gatehouse.policy.engine.GatewayServices;

/** Edits of a watched folder apply live; an invalid edit is refused whole and the previous snapshot keeps serving. */
class FolderReloadTest {

    @TempDir
    Path dir;

    private DemoBackend backend;
    private Gateway gateway;
    private LocalFolderSource source;

    @AfterEach
    void stop() throws IOException {
        if (source != null) {
            source.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    /** A valid edit is served without a restart; a broken one is refused and the last good snapshot still serves. */
    @Test
    void invalidEditRefusedPreviousKeepsServing() throws Exception {
        backend = DemoBackend.start("127.0.0.1", 0);
        String echo = "http://127.0.0.1:" + backend.port() + "/echo";
        TestFolder folder = new TestFolder(dir).api("a", "first", echo, false, "GET /x");
        Settings settings = Settings.load(Map.of(), Optional.empty(), Optional.empty(), Map.of());
        gateway = new Gateway(settings, GatewayServices.local()).start("127.0.0.1", 0);
        source = new LocalFolderSource(dir, Optional.empty(), GatewayMain.compiler(settings), gateway);
        source.loadInitial();
        source.watch();
        URI uri = URI.create("http://127.0.0.1:" + gateway.port());
        assertEquals(200, HttpCalls.get(uri, "/first/x").statusCode());

        folder.api("a", "second", echo, false, "GET /x");
        awaitStatus(() -> HttpCalls.get(uri, "/second/x").statusCode(), 200);
        assertEquals(404, HttpCalls.get(uri, "/first/x").statusCode());
        String good = gateway.activeSnapshot().orElseThrow().snapshot().revision();

        Files.writeString(dir.resolve("apis/a/apiInformation.json"), "{\"properties\": {\"path\": \"third\", oops");
        // The refused edit must not change what is served: wait past the watcher's settle time, then check.
        Thread.sleep(1500);
        assertEquals(good, gateway.activeSnapshot().orElseThrow().snapshot().revision());
        assertEquals(200, HttpCalls.get(uri, "/second/x").statusCode());
        assertEquals(404, HttpCalls.get(uri, "/third/x").statusCode());

        folder.api("a", "third", echo, false, "GET /x");
        awaitStatus(() -> HttpCalls.get(uri, "/third/x").statusCode(), 200);
        assertTrue(!good.equals(gateway.activeSnapshot().orElseThrow().snapshot().revision()));
    }

    private static void awaitStatus(IntSupplier call, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = call.getAsInt();
            if (last == expected) {
                return;
            }
            Thread.sleep(100);
        }
        assertEquals(expected, last, "status after waiting for the reload");
    }
}
