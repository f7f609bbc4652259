package io.gatehouse.management;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.gatehouse.config.Api;
import io.gatehouse.config.Product;
import io.gatehouse.config.Snapshot;
import io.gatehouse.config.SnapshotJson;
import io.gatehouse.federation.Heartbeat;

/**
 * The management plane's HTTP side: each gateway's configuration (with {@code ETag}, {@code If-None-Match} and a
 * {@code wait} that holds the request until the revision changes), heartbeats, and the landscape as JSON and as a
 * status page. The protocol is in {@code docs/federation-protocol.md}.
 */
public final class ManagementPlane implements AutoCloseable {

    /** The longest a watch request is held, in seconds. */
    static final int MAX_WAIT_SECONDS = 60;

    private static final System.Logger LOGGER = System.getLogger(ManagementPlane.class.getName());
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Artifacts artifacts;
    private final GatewayKeys keys;
    private final GatewayAuthenticator authenticator;
    private final Nodes nodes;
    private final byte[] statusPage;
    private WebServer server;

    ManagementPlane(Artifacts artifacts, GatewayKeys keys, Nodes nodes) {
        this.artifacts = artifacts;
        this.keys = keys;
        this.authenticator = new GatewayAuthenticator(keys);
        this.nodes = nodes;
        try (InputStream page = ManagementPlane.class.getResourceAsStream("status.html")) {
            if (page == null) {
                throw new IllegalStateException("status.html is missing from the management plane's jar");
            }
            this.statusPage = page.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Opens the port.
     *
     * @param host address to bind
     * @param port port, 0 for any free one
     * @return this
     */
    ManagementPlane start(String host, int port) {
        server = WebServer.builder()
                .host(host)
                .port(port)
                .featuresDiscoverServices(false)
                .shutdownHook(false)
                // Helidon 4.4.0's default NIO socket sends a large body in small pieces with a wait between them: a
                // 24 MB snapshot (10,000 APIs, 100,000 subscriptions) took six minutes to reach a gateway on
                // loopback. It also loses the tail of large responses to slow readers (helidon-io/helidon#11635).
                // The blocking socket sends the same body in well under a second.
                .useNio(false)
                .routing(this::routing)
                .build()
                .start();
        return this;
    }

    /** @return the port it listens on */
    int port() {
        return server.port();
    }

    private void routing(HttpRouting.Builder routing) {
        routing.get("/gateways/{id}/configuration", this::configuration)
                .post("/gateways/{id}/heartbeat", this::heartbeat)
                .get("/api/landscape", this::landscape)
                .get("/", this::page)
                .get("/health", (req, res) -> res.send("ok"));
    }

    private void configuration(ServerRequest req, ServerResponse res) throws Exception {
        String gatewayId = req.path().pathParameters().get("id");
        if (!authenticated(req, res, gatewayId)) {
            return;
        }
        Optional<String> known = req.headers().first(HeaderNames.IF_NONE_MATCH).map(ManagementPlane::unquote);
        int wait = 0;
        if (req.query().contains("wait")) {
            String text = req.query().get("wait");
            try {
                wait = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                wait = -1;
            }
            if (wait < 0 || wait > MAX_WAIT_SECONDS) {
                sendError(res, 400, "Query parameter 'wait' must be whole seconds from 0 to " + MAX_WAIT_SECONDS
                        + ", not '" + text + "'.");
                return;
            }
        }
        Snapshot snapshot = known.isPresent() && wait > 0
                ? artifacts.awaitChange(gatewayId, known.get(), Duration.ofSeconds(wait))
                : artifacts.servedTo(gatewayId);
        String etag = "\"" + snapshot.revision() + "\"";
        res.header(HeaderNames.ETAG, etag);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        if (known.isPresent() && known.get().equals(snapshot.revision())) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header("Gatehouse-Snapshot-Apis", Integer.toString(snapshot.apis().size()));
        res.send(SnapshotJson.write(snapshot));
    }

    private void heartbeat(ServerRequest req, ServerResponse res) throws Exception {
        String gatewayId = req.path().pathParameters().get("id");
        if (!authenticated(req, res, gatewayId)) {
            return;
        }
        Heartbeat heartbeat;
        try {
            // An empty body is a malformed heartbeat (400), not a server error: Helidon refuses to read no entity.
            heartbeat = Heartbeat.fromJson(req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0]);
        } catch (IllegalArgumentException e) {
            sendError(res, 400, "Invalid heartbeat: " + e.getMessage() + ".");
            return;
        }
        boolean known = nodes.of(gatewayId).stream().anyMatch(n -> n.last().nodeId().equals(heartbeat.nodeId()));
        nodes.record(gatewayId, heartbeat, address(req.remotePeer().address()));
        if (!known) {
            LOGGER.log(System.Logger.Level.INFO, "gateway '" + gatewayId + "': node " + heartbeat.nodeId() + " on "
                    + heartbeat.host() + " reports, running revision " + heartbeat.appliedRevision().orElse("none"));
        }
        heartbeat.lastError().ifPresent(error -> LOGGER.log(System.Logger.Level.WARNING, "gateway '" + gatewayId
                + "': node " + heartbeat.nodeId() + " reports: " + error));
        res.status(Status.NO_CONTENT_204).send();
    }

    private boolean authenticated(ServerRequest req, ServerResponse res, String gatewayId) throws IOException {
        Optional<String> refusal = authenticator.refusal(req.headers().first(HeaderNames.AUTHORIZATION), gatewayId,
                                                         nodes.now());
        if (refusal.isPresent()) {
            LOGGER.log(System.Logger.Level.WARNING, "refused " + req.prologue().method().text() + " "
                    + req.path().rawPath() + " from " + address(req.remotePeer().address()) + ": " + refusal.get());
            sendError(res, 401, refusal.get());
            return false;
        }
        return true;
    }

    private void landscape(ServerRequest req, ServerResponse res) throws IOException {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(landscape()));
    }

