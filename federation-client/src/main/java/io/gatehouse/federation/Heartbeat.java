package io.gatehouse.federation;

import java.io.IOException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a gateway node reports to the management plane: who it is, which revision it runs and what went wrong last.
 * The JSON form is part of the federation protocol ({@code docs/federation-protocol.md}).
 *
 * @param nodeId             this process's id, unique per start
 * @param host               the host name
 * @param version            the Gatehouse version
 * @param state              the sync state (a {@code SyncStatus.State} name)
 * @param appliedRevision    the revision being served, if any
 * @param lastError          the last sync or load error, if any (cleared when a snapshot is applied)
 * @param lastSyncAt         when the management plane last answered, if ever
 * @param uptimeSeconds      seconds since the node started
 * @param intervalSeconds    how often the node sends heartbeats, so the management plane can tell a lost one
 * @param backupLoaded       whether the node started from its backup
 */
public record Heartbeat(String nodeId,
                        String host,
                        String version,
                        String state,
                        Optional<String> appliedRevision,
                        Optional<String> lastError,
                        Optional<Instant> lastSyncAt,
                        long uptimeSeconds,
                        long intervalSeconds,
                        boolean backupLoaded) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Creates a heartbeat.
     *
     * @param nodeId          node id
     * @param host            host
     * @param version         version
     * @param state           state
     * @param appliedRevision applied revision
     * @param lastError       last error
     * @param lastSyncAt      last sync
     * @param uptimeSeconds   uptime
     * @param intervalSeconds heartbeat interval
     * @param backupLoaded    started from backup
     */
    public Heartbeat {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(appliedRevision, "appliedRevision");
        Objects.requireNonNull(lastError, "lastError");
        Objects.requireNonNull(lastSyncAt, "lastSyncAt");
    }

    /**
     * The JSON form.
     *
     * @return UTF-8 JSON
     */
    public byte[] toJson() {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("nodeId", nodeId);
        node.put("host", host);
        node.put("version", version);
        node.put("state", state);
        node.put("appliedRevision", appliedRevision.orElse(null));
        node.put("lastError", lastError.orElse(null));
        node.put("lastSyncAt", lastSyncAt.map(Instant::toString).orElse(null));
        node.put("uptimeSeconds", uptimeSeconds);
        node.put("heartbeatIntervalSeconds", intervalSeconds);
        node.put("backupLoaded", backupLoaded);
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen: serializing a tree", e);
        }
    }

    /**
     * Reads the JSON form.
     *
     * @param json UTF-8 JSON
     * @return the heartbeat
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    public static Heartbeat fromJson(byte[] json) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the heartbeat is not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the heartbeat must be a JSON object");
        }
        Instant lastSync;
        try {
            lastSync = text(node, "lastSyncAt").map(Instant::parse).orElse(null);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'lastSyncAt' is not an ISO-8601 instant");
        }
        return new Heartbeat(required(node, "nodeId"),
                             text(node, "host").orElse(""),
                             text(node, "version").orElse(""),
                             text(node, "state").orElse("UNKNOWN"),
                             text(node, "appliedRevision"),
                             text(node, "lastError"),
                             Optional.ofNullable(lastSync),
                             node.path("uptimeSeconds").asLong(0),
                             node.path("heartbeatIntervalSeconds").asLong(60),
                             node.path("backupLoaded").asBoolean(false));
    }

    private static String required(JsonNode node, String field) {
        return text(node, field).filter(s -> !s.isBlank())
                .orElseThrow(() -> new IllegalArgumentException("the heartbeat has no '" + field + "'"));
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }
}
