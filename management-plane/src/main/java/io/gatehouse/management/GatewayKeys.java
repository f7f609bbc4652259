package io.gatehouse.management;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.gatehouse.federation.PrivateFile;

/**
 * The gateways' keys (a primary and a secondary each), kept in a file of their own: never in the artifacts folder,
 * never served to a gateway. The file is created with mode 600, written atomically, and read again when another
 * process (the {@code token} command) changes it.
 */
final class GatewayKeys {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private Map<String, Keys> keys = new TreeMap<>();
    private FileTime loadedVersion;

    /**
     * A gateway's two keys.
     *
     * @param primary   the primary key
     * @param secondary the secondary key
     */
    record Keys(String primary, String secondary) {

        /** @return both, for verification */
        List<String> both() {
            return List.of(primary, secondary);
        }

        @Override
        public String toString() {
            return "Keys[***]";
        }
    }

    private GatewayKeys(Path file) {
        this.file = file;
    }

    /**
     * Opens a keys file, creating an empty one if there is none.
     *
     * @param file the file
     * @return the keys
     * @throws IOException if it cannot be read, written or is malformed
     */
    static GatewayKeys open(Path file) throws IOException {
        GatewayKeys store = new GatewayKeys(file.toAbsolutePath());
        synchronized (store) {
            if (Files.exists(store.file)) {
                store.reloadIfChanged();
            } else {
                store.save();
            }
        }
        return store;
    }

    /** @return the file */
    Path file() {
        return file;
    }

    /**
     * A gateway's keys.
     *
     * @param gatewayId the gateway
     * @return its keys, if it has any
     * @throws IOException if the file changed and cannot be read
     */
    synchronized Optional<Keys> of(String gatewayId) throws IOException {
        reloadIfChanged();
        return Optional.ofNullable(keys.get(gatewayId));
    }

    /**
     * Gives every listed gateway keys, creating fresh random ones for those without.
     *
     * @param gatewayIds the gateways
     * @return the ids that got new keys
     * @throws IOException if the file cannot be written
     */
    synchronized List<String> ensure(Collection<String> gatewayIds) throws IOException {
        reloadIfChanged();
        List<String> created = gatewayIds.stream().filter(id -> !keys.containsKey(id)).distinct().toList();
        if (!created.isEmpty()) {
            created.forEach(id -> keys.put(id, new Keys(randomKey(), randomKey())));
            save();
        }
        return created;
    }

    /**
     * Replaces one key of a gateway with a fresh one (rotation: issue tokens with the other key first).
     *
     * @param gatewayId the gateway
     * @param primary   whether to regenerate the primary (else the secondary)
     * @throws IOException if the file cannot be written
     */
    synchronized void regenerate(String gatewayId, boolean primary) throws IOException {
        reloadIfChanged();
        Keys current = keys.get(gatewayId);
        if (current == null) {
            throw new IOException("gateway '" + gatewayId + "' has no keys in " + file);
        }
        keys.put(gatewayId, primary ? new Keys(randomKey(), current.secondary()) : new Keys(current.primary(), randomKey()));
        save();
    }

    private void reloadIfChanged() throws IOException {
        FileTime version = Files.getLastModifiedTime(file);
        if (version.equals(loadedVersion)) {
            return;
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + " is not a valid keys file: " + e.getMessage(), e);
        }
        JsonNode gateways = root == null ? null : root.get("gateways");
        if (gateways == null || !gateways.isObject()) {
            throw new IOException(file + " is not a valid keys file: it has no \"gateways\" object");
        }
        Map<String, Keys> read = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : gateways.properties()) {
            String primary = entry.getValue().path("primary").asText("");
            String secondary = entry.getValue().path("secondary").asText("");
            if (primary.length() < 32 || secondary.length() < 32) {
                throw new IOException(file + ": gateway '" + entry.getKey()
                                              + "' needs a primary and a secondary key of at least 32 characters");
            }
            read.put(entry.getKey(), new Keys(primary, secondary));
        }
        keys = read;
        loadedVersion = version;
    }

    private void save() throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", 1);
        ObjectNode gateways = root.putObject("gateways");
        keys.forEach((id, k) -> gateways.putObject(id).put("primary", k.primary()).put("secondary", k.secondary()));
        PrivateFile.write(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        loadedVersion = Files.getLastModifiedTime(file);
    }

    private static String randomKey() {
        byte[] bytes = new byte[64];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
