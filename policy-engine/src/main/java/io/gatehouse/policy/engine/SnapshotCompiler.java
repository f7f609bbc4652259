package io.gatehouse.policy.engine;

import java.net.URI;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.gatehouse.config.Api;
import io.gatehouse.config.Backend;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigProblem;
import io.gatehouse.config.NamedValue;
import io.gatehouse.config.Operation;
import io.gatehouse.config.PolicyDocument;
import io.gatehouse.config.PolicyFragment;
import io.gatehouse.config.Product;
import io.gatehouse.config.Snapshot;
import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyProvider;
import io.gatehouse.policy.spi.Section;

/**
 * Compiles every policy document of a snapshot into pipelines, once per snapshot.
 *
 * <p>As APIM: scopes nest global, product, API, operation; each scope's section replaces its parent's, which it
 * includes where it says {@code <base/>} (a section without {@code <base/>} does not inherit); a scope with no
 * document, or a document without that section, inherits it unchanged; the product scope applies only to requests in
 * that product's context; above global sits an implicit scope whose backend is {@code <forward-request/>}, so a
 * backend nobody declares, or a global backend of just {@code <base/>}, forwards. Every problem of every
 * document is collected before the snapshot is refused.
 */
public final class SnapshotCompiler {

    private static final Pattern NAMED_VALUE = Pattern.compile("\\{\\{([^{}]+)}}");
    private static final Policy BASE = new Policy() {
        @Override
        public Flow apply(io.gatehouse.policy.spi.PolicyContext context) {
            throw new IllegalStateException("<base/> must be inlined at compile time");
        }

        @Override
        public String toString() {
            return "base";
        }
    };

    private final PolicyRegistry registry;
    private final CompilerOptions options;

    /**
     * Creates a compiler.
     *
     * @param registry the known policy elements
     * @param options  compile options
     */
    public SnapshotCompiler(PolicyRegistry registry, CompilerOptions options) {
        this.registry = registry;
        this.options = options;
    }

    /**
     * Compiles a snapshot.
     *
     * @param snapshot the snapshot
     * @param warnings receives one warning per skipped element and the providers' warnings
     * @return the pipelines
     * @throws ConfigException listing every problem found, each with file, line and element
     */
    public CompiledPolicies compile(Snapshot snapshot, Consumer<ConfigProblem> warnings) throws ConfigException {
        Run run = new Run(snapshot, warnings);
        return run.compile();
    }

    private final class Run {
        private final Snapshot snapshot;
        private final Consumer<ConfigProblem> warnings;
        private final List<ConfigProblem> problems = new ArrayList<>();
        private final Map<String, String> namedValues = new HashMap<>();
        private final Map<String, PolicyFragment> fragments = new HashMap<>();
        private final Map<String, URI> backends = new HashMap<>();
        private final SecretRedactor redactor;

        private Run(Snapshot snapshot, Consumer<ConfigProblem> warnings) {
            this.snapshot = snapshot;
            this.warnings = warnings;
            for (NamedValue v : snapshot.namedValues()) {
                namedValues.put(v.displayName(), v.value());
                namedValues.putIfAbsent(v.id(), v.value());
            }
            snapshot.fragments().forEach(f -> fragments.put(f.id(), f));
            redactor = new SecretRedactor(snapshot.namedValues().stream().filter(NamedValue::secret)
                                                  .map(NamedValue::value).toList());
            for (Backend b : snapshot.backends()) {
                b.url().ifPresent(url -> backends.put(b.id(), url));
            }
        }

        private CompiledPolicies compile() throws ConfigException {
            Map<Section, List<Policy>> global = scope(snapshot.globalPolicy(), "global");
            Map<String, Map<Section, List<Policy>>> products = new HashMap<>();
            for (Product p : snapshot.products()) {
                products.put(p.id(), scope(p.policy(), "product:" + p.id()));
            }
            Policy defaultForward = defaultForward();
            Map<CompiledPolicies.Key, Pipeline> pipelines = new HashMap<>();
            for (Api api : snapshot.apis()) {
                Map<Section, List<Policy>> apiScope = scope(api.policy(), "api:" + api.id());
                List<String> productIds = snapshot.products().stream()
                        .filter(p -> p.apiIds().contains(api.id()))
                        .map(Product::id)
                        .toList();
                for (Operation op : api.operations()) {
                    Map<Section, List<Policy>> opScope = scope(op.policy(), "operation:" + api.id() + "/" + op.id());
                    pipelines.put(CompiledPolicies.key(api.id(), op.id(), ""),
                                  pipeline(defaultForward, global, null, apiScope, opScope));
                    for (String productId : productIds) {
                        pipelines.put(CompiledPolicies.key(api.id(), op.id(), productId),
                                      pipeline(defaultForward, global, products.get(productId), apiScope, opScope));
                    }
                }
            }
            List<Backend> backendsResolved = snapshot.backends().stream().map(this::withNamedValues).toList();
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            return new CompiledPolicies(pipelines, new BackendDirectory(backendsResolved));
        }

