package io.gatehouse.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.yaml.YamlConfigParser;

/**
 * The gateway's settings: flat dotted keys, as APIM's self-hosted gateway takes them.
 *
 * <p>Sources, later ones winning: a YAML file ({@code --settings}), an env file ({@code --env-file}, the same
 * {@code key=value} lines {@code docker run --env-file env.conf} reads), environment variables with dots in their
 * names ({@code config.service.endpoint}, as Docker passes an env.conf), upper-case environment variables
 * ({@code CONFIG_SERVICE_ENDPOINT}), and command-line flags. A key inside Gatehouse's own namespaces that is not
 * known, or a value that does not parse, stops start-up with a message naming the key and its source. APIM's
 * informational keys ({@code runtime.deployment.*}, {@code neighborhood.*}) are accepted and ignored, so an env.conf
 * downloaded from the Azure portal works unchanged.
 */
public final class Settings {

    /** Namespaces Gatehouse owns: unknown keys inside them are refused. */
    static final Set<String> OWN_NAMESPACES = Set.of("config", "net", "telemetry", "observability", "policy",
                                                     "gateway");
    /** Namespaces APIM's portal writes into env.conf that carry no behaviour. */
    static final Set<String> INFORMATIONAL_NAMESPACES = Set.of("runtime", "neighborhood");

    private static final System.Logger LOGGER = System.getLogger(Settings.class.getName());

    private final Map<String, String> values;
    private final Map<String, String> sources;

    private Settings(Map<String, String> values, Map<String, String> sources) {
        this.values = values;
        this.sources = sources;
    }

