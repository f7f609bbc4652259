package io.gatehouse.config;

import java.io.IOException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The canonical JSON form of a {@link Snapshot}: what the management plane serves, what the encrypted backup holds
 * and what the revision id is computed from. The format is written field by field (no reflection), carries
 * {@code "format": 1}, and is verified on read: a document whose content does not hash to its {@code revision} is
 * refused.
 */
public final class SnapshotJson {

    /** The format version this class writes and reads. */
    public static final int FORMAT = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SnapshotJson() {
    }

    /**
     * Serializes a snapshot.
     *
     * @param snapshot the snapshot
     * @return UTF-8 JSON bytes
     */
    public static byte[] write(Snapshot snapshot) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("revision", snapshot.revision());
        root.setAll(content(snapshot));
        return bytes(root);
    }

    /**
     * Reads and verifies a snapshot.
     *
     * @param json   UTF-8 JSON bytes
     * @param source where the bytes came from, for error messages
     * @return the snapshot
     * @throws ConfigException if the document is malformed, of another format, or does not match its revision
     */
    public static Snapshot read(byte[] json, String source) throws ConfigException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new ConfigException(new ConfigProblem(source, loc == null ? 0 : loc.getLineNr(),
                                                        loc == null ? 0 : loc.getColumnNr(), "",
                                                        "malformed snapshot JSON: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException(ConfigProblem.of(source, "cannot read snapshot: " + e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(ConfigProblem.of(source, "a snapshot must be a JSON object"));
        }
        int format = root.path("format").asInt(-1);
        if (format != FORMAT) {
            throw new ConfigException(ConfigProblem.of(source, "unsupported snapshot format " + root.path("format")
                    + " (this gateway reads format " + FORMAT + ")"));
        }
        Snapshot snapshot;
        try {
            snapshot = new Snapshot(text(root, "revision"),
                                    optionalDocument(root.path("globalPolicy")),
                                    list(root, "apis", SnapshotJson::api),
                                    list(root, "products", SnapshotJson::product),
                                    list(root, "subscriptions", SnapshotJson::subscription),
                                    list(root, "namedValues", SnapshotJson::namedValue),
                                    list(root, "backends", SnapshotJson::backend),
                                    list(root, "fragments", SnapshotJson::fragment),
                                    list(root, "gateways", SnapshotJson::gateway));
        } catch (RuntimeException e) {
            throw new ConfigException(ConfigProblem.of(source, "invalid snapshot: " + e.getMessage()));
        }
        String expected = revisionOf(snapshot);
        if (!expected.equals(snapshot.revision())) {
            throw new ConfigException(ConfigProblem.of(source, "snapshot content does not match its revision "
                    + snapshot.revision() + " (content hashes to " + expected + "); refusing a corrupted snapshot"));
        }
        return snapshot;
    }

    /**
     * Computes the content-derived revision of a snapshot (its own revision field is ignored).
     *
     * @param snapshot the snapshot
     * @return 32 hex characters
     */
    public static String revisionOf(Snapshot snapshot) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes(content(snapshot)));
            return HexFormat.of().formatHex(Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a JSON tree", e);
        }
    }

    private static ObjectNode content(Snapshot s) {
        ObjectNode root = MAPPER.createObjectNode();
        s.globalPolicy().ifPresent(d -> root.set("globalPolicy", document(d)));
        ArrayNode apis = root.putArray("apis");
        s.apis().forEach(a -> apis.add(api(a)));
        ArrayNode products = root.putArray("products");
        for (Product p : s.products()) {
            ObjectNode n = products.addObject();
            n.put("id", p.id()).put("displayName", p.displayName()).put("state", p.state())
                    .put("subscriptionRequired", p.subscriptionRequired());
            strings(n.putArray("apiIds"), p.apiIds());
            p.policy().ifPresent(d -> n.set("policy", document(d)));
        }
        ArrayNode subscriptions = root.putArray("subscriptions");
        for (Subscription sub : s.subscriptions()) {
            ObjectNode n = subscriptions.addObject();
            n.put("id", sub.id()).put("displayName", sub.displayName()).put("scope", sub.scope())
                    .put("state", sub.state());
            sub.primaryKeyHash().ifPresent(h -> n.put("primaryKeyHash", h));
            sub.secondaryKeyHash().ifPresent(h -> n.put("secondaryKeyHash", h));
            sub.createdDate().ifPresent(d -> n.put("createdDate", d.toString()));
            n.put("allowTracing", sub.allowTracing());
        }
        ArrayNode namedValues = root.putArray("namedValues");
        for (NamedValue v : s.namedValues()) {
            namedValues.addObject().put("id", v.id()).put("displayName", v.displayName()).put("value", v.value())
                    .put("secret", v.secret());
        }
        ArrayNode backends = root.putArray("backends");
        for (Backend b : s.backends()) {
            backends.addObject().put("id", b.id()).put("url", b.url().toString()).put("protocol", b.protocol())
                    .put("description", b.description());
        }
        ArrayNode fragments = root.putArray("fragments");
        for (PolicyFragment f : s.fragments()) {
            ObjectNode n = fragments.addObject().put("id", f.id()).put("description", f.description());
            n.set("document", document(f.document()));
        }
        ArrayNode gateways = root.putArray("gateways");
        for (Gateway g : s.gateways()) {
            ObjectNode n = gateways.addObject().put("id", g.id()).put("description", g.description());
            strings(n.putArray("apiIds"), g.apiIds());
        }
        return root;
    }

    private static ObjectNode api(Api a) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", a.id()).put("displayName", a.displayName()).put("path", a.path());
        a.serviceUrl().ifPresent(u -> n.put("serviceUrl", u.toString()));
        strings(n.putArray("protocols"), a.protocols().stream().sorted().toList());
        n.put("subscriptionRequired", a.subscriptionRequired());
        n.putObject("subscriptionKeyParameterNames").put("header", a.keyNames().header())
                .put("query", a.keyNames().query());
        n.put("apiVersion", a.apiVersion()).put("revision", a.revision());
        ArrayNode ops = n.putArray("operations");
        for (Operation o : a.operations()) {
            ObjectNode on = ops.addObject();
            on.put("id", o.id()).put("displayName", o.displayName()).put("method", o.method())
                    .put("urlTemplate", o.urlTemplate());
            parameters(on.putArray("templateParameters"), o.templateParameters());
            parameters(on.putArray("queryParameters"), o.queryParameters());
            ArrayNode examples = on.putArray("examples");
            for (Operation.ResponseExample e : o.examples()) {
                examples.addObject().put("statusCode", e.statusCode()).put("contentType", e.contentType())
                        .put("body", e.body());
            }
            o.policy().ifPresent(d -> on.set("policy", document(d)));
        }
        a.policy().ifPresent(d -> n.set("policy", document(d)));
        return n;
    }

    private static void parameters(ArrayNode array, List<Operation.Parameter> parameters) {
        for (Operation.Parameter p : parameters) {
            array.addObject().put("name", p.name()).put("required", p.required()).put("type", p.type());
        }
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    private static ObjectNode document(PolicyDocument d) {
        return MAPPER.createObjectNode().put("path", d.path()).put("xml", d.xml());
    }

    private static Optional<PolicyDocument> optionalDocument(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return Optional.empty();
        }
        return Optional.of(new PolicyDocument(text(n, "path"), text(n, "xml")));
    }

    private static Api api(JsonNode n) {
        JsonNode names = n.path("subscriptionKeyParameterNames");
        return new Api(text(n, "id"), text(n, "displayName"), text(n, "path"),
                       optionalText(n, "serviceUrl").map(URI::create),
                       new LinkedHashSet<>(stringList(n.path("protocols"))),
                       n.path("subscriptionRequired").asBoolean(true),
                       new SubscriptionKeyNames(text(names, "header"), text(names, "query")),
                       text(n, "apiVersion"), text(n, "revision"),
                       list(n, "operations", SnapshotJson::operation),
                       optionalDocument(n.path("policy")));
    }

    private static Operation operation(JsonNode n) {
        List<Operation.ResponseExample> examples = new ArrayList<>();
        for (JsonNode e : n.path("examples")) {
            examples.add(new Operation.ResponseExample(e.path("statusCode").asInt(), text(e, "contentType"),
                                                       text(e, "body")));
        }
        return new Operation(text(n, "id"), text(n, "displayName"), text(n, "method"), text(n, "urlTemplate"),
                             parameterList(n.path("templateParameters")), parameterList(n.path("queryParameters")),
                             examples, optionalDocument(n.path("policy")));
    }

    private static List<Operation.Parameter> parameterList(JsonNode array) {
        List<Operation.Parameter> result = new ArrayList<>();
        for (JsonNode p : array) {
            result.add(new Operation.Parameter(text(p, "name"), p.path("required").asBoolean(), text(p, "type")));
        }
        return result;
    }

    private static Product product(JsonNode n) {
        return new Product(text(n, "id"), text(n, "displayName"), text(n, "state"),
                           n.path("subscriptionRequired").asBoolean(true), stringList(n.path("apiIds")),
                           optionalDocument(n.path("policy")));
    }

    private static Subscription subscription(JsonNode n) {
        return new Subscription(text(n, "id"), text(n, "displayName"), text(n, "scope"), text(n, "state"),
                                optionalText(n, "primaryKeyHash"), optionalText(n, "secondaryKeyHash"),
                                optionalText(n, "createdDate").map(Instant::parse),
                                n.path("allowTracing").asBoolean(false));
    }

    private static NamedValue namedValue(JsonNode n) {
        return new NamedValue(text(n, "id"), text(n, "displayName"), text(n, "value"), n.path("secret").asBoolean());
    }

    private static Backend backend(JsonNode n) {
        return new Backend(text(n, "id"), URI.create(text(n, "url")), text(n, "protocol"), text(n, "description"));
    }

    private static PolicyFragment fragment(JsonNode n) {
        return new PolicyFragment(text(n, "id"), text(n, "description"),
                                  optionalDocument(n.path("document")).orElseThrow(
                                          () -> new IllegalArgumentException("fragment without document")));
    }

    private static Gateway gateway(JsonNode n) {
        return new Gateway(text(n, "id"), text(n, "description"), stringList(n.path("apiIds")));
    }

    private static <T> List<T> list(JsonNode parent, String field, Function<JsonNode, T> reader) {
        JsonNode array = parent.path(field);
        if (!array.isArray()) {
            throw new IllegalArgumentException("'" + field + "' must be an array");
        }
        List<T> result = new ArrayList<>();
        for (JsonNode item : array) {
            result.add(reader.apply(item));
        }
        return result;
    }

    private static List<String> stringList(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.forEach(v -> result.add(v.asText()));
        return result;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("missing text field '" + field + "'");
        }
        return v.asText();
    }

    private static Optional<String> optionalText(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }
}
