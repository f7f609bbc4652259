package io.gatehouse.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

/**
 * Reads an APIOps artifact folder, as Azure/apiops extracts it, into a {@link Snapshot}.
 *
 * <p>Every file is read and checked before anything is returned; all problems found are reported together, each with
 * the file's path relative to the folder and, where the format gives one, the line. Folders the gateway does not use
 * (tags, loggers, diagnostics, version sets, groups) are ignored.
 */
public final class ApiOpsReader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final Pattern TEMPLATE_PARAMETER = Pattern.compile("\\{([^{}/]+)}");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._~-]+");

    private final Path root;
    private final Consumer<ConfigProblem> warnings;
    private final SpecCache specs;
    private final List<ConfigProblem> problems = new ArrayList<>();

    private ApiOpsReader(Path root, Consumer<ConfigProblem> warnings, SpecCache specs) {
        this.root = root;
        this.warnings = warnings;
        this.specs = specs;
    }

    /**
     * Reads a folder; warnings (skipped, unsupported artifacts) are dropped.
     *
     * @param root the folder
     * @return the snapshot
     * @throws ConfigException listing every problem found
     */
    public static Snapshot read(Path root) throws ConfigException {
        return read(root, w -> { });
    }

    /**
     * Reads a folder.
     *
     * @param root     the folder
     * @param warnings receives artifacts that were skipped, with the reason
     * @return the snapshot
     * @throws ConfigException listing every problem found
     */
    public static Snapshot read(Path root, Consumer<ConfigProblem> warnings) throws ConfigException {
        return read(root, warnings, new SpecCache());
    }

    /**
     * Reads a folder again: specifications whose content {@code specs} has seen are not parsed again. For a source
     * that reads the same folder on every change.
     *
     * @param root     the folder
     * @param warnings receives artifacts that were skipped, with the reason
     * @param specs    what earlier reads of the folder parsed; updated by this read
     * @return the snapshot
     * @throws ConfigException listing every problem found
     */
    public static Snapshot read(Path root, Consumer<ConfigProblem> warnings, SpecCache specs) throws ConfigException {
        if (!Files.isDirectory(root)) {
            throw new ConfigException(ConfigProblem.of(root.toString(), "not a directory (expected an APIOps folder)"));
        }
        return new ApiOpsReader(root, warnings, specs).readAll();
    }

    /**
     * Reads a folder as far as it can: the snapshot of every artifact that read cleanly, and every problem. For
     * {@code validate}, which goes on to compile the policies of that partial snapshot so that one run lists the
     * problems of every file. Never serve a partial snapshot.
     *
     * @param root     the folder
     * @param warnings receives artifacts that were skipped, with the reason
     * @return the partial snapshot and the problems (empty if the folder is valid)
     */
    public static Partial readPartial(Path root, Consumer<ConfigProblem> warnings) {
        if (!Files.isDirectory(root)) {
            return new Partial(Snapshot.create(Optional.empty(), List.of(), List.of(), List.of(), List.of(), List.of(),
                                               List.of(), List.of()),
                               List.of(ConfigProblem.of(root.toString(), "not a directory (expected an APIOps folder)")));
        }
        ApiOpsReader reader = new ApiOpsReader(root, warnings, new SpecCache());
        Snapshot snapshot = reader.build();
        return new Partial(snapshot, List.copyOf(reader.problems));
    }

    /**
     * What {@link #readPartial} found.
     *
     * @param snapshot the artifacts that read cleanly
     * @param problems every problem
     */
    public record Partial(Snapshot snapshot, List<ConfigProblem> problems) {
    }

    private Snapshot readAll() throws ConfigException {
        Snapshot snapshot = build();
        if (!problems.isEmpty()) {
            specs.readFailed();
            throw new ConfigException(problems);
        }
        specs.readSucceeded();
        return snapshot;
    }

    private Snapshot build() {
        Optional<PolicyDocument> global = policy(root.resolve("policy.xml"));
        List<Api> apis = readApis();
        List<Product> products = readProducts(apis);
        List<NamedValue> namedValues = readNamedValues();
        List<Backend> backends = readBackends();
        List<PolicyFragment> fragments = readFragments();
        List<Gateway> gateways = readGateways(apis);
        List<Subscription> subscriptions = readSubscriptions(apis, products);
        return Snapshot.create(global, apis, products, subscriptions, namedValues, backends, fragments, gateways);
    }

    // ---------------------------------------------------------------- APIs

    private List<Api> readApis() {
        List<Api> apis = new ArrayList<>();
        Map<String, String> pathOwners = new HashMap<>();
        for (Path dir : children(root.resolve("apis"))) {
            String id = dir.getFileName().toString();
            if (id.contains(";rev=")) {
                warn(dir, "non-current API revision skipped: Gatehouse serves the current revision of each API");
                continue;
            }
            Optional<JsonNode> info = properties(dir.resolve("apiInformation.json"), true);
            if (info.isEmpty()) {
                continue;
            }
            JsonNode p = info.get();
            String file = rel(dir.resolve("apiInformation.json"));
            String type = p.path("type").asText("http");
            if (!type.equalsIgnoreCase("http")) {
                warn(dir, "API type '" + type + "' is not supported; the API is skipped");
                continue;
            }
            if (p.has("isCurrent") && !p.path("isCurrent").asBoolean(true)) {
                warn(dir, "non-current API revision skipped: Gatehouse serves the current revision of each API");
                continue;
            }
            if (!p.has("path") || !p.get("path").isTextual()) {
                problem(file, "'properties.path' is required (the API URL suffix; use \"\" for the root)");
                continue;
            }
            String path = trimSlashes(p.get("path").asText());
            String owner = pathOwners.putIfAbsent(path, id);
            if (owner != null) {
                problem(file, "API path '" + path + "' is already used by API '" + owner + "'");
            }
            Optional<URI> serviceUrl = Optional.empty();
            String service = p.path("serviceUrl").asText("");
            if (!service.isBlank()) {
                serviceUrl = httpUri(file, "properties.serviceUrl", service);
            }
            Set<String> protocols = new LinkedHashSet<>();
            p.path("protocols").forEach(n -> protocols.add(n.asText().toLowerCase(Locale.ROOT)));
            if (protocols.isEmpty()) {
                protocols.add("https");
            }
            JsonNode names = p.path("subscriptionKeyParameterNames");
            SubscriptionKeyNames keyNames = new SubscriptionKeyNames(
                    names.path("header").asText(SubscriptionKeyNames.DEFAULT.header()),
                    names.path("query").asText(SubscriptionKeyNames.DEFAULT.query()));
            List<Operation> operations = readOperations(dir);
            apis.add(new Api(id,
                             p.path("displayName").asText(id),
                             path,
                             serviceUrl,
                             protocols,
                             p.path("subscriptionRequired").asBoolean(true),
                             keyNames,
                             p.path("apiVersion").asText(""),
                             p.path("apiRevision").asText("1"),
                             operations,
                             policy(dir.resolve("policy.xml"))));
        }
        return apis;
    }

    private List<Operation> readOperations(Path apiDir) {
        Path spec = Stream.of("specification.yaml", "specification.yml", "specification.json")
                .map(apiDir::resolve)
                .filter(Files::isRegularFile)
                .findFirst()
                .orElse(null);
        Map<String, Optional<PolicyDocument>> opPolicies = new HashMap<>();
        for (Path opDir : children(apiDir.resolve("operations"))) {
            opPolicies.put(opDir.getFileName().toString(), policy(opDir.resolve("policy.xml")));
        }
        List<Operation> operations = new ArrayList<>();
        if (spec == null) {
            for (String other : List.of("specification.graphql", "specification.wsdl", "specification.wadl")) {
                if (Files.exists(apiDir.resolve(other))) {
                    problem(rel(apiDir.resolve(other)), "only OpenAPI specifications are supported");
                }
            }
            if (!opPolicies.isEmpty()) {
                problem(rel(apiDir.resolve("operations")), "operation policies exist but the API has no"
                        + " specification.yaml or specification.json to define its operations");
            }
            return operations;
        }
        Optional<List<Operation>> declared = specOperations(spec);
        if (declared.isEmpty()) {
            return operations;
        }
        Set<String> ids = new LinkedHashSet<>();
        for (Operation op : declared.get()) {
            ids.add(op.id());
            Optional<PolicyDocument> policy = opPolicies.getOrDefault(op.id(), Optional.empty());
            operations.add(policy.isEmpty() ? op : op.withPolicy(policy));
        }
        for (String opId : opPolicies.keySet()) {
            if (!ids.contains(opId)) {
                problem(rel(apiDir.resolve("operations").resolve(opId)),
                        "no operation '" + opId + "' in " + spec.getFileName() + " (operation folders are named after"
                                + " operationId)");
            }
        }
        return operations;
    }

    /**
     * The operations a specification declares, without operation policies: from {@link #specs} if this content was
     * parsed before (its parser warnings reported again for this file), else parsed, and kept if it read cleanly.
     */
    private Optional<List<Operation>> specOperations(Path spec) {
        Optional<String> text = text(spec);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String file = rel(spec);
        boolean json = spec.getFileName().toString().endsWith(".json");
        String key = SpecCache.key(json, text.get());
        SpecCache.Entry known = specs.get(key);
        if (known != null) {
            known.warnings().forEach(w -> warnings.accept(ConfigProblem.of(file, w)));
            return Optional.of(known.operations());
        }
        int problemsBefore = problems.size();
        List<String> parserWarnings = new ArrayList<>();
        Optional<OpenAPI> openApi = openApi(file, json, text.get(), parserWarnings);
        parserWarnings.forEach(w -> warnings.accept(ConfigProblem.of(file, w)));
        if (openApi.isEmpty()) {
            return Optional.empty();
        }
        Set<String> ids = new LinkedHashSet<>();
        List<Operation> operations = new ArrayList<>();
        var paths = openApi.get().getPaths();
        if (paths != null) {
            for (Map.Entry<String, PathItem> entry : paths.entrySet()) {
                String template = entry.getKey();
                PathItem item = entry.getValue();
                for (Map.Entry<PathItem.HttpMethod, io.swagger.v3.oas.models.Operation> op
                        : item.readOperationsMap().entrySet()) {
                    String method = op.getKey().name();
                    io.swagger.v3.oas.models.Operation o = op.getValue();
                    String id = o.getOperationId() == null || o.getOperationId().isBlank()
                            ? derivedOperationId(method, template)
                            : o.getOperationId();
                    if (!ids.add(id)) {
                        problem(file, "operationId '" + id + "' is used twice");
                        continue;
                    }
                    operations.add(operation(file, id, method, template, item, o));
                }
            }
        }
        if (problems.size() == problemsBefore) {
            specs.put(key, new SpecCache.Entry(operations, parserWarnings));
        }
        return Optional.of(operations);
    }

    private Operation operation(String file,
                                String id,
                                String method,
                                String template,
                                PathItem item,
                                io.swagger.v3.oas.models.Operation o) {
        if (!template.startsWith("/")) {
            problem(file, "path '" + template + "' must start with '/'");
        }
        List<Parameter> declared = new ArrayList<>();
        if (item.getParameters() != null) {
            declared.addAll(item.getParameters());
        }
        if (o.getParameters() != null) {
            declared.addAll(o.getParameters());
        }
        List<Operation.Parameter> templateParameters = new ArrayList<>();
        Matcher m = TEMPLATE_PARAMETER.matcher(template);
        while (m.find()) {
            String name = m.group(1);
            String type = declared.stream()
                    .filter(p -> name.equals(p.getName()) && "path".equals(p.getIn()))
                    .findFirst()
                    .map(ApiOpsReader::typeOf)
                    .orElse("string");
            templateParameters.add(new Operation.Parameter(name, true, type));
        }
        List<Operation.Parameter> queryParameters = declared.stream()
                .filter(p -> "query".equals(p.getIn()) && p.getName() != null)
                .map(p -> new Operation.Parameter(p.getName(), Boolean.TRUE.equals(p.getRequired()), typeOf(p)))
                .toList();
        String displayName = o.getSummary() != null && !o.getSummary().isBlank() ? o.getSummary() : id;
        return new Operation(id, displayName, method, template, templateParameters, queryParameters, examples(o),
                             Optional.empty());
    }

    private static List<Operation.ResponseExample> examples(io.swagger.v3.oas.models.Operation o) {
        List<Operation.ResponseExample> examples = new ArrayList<>();
        if (o.getResponses() == null) {
            return examples;
        }
        for (Map.Entry<String, ApiResponse> response : o.getResponses().entrySet()) {
            int status;
            try {
                status = Integer.parseInt(response.getKey());
            } catch (NumberFormatException e) {
                continue; // "default" and "2XX" ranges carry no concrete status to mock
            }
            var content = response.getValue().getContent();
            if (content == null || content.isEmpty()) {
                examples.add(new Operation.ResponseExample(status, "", ""));
                continue;
            }
            for (Map.Entry<String, MediaType> media : content.entrySet()) {
                exampleBody(media.getValue()).ifPresentOrElse(
                        body -> examples.add(new Operation.ResponseExample(status, media.getKey(), body)),
                        () -> examples.add(new Operation.ResponseExample(status, media.getKey(), "")));
            }
        }
        return examples;
    }

    private static Optional<String> exampleBody(MediaType media) {
        Object example = media.getExample();
        if (example == null && media.getExamples() != null && !media.getExamples().isEmpty()) {
            example = media.getExamples().values().iterator().next().getValue();
        }
        if (example == null && media.getSchema() != null) {
            example = media.getSchema().getExample();
        }
        if (example == null) {
            return Optional.empty();
        }
        if (example instanceof String s) {
            return Optional.of(s);
        }
        try {
            return Optional.of(JSON.writeValueAsString(example));
        } catch (JsonProcessingException e) {
            return Optional.of(String.valueOf(example));
        }
    }

    private static String typeOf(Parameter p) {
        return p.getSchema() != null && p.getSchema().getType() != null ? p.getSchema().getType() : "string";
    }

    private static String derivedOperationId(String method, String template) {
        String slug = template.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-|-$", "");
        return method.toLowerCase(Locale.ROOT) + (slug.isEmpty() ? "" : "-" + slug);
    }

    private Optional<OpenAPI> openApi(String file, boolean json, String text, List<String> parserWarnings) {
        // Parse once with Jackson first: its errors carry a line and column, the OpenAPI parser's do not.
        ObjectMapper syntax = json ? JSON : YAML;
        try {
            JsonNode tree = syntax.readTree(text);
            if (tree == null || !tree.isObject()) {
                problem(file, "an OpenAPI specification must be an object");
                return Optional.empty();
            }
            if (!tree.has("openapi")) {
                problem(file, tree.has("swagger")
                        ? "Swagger 2.0 specifications are not supported; convert the API to OpenAPI 3"
                        : "not an OpenAPI 3 specification (no 'openapi' field)");
                return Optional.empty();
            }
        } catch (JsonProcessingException e) {
            syntaxProblem(file, e);
            return Optional.empty();
        }
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(text, null, options);
        if (result.getOpenAPI() == null) {
            List<String> messages = result.getMessages() == null ? List.of() : result.getMessages();
            problem(file, "invalid OpenAPI specification: " + String.join("; ", messages));
            return Optional.empty();
        }
        if (result.getMessages() != null) {
            // The parser also reports problems that do not stop it (unknown fields, missing info); only warn.
            parserWarnings.addAll(result.getMessages());
        }
        return Optional.of(result.getOpenAPI());
    }

    // ---------------------------------------------------------------- products and subscriptions

    private List<Product> readProducts(List<Api> apis) {
        Set<String> apiIds = ids(apis.stream().map(Api::id));
        List<Product> products = new ArrayList<>();
        for (Path dir : children(root.resolve("products"))) {
            String id = dir.getFileName().toString();
            Optional<JsonNode> info = properties(dir.resolve("productInformation.json"), true);
            if (info.isEmpty()) {
                continue;
            }
            JsonNode p = info.get();
            List<String> productApis = new ArrayList<>();
            for (Path apiDir : children(dir.resolve("apis"))) {
                String apiId = apiDir.getFileName().toString();
                properties(apiDir.resolve("productApiInformation.json"), false);
                if (apiIds.contains(apiId)) {
                    productApis.add(apiId);
                } else if (!skippedApi(apiId)) {
                    problem(rel(apiDir), "product '" + id + "' refers to API '" + apiId + "', which is not defined"
                            + " under apis/");
                }
            }
            products.add(new Product(id,
                                     p.path("displayName").asText(id),
                                     p.path("state").asText("notPublished"),
                                     p.path("subscriptionRequired").asBoolean(true),
                                     productApis.stream().sorted().toList(),
                                     policy(dir.resolve("policy.xml"))));
        }
        return products;
    }

    private List<Subscription> readSubscriptions(List<Api> apis, List<Product> products) {
        Set<String> apiIds = ids(apis.stream().map(Api::id));
        Set<String> productIds = ids(products.stream().map(Product::id));
        Map<String, String> keyOwners = new HashMap<>();
        List<Subscription> subscriptions = new ArrayList<>();
        for (Path dir : children(root.resolve("subscriptions"))) {
            String id = dir.getFileName().toString();
            Path infoFile = dir.resolve("subscriptionInformation.json");
            Optional<JsonNode> info = properties(infoFile, true);
            if (info.isEmpty()) {
                continue;
            }
            JsonNode p = info.get();
            String file = rel(infoFile);
            String scope = normalizeScope(p.path("scope").asText(""));
            if (scope.isEmpty()) {
                problem(file, "'properties.scope' is required: /apis, /apis/{api} or /products/{product}");
                continue;
            }
            if (scope.startsWith("/apis/") && !apiIds.contains(scope.substring(6)) && !skippedApi(scope.substring(6))) {
                problem(file, "scope '" + scope + "' names an API that is not defined under apis/");
            } else if (scope.startsWith("/products/") && !productIds.contains(scope.substring(10))) {
                problem(file, "scope '" + scope + "' names a product that is not defined under products/");
            } else if (!scope.equals("/apis") && !scope.startsWith("/apis/") && !scope.startsWith("/products/")) {
                problem(file, "unsupported scope '" + scope + "': use /apis, /apis/{api} or /products/{product}");
            }
            Optional<String> primary = key(file, "primaryKey", p, id, keyOwners);
            Optional<String> secondary = key(file, "secondaryKey", p, id, keyOwners);
            Optional<Instant> created = Optional.empty();
            if (p.hasNonNull("createdDate")) {
                try {
                    created = Optional.of(Instant.parse(p.get("createdDate").asText()));
                } catch (DateTimeParseException e) {
                    problem(file, "'properties.createdDate' is not an ISO-8601 instant: " + p.get("createdDate"));
                }
            }
            subscriptions.add(new Subscription(id,
                                               p.path("displayName").asText(id),
                                               scope,
                                               p.path("state").asText("active"),
                                               primary,
                                               secondary,
                                               created,
                                               p.path("allowTracing").asBoolean(false)));
        }
        return subscriptions;
    }

    private Optional<String> key(String file, String field, JsonNode p, String subscription, Map<String, String> owners) {
        if (!p.hasNonNull(field)) {
            return Optional.empty();
        }
        String key = p.get(field).asText();
        // Never echo the key itself in a message.
        if (key.length() < 16 || key.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
            problem(file, "'properties." + field + "' must be at least 16 printable ASCII characters without spaces");
            return Optional.empty();
        }
        String hash = KeyHash.of(key);
        String owner = owners.putIfAbsent(hash, subscription + "." + field);
        if (owner != null) {
            problem(file, "'properties." + field + "' is the same key as " + owner + "; keys must be unique");
        }
        return Optional.of(hash);
    }

    /** Accepts the short APIOps form and full ARM ids, which APIOps exports in some versions. */
    static String normalizeScope(String scope) {
        String s = trimSlashes(scope.trim());
        int products = s.lastIndexOf("/products/");
        if (products >= 0) {
            return "/" + s.substring(products + 1);
        }
        int apis = s.lastIndexOf("/apis");
        if (apis >= 0) {
            return "/" + s.substring(apis + 1);
        }
        return s.isEmpty() ? "" : "/" + s;
    }

    // ---------------------------------------------------------------- named values, backends, fragments, gateways

    private List<NamedValue> readNamedValues() {
        List<NamedValue> values = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        for (Path dir : children(root.resolve("named values"))) {
            String id = dir.getFileName().toString();
            Path infoFile = dir.resolve("namedValueInformation.json");
            Optional<JsonNode> info = properties(infoFile, true);
            if (info.isEmpty()) {
                continue;
            }
            JsonNode p = info.get();
            String file = rel(infoFile);
            String displayName = p.path("displayName").asText(id);
            String owner = names.putIfAbsent(displayName, id);
            if (owner != null) {
                problem(file, "named value name '" + displayName + "' is also used by '" + owner + "'");
            }
            if (p.has("keyVault")) {
                problem(file, "Key Vault named values cannot be resolved by a standalone gateway; set 'value'"
                        + " (for example from a secret at deployment time)");
                continue;
            }
            if (!p.hasNonNull("value")) {
                problem(file, "'properties.value' is required");
                continue;
            }
            values.add(new NamedValue(id, displayName, p.get("value").asText(), p.path("secret").asBoolean(false)));
        }
        return values;
    }

    private List<Backend> readBackends() {
        // Two passes: pool members may name backends that sort after the pool.
        Map<String, JsonNode> read = new TreeMap<>();
        Map<String, String> files = new HashMap<>();
        for (Path dir : children(root.resolve("backends"))) {
            String id = dir.getFileName().toString();
            Path infoFile = dir.resolve("backendInformation.json");
            properties(infoFile, true).ifPresent(p -> {
                read.put(id, p);
                files.put(id, rel(infoFile));
            });
        }
        List<Backend> backends = new ArrayList<>();
        read.forEach((id, p) -> backend(id, files.get(id), p, read).ifPresent(backends::add));
        return backends;
    }

    private Optional<Backend> backend(String id, String file, JsonNode p, Map<String, JsonNode> all) {
        int before = problems.size();
        Backend.Type type = backendType(p);
        if (type == null) {
            problem(file, "'properties.type' must be 'Single' or 'Pool', got '" + p.get("type").asText() + "'");
            return Optional.empty();
        }
        Optional<URI> url = Optional.empty();
        List<Backend.PoolMember> pool = List.of();
        if (type == Backend.Type.SINGLE) {
            if (!p.hasNonNull("url")) {
                problem(file, "'properties.url' is required");
                return Optional.empty();
            }
            url = httpUri(file, "properties.url", p.get("url").asText());
        } else {
            pool = poolMembers(id, file, p, all);
        }
        Backend.Credentials credentials = credentials(file, p.path("credentials"));
        List<Backend.CircuitBreakerRule> rules = circuitBreaker(file, p.path("circuitBreaker"));
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new Backend(id, type, url, p.path("protocol").asText("http"),
                                       p.path("description").asText(""), pool, credentials, rules));
    }

    private static Backend.Type backendType(JsonNode p) {
        String type = p.path("type").asText("Single");
        for (Backend.Type t : Backend.Type.values()) {
            if (t.apimName().equalsIgnoreCase(type)) {
                return t;
            }
        }
        return null;
    }

    private List<Backend.PoolMember> poolMembers(String id, String file, JsonNode p, Map<String, JsonNode> all) {
        JsonNode services = p.path("pool").path("services");
        if (!services.isArray() || services.isEmpty()) {
            problem(file, "'properties.pool.services' must list at least one backend for a pool");
            return List.of();
        }
        List<Backend.PoolMember> members = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < services.size(); i++) {
            JsonNode service = services.get(i);
            String path = "properties.pool.services[" + i + "]";
            if (!service.path("id").isTextual()) {
                problem(file, "'" + path + ".id' is required, such as '/backends/<id>'");
                continue;
            }
            String ref = service.get("id").asText();
            String memberId = backendIdOf(ref);
            if (memberId == null || !all.containsKey(memberId)) {
                problem(file, "'" + path + ".id' names backend '" + ref + "', which is not defined under backends/");
                continue;
            }
            if (backendType(all.get(memberId)) != Backend.Type.SINGLE) {
                problem(file, "'" + path + ".id' names '" + memberId + "', which is not a single backend: pools"
                        + " cannot contain pools");
                continue;
            }
            if (!seen.add(memberId)) {
                problem(file, "'" + path + ".id' names '" + memberId + "' a second time");
                continue;
            }
            OptionalInt priority = positiveInt(file, path + ".priority", service.path("priority"), 1, 0);
            OptionalInt weight = positiveInt(file, path + ".weight", service.path("weight"), 1, 0);
            if (priority.isPresent() && weight.isPresent()) {
                members.add(new Backend.PoolMember(memberId, priority.getAsInt(), weight.getAsInt()));
            }
        }
        return members;
    }

    /** {@code /backends/<id>} or a full ARM id ending so: the id, or null when it is neither. */
    static String backendIdOf(String reference) {
        String s = trimSlashes(reference.trim());
        int at = s.lastIndexOf("backends/");
        if (at < 0 || at > 0 && s.charAt(at - 1) != '/') {
            return null;
        }
        String id = s.substring(at + "backends/".length());
        return id.isEmpty() || id.contains("/") ? null : id;
    }

    private OptionalInt positiveInt(String file, String path, JsonNode value, int absent, int min) {
        if (value.isMissingNode() || value.isNull()) {
            return OptionalInt.of(absent);
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < min) {
            problem(file, "'" + path + "' must be a whole number of at least " + min + ", got " + value);
            return OptionalInt.empty();
        }
        return OptionalInt.of(value.asInt());
    }

    private Backend.Credentials credentials(String file, JsonNode credentials) {
        if (credentials.isMissingNode() || credentials.isNull()) {
            return Backend.Credentials.NONE;
        }
        if (!credentials.isObject()) {
            problem(file, "'properties.credentials' must be a JSON object");
            return Backend.Credentials.NONE;
        }
        credentials.fieldNames().forEachRemaining(name -> {
            if (!name.equals("header") && !name.equals("query")) {
                problem(file, "'properties.credentials." + name + "' is not supported (only 'header' and 'query';"
                        + " certificates and authorization need a certificate store or identity Gatehouse lacks)");
            }
        });
        return new Backend.Credentials(nameValues(file, "properties.credentials.header", credentials.path("header")),
                                       nameValues(file, "properties.credentials.query", credentials.path("query")));
    }

    private Map<String, List<String>> nameValues(String file, String path, JsonNode object) {
        if (object.isMissingNode() || object.isNull()) {
            return Map.of();
        }
        if (!object.isObject()) {
            problem(file, "'" + path + "' must be a JSON object of names and lists of values");
            return Map.of();
        }
        Map<String, List<String>> result = new HashMap<>();
        object.properties().forEach(e -> {
            JsonNode values = e.getValue();
            List<String> list = new ArrayList<>();
            if (values.isTextual()) {
                list.add(values.asText());
            } else if (values.isArray() && !values.isEmpty()) {
                for (JsonNode v : values) {
                    if (!v.isTextual()) {
                        problem(file, "'" + path + "." + e.getKey() + "' must hold strings");
                        return;
                    }
                    list.add(v.asText());
                }
            } else {
                problem(file, "'" + path + "." + e.getKey() + "' must be a list of strings");
                return;
            }
            result.put(e.getKey(), list);
        });
        return result;
    }

    private List<Backend.CircuitBreakerRule> circuitBreaker(String file, JsonNode breaker) {
        if (breaker.isMissingNode() || breaker.isNull()) {
            return List.of();
        }
        JsonNode rules = breaker.path("rules");
        if (!rules.isArray()) {
            problem(file, "'properties.circuitBreaker.rules' must be an array");
            return List.of();
        }
        List<Backend.CircuitBreakerRule> result = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            String path = "properties.circuitBreaker.rules[" + i + "]";
            JsonNode rule = rules.get(i);
            JsonNode condition = rule.path("failureCondition");
            if (!condition.isObject()) {
                problem(file, "'" + path + ".failureCondition' is required");
                continue;
            }
            int before = problems.size();
            OptionalInt count = condition.has("count")
                    ? positiveInt(file, path + ".failureCondition.count", condition.get("count"), 1, 1)
                    : OptionalInt.empty();
            if (!condition.has("count")) {
                problem(file, "'" + path + ".failureCondition.count' is required");
            }
            Duration interval = duration(file, path + ".failureCondition.interval", condition.path("interval"));
            Duration trip = duration(file, path + ".tripDuration", rule.path("tripDuration"));
            List<Backend.StatusCodeRange> ranges = new ArrayList<>();
            JsonNode rangeNodes = condition.path("statusCodeRanges");
            for (int r = 0; r < rangeNodes.size(); r++) {
                String rangePath = path + ".failureCondition.statusCodeRanges[" + r + "]";
                OptionalInt min = statusCode(file, rangePath + ".min", rangeNodes.get(r).path("min"));
                OptionalInt max = statusCode(file, rangePath + ".max", rangeNodes.get(r).path("max"));
                if (min.isPresent() && max.isPresent()) {
                    if (min.getAsInt() > max.getAsInt()) {
                        problem(file, "'" + rangePath + "': min " + min.getAsInt() + " is above max " + max.getAsInt());
                    } else {
                        ranges.add(new Backend.StatusCodeRange(min.getAsInt(), max.getAsInt()));
                    }
                }
            }
            List<String> reasons = new ArrayList<>();
            condition.path("errorReasons").forEach(r -> reasons.add(r.asText()));
            JsonNode accept = rule.path("acceptRetryAfter");
            if (!accept.isMissingNode() && !accept.isBoolean()) {
                problem(file, "'" + path + ".acceptRetryAfter' must be true or false");
            }
            if (problems.size() == before) {
                result.add(new Backend.CircuitBreakerRule(rule.path("name").asText(""), count.getAsInt(), interval,
                                                          ranges, reasons, trip, accept.asBoolean(false)));
            }
        }
        return result;
    }

    private OptionalInt statusCode(String file, String path, JsonNode value) {
        if (!value.isIntegralNumber() || value.asInt() < 100 || value.asInt() > 599) {
            problem(file, "'" + path + "' must be an HTTP status code from 100 to 599, got " + value);
            return OptionalInt.empty();
        }
        return OptionalInt.of(value.asInt());
    }

    private Duration duration(String file, String path, JsonNode value) {
        if (!value.isTextual()) {
            problem(file, "'" + path + "' is required, as an ISO-8601 duration such as 'PT1M'");
            return Duration.ZERO;
        }
        try {
            Duration d = Duration.parse(value.asText());
            if (d.isNegative() || d.isZero()) {
                problem(file, "'" + path + "' must be longer than zero, got '" + value.asText() + "'");
            }
            return d;
        } catch (DateTimeParseException e) {
            problem(file, "'" + path + "' is not an ISO-8601 duration such as 'PT1M': '" + value.asText() + "'");
            return Duration.ZERO;
        }
    }

    private List<PolicyFragment> readFragments() {
        List<PolicyFragment> fragments = new ArrayList<>();
        for (Path dir : children(root.resolve("policy fragments"))) {
            String id = dir.getFileName().toString();
            Optional<JsonNode> info = properties(dir.resolve("policyFragmentInformation.json"), false);
            Optional<PolicyDocument> document = policy(dir.resolve("policy.xml"));
            if (document.isEmpty()) {
                if (Files.notExists(dir.resolve("policy.xml"))) {
                    problem(rel(dir), "policy fragment '" + id + "' has no policy.xml");
                }
                continue;
            }
            String description = info.map(p -> p.path("description").asText("")).orElse("");
            fragments.add(new PolicyFragment(id, description, document.get()));
        }
        return fragments;
    }

    private List<Gateway> readGateways(List<Api> apis) {
        Set<String> apiIds = ids(apis.stream().map(Api::id));
        List<Gateway> gateways = new ArrayList<>();
        for (Path dir : children(root.resolve("gateways"))) {
            String id = dir.getFileName().toString();
            Optional<JsonNode> info = properties(dir.resolve("gatewayInformation.json"), false);
            List<String> assigned = new ArrayList<>();
            for (Path apiDir : children(dir.resolve("apis"))) {
                String apiId = apiDir.getFileName().toString();
                properties(apiDir.resolve("gatewayApiInformation.json"), false);
                if (apiIds.contains(apiId)) {
                    assigned.add(apiId);
                } else if (!skippedApi(apiId)) {
                    problem(rel(apiDir), "gateway '" + id + "' is assigned API '" + apiId + "', which is not defined"
                            + " under apis/");
                }
            }
            gateways.add(new Gateway(id, info.map(p -> p.path("description").asText("")).orElse(""),
                                     assigned.stream().sorted().toList()));
        }
        return gateways;
    }

    // ---------------------------------------------------------------- files

    private boolean skippedApi(String apiId) {
        // A reference to an API we skipped on purpose (revision, unsupported type) is not an error.
        Path dir = root.resolve("apis").resolve(apiId);
        return apiId.contains(";rev=") || Files.isDirectory(dir);
    }

    private List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> result = new ArrayList<>();
            for (Path p : entries.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                if (!Files.isDirectory(p)) {
                    warn(p, "unexpected file; expected one folder per artifact");
                    continue;
                }
                if (!SAFE_NAME.matcher(name.replace(";rev=", "")).matches()) {
                    problem(rel(p), "artifact name '" + name + "' may contain only letters, digits, '.', '_', '~'"
                            + " and '-' (as APIM resource names)");
                    continue;
                }
                result.add(p);
            }
            return result;
        } catch (IOException e) {
            problem(rel(dir), "cannot list folder: " + e.getMessage());
            return List.of();
        }
    }

    private Optional<JsonNode> properties(Path file, boolean required) {
        if (!Files.isRegularFile(file)) {
            if (required) {
                problem(rel(file), "missing file");
            }
            return Optional.empty();
        }
        Optional<String> text = text(file);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode tree = JSON.readTree(text.get());
            if (tree == null || tree.isMissingNode()) {
                // APIOps writes association files (productApiInformation.json...) with no content at all.
                return Optional.of(JSON.createObjectNode());
            }
            if (!tree.isObject()) {
                problem(rel(file), "expected a JSON object {\"properties\": {...}}");
                return Optional.empty();
            }
            JsonNode properties = tree.path("properties");
            if (properties.isMissingNode()) {
                return Optional.of(JSON.createObjectNode());
            }
            if (!properties.isObject()) {
                problem(rel(file), "'properties' must be a JSON object");
                return Optional.empty();
            }
            return Optional.of(properties);
        } catch (JsonProcessingException e) {
            syntaxProblem(rel(file), e);
            return Optional.empty();
        }
    }

    private Optional<PolicyDocument> policy(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return text(file).map(xml -> new PolicyDocument(rel(file), xml));
    }

    private Optional<String> text(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return Optional.of(text.startsWith("\uFEFF") ? text.substring(1) : text);
        } catch (CharacterCodingException e) {
            problem(rel(file), "not valid UTF-8");
            return Optional.empty();
        } catch (IOException e) {
            problem(rel(file), "cannot read: " + e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<URI> httpUri(String file, String field, String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                problem(file, "'" + field + "' must be an absolute http or https URL, got '" + value + "'");
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            problem(file, "'" + field + "' is not a valid URL: " + e.getMessage());
            return Optional.empty();
        }
    }

    private void syntaxProblem(String file, JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        problems.add(new ConfigProblem(file, loc == null ? 0 : loc.getLineNr(), loc == null ? 0 : loc.getColumnNr(), "",
                                       "malformed: " + e.getOriginalMessage()));
    }

    private void problem(String file, String message) {
        problems.add(ConfigProblem.of(file, message));
    }

    private void warn(Path path, String message) {
        warnings.accept(ConfigProblem.of(rel(path), message));
    }

    private String rel(Path path) {
        return root.relativize(path).toString().replace('\\', '/');
    }

    private static Set<String> ids(Stream<String> ids) {
        return ids.collect(Collectors.toSet());
    }

    static String trimSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }
}