    /**
     * Loads and checks settings.
     *
     * @param environment the process environment
     * @param yamlFile    optional YAML settings file
     * @param envFile     optional env file
     * @param overrides   command-line values (highest precedence)
     * @return the settings
     * @throws SettingsException naming the first bad key and its source
     */
    public static Settings load(Map<String, String> environment,
                                Optional<Path> yamlFile,
                                Optional<Path> envFile,
                                Map<String, String> overrides) throws SettingsException {
        Map<String, String> values = new TreeMap<>();
        Map<String, String> sources = new TreeMap<>();
        if (yamlFile.isPresent()) {
            putAll(values, sources, readYaml(yamlFile.get()), yamlFile.get().toString());
        }
        if (envFile.isPresent()) {
            putAll(values, sources, readEnvFile(envFile.get()), envFile.get().toString());
        }
        Map<String, String> dotted = new LinkedHashMap<>();
        Map<String, String> upper = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : environment.entrySet()) {
            String name = e.getKey();
            if (name.contains(".") && isNamespaced(name)) {
                dotted.put(name, e.getValue());
            } else {
                fromUpperCase(name).ifPresent(key -> upper.put(key, e.getValue()));
            }
        }
        putAll(values, sources, dotted, "environment");
        putAll(values, sources, upper, "environment (upper-case name)");
        putAll(values, sources, overrides, "command line");
        List<String> errors = new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String key = e.getKey();
            String source = sources.get(key);
            Optional<SettingKey> known = SettingKey.of(key);
            if (known.isPresent()) {
                known.get().validate(e.getValue()).ifPresent(msg -> errors.add(key + " (from " + source + "): " + msg));
            } else if (OWN_NAMESPACES.contains(namespace(key))) {
                errors.add(key + " (from " + source + "): unknown setting" + SettingKey.suggestion(key)
                                   + "; see docs/settings.md");
            } else if (!INFORMATIONAL_NAMESPACES.contains(namespace(key))) {
                errors.add(key + " (from " + source + "): not a Gatehouse setting");
            }
        }
        if (!errors.isEmpty()) {
            throw new SettingsException(errors.size() == 1
                                                ? "invalid setting " + errors.getFirst()
                                                : "invalid settings:\n  " + String.join("\n  ", errors));
        }
        return new Settings(values, sources);
    }

    /**
     * A setting's value or its default.
     *
     * @param key the key
     * @return the value, or the key's default (empty if it has none)
     */
    public String string(SettingKey key) {
        return values.getOrDefault(key.key(), key.defaultValue());
    }

    /**
     * @param key the key
     * @return the value if set or defaulted to a non-empty value
     */
    public Optional<String> optional(SettingKey key) {
        String v = string(key);
        return v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    /**
     * @param key an integer key
     * @return its value
     */
    public int integer(SettingKey key) {
        return Integer.parseInt(string(key).trim());
    }

    /**
     * @param key a long key
     * @return its value
     */
    public long longValue(SettingKey key) {
        return Long.parseLong(string(key).trim());
    }

    /**
     * A copy with one more value, for a setting derived from others (the gateway name from its token).
     *
     * @param key   the key
     * @param value the value
     * @return the copy
     */
    public Settings with(SettingKey key, String value) {
        Map<String, String> newValues = new LinkedHashMap<>(values);
        Map<String, String> newSources = new LinkedHashMap<>(sources);
        newValues.put(key.key(), value);
        newSources.putIfAbsent(key.key(), "derived");
        return new Settings(newValues, newSources);
    }

    /**
     * @param key a duration key
     * @return its value
     */
    public Duration duration(SettingKey key) {
        return SettingKey.parseDuration(string(key));
    }

    /**
     * @param key a boolean key
     * @return its value
     */
    public boolean bool(SettingKey key) {
        return Boolean.parseBoolean(string(key).trim());
    }

    /**
     * @param key a key
     * @return where its value came from, or "default"
     */
    public String source(SettingKey key) {
        return sources.getOrDefault(key.key(), "default");
    }

    /**
     * @return every explicitly set {@code policy.*} value, for policy providers, but the counter store's and the
     *         cache's: the gateway's own, and their URLs may carry a password
     */
    public Map<String, String> policySettings() {
        Map<String, String> policy = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith("policy.") && !k.startsWith("policy.counters.") && !k.startsWith("policy.cache.")) {
                policy.put(k, v);
            }
        });
        return policy;
    }

    private static void putAll(Map<String, String> values, Map<String, String> sources, Map<String, String> from,
                               String source) {
        from.forEach((k, v) -> {
            values.put(k, v);
            sources.put(k, source);
        });
    }

    private static boolean isNamespaced(String key) {
        String ns = namespace(key);
        return OWN_NAMESPACES.contains(ns) || INFORMATIONAL_NAMESPACES.contains(ns);
    }

    private static String namespace(String key) {
        int dot = key.indexOf('.');
        return dot < 0 ? key : key.substring(0, dot);
    }

    /**
     * Maps {@code CONFIG_SERVICE_ENDPOINT} to {@code config.service.endpoint}: only names of known settings are
     * mapped; other upper-case variables (PATH, HOME, a platform's own CONFIG_*) are not ours and are left alone.
     */
    static Optional<String> fromUpperCase(String name) {
        for (SettingKey k : SettingKey.values()) {
            if (k.environmentName().equals(name)) {
                return Optional.of(k.key());
            }
        }
        if (name.startsWith("GATEHOUSE_") && !name.equals("GATEHOUSE_JAVA_OPTS") && !name.equals("GATEHOUSE_HOME")) {
            LOGGER.log(System.Logger.Level.WARNING, "environment variable " + name + " is not a Gatehouse setting");
        }
        return Optional.empty();
    }

    static Map<String, String> readEnvFile(Path file) throws SettingsException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new SettingsException("cannot read env file " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new SettingsException(file + ":" + (i + 1) + ": expected key=value, got '" + abbreviate(line) + "'");
            }
            // As docker --env-file: no quotes removed, no variable expansion.
            values.put(line.substring(0, eq).strip(), lines.get(i).substring(lines.get(i).indexOf('=') + 1));
        }
        return values;
    }

    private static Map<String, String> readYaml(Path file) throws SettingsException {
        if (!Files.isRegularFile(file)) {
            throw new SettingsException("settings file " + file + " does not exist");
        }
        try {
            Config config = Config.builder()
                    .disableEnvironmentVariablesSource()
                    .disableSystemPropertiesSource()
                    .disableParserServices()
                    .addParser(YamlConfigParser.create())
                    .sources(ConfigSources.file(file))
                    .build();
            Map<String, String> values = new LinkedHashMap<>();
            config.traverse()
                    .filter(Config::isLeaf)
                    .forEach(node -> values.put(node.key().toString(), node.asString().orElse("")));
            return values;
        } catch (RuntimeException e) {
            throw new SettingsException("settings file " + file + " is not valid YAML: " + e.getMessage());
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
