package io.gatehouse.policies.builtin;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import io.gatehouse.policy.spi.CompileContext;
import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyConfigException;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyElement;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Response;
import io.gatehouse.policy.spi.Section;
import io.gatehouse.policy.spi.Value;
import io.gatehouse.policy.spi.ValueCache;

/**
 * {@code cache-lookup} (inbound) and {@code cache-store} (outbound), as APIM: responses to GET requests kept for
 * {@code duration} seconds and served without calling the backend.
 *
 * <p>The cache key is the API, the operation, the request path, the values of the {@code vary-by-query-parameter}
 * and {@code vary-by-header} names (other query parameters do not vary it, as in APIM: drop them with
 * {@code rewrite-uri} if the backend reads them), and with {@code vary-by-developer} the subscription. A request
 * with an {@code Authorization} header is neither looked up nor stored unless {@code allow-private-response-caching}
 * is true. On a hit the cached response is sent at once: the backend and the outbound section are skipped, as with
 * {@code return-response}. {@code cache-store} keeps 200 responses ({@code cache-response} for others) whose length
 * is known and within {@code policy.max-buffered-body-bytes}; a streamed body of unknown length is passed on and not
 * kept. With {@code downstream-caching-type} private or public, responses carry {@code Cache-Control} with the time
 * left ({@code must-revalidate} by default).
 */
public final class CacheResponseProvider extends BuiltinProvider {

    /** The variable through which cache-lookup tells cache-store what to store, and where. */
    static final String PENDING = "gatehouse.cache-lookup";

    private static final long MAX_DURATION_SECONDS = 365L * 24 * 3600;
    private static final long DEFAULT_MAX_BODY = 16L * 1024 * 1024;
    /** Headers the gateway sets itself on the way out, not kept with a response. */
    private static final Set<String> NOT_KEPT = Set.of("content-length", "transfer-encoding", "connection", "keep-alive",
            "date", "cache-control", "set-cookie");

    /** Creates the provider (ServiceLoader). */
    public CacheResponseProvider() {
        super(Set.of("cache-lookup", "cache-store"), Set.of(Section.INBOUND, Section.OUTBOUND));
    }

    @Override
    public Policy compile(PolicyElement element, CompileContext context) throws PolicyConfigException {
        boolean lookup = element.name().equals("cache-lookup");
        Section expected = lookup ? Section.INBOUND : Section.OUTBOUND;
        if (context.section() != expected) {
            throw new PolicyConfigException("<" + element.name() + "> belongs in " + expected.elementName() + ", not "
                    + context.section().elementName());
        }
        return lookup ? lookup(element) : store(element, context);
    }

    private static Policy lookup(PolicyElement element) throws PolicyConfigException {
        element.allowAttributes(Set.of("vary-by-developer", "vary-by-developer-groups", "caching-type",
                                       "downstream-caching-type", "must-revalidate", "allow-private-response-caching"));
        for (String required : List.of("vary-by-developer", "vary-by-developer-groups")) {
            if (element.attribute(required).isEmpty()) {
                throw new PolicyConfigException("attribute '" + required + "' is required (true or false)");
            }
        }
        boolean byDeveloper = element.booleanAttribute("vary-by-developer", false);
        boolean byGroups = element.booleanAttribute("vary-by-developer-groups", false);
        CacheValueProvider.CachingType type = CacheValueProvider.cachingType(element);
        String downstream = element.literalAttribute("downstream-caching-type").orElse("none").trim()
                .toLowerCase(Locale.ROOT);
        if (!Set.of("none", "private", "public").contains(downstream)) {
            throw new PolicyConfigException("attribute 'downstream-caching-type' must be none, private or public, was '"
                    + downstream + "'");
        }
        boolean mustRevalidate = element.booleanAttribute("must-revalidate", true);
        Optional<Value> allowPrivate = element.attribute("allow-private-response-caching");
        List<String> headers = new ArrayList<>();
        List<String> queryParameters = new ArrayList<>();
        for (PolicyElement child : element.children()) {
            String text = child.text().map(Value::source).map(String::trim).orElse("");
            switch (child.name()) {
                case "vary-by-header" -> headers.add(nonEmpty(child, text));
                case "vary-by-query-parameter" -> {
                    // As APIM, one element may list several parameters separated by semicolons.
                    for (String name : nonEmpty(child, text).split(";")) {
                        if (!name.isBlank()) {
                            queryParameters.add(name.trim());
                        }
                    }
                }
                default -> throw new PolicyConfigException("unexpected <" + child.name() + ">; allowed: vary-by-header,"
                        + " vary-by-query-parameter");
            }
        }
        return new Lookup(byDeveloper, byGroups, type, downstream, mustRevalidate, allowPrivate, List.copyOf(headers),
                          List.copyOf(queryParameters));
    }

