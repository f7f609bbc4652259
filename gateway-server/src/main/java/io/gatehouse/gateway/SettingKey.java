package io.gatehouse.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every setting the gateway reads, with its default and how its value is checked. {@code docs/settings.md} documents
 * the same table; a test keeps the two in step.
 */
public enum SettingKey {
    /** APIOps folder to serve and watch. */
    CONFIG_LOCAL_PATH("config.local.path", "", SettingKey::anything),
    /** Whether the local folder is watched for edits. */
    CONFIG_LOCAL_WATCH("config.local.watch", "true", SettingKey::bool),
    /** Management plane endpoint (federation). */
    CONFIG_SERVICE_ENDPOINT("config.service.endpoint", "", SettingKey::url),
    /** Gateway token for the management plane. */
    CONFIG_SERVICE_AUTH("config.service.auth", "", SettingKey::anything),
    /** Skip TLS validation of the management plane (testing only); APIM's name. */
    CONFIG_SERVICE_ENDPOINT_DISABLE_CERTIFICATE_VALIDATION("config.service.endpoint.disableCertificateValidation", "false",
                                                           SettingKey::bool),
    /** Time between configuration checks when not watching. */
    CONFIG_SERVICE_POLL_INTERVAL("config.service.poll-interval", "10s", v -> duration(v, 1, 3600)),
    /** Hold each check open until the configuration changes. */
    CONFIG_SERVICE_WATCH("config.service.watch", "true", SettingKey::bool),
    /** How long the management plane may hold one watch request. */
    CONFIG_SERVICE_WATCH_TIMEOUT("config.service.watch-timeout", "30s", v -> duration(v, 1, 60)),
    /** Time between heartbeats. */
    CONFIG_SERVICE_HEARTBEAT_INTERVAL("config.service.heartbeat-interval", "60s", v -> duration(v, 1, 3600)),
    /** Timeout of one call to the management plane, beyond the watch hold time; APIM's name and default. */
    CONFIG_SERVICE_INTEGRATION_TIMEOUT("config.service.integration.timeout", "00:01:40", v -> duration(v, 1, 3600)),
    /** Directory of the encrypted configuration backup; APIM's mount point. */
    CONFIG_BACKUP_PATH("config.backup.path", "/apim/config", SettingKey::anything),
    /** Backup key, base64 of 32 bytes; derived from the gateway token when unset. */
    CONFIG_BACKUP_KEY("config.backup.key", "", SettingKey::anything),
    /** The gateway resource this gateway is; with gateways/ assignments, only its APIs are served. */
    GATEWAY_NAME("gateway.name", "", SettingKey::name),
    /** Region reported as context.Deployment.Region. */
    GATEWAY_REGION("gateway.region", "local", SettingKey::anything),
    /** apim: backend failures answer 500 with an activityId, as APIM; proxy: 502 and 504. */
    GATEWAY_BACKEND_FAILURE_MODE("gateway.backend.failure-mode", "apim", v -> oneOf(v, Set.of("apim", "proxy"))),
    /** Seconds to connect to a backend. */
    GATEWAY_BACKEND_CONNECT_TIMEOUT("gateway.backend.connect-timeout", "10", v -> integer(v, 1, 600)),
    /** Seconds in-flight requests get to finish on SIGTERM. */
    GATEWAY_DRAIN_TIMEOUT("gateway.drain-timeout", "30", v -> integer(v, 0, 3600)),
    /** Address the HTTP listener binds. */
    NET_SERVER_HTTP_HOST("net.server.http.host", "0.0.0.0", SettingKey::anything),
    /** Port of the HTTP listener. */
    NET_SERVER_HTTP_PORT("net.server.http.port", "8080", v -> integer(v, 0, 65535)),
    /** Port of the management listener (metrics); unset, there is none. */
    NET_SERVER_MANAGEMENT_PORT("net.server.management.port", "", v -> v.isEmpty() ? Optional.empty() : integer(v, 0, 65535)),
    /** Address the management listener binds. */
    NET_SERVER_MANAGEMENT_HOST("net.server.management.host", "0.0.0.0", SettingKey::anything),
    /** Export spans and metrics to an OpenTelemetry collector; APIM's name. */
    OBSERVABILITY_OPENTELEMETRY_ENABLED("observability.opentelemetry.enabled", "false", SettingKey::bool),
    /** The collector: OTLP gRPC (port 4317) or HTTP (4318); APIM's name. */
    OBSERVABILITY_OPENTELEMETRY_COLLECTOR_URI("observability.opentelemetry.collector.uri", "", SettingKey::url),
    /** Bucket boundaries of the request duration histogram, in milliseconds; APIM's name and defaults. */
    OBSERVABILITY_OPENTELEMETRY_HISTOGRAM_BUCKETS("observability.opentelemetry.histogram.buckets",
                                                  "5,10,25,50,100,250,500,1000,2500,5000,10000", SettingKey::buckets),
    /** Application Insights connection string (also APPLICATIONINSIGHTS_CONNECTION_STRING). */
    OBSERVABILITY_APPLICATIONINSIGHTS_CONNECTION_STRING("observability.applicationinsights.connection-string", "",
                                                        SettingKey::anything),
    /** text, json (with one access-log line per request) or none; APIM's name. */
    TELEMETRY_LOGS_STD("telemetry.logs.std", "text", v -> oneOf(v, Set.of("text", "json", "none"))),
    /** The log level: all, debug, info, warn, error or fatal; APIM's name. */
    TELEMETRY_LOGS_STD_LEVEL("telemetry.logs.std.level", "info",
                             v -> oneOf(v.toLowerCase(Locale.ROOT), Set.of("all", "debug", "info", "warn", "error", "fatal"))),
    /** Trust X-Forwarded-Proto from a TLS-terminating proxy in front. */
    NET_SERVER_HTTP_FORWARDED_PROTO_ENABLED("net.server.http.forwarded.proto.enabled", "false", SettingKey::bool),
    /** refuse or skip policy elements no provider knows. */
    POLICY_UNKNOWN_ELEMENTS("policy.unknown-elements", "refuse", v -> oneOf(v, Set.of("refuse", "skip"))),
    /** Directory of policy plugins: jars, or directories of jars; by default plugins/ beside the installation's lib/. */
    POLICY_PLUGINS_PATH("policy.plugins.path", "", SettingKey::anything),
    /** Built-in policy elements a plugin may replace, comma separated. */
    POLICY_PLUGINS_OVERRIDE("policy.plugins.override", "", SettingKey::anything),
    /** The largest body a policy may read into memory. */
    POLICY_MAX_BUFFERED_BODY_BYTES("policy.max-buffered-body-bytes", "16777216", v -> integer(v, 0, Integer.MAX_VALUE)),
    /** Redis shared by replicas for rate-limit and quota counters; unset, each gateway counts alone. */
    POLICY_COUNTERS_REDIS_URL("policy.counters.redis.url", "", SettingKey::redisUrl),
    /** open: count on this node alone while Redis is unreachable; closed: answer 503. */
    POLICY_COUNTERS_REDIS_FAILURE_MODE("policy.counters.redis.failure-mode", "open",
                                       v -> oneOf(v, Set.of("open", "closed"))),
    /** Connect and read timeout of each call to Redis. */
    POLICY_COUNTERS_REDIS_TIMEOUT("policy.counters.redis.timeout", "250ms", v -> durationMillis(v, 10, 10_000)),
    /** How long Redis is left alone after it did not answer, before one request tries it again. */
    POLICY_COUNTERS_REDIS_RETRY_INTERVAL("policy.counters.redis.retry-interval", "1s",
                                         v -> durationMillis(v, 100, 60_000)),
    /** Prefix of every Redis key the gateway writes. */
    POLICY_COUNTERS_REDIS_KEY_PREFIX("policy.counters.redis.key-prefix", "gatehouse:",
                                     v -> v.isBlank() ? Optional.of("must not be empty") : Optional.empty()),
    /** Connections to Redis each gateway keeps at most. */
    POLICY_COUNTERS_REDIS_POOL_SIZE("policy.counters.redis.pool-size", "64", v -> integer(v, 1, 1024)),
    /** Microsoft Entra ID's login host for validate-azure-ad-token; another for sovereign clouds. */
    POLICY_VALIDATE_AZURE_AD_TOKEN_AUTHORITY("policy.validate-azure-ad-token.authority", "https://login.microsoftonline.com",
                                             SettingKey::url),
    /** The values the internal cache (cache-store-value, caching-type internal) keeps at most. */
    POLICY_CACHE_INTERNAL_MAX_ENTRIES("policy.cache.internal.max-entries", "10000", v -> integer(v, 1, 10_000_000)),
    /** Redis as the external cache (caching-type external and prefer-external); unset, there is none. */
    POLICY_CACHE_REDIS_URL("policy.cache.redis.url", "", SettingKey::redisUrl),
    /** Connect and read timeout of each call to the external cache. */
    POLICY_CACHE_REDIS_TIMEOUT("policy.cache.redis.timeout", "250ms", v -> durationMillis(v, 10, 10_000)),
    /** How long the external cache is left alone after it did not answer. */
    POLICY_CACHE_REDIS_RETRY_INTERVAL("policy.cache.redis.retry-interval", "1s", v -> durationMillis(v, 100, 60_000)),
    /** Prefix of every key the external cache writes. */
    POLICY_CACHE_REDIS_KEY_PREFIX("policy.cache.redis.key-prefix", "gatehouse:cache:",
                                  v -> v.isBlank() ? Optional.of("must not be empty") : Optional.empty());

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");
    private static final Pattern TIME_SPAN = Pattern.compile("(\\d+):(\\d{2}):(\\d{2})");
    private static final Pattern DECIMAL = Pattern.compile("\\d+(\\.\\d+)?");

