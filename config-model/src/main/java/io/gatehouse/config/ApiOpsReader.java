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
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
        List<Backend> backends = new ArrayList<>();
        for (Path dir : children(root.resolve("backends"))) {
            String id = dir.getFileName().toString();
            Path infoFile = dir.resolve("backendInformation.json");
            Optional<JsonNode> info = properties(infoFile, true);
            if (info.isEmpty()) {
                continue;
            }
            JsonNode p = info.get();
            String file = rel(infoFile);
            if (!p.hasNonNull("url")) {
                problem(file, "'properties.url' is required");
                continue;
            }
            httpUri(file, "properties.url", p.get("url").asText()).ifPresent(url -> backends.add(
                    new Backend(id, url, p.path("protocol").asText("http"), p.path("description").asText(""))));
        }
        return backends;
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