    private static String nonEmpty(PolicyElement child, String text) throws PolicyConfigException {
        if (text.isEmpty()) {
            throw new PolicyConfigException("<" + child.name() + "> must name a " + (child.name().endsWith("header")
                    ? "header" : "query parameter"));
        }
        return text;
    }

    private static Policy store(PolicyElement element, CompileContext context) throws PolicyConfigException {
        element.allowAttributes(Set.of("duration", "cache-response"));
        Value duration = element.requiredAttribute("duration");
        if (!duration.isExpression()) {
            element.intAttribute("duration", 1, 1, MAX_DURATION_SECONDS);
        }
        long maxBody = context.setting("policy.max-buffered-body-bytes").map(Long::parseLong).orElse(DEFAULT_MAX_BODY);
        return new Store(duration, element.attribute("cache-response"), maxBody);
    }

    /**
     * What cache-lookup leaves for cache-store on a miss, in a variable: an object no expression can build or cache by
     * mistake.
     */
    private record Pending(ValueCache cache, String key, String downstream, boolean mustRevalidate) {
        @Override
        public String toString() {
            return "cache-lookup miss";
        }
    }

    private record Lookup(boolean byDeveloper, boolean byGroups, CacheValueProvider.CachingType type, String downstream,
                          boolean mustRevalidate, Optional<Value> allowPrivate, List<String> headers,
                          List<String> queryParameters) implements Policy {

        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            if (!context.request().method().equals("GET")) {
                return Flow.CONTINUE;
            }
            boolean allowed = allowPrivate.isPresent() && allowPrivate.get().evaluateBoolean(context);
            if (context.request().headers().contains("Authorization") && !allowed) {
                return Flow.CONTINUE;
            }
            String key = key(context);
            ValueCache cache = CacheValueProvider.cache(context, type, "cache-lookup");
            Optional<Object> hit = cache.get(key);
            if (hit.isPresent() && hit.get() instanceof String stored && serve(context, stored)) {
                return Flow.RETURN;
            }
            context.variables().set(PENDING, new Pending(cache, key, downstream, mustRevalidate));
            return Flow.CONTINUE;
        }

        private String key(PolicyContext context) {
            StringBuilder key = new StringBuilder("response:").append(context.api().id()).append('\n')
                    .append(context.operation().id()).append('\n').append(context.request().url().path());
            for (String name : queryParameters) {
                key.append("\nq:").append(name).append('=').append(String.join(",", context.request().query().all(name)));
            }
            for (String name : headers) {
                key.append("\nh:").append(name.toLowerCase(Locale.ROOT)).append('=')
                        .append(String.join(",", context.request().headers().all(name)));
            }
            if (byDeveloper) {
                key.append("\nsubscription=").append(context.subscription().map(s -> s.id()).orElse(""));
            }
            if (byGroups) {
                // Gatehouse has no developer groups; the product a call runs in is the closest grouping it has.
                key.append("\nproduct=").append(context.product().map(p -> p.id()).orElse(""));
            }
            return key.toString();
        }

        /** Puts a cached response in place; false when the entry cannot be read (then it counts as a miss). */
        private boolean serve(PolicyContext context, String stored) {
            Optional<CachedResponse> cached = CachedResponse.decode(stored);
            if (cached.isEmpty()) {
                return false;
            }
            CachedResponse c = cached.get();
            Response response = context.response();
            response.setStatus(c.status(), c.reason());
            // Headers policies set before the lookup (cors, say) stay, unless the cached response has them too.
            Map<String, List<String>> byName = new LinkedHashMap<>();
            c.headers().forEach(h -> byName.computeIfAbsent(h.get(0), n -> new ArrayList<>()).add(h.get(1)));
            byName.forEach((name, values) -> response.headers().set(name, values));
            response.body().set(c.body());
            downstreamHeader(response, downstream, mustRevalidate, Duration.ofMillis(Math.max(0,
                    c.expiresAt() - context.services().clock().millis())));
            return true;
        }

