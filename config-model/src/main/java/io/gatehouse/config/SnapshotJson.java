package io.gatehouse.config;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

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
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        serialize(out, snapshot, true);
        return out.toByteArray();
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
        // Read item by item: a tree of the whole document (100,000 subscriptions are 24 MB of JSON) took several times
        // its size, on a gateway whose serving snapshot is still live.
        JsonNode format = MissingNode.getInstance();
        JsonNode revision = MissingNode.getInstance();
        JsonNode globalPolicy = MissingNode.getInstance();
        List<Api> apis = null;
        List<Product> products = null;
        List<Subscription> subscriptions = null;
        List<NamedValue> namedValues = null;
        List<Backend> backends = null;
        List<PolicyFragment> fragments = null;
        List<Gateway> gateways = null;
        try (JsonParser parser = MAPPER.getFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new ConfigException(ConfigProblem.of(source, "a snapshot must be a JSON object"));
            }
            fields:
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "format" -> {
                        format = MAPPER.readTree(parser);
                        if (format.asInt(-1) != FORMAT) {
                            break fields;
                        }
                    }
                    case "revision" -> revision = MAPPER.readTree(parser);
                    case "globalPolicy" -> globalPolicy = MAPPER.readTree(parser);
                    case "apis" -> apis = items(parser, field, SnapshotJson::api);
                    case "products" -> products = items(parser, field, SnapshotJson::product);
                    case "subscriptions" -> subscriptions = items(parser, field, SnapshotJson::subscription);
                    case "namedValues" -> namedValues = items(parser, field, SnapshotJson::namedValue);
                    case "backends" -> backends = items(parser, field, SnapshotJson::backend);
                    case "fragments" -> fragments = items(parser, field, SnapshotJson::fragment);
                    case "gateways" -> gateways = items(parser, field, SnapshotJson::gateway);
                    default -> parser.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new ConfigException(new ConfigProblem(source, loc == null ? 0 : loc.getLineNr(),
                                                        loc == null ? 0 : loc.getColumnNr(), "",
                                                        "malformed snapshot JSON: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException(ConfigProblem.of(source, "cannot read snapshot: " + e.getMessage()));
        } catch (RuntimeException e) {
            throw new ConfigException(ConfigProblem.of(source, "invalid snapshot: " + e.getMessage()));
        }
        if (format.asInt(-1) != FORMAT) {
            throw new ConfigException(ConfigProblem.of(source, "unsupported snapshot format " + format
                    + " (this gateway reads format " + FORMAT + ")"));
        }
        Snapshot snapshot;
        try {
            if (!revision.isTextual()) {
                throw new IllegalArgumentException("missing text field 'revision'");
            }
            snapshot = new Snapshot(revision.asText(),
                                    optionalDocument(globalPolicy),
                                    required(apis, "apis"),
                                    required(products, "products"),
                                    required(subscriptions, "subscriptions"),
                                    required(namedValues, "namedValues"),
                                    required(backends, "backends"),
                                    required(fragments, "fragments"),
                                    required(gateways, "gateways"));
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

    /** Reads the array the parser is at, one item's tree at a time. */
    private static <T> List<T> items(JsonParser parser, String field, Function<JsonNode, T> reader) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw new IllegalArgumentException("'" + field + "' must be an array");
        }
        List<T> result = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            result.add(reader.apply(MAPPER.readTree(parser)));
        }
        return result;
    }

    private static <T> List<T> required(List<T> items, String field) {
        if (items == null) {
            throw new IllegalArgumentException("'" + field + "' must be an array");
        }
        return items;
    }

    /**
     * Computes the content-derived revision of a snapshot (its own revision field is ignored).
     *
     * @param snapshot the snapshot
     * @return 32 hex characters
     */
    public static String revisionOf(Snapshot snapshot) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
        // Streamed into the digest: building the document first (a JSON tree, then its bytes) took several times the
        // snapshot's own size, and a gateway computes this while the previous snapshot is still serving.
        serialize(new DigestOutputStream(OutputStream.nullOutputStream(), sha256), snapshot, false);
        return HexFormat.of().formatHex(Arrays.copyOf(sha256.digest(), 16));
    }

    /**
     * Writes a snapshot's JSON object: its content fields, after {@code format} and {@code revision} when
     * {@code withHeader} (the document {@link #write} returns; without them, what {@link #revisionOf} digests).
     */
    private static void serialize(OutputStream out, Snapshot snapshot, boolean withHeader) {
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            if (withHeader) {
                g.writeNumberField("format", FORMAT);
                g.writeStringField("revision", snapshot.revision());
            }
            content(g, snapshot);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize a snapshot", e);
        }
    }

    /**
     * Writes the content fields, in the canonical order. The bytes are what revisions are computed from, compared
     * across versions: {@code SnapshotJsonTest} pins them.
     */
    private static void content(JsonGenerator g, Snapshot s) throws IOException {
        if (s.globalPolicy().isPresent()) {
            document(g, "globalPolicy", s.globalPolicy().get());
        }
        g.writeArrayFieldStart("apis");
        for (Api a : s.apis()) {
            api(g, a);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("products");
        for (Product p : s.products()) {
            g.writeStartObject();
            g.writeStringField("id", p.id());
            g.writeStringField("displayName", p.displayName());
            g.writeStringField("state", p.state());
            g.writeBooleanField("subscriptionRequired", p.subscriptionRequired());
            strings(g, "apiIds", p.apiIds());
            if (p.policy().isPresent()) {
                document(g, "policy", p.policy().get());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("subscriptions");
        for (Subscription sub : s.subscriptions()) {
            g.writeStartObject();
            g.writeStringField("id", sub.id());
            g.writeStringField("displayName", sub.displayName());
            g.writeStringField("scope", sub.scope());
            g.writeStringField("state", sub.state());
            if (sub.primaryKeyHash().isPresent()) {
                g.writeStringField("primaryKeyHash", sub.primaryKeyHash().get());
            }
            if (sub.secondaryKeyHash().isPresent()) {
                g.writeStringField("secondaryKeyHash", sub.secondaryKeyHash().get());
            }
            if (sub.createdDate().isPresent()) {
                g.writeStringField("createdDate", sub.createdDate().get().toString());
            }
            g.writeBooleanField("allowTracing", sub.allowTracing());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("namedValues");
        for (NamedValue v : s.namedValues()) {
            g.writeStartObject();
            g.writeStringField("id", v.id());
            g.writeStringField("displayName", v.displayName());
            g.writeStringField("value", v.value());
            g.writeBooleanField("secret", v.secret());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("backends");
        for (Backend b : s.backends()) {
            g.writeStartObject();
            g.writeStringField("id", b.id());
            // Fields past the first four are written only when set, so that a folder without pools, credentials or
            // breakers keeps the revision (and the backups) it had before they were read.
            if (b.url().isPresent()) {
                g.writeStringField("url", b.url().get().toString());
            }
            g.writeStringField("protocol", b.protocol());
            g.writeStringField("description", b.description());
            if (b.type() != Backend.Type.SINGLE) {
                g.writeStringField("type", b.type().apimName());
                g.writeArrayFieldStart("pool");
                for (Backend.PoolMember m : b.pool()) {
                    g.writeStartObject();
                    g.writeStringField("backendId", m.backendId());
                    g.writeNumberField("priority", m.priority());
                    g.writeNumberField("weight", m.weight());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (!b.credentials().isEmpty()) {
                g.writeObjectFieldStart("credentials");
                nameValues(g, "header", b.credentials().header());
                nameValues(g, "query", b.credentials().query());
                g.writeEndObject();
            }
            if (!b.circuitBreaker().isEmpty()) {
                g.writeArrayFieldStart("circuitBreaker");
                for (Backend.CircuitBreakerRule r : b.circuitBreaker()) {
                    g.writeStartObject();
                    g.writeStringField("name", r.name());
                    g.writeNumberField("count", r.count());
                    g.writeStringField("interval", r.interval().toString());
                    g.writeArrayFieldStart("statusCodeRanges");
                    for (Backend.StatusCodeRange range : r.statusCodeRanges()) {
                        g.writeStartObject();
                        g.writeNumberField("min", range.min());
                        g.writeNumberField("max", range.max());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    strings(g, "errorReasons", r.errorReasons());
                    g.writeStringField("tripDuration", r.tripDuration().toString());
                    g.writeBooleanField("acceptRetryAfter", r.acceptRetryAfter());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("fragments");
        for (PolicyFragment f : s.fragments()) {
            g.writeStartObject();
            g.writeStringField("id", f.id());
            g.writeStringField("description", f.description());
            document(g, "document", f.document());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("gateways");
        for (Gateway gw : s.gateways()) {
            g.writeStartObject();
            g.writeStringField("id", gw.id());
            g.writeStringField("description", gw.description());
            strings(g, "apiIds", gw.apiIds());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void api(JsonGenerator g, Api a) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", a.id());
        g.writeStringField("displayName", a.displayName());
        g.writeStringField("path", a.path());
        if (a.serviceUrl().isPresent()) {
            g.writeStringField("serviceUrl", a.serviceUrl().get().toString());
        }
        strings(g, "protocols", a.protocols().stream().sorted().toList());
        g.writeBooleanField("subscriptionRequired", a.subscriptionRequired());
        g.writeObjectFieldStart("subscriptionKeyParameterNames");
        g.writeStringField("header", a.keyNames().header());
        g.writeStringField("query", a.keyNames().query());
        g.writeEndObject();
        g.writeStringField("apiVersion", a.apiVersion());
        g.writeStringField("revision", a.revision());
        g.writeArrayFieldStart("operations");
        for (Operation o : a.operations()) {
            g.writeStartObject();
            g.writeStringField("id", o.id());
            g.writeStringField("displayName", o.displayName());
            g.writeStringField("method", o.method());
            g.writeStringField("urlTemplate", o.urlTemplate());
            parameters(g, "templateParameters", o.templateParameters());
            parameters(g, "queryParameters", o.queryParameters());
            g.writeArrayFieldStart("examples");
            for (Operation.ResponseExample e : o.examples()) {
                g.writeStartObject();
                g.writeNumberField("statusCode", e.statusCode());
                g.writeStringField("contentType", e.contentType());
                g.writeStringField("body", e.body());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (o.policy().isPresent()) {
                document(g, "policy", o.policy().get());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        if (a.policy().isPresent()) {
            document(g, "policy", a.policy().get());
        }
        g.writeEndObject();
    }

    private static void parameters(JsonGenerator g, String field, List<Operation.Parameter> parameters)
            throws IOException {
        g.writeArrayFieldStart(field);
        for (Operation.Parameter p : parameters) {
            g.writeStartObject();
            g.writeStringField("name", p.name());
            g.writeBooleanField("required", p.required());
            g.writeStringField("type", p.type());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    private static void document(JsonGenerator g, String field, PolicyDocument d) throws IOException {
        g.writeObjectFieldStart(field);
        g.writeStringField("path", d.path());
        g.writeStringField("xml", d.xml());
        g.writeEndObject();
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
        Backend.Type type = n.has("type") ? backendType(text(n, "type")) : Backend.Type.SINGLE;
        List<Backend.PoolMember> pool = new ArrayList<>();
        for (JsonNode m : n.path("pool")) {
            pool.add(new Backend.PoolMember(text(m, "backendId"), m.path("priority").asInt(1), m.path("weight").asInt(1)));
        }
        JsonNode c = n.path("credentials");
        Backend.Credentials credentials = c.isObject()
                ? new Backend.Credentials(nameValues(c.path("header")), nameValues(c.path("query")))
                : Backend.Credentials.NONE;
        List<Backend.CircuitBreakerRule> rules = new ArrayList<>();
        for (JsonNode r : n.path("circuitBreaker")) {
            List<Backend.StatusCodeRange> ranges = new ArrayList<>();
            for (JsonNode range : r.path("statusCodeRanges")) {
                ranges.add(new Backend.StatusCodeRange(range.path("min").asInt(), range.path("max").asInt()));
            }
            rules.add(new Backend.CircuitBreakerRule(text(r, "name"), r.path("count").asInt(),
                                                     Duration.parse(text(r, "interval")), ranges,
                                                     stringList(r.path("errorReasons")),
                                                     Duration.parse(text(r, "tripDuration")),
                                                     r.path("acceptRetryAfter").asBoolean()));
        }
        return new Backend(text(n, "id"), type, optionalText(n, "url").map(URI::create), text(n, "protocol"),
                           text(n, "description"), pool, credentials, rules);
    }

    private static Backend.Type backendType(String name) {
        for (Backend.Type t : Backend.Type.values()) {
            if (t.apimName().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown backend type '" + name + "'");
    }

    private static void nameValues(JsonGenerator g, String field, Map<String, List<String>> values) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, List<String>> e : values.entrySet()) {
            strings(g, e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    private static Map<String, List<String>> nameValues(JsonNode object) {
        Map<String, List<String>> result = new HashMap<>();
        object.properties().forEach(e -> result.put(e.getKey(), stringList(e.getValue())));
        return result;
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
