package io.gatehouse.policies.builtin;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.PolicyServices;
import io.gatehouse.policy.spi.TraceSeverity;
import io.gatehouse.policy.spi.Value;
import io.gatehouse.policy.spi.ValueCache;

/**
 * {@code cache-lookup-value}, {@code cache-store-value} and {@code cache-remove-value}, as APIM: values by key in the
 * gateway's own cache ({@code caching-type="internal"}), the external one shared by replicas ({@code external}), or
 * the external one when configured and the internal one otherwise ({@code prefer-external}, the default).
 *
 * <p>A lookup that misses sets {@code variable-name} to {@code default-value}, or to null without one. As APIM, the
 * cache never fails a call: {@code caching-type="external"} on a gateway without an external cache behaves as an
 * empty cache (and says so in the trace), and an external cache that cannot be reached answers with misses.
 */
public final class CacheValueProvider extends BuiltinProvider {

    private static final long MAX_DURATION_SECONDS = 365L * 24 * 3600;

    /** Which cache a policy uses. */
    enum CachingType {
        INTERNAL, EXTERNAL, PREFER_EXTERNAL;

        ValueCache cache(PolicyServices services) {
            return switch (this) {
                case INTERNAL -> services.internalCache();
                case EXTERNAL -> services.externalCache().orElse(ValueCache.NONE);
                case PREFER_EXTERNAL -> services.externalCache().orElse(services.internalCache());
            };
        }
    }

    /** Creates the provider (ServiceLoader). */
    public CacheValueProvider() {
        super(Set.of("cache-lookup-value", "cache-store-value", "cache-remove-value"), ALL);
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        return switch (element.name()) {
            case "cache-lookup-value" -> {
                element.allowAttributes(Set.of("key", "default-value", "variable-name", "caching-type"));
                String variable = element.literalAttribute("variable-name").map(String::trim).filter(v -> !v.isEmpty())
                        .orElseThrow(() -> new PolicyConfigException("attribute 'variable-name' is required"));
                yield new Lookup(element.requiredAttribute("key"), element.attribute("default-value"), variable,
                                 cachingType(element));
            }
            case "cache-store-value" -> {
                element.allowAttributes(Set.of("key", "value", "duration", "caching-type"));
                Value duration = element.requiredAttribute("duration");
                if (!duration.isExpression()) {
                    element.intAttribute("duration", 1, 1, MAX_DURATION_SECONDS);
                }
                yield new Store(element.requiredAttribute("key"), element.requiredAttribute("value"), duration,
                                cachingType(element));
            }
            case "cache-remove-value" -> {
                element.allowAttributes(Set.of("key", "caching-type"));
                yield new Remove(element.requiredAttribute("key"), cachingType(element));
            }
            default -> throw new PolicyConfigException("not a cache element: " + element.name());
        };
    }

    static CachingType cachingType(PolicyElement element) throws PolicyConfigException {
        String text = element.literalAttribute("caching-type").orElse("prefer-external").trim();
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "internal" -> CachingType.INTERNAL;
            case "external" -> CachingType.EXTERNAL;
            case "prefer-external" -> CachingType.PREFER_EXTERNAL;
            default -> throw new PolicyConfigException("attribute 'caching-type' must be internal, external or"
                                                               + " prefer-external, was '" + text + "'");
        };
    }

    static ValueCache cache(PolicyContext context, CachingType type, String element) {
        if (type == CachingType.EXTERNAL && context.services().externalCache().isEmpty()) {
            context.trace(element, TraceSeverity.VERBOSE, "caching-type=\"external\" but this gateway has no external"
                    + " cache (policy.cache.redis.url): nothing is kept");
        }
        return type.cache(context.services());
    }

    private record Lookup(Value key, Optional<Value> defaultValue, String variable, CachingType type) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            Optional<Object> hit = cache(context, type, "cache-lookup-value").get(key.evaluateString(context));
            Object value = hit.isPresent() ? hit.get() : defaultValue.isPresent() ? defaultValue.get().evaluate(context)
                    : null;
            context.variables().set(variable, value);
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "cache-lookup-value[key=" + key.source() + ", variable-name=" + variable + ", caching-type="
                    + type.name().toLowerCase(Locale.ROOT).replace('_', '-') + "]";
        }
    }

    private record Store(Value key, Value value, Value duration, CachingType type) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            long seconds = duration.evaluateLong(context);
            if (seconds < 1 || seconds > MAX_DURATION_SECONDS) {
                throw PolicyException.internal("ExpressionValueEvaluationFailure", "cache-store-value: duration must be"
                        + " between 1 and " + MAX_DURATION_SECONDS + " seconds, was " + seconds);
            }
            Object v = value.evaluate(context);
            if (!ValueCache.cacheable(v)) {
                throw PolicyException.internal("ExpressionValueEvaluationFailure", "cache-store-value: a cache holds"
                        + " strings, numbers and booleans, and the value is " + (v == null ? "null"
                        : v.getClass().getSimpleName()));
            }
            cache(context, type, "cache-store-value").put(key.evaluateString(context), v, Duration.ofSeconds(seconds));
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "cache-store-value[key=" + key.source() + ", duration=" + duration.source() + "]";
        }
    }

    private record Remove(Value key, CachingType type) implements Policy {
        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            cache(context, type, "cache-remove-value").remove(key.evaluateString(context));
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "cache-remove-value[key=" + key.source() + "]";
        }
    }
}
