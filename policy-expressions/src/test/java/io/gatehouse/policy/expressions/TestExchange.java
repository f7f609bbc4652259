package io.gatehouse.policy.expressions;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import io.gatehouse.policy.spi.ApiInfo;
import io.gatehouse.policy.spi.Body;
import io.gatehouse.policy.spi.CounterStore;
import io.gatehouse.policy.spi.Deployment;
import io.gatehouse.policy.spi.ForwardOptions;
import io.gatehouse.policy.spi.LastError;
import io.gatehouse.policy.spi.NameValues;
import io.gatehouse.policy.spi.OperationInfo;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyServices;
import io.gatehouse.policy.spi.ProductInfo;
import io.gatehouse.policy.spi.Request;
import io.gatehouse.policy.spi.Response;
import io.gatehouse.policy.spi.SubscriptionInfo;
import io.gatehouse.policy.spi.TraceSeverity;
import io.gatehouse.policy.spi.Url;
import io.gatehouse.policy.spi.Variables;

/** A fixed exchange for expression tests: every value an expression can read is known in advance. */
class TestExchange implements PolicyContext {

    static final Instant NOW = Instant.parse("2024-03-05T14:07:10Z");
    static final Instant RECEIVED = Instant.parse("2024-03-05T14:07:09.1234567Z");

    final TestRequest request = new TestRequest();
    final TestResponse response = new TestResponse();
    final TestVariables variables = new TestVariables();
    Optional<ProductInfo> product = Optional.of(new ProductInfo("starter", "Starter"));
    Optional<SubscriptionInfo> subscription = Optional.of(
            new SubscriptionInfo("sub-1", "Alice's subscription", Instant.parse("2024-01-15T10:30:00Z")));
    Optional<LastError> lastError = Optional.of(new LastError("rate-limit", "RateLimitExceeded",
            "Rate limit is exceeded", "api:echo", "inbound", "rate-limit[1]", "policy-1"));

    TestExchange() {
        variables.set("user", "alice");
        variables.set("count", 5);
        variables.set("big", 5_000_000_000L);
        variables.set("ratio", 0.5);
        variables.set("flag", true);
        variables.set("empty", "");
        variables.set("csv", "a,b,,c");
        variables.set("token", TestTokens.SIGNED);
        variables.set("unsecured", TestTokens.UNSECURED);
        variables.set("odd", TestTokens.ODD);
        variables.set("encrypted", TestTokens.ENCRYPTED);
        variables.set("notJson", TestTokens.NOT_JSON);
        variables.set("padded", TestTokens.PADDED);
        variables.set("jwt", TestTokens.VALIDATED);
        variables.set("nothing", null);
        variables.set("sent", new TestResponse());
    }

    /** The standard exchange, which also offers the caller's subscription key. */
    static TestExchange standard() {
        return new WithKey();
    }

    /** An exchange without product, subscription or last error. */
    static TestExchange anonymous() {
        TestExchange e = new TestExchange();
        e.product = Optional.empty();
        e.subscription = Optional.empty();
        e.lastError = Optional.empty();
        return e;
    }

    /** Offers {@code context.Subscription.Key}. */
    static final class WithKey extends TestExchange implements SubscriptionKeyAccess {
        @Override
        public Optional<String> subscriptionKey() {
            return Optional.of("key-123");
        }
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    public Response response() {
        return response;
    }

    @Override
    public Variables variables() {
        return variables;
    }

    @Override
    public ApiInfo api() {
        return new ApiInfo("echo-api", "Echo API", "echo", "v1", "2");
    }

    @Override
    public OperationInfo operation() {
        return new OperationInfo("get-order", "Get order", "GET", "/orders/{id}", List.of());
    }

    @Override
    public Optional<ProductInfo> product() {
        return product;
    }

    @Override
    public Optional<SubscriptionInfo> subscription() {
        return subscription;
    }

    @Override
    public String requestId() {
        return "0f8fad5b-d9cb-469f-a165-70867728950e";
    }

    @Override
    public Deployment deployment() {
        return new Deployment("gw-west", "node-1", "West Europe");
    }

    @Override
    public Optional<LastError> lastError() {
        return lastError;
    }

    @Override
    public Instant timestamp() {
        return RECEIVED;
    }

    @Override
    public Duration elapsed() {
        return Duration.ofMillis(1500);
    }

    @Override
    public URI backendUrl() {
        return URI.create("http://backend:8080/api");
    }

    @Override
    public void setBackendUrl(URI baseUrl) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void forward(ForwardOptions options) {
        throw new UnsupportedOperationException();
    }

    @Override
    public PolicyServices services() {
        return new PolicyServices() {
            @Override
            public CounterStore counters() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Clock clock() {
                return Clock.fixed(NOW, ZoneOffset.UTC);
            }
        };
    }

    @Override
    public void trace(String source, TraceSeverity severity, String message) {
        throw new UnsupportedOperationException();
    }