    private final String key;
    private final String defaultValue;
    private final Function<String, Optional<String>> validator;

    SettingKey(String key, String defaultValue, Function<String, Optional<String>> validator) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.validator = validator;
    }

    /** @return the dotted key */
    public String key() {
        return key;
    }

    /** @return the default value, empty if none */
    public String defaultValue() {
        return defaultValue;
    }

    /** @return the upper-case environment variable name, such as {@code NET_SERVER_HTTP_PORT} */
    public String environmentName() {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    Optional<String> validate(String value) {
        return validator.apply(value);
    }

    static Optional<SettingKey> of(String key) {
        for (SettingKey k : values()) {
            if (k.key.equals(key)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** A "did you mean" for typos: the known key with the longest common prefix. */
    static String suggestion(String key) {
        SettingKey best = null;
        int bestLength = 0;
        for (SettingKey k : values()) {
            int n = 0;
            while (n < key.length() && n < k.key.length() && key.charAt(n) == k.key.charAt(n)) {
                n++;
            }
            if (n > bestLength) {
                bestLength = n;
                best = k;
            }
        }
        return best != null && bestLength > key.indexOf('.') + 1 ? " (did you mean " + best.key + "?)" : "";
    }

    private static Optional<String> anything(String value) {
        return Optional.empty();
    }

    private static Optional<String> bool(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        return v.equals("true") || v.equals("false") ? Optional.empty()
                : Optional.of("must be true or false, was '" + value + "'");
    }

    private static Optional<String> integer(String value, long min, long max) {
        try {
            long v = Long.parseLong(value.trim());
            return v >= min && v <= max ? Optional.empty()
                    : Optional.of("must be between " + min + " and " + max + ", was " + v);
        } catch (NumberFormatException e) {
            return Optional.of("must be an integer, was '" + value + "'");
        }
    }

    private static Optional<String> oneOf(String value, Set<String> allowed) {
        return allowed.contains(value.trim()) ? Optional.empty()
                : Optional.of("must be one of " + allowed.stream().sorted().toList() + ", was '" + value + "'");
    }

    /**
     * Parses a duration as settings write it: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, plain seconds, or
     * APIM's {@code hh:mm:ss}.
     *
     * @param value the text
     * @return the duration
     * @throws IllegalArgumentException if it is none of those
     */
    static Duration parseDuration(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }
        m = TIME_SPAN.matcher(v);
        if (m.matches()) {
            return Duration.ofHours(Long.parseLong(m.group(1))).plusMinutes(Long.parseLong(m.group(2)))
                    .plusSeconds(Long.parseLong(m.group(3)));
        }
        throw new IllegalArgumentException("must be a duration such as 10s, 500ms, 2m or hh:mm:ss, was '" + value + "'");
    }

    private static Optional<String> duration(String value, long minSeconds, long maxSeconds) {
        try {
            Duration d = parseDuration(value);
            return d.compareTo(Duration.ofSeconds(minSeconds)) >= 0 && d.compareTo(Duration.ofSeconds(maxSeconds)) <= 0
                    ? Optional.empty()
                    : Optional.of("must be between " + minSeconds + "s and " + maxSeconds + "s, was '" + value + "'");
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static Optional<String> durationMillis(String value, long minMillis, long maxMillis) {
        try {
            Duration d = parseDuration(value);
            return d.toMillis() >= minMillis && d.toMillis() <= maxMillis ? Optional.empty()
                    : Optional.of("must be between " + minMillis + "ms and " + maxMillis + "ms, was '" + value + "'");
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Checks a Redis URL; the message never repeats the value, which may carry a password. */
    private static Optional<String> redisUrl(String value) {
        if (value.isBlank()) {
            return Optional.empty();
        }
        try {
            RedisEndpoint.parse(value);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The management plane's URL as given, with {@code https://} added when it has no scheme (APIM accepts a bare
     * host name there).
     *
     * @param value the setting's value
     * @return the URL
     */
    static URI endpoint(String value) {
        String v = value.trim();
        return URI.create(v.contains("://") ? v : "https://" + v);
    }

    private static Optional<String> url(String value) {
        if (value.isBlank()) {
            return Optional.empty();
        }
        try {
            URI uri = endpoint(value);
            String scheme = uri.getScheme();
            return ("http".equals(scheme) || "https".equals(scheme)) && uri.getHost() != null ? Optional.empty()
                    : Optional.of("must be an absolute http or https URL, was '" + value + "'");
        } catch (IllegalArgumentException e) {
            return Optional.of("is not a valid URL: " + e.getMessage());
        }
    }

    /**
     * Parses histogram buckets: ascending positive numbers, comma separated.
     *
     * @param value the text
     * @return the boundaries
     * @throws IllegalArgumentException if they are not
     */
    static List<Double> parseBuckets(String value) {
        List<Double> buckets = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            // Plain decimals only: Double.parseDouble would also take NaN, Infinity, 5d and hex, which the SDK refuses
            // at start-up or nobody means.
            if (!DECIMAL.matcher(part.trim()).matches()) {
                throw new IllegalArgumentException("must be ascending numbers (milliseconds) separated by commas, was '"
                                                           + value + "'");
            }
            double bound = Double.parseDouble(part.trim());
            if (bound <= 0 || !Double.isFinite(bound) || !buckets.isEmpty() && bound <= buckets.get(buckets.size() - 1)) {
                throw new IllegalArgumentException("must be ascending positive numbers (milliseconds), was '" + value + "'");
            }
            buckets.add(bound);
        }
        return buckets;
    }

    private static Optional<String> buckets(String value) {
        try {
            parseBuckets(value);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static Optional<String> name(String value) {
        return value.isEmpty() || value.matches("[A-Za-z0-9._~-]+") ? Optional.empty()
                : Optional.of("must be a resource name (letters, digits, '.', '_', '~', '-'), was '" + value + "'");
    }
}