        /** As APIM, credential values may name named values ({@code {{function-key}}}); they are put in here. */
        private Backend withNamedValues(Backend b) {
            if (b.credentials().isEmpty()) {
                return b;
            }
            String file = "backends/" + b.id() + "/backendInformation.json";
            Backend.Credentials resolved = new Backend.Credentials(
                    namedValuesIn(file, "properties.credentials.header", b.credentials().header()),
                    namedValuesIn(file, "properties.credentials.query", b.credentials().query()));
            return new Backend(b.id(), b.type(), b.url(), b.protocol(), b.description(), b.pool(), resolved,
                               b.circuitBreaker());
        }

        private Map<String, List<String>> namedValuesIn(String file, String path, Map<String, List<String>> values) {
            Map<String, List<String>> result = new HashMap<>();
            values.forEach((name, list) -> result.put(name, list.stream().map(v -> {
                Matcher m = NAMED_VALUE.matcher(v);
                StringBuilder out = new StringBuilder();
                while (m.find()) {
                    String value = namedValues.get(m.group(1).trim());
                    if (value == null) {
                        problems.add(ConfigProblem.of(file, "'" + path + "." + name + "' names named value '"
                                + m.group(1).trim() + "', which is not defined under named values/"));
                        value = "";
                    }
                    m.appendReplacement(out, Matcher.quoteReplacement(value));
                }
                return m.appendTail(out).toString();
            }).toList()));
            return result;
        }

        private Pipeline pipeline(Policy defaultForward, Map<Section, List<Policy>> global,
                                  Map<Section, List<Policy>> product, Map<Section, List<Policy>> api,
                                  Map<Section, List<Policy>> operation) {
            List<Map<Section, List<Policy>>> chain = new ArrayList<>(4);
            chain.add(global);
            chain.add(product);
            chain.add(api);
            chain.add(operation);
            Map<Section, Policy> sections = new EnumMap<>(Section.class);
            for (Section section : Section.values()) {
                // The implicit scope above global: a backend section is <forward-request/>, the rest are empty.
                List<Policy> current = section == Section.BACKEND && defaultForward != null
                        ? List.of(defaultForward)
                        : List.of();
                for (Map<Section, List<Policy>> scope : chain) {
                    List<Policy> items = scope == null ? null : scope.get(section);
                    if (items == null) {
                        continue;
                    }
                    List<Policy> expanded = new ArrayList<>();
                    for (Policy item : items) {
                        if (item == BASE) {
                            expanded.addAll(current);
                        } else {
                            expanded.add(item);
                        }
                    }
                    current = expanded;
                }
                sections.put(section, current.size() == 1 ? current.getFirst() : new Sequence(current));
            }
            return new Pipeline(sections.get(Section.INBOUND), sections.get(Section.BACKEND),
                                sections.get(Section.OUTBOUND), sections.get(Section.ON_ERROR), redactor);
        }

        private Policy defaultForward() {
            Optional<PolicyProvider> provider = registry.provider("forward-request");
            XmlElement synthetic = new XmlElement("forward-request", Map.of(), List.of(), "", "(default backend)", 0, 0);
            if (provider.isEmpty()) {
                problems.add(ConfigProblem.of("(default backend)", "no provider for <forward-request>, which a backend"
                        + " section defaults to; is policies-builtin on the class path?"));
                return null;
            }
            try {
                Policy policy = provider.get().compile(ElementView.of(synthetic),
                                                       new Context(Section.BACKEND, "global", "backend/forward-request"));
                return new Step(policy, "forward-request", "global", Section.BACKEND, "backend/forward-request (default)");
            } catch (PolicyConfigException e) {
                problems.add(ConfigProblem.of("(default backend)", e.getMessage()));
                return null;
            }
        }

        /** Compiles one scope's document; null if the scope has none (it inherits everything). */
        private Map<Section, List<Policy>> scope(Optional<PolicyDocument> document, String scope) {
            if (document.isEmpty()) {
                return null;
            }
            XmlElement root;
            try {
                root = PolicyXml.parse(document.get(), namedValues::get);
            } catch (ConfigException e) {
                problems.addAll(e.problems());
                return Map.of();
            }
            if (!root.name().equals("policies")) {
                problem(root, "the root element of a policy document must be <policies>, not <" + root.name() + ">");
                return Map.of();
            }
            Map<Section, List<Policy>> sections = new EnumMap<>(Section.class);
            for (XmlElement child : root.children()) {
                Optional<Section> section = section(child.name());
                if (section.isEmpty()) {
                    problem(child, "unknown section <" + child.name() + ">; a policy document has <inbound>,"
                            + " <backend>, <outbound> and <on-error>");
                    continue;
                }
                if (sections.containsKey(section.get())) {
                    problem(child, "section <" + child.name() + "> appears twice");
                    continue;
                }
                sections.put(section.get(), items(child.children(), section.get(), scope, child.name(), true,
                                                  new LinkedHashSet<>()));
            }
            return sections;
        }