        @Override
        public String toString() {
            return "cache-lookup[vary-by-header=" + headers + ", vary-by-query-parameter=" + queryParameters
                    + ", vary-by-developer=" + byDeveloper + "]";
        }
    }

    private record Store(Value duration, Optional<Value> cacheResponse, long maxBody) implements Policy {

        @Override
        public Flow apply(PolicyContext context) throws PolicyException {
            Optional<Object> pending = context.variables().get(PENDING);
            if (pending.isEmpty() || !(pending.get() instanceof Pending p)) {
                return Flow.CONTINUE;
            }
            context.variables().remove(PENDING);
            Response response = context.response();
            boolean store = cacheResponse.isPresent() ? cacheResponse.get().evaluateBoolean(context)
                    : response.statusCode() == 200;
            long seconds = duration.evaluateLong(context);
            if (seconds < 1 || seconds > MAX_DURATION_SECONDS) {
                throw PolicyException.internal("ExpressionValueEvaluationFailure", "cache-store: duration must be"
                        + " between 1 and " + MAX_DURATION_SECONDS + " seconds, was " + seconds);
            }
            OptionalLong length = response.body().length();
            if (!store || length.isEmpty() || length.getAsLong() > maxBody) {
                return Flow.CONTINUE;
            }
            byte[] body = response.body().bytes(true);
            List<List<String>> headers = new ArrayList<>();
            response.headers().forEach((name, value) -> {
                if (!NOT_KEPT.contains(name.toLowerCase(Locale.ROOT))) {
                    headers.add(List.of(name, value));
                }
            });
            long expiresAt = context.services().clock().millis() + seconds * 1000;
            p.cache().put(p.key(), new CachedResponse(response.statusCode(), response.statusReason(), headers, body,
                                                      expiresAt).encode(), Duration.ofSeconds(seconds));
            downstreamHeader(response, p.downstream(), p.mustRevalidate(), Duration.ofSeconds(seconds));
            return Flow.CONTINUE;
        }

        @Override
        public String toString() {
            return "cache-store[duration=" + duration.source() + "]";
        }
    }

    private static void downstreamHeader(Response response, String downstream, boolean mustRevalidate, Duration left) {
        if (downstream.equals("none")) {
            return;
        }
        response.headers().set("Cache-Control", downstream + ", max-age=" + left.toSeconds()
                + (mustRevalidate ? ", must-revalidate" : ""));
    }

    /**
     * A response as the caches keep it: a string, so the internal cache and Redis hold it alike. Lines: the format
     * version, the status, the reason, the expiry (epoch milliseconds), the header count, then each header as
     * base64 name and value, then the base64 body.
     */
    record CachedResponse(int status, String reason, List<List<String>> headers, byte[] body, long expiresAt) {

        private static final String VERSION = "gh-response-1";

        String encode() {
            Base64.Encoder b64 = Base64.getEncoder();
            StringBuilder s = new StringBuilder(VERSION).append('\n').append(status).append('\n')
                    .append(b64.encodeToString(reason.getBytes(StandardCharsets.UTF_8))).append('\n').append(expiresAt)
                    .append('\n').append(headers.size()).append('\n');
            for (List<String> h : headers) {
                s.append(b64.encodeToString(h.get(0).getBytes(StandardCharsets.UTF_8))).append(' ')
                        .append(b64.encodeToString(h.get(1).getBytes(StandardCharsets.UTF_8))).append('\n');
            }
            return s.append(b64.encodeToString(body)).toString();
        }

        static Optional<CachedResponse> decode(String text) {
            try {
                String[] lines = text.split("\n", -1);
                if (!lines[0].equals(VERSION)) {
                    return Optional.empty();
                }
                Base64.Decoder b64 = Base64.getDecoder();
                int count = Integer.parseInt(lines[4]);
                List<List<String>> headers = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    String[] parts = lines[5 + i].split(" ", 2);
                    headers.add(List.of(new String(b64.decode(parts[0]), StandardCharsets.UTF_8),
                                        new String(b64.decode(parts[1]), StandardCharsets.UTF_8)));
                }
                return Optional.of(new CachedResponse(Integer.parseInt(lines[1]),
                                                      new String(b64.decode(lines[2]), StandardCharsets.UTF_8), headers,
                                                      b64.decode(lines[5 + count]), Long.parseLong(lines[3])));
            } catch (RuntimeException e) {
                // Written by another version, or not by a gateway at all: a miss.
                return Optional.empty();
            }
        }
    }
}