    private void page(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(statusPage);
    }

    /**
     * The landscape: the management plane's own state, and every gateway with what it is sent and its nodes.
     *
     * @return the JSON tree served at {@code /api/landscape}
     * @throws IOException if the keys file cannot be read
     */
    ObjectNode landscape() throws IOException {
        Instant now = nodes.now();
        Artifacts.Loaded loaded = artifacts.current();
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode plane = root.putObject("managementPlane");
        plane.put("artifacts", artifacts.folder().toString());
        plane.put("revision", loaded.snapshot().revision());
        plane.put("loadedAt", loaded.loadedAt().toString());
        plane.put("apis", loaded.snapshot().apis().size());
        plane.put("now", now.toString());
        artifacts.lastError().ifPresentOrElse(e -> plane.putObject("lastError").put("at", e.at().toString())
                                                      .put("message", e.message()),
                                              () -> plane.putNull("lastError"));
        TreeSet<String> gatewayIds = new TreeSet<>(nodes.gateways());
        loaded.snapshot().gateways().forEach(g -> gatewayIds.add(g.id()));
        ArrayNode gateways = root.putArray("gateways");
        for (String id : gatewayIds) {
            Snapshot served = artifacts.servedTo(id);
            ObjectNode gateway = gateways.addObject();
            gateway.put("id", id);
            gateway.put("defined", loaded.snapshot().gateways().stream().anyMatch(g -> g.id().equals(id)));
            gateway.put("hasKeys", keys.of(id).isPresent());
            gateway.put("revision", served.revision());
            ArrayNode apis = gateway.putArray("apis");
            for (Api api : served.apis()) {
                apis.addObject().put("id", api.id()).put("displayName", api.displayName()).put("path", api.path());
            }
            ArrayNode products = gateway.putArray("products");
            for (Product product : served.products()) {
                products.addObject().put("id", product.id()).put("displayName", product.displayName());
            }
            ArrayNode nodeArray = gateway.putArray("nodes");
            for (Nodes.Node node : nodes.of(id)) {
                Heartbeat last = node.last();
                ObjectNode n = nodeArray.addObject();
                n.put("nodeId", last.nodeId());
                n.put("host", last.host());
                n.put("address", node.address());
                n.put("version", last.version());
                n.put("state", node.lost(now) ? "LOST" : last.state());
                n.put("reportedState", last.state());
                n.put("lost", node.lost(now));
                n.put("appliedRevision", last.appliedRevision().orElse(null));
                n.put("upToDate", last.appliedRevision().map(served.revision()::equals).orElse(false));
                n.put("lastError", last.lastError().orElse(null));
                n.put("lastSeen", node.lastSeen().toString());
                n.put("lastSyncAt", last.lastSyncAt().map(Instant::toString).orElse(null));
                n.put("uptimeSeconds", last.uptimeSeconds());
                n.put("heartbeatIntervalSeconds", last.intervalSeconds());
                n.put("backupLoaded", last.backupLoaded());
            }
        }
        return root;
    }

    private static void sendError(ServerResponse res, int status, String message) {
        ObjectNode body = MAPPER.createObjectNode().put("statusCode", status).put("message", message);
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        try {
            res.send(MAPPER.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String unquote(String etag) {
        String value = etag.strip();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : value;
    }

    private static String address(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : String.valueOf(address);
    }

    @Override
    public void close() throws IOException {
        artifacts.close();
        if (server != null) {
            server.stop();
        }
    }
}