        private List<Policy> items(List<XmlElement> elements, Section section, String scope, String path,
                                   boolean allowBase, Set<String> fragmentStack) {
            List<Policy> items = new ArrayList<>();
            Map<String, Integer> counts = new HashMap<>();
            for (XmlElement element : elements) {
                String name = element.name();
                int index = counts.merge(name, 1, Integer::sum);
                String here = path + "/" + name + (index > 1 ? "[" + index + "]" : "");
                switch (name) {
                    case "base" -> {
                        if (allowBase) {
                            items.add(BASE);
                        } else {
                            problem(element, "<base/> is only allowed directly inside a section");
                        }
                    }
                    case "include-fragment" -> items.addAll(fragment(element, section, scope, here, fragmentStack));
                    default -> compileElement(element, section, scope, here).ifPresent(items::add);
                }
            }
            return items;
        }

        private List<Policy> fragment(XmlElement element, Section section, String scope, String path,
                                      Set<String> fragmentStack) {
            String id = element.attributes().get("fragment-id");
            if (id == null || id.isBlank()) {
                problem(element, "attribute 'fragment-id' is required");
                return List.of();
            }
            PolicyFragment fragment = fragments.get(id);
            if (fragment == null) {
                problem(element, "policy fragment '" + id + "' is not defined (policy fragments/" + id + "/policy.xml)");
                return List.of();
            }
            if (fragmentStack.contains(id)) {
                problem(element, "policy fragment '" + id + "' includes itself: " + String.join(" -> ", fragmentStack)
                        + " -> " + id);
                return List.of();
            }
            XmlElement root;
            try {
                root = PolicyXml.parse(fragment.document(), namedValues::get);
            } catch (ConfigException e) {
                problems.addAll(e.problems());
                return List.of();
            }
            if (!root.name().equals("fragment")) {
                problem(root, "the root element of a policy fragment must be <fragment>, not <" + root.name() + ">");
                return List.of();
            }
            Set<String> stack = new LinkedHashSet<>(fragmentStack);
            stack.add(id);
            return items(root.children(), section, scope, path + "(" + id + ")", false, stack);
        }

        private Optional<Policy> compileElement(XmlElement element, Section section, String scope, String path) {
            Optional<PolicyProvider> provider = registry.provider(element.name());
            if (provider.isEmpty()) {
                String message = "unknown policy element <" + element.name() + ">";
                if (options.unknownElements() == CompilerOptions.UnknownElements.SKIP) {
                    warnings.accept(problemOf(element, message + " skipped (policy.unknown-elements=skip)"));
                } else {
                    problem(element, message + " (set policy.unknown-elements=skip to skip unknown elements with a"
                            + " warning, as APIM does)");
                }
                return Optional.empty();
            }
            if (!provider.get().sections().contains(section)) {
                problem(element, "<" + element.name() + "> is not allowed in <" + section.elementName() + ">; allowed in: "
                        + provider.get().sections().stream().map(Section::elementName).collect(Collectors.joining(", ")));
                return Optional.empty();
            }
            try {
                Policy policy = provider.get().compile(ElementView.of(element), new Context(section, scope, path));
                return Optional.of(new Step(policy, element.name(), scope, section, path));
            } catch (PolicyConfigException e) {
                problem(element, e.getMessage());
                return Optional.empty();
            } catch (RuntimeException | LinkageError e) {
                // A LinkageError: a plugin built against another SPI; the snapshot is refused, the gateway lives on.
                problem(element, "the provider of <" + element.name() + "> failed: " + e);
                return Optional.empty();
            }
        }

        private void problem(XmlElement element, String message) {
            problems.add(problemOf(element, message));
        }

        private ConfigProblem problemOf(XmlElement element, String message) {
            return new ConfigProblem(element.file(), element.line(), element.column(), element.name(), message);
        }

        private final class Context implements CompileContext {
            private final Section section;
            private final String scope;
            private final String path;

            private Context(Section section, String scope, String path) {
                this.section = section;
                this.scope = scope;
                this.path = path;
            }

            @Override
            public Section section() {
                return section;
            }

            @Override
            public String policyId() {
                return path;
            }

            @Override
            public String scope() {
                return scope;
            }

            @Override
            public Policy compileChildren(PolicyElement parent) throws PolicyConfigException {
                if (!(parent instanceof ElementView view)) {
                    throw new PolicyConfigException("compileChildren needs an element given to the provider");
                }
                int before = problems.size();
                List<Policy> items = items(view.element().children(), section, scope, path + "/" + parent.name(), false,
                                           new LinkedHashSet<>());
                if (problems.size() > before) {
                    // The children's problems are already reported with their own lines.
                    return Sequence.EMPTY;
                }
                return items.size() == 1 ? items.getFirst() : new Sequence(items);
            }

            @Override
            public Optional<URI> backendUrl(String backendId) {
                return Optional.ofNullable(backends.get(backendId));
            }

            @Override
            public boolean hasBackend(String backendId) {
                return snapshot.backends().stream().anyMatch(b -> b.id().equals(backendId));
            }

            @Override
            public Optional<String> setting(String key) {
                return Optional.ofNullable(options.settings().get(key));
            }

            @Override
            public void warn(String message) {
                warnings.accept(ConfigProblem.of(scope, path + ": " + message));
            }
        }
    }

    private static Optional<Section> section(String name) {
        for (Section s : Section.values()) {
            if (s.elementName().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