    static final class TestRequest implements Request {
        final TestNameValues headers = new TestNameValues(true);
        final TestNameValues query = new TestNameValues(false);
        final TestBody body = new TestBody("{\"id\":42,\"name\":\"widget\"}");

        TestRequest() {
            headers.add("Accept", "application/json");
            headers.add("Authorization", "Bearer abc.def.ghi");
            headers.add("X-Forwarded-For", "10.0.0.1");
            headers.add("X-Forwarded-For", "10.0.0.2");
            headers.add("X-Empty", "");
            headers.add("X-Token", "Bearer " + TestTokens.SIGNED);
            query.add("q", "hello");
            query.add("page", "2");
        }

        @Override
        public String method() {
            return "POST";
        }

        @Override
        public void setMethod(String method) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Url url() {
            return new Url("https", "api.contoso.com", 443, "/echo/orders/42", "q=hello&page=2");
        }

        @Override
        public Url originalUrl() {
            return new Url("http", "api.contoso.com", 8080, "/echo/orders/42", "q=hello%20world&orig=1");
        }

        @Override
        public String pathWithinApi() {
            return "/orders/42";
        }

        @Override
        public void setPathWithinApi(String rawPath) {
            throw new UnsupportedOperationException();
        }

        @Override
        public NameValues headers() {
            return headers;
        }

        @Override
        public NameValues query() {
            return query;
        }

        @Override
        public Body body() {
            return body;
        }

        @Override
        public String clientIp() {
            return "203.0.113.7";
        }

        @Override
        public Map<String, String> matchedParameters() {
            return Map.of("id", "42");
        }
    }

    static final class TestResponse implements Response {
        final TestNameValues headers = new TestNameValues(true);
        final TestBody body = new TestBody("pong");

        TestResponse() {
            headers.add("Content-Type", "text/plain");
        }

        @Override
        public int statusCode() {
            return 200;
        }

        @Override
        public String statusReason() {
            return "OK";
        }

        @Override
        public void setStatus(int code, String reason) {
            throw new UnsupportedOperationException();
        }

        @Override
        public NameValues headers() {
            return headers;
        }

        @Override
        public Body body() {
            return body;
        }
    }

    /** Headers (case-insensitive) or query parameters (case-sensitive). */
    static final class TestNameValues implements NameValues {
        private final boolean ignoreCase;
        private final Map<String, List<String>> values = new LinkedHashMap<>();
        private final Map<String, String> spelling = new LinkedHashMap<>();

        TestNameValues(boolean ignoreCase) {
            this.ignoreCase = ignoreCase;
        }

        private String key(String name) {
            return ignoreCase ? name.toLowerCase(Locale.ROOT) : name;
        }

        @Override
        public Optional<String> first(String name) {
            return all(name).stream().findFirst();
        }

        @Override
        public List<String> all(String name) {
            return List.copyOf(values.getOrDefault(key(name), List.of()));
        }

        @Override
        public boolean contains(String name) {
            return values.containsKey(key(name));
        }

        @Override
        public Set<String> names() {
            return Set.copyOf(spelling.values());
        }

        @Override
        public void set(String name, String value) {
            set(name, List.of(value));
        }

        @Override
        public void set(String name, List<String> newValues) {
            values.put(key(name), new ArrayList<>(newValues));
            spelling.putIfAbsent(key(name), name);
        }

        @Override
        public void add(String name, String value) {
            values.computeIfAbsent(key(name), k -> new ArrayList<>()).add(value);
            spelling.putIfAbsent(key(name), name);
        }

        @Override
        public void remove(String name) {
            values.remove(key(name));
            spelling.remove(key(name));
        }
    }

    /** A buffered body that remembers whether a read consumed it. */
    static final class TestBody implements Body {
        private String content;
        boolean consumed;

        TestBody(String content) {
            this.content = content;
        }

        @Override
        public boolean isPresent() {
            return !content.isEmpty();
        }

        @Override
        public OptionalLong length() {
            return OptionalLong.of(content.length());
        }

        @Override
        public byte[] bytes(boolean preserveContent) {
            return asString(preserveContent).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String asString(boolean preserveContent) {
            String c = content;
            if (!preserveContent) {
                content = "";
                consumed = true;
            }
            return c;
        }

        @Override
        public InputStream stream() {
            return new ByteArrayInputStream(bytes(false));
        }

        @Override
        public void set(byte[] newContent) {
            content = new String(newContent, StandardCharsets.UTF_8);
        }

        @Override
        public void set(String newContent) {
            content = newContent;
        }
    }

    static final class TestVariables implements Variables {
        private final Map<String, Object> values = new LinkedHashMap<>();

        @Override
        public Optional<Object> get(String name) {
            return Optional.ofNullable(values.get(name));
        }

        @Override
        public void set(String name, Object value) {
            values.put(name, value);
        }

        @Override
        public boolean contains(String name) {
            return values.containsKey(name);
        }

        @Override
        public void remove(String name) {
            values.remove(name);
        }

        @Override
        public Set<String> names() {
            return values.keySet();
        }
    }
}
