package io.gatehouse.policy.engine;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.gatehouse.config.Backend;
import io.gatehouse.policy.expressions.SubscriptionKeyAccess;
import io.gatehouse.policy.spi.ApiInfo;
import io.gatehouse.policy.spi.Body;
import io.gatehouse.policy.spi.CustomMetric;
import io.gatehouse.policy.spi.Deployment;
import io.gatehouse.policy.spi.ForwardOptions;
import io.gatehouse.policy.spi.LastError;
import io.gatehouse.policy.spi.NameValues;
import io.gatehouse.policy.spi.OperationInfo;
import io.gatehouse.policy.spi.OutboundRequest;
import io.gatehouse.policy.spi.PolicyContext;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.PolicyServices;
import io.gatehouse.policy.spi.ProductInfo;
import io.gatehouse.policy.spi.Request;
import io.gatehouse.policy.spi.Response;
import io.gatehouse.policy.spi.SubscriptionInfo;
import io.gatehouse.policy.spi.TraceSeverity;
import io.gatehouse.policy.spi.Url;
import io.gatehouse.policy.spi.Variables;

/**
 * One request/response exchange as it flows through a pipeline: the mutable request and response, variables, and
 * the read-only context (API, operation, product, subscription, deployment). Created by the gateway per request,
 * used by one thread at a time, closed when the response has been written.
 */
public final class Exchange implements PolicyContext, SubscriptionKeyAccess, AutoCloseable {

    private static final System.Logger TRACE = System.getLogger("io.gatehouse.trace");

    private final String requestId;
    private final TraceListener traceListener;
    private final MetricListener metricListener;
    private final Instant timestamp;
    private final long startNanos;
    private final ApiInfo api;
    private final OperationInfo operation;
    private final Optional<ProductInfo> product;
    private final Optional<SubscriptionInfo> subscription;
    private final Optional<String> subscriptionKey;
    private final Deployment deployment;
    private final PolicyServices services;
    private final BackendForwarder forwarder;
    private final ExchangeRequest request;
    private final MessageResponse response;
    private final ExchangeVariables variables = new ExchangeVariables();
    private final List<AutoCloseable> resources = new ArrayList<>(2);
    private final long maxBufferedBody;
    private final Map<String, List<String>> pinnedResponseHeaders = new LinkedHashMap<>();
    private final BackendDirectory backends;
    private final CircuitBreakers breakers;
    /** The credential headers the last call to a backend entity set, to take off before a retry sets them again. */
    private List<String> credentialHeaders = List.of();
    private URI backendUrl;
    private String backendId;
    private LastError lastError;
    private PolicyException annotated;
    private boolean forwarded;

    private Exchange(Builder b) {
        this.requestId = b.requestId;
        this.traceListener = b.traceListener;
        this.metricListener = b.metricListener;
        this.timestamp = b.services.clock().instant();
        this.startNanos = System.nanoTime();
        this.api = Objects.requireNonNull(b.api, "api");
        this.operation = Objects.requireNonNull(b.operation, "operation");
        this.product = Optional.ofNullable(b.product);
        this.subscription = Optional.ofNullable(b.subscription);
        this.subscriptionKey = Optional.ofNullable(b.subscriptionKey);
        this.deployment = Objects.requireNonNull(b.deployment, "deployment");
        this.services = b.services;
        this.forwarder = Objects.requireNonNull(b.forwarder, "forwarder");
        this.backendUrl = b.backendUrl;
        this.backends = b.backends;
        this.breakers = b.breakers;
        this.maxBufferedBody = b.maxBufferedBody;
        Url original = new Url(b.scheme, b.host, b.port, b.rawPath, b.rawQuery);
        this.request = new ExchangeRequest(b, original);
        this.response = new MessageResponse(200, "OK", b.maxBufferedBody);
    }

    /**
     * Starts building an exchange.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    public Response response() {
        return response;
    }

    /** @return the request's body, with the engine's view of whether it was buffered */
    public MessageBody requestBody() {
        return request.body;
    }

    /** @return the response's body, with the engine's view of whether it was buffered */
    public MessageBody responseBody() {
        return response.body;
    }

    /** @return the largest body a policy may read into memory */
    public long maxBufferedBody() {
        return maxBufferedBody;
    }

    @Override
    public Variables variables() {
        return variables;
    }

    @Override
    public ApiInfo api() {
        return api;
    }

    @Override
    public OperationInfo operation() {
        return operation;
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
    public Optional<String> subscriptionKey() {
        return subscriptionKey;
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public Deployment deployment() {
        return deployment;
    }

    @Override
    public Optional<LastError> lastError() {
        return Optional.ofNullable(lastError);
    }

    @Override
    public Instant timestamp() {
        return timestamp;
    }

    @Override
    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    @Override
    public URI backendUrl() {
        return backendUrl;
    }

    @Override
    public void setBackendUrl(URI baseUrl) {
        this.backendUrl = Objects.requireNonNull(baseUrl, "baseUrl");
    }

    @Override
    public void setBackend(String id) throws PolicyException {
        URI nominal = backends.nominalUrl(id).orElseThrow(() -> PolicyException.internal(
                "BackendConnectionFailure", "backend '" + id + "' is not defined"));
        this.backendUrl = nominal;
        this.backendId = id;
    }

    /**
     * The backend entity later calls go to, as {@code set-backend-service backend-id} chose it.
     *
     * @return its id, or empty when calls go to a URL
     */
    public Optional<String> backendId() {
        return Optional.ofNullable(backendId);
    }

    @Override
    public void forward(ForwardOptions options) throws PolicyException {
        if (backendUrl == null) {
            throw PolicyException.internal("BackendConnectionFailure", "API '" + api.id() + "' has no service URL and"
                    + " no set-backend-service policy chose a backend");
        }
        if (!forwarded) {
            // Response headers policies set before the first backend call (a cors policy's, for one) stay on the
            // backend's response and win over the backend's own.
            for (String name : response.headers.names()) {
                pinnedResponseHeaders.put(name, response.headers.all(name));
            }
        }
        forwarded = true;
        String query = request.query.rawQuery();
        Backend chosen = null;
        if (backendId != null) {
            chosen = chooseBackend();
            query = withCredentials(chosen, query);
        }
        BackendTarget target = new BackendTarget(backendUrl, query.isEmpty() ? request.pathWithinApi
                : request.pathWithinApi + "?" + query);
        if (chosen == null) {
            forwarder.forward(this, target, options);
            return;
        }
        try {
            forwarder.forward(this, target, options);
        } catch (PolicyException e) {
            // No answer counts against the backend; a request the gateway could not send (BackendRequestInvalid) does not.
            if (e.reason().equals("BackendConnectionFailure") || e.reason().equals("Timeout")) {
                breakers.failed(chosen);
            }
            throw e;
        }
        breakers.answered(chosen, response.statusCode(), response.headers().first("Retry-After"));
    }

    /**
     * Resolves the backend entity for this one call: a pool's member is chosen now, so each call (and each retry) may
     * go to another, and members whose circuit breaker is open are skipped.
     */
    private Backend chooseBackend() throws PolicyException {
        Backend chosen = backends.choose(backendId, id -> breakers.available(backends.backend(id).orElseThrow()),
                                         ThreadLocalRandom.current())
                .orElseThrow(() -> PolicyException.clientError("BackendUnavailable", "Backend '" + backendId
                        + "' is unavailable: its circuit breaker is open", 503));
        backendUrl = chosen.url().orElseThrow();
        return chosen;
    }

    /** The chosen backend's credentials replace those a previous call of this exchange added; returns the query. */
    private String withCredentials(Backend chosen, String query) {
        for (String name : credentialHeaders) {
            request.headers.remove(name);
        }
        List<String> set = new ArrayList<>();
        StringBuilder q = new StringBuilder(query);
        Backend entity = backends.backend(backendId).orElseThrow();
        List<Backend> withCredentials = entity == chosen ? List.of(chosen) : List.of(entity, chosen);
        for (Backend b : withCredentials) {
            // As APIM: the backend's credential headers replace any the caller sent under those names.
            b.credentials().header().forEach((name, values) -> {
                request.headers.set(name, values);
                set.add(name);
            });
            b.credentials().query().forEach((name, values) -> values.forEach(v -> q.append(q.isEmpty() ? "" : "&")
                    .append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8))));
        }
        credentialHeaders = set;
        return q.toString();
    }

    @Override
    public void emitMetric(CustomMetric metric) {
        metricListener.emit(metric);
    }

    @Override
    public Response send(OutboundRequest outbound) throws PolicyException {
        return OutboundClient.SHARED.send(outbound, maxBufferedBody);
    }

    /** @return response headers set before the first backend call, to put back on the backend's response */
    public Map<String, List<String>> pinnedResponseHeaders() {
        return Collections.unmodifiableMap(pinnedResponseHeaders);
    }

    /**
     * The URL the backend is called with: the backend base URL, then the path within the API and the query, both
     * raw, as they came unless a policy changed them.
     *
     * @return the target URL
     */
    public URI backendRequestUri() {
        String base = backendUrl.toString();
        int q = base.indexOf('?');
        if (q >= 0) {
            base = base.substring(0, q);
        }
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        String path = request.pathWithinApi;
        String query = request.query.rawQuery();
        return URI.create(base + path + (query.isEmpty() ? "" : "?" + query));
    }

    @Override
    public PolicyServices services() {
        return services;
    }

    @Override
    public void trace(String source, TraceSeverity severity, String message) {
        System.Logger.Level level = switch (severity) {
            case VERBOSE -> System.Logger.Level.DEBUG;
            case INFORMATION -> System.Logger.Level.INFO;
            case ERROR -> System.Logger.Level.ERROR;
        };
        TRACE.log(level, () -> "[" + requestId + "] " + source + ": " + message);
        traceListener.trace(source, severity.name().toLowerCase(Locale.ROOT), message);
    }

    /**
     * Registers something to close when the exchange ends (a backend response, for instance).
     *
     * @param resource the resource
     */
    public void onClose(AutoCloseable resource) {
        resources.add(resource);
    }

    /**
     * Records where a policy failed, once per exception: the innermost policy wins.
     *
     * @param error   the failure
     * @param source  the failing element's name
     * @param scope   the scope it came from
     * @param section the section
     * @param path    its place in the document
     */
    void recordError(PolicyException error, String source, String scope, String section, String path) {
        if (annotated == error) {
            return;
        }
        annotated = error;
        lastError = new LastError(source, error.reason(), error.getMessage(), scope, section, path, "");
    }

    @Override
    public void close() {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // closing a finished backend response; nothing to recover
            }
        }
        resources.clear();
    }

    /** Builds an {@link Exchange}. */
    public static final class Builder {
        private String requestId;
        private TraceListener traceListener = (source, severity, message) -> { };
        private MetricListener metricListener = metric -> { };
        private String method = "GET";
        private String scheme = "http";
        private String host = "localhost";
        private int port = 80;
        private String rawPath = "/";
        private String rawQuery = "";
        private String pathWithinApi = "/";
        private String clientIp = "";
        private Map<String, String> matchedParameters = Map.of();
        private MessageHeaders headers = new MessageHeaders();
        private QueryValues query;
        private MessageBody body;
        private long maxBufferedBody = 16 * 1024 * 1024;
        private ApiInfo api;
        private OperationInfo operation;
        private ProductInfo product;
        private SubscriptionInfo subscription;
        private String subscriptionKey;
        private Deployment deployment = new Deployment("gatehouse", "node", "local");
        private PolicyServices services;
        private BackendForwarder forwarder;
        private URI backendUrl;
        private BackendDirectory backends = BackendDirectory.EMPTY;
        private CircuitBreakers breakers = CircuitBreakers.DISABLED;

        private Builder() {
        }

        /**
         * @param listener receives {@code trace} policy messages, besides the log
         * @return this
         */
        public Builder traceListener(TraceListener listener) {
            this.traceListener = listener;
            return this;
        }

        /**
         * Where {@code emit-metric} policies' metrics go.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder metricListener(MetricListener listener) {
            this.metricListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param id request id (a GUID by default)
         * @return this
         */
        public Builder requestId(String id) {
            this.requestId = id;
            return this;
        }

        /**
         * @param method HTTP method
         * @return this
         */
        public Builder method(String method) {
            this.method = method;
            return this;
        }

        /**
         * The URL the client called.
         *
         * @param scheme   http or https
         * @param host     host the client addressed
         * @param port     port
         * @param rawPath  raw (encoded) path
         * @param rawQuery raw query without {@code ?}, or empty
         * @return this
         */
        public Builder url(String scheme, String host, int port, String rawPath, String rawQuery) {
            this.scheme = scheme;
            this.host = host;
            this.port = port;
            this.rawPath = rawPath;
            this.rawQuery = rawQuery == null ? "" : rawQuery;
            return this;
        }

        /**
         * @param rawPath the raw path after the API's URL suffix, starting with {@code /}
         * @return this
         */
        public Builder pathWithinApi(String rawPath) {
            this.pathWithinApi = rawPath;
            return this;
        }

        /**
         * @param ip client address
         * @return this
         */
        public Builder clientIp(String ip) {
            this.clientIp = ip;
            return this;
        }

        /**
         * @param parameters URL template captures
         * @return this
         */
        public Builder matchedParameters(Map<String, String> parameters) {
            this.matchedParameters = Map.copyOf(parameters);
            return this;
        }

        /**
         * @param headers request headers (taken over, not copied)
         * @return this
         */
        public Builder headers(MessageHeaders headers) {
            this.headers = headers;
            return this;
        }

        /**
         * @param query the request's query parameters, already parsed (taken over, not copied); by default the raw
         *              query given to {@link #url} is parsed
         * @return this
         */
        public Builder query(QueryValues query) {
            this.query = query;
            return this;
        }

        /**
         * @param body request body
         * @return this
         */
        public Builder body(MessageBody body) {
            this.body = body;
            return this;
        }

        /**
         * @param bytes largest body a policy may read into memory
         * @return this
         */
        public Builder maxBufferedBody(long bytes) {
            this.maxBufferedBody = bytes;
            return this;
        }

        /**
         * @param api the matched API
         * @return this
         */
        public Builder api(ApiInfo api) {
            this.api = api;
            return this;
        }

        /**
         * @param operation the matched operation
         * @return this
         */
        public Builder operation(OperationInfo operation) {
            this.operation = operation;
            return this;
        }

        /**
         * @param product the product context, or null
         * @return this
         */
        public Builder product(ProductInfo product) {
            this.product = product;
            return this;
        }

        /**
         * @param subscription the subscription, or null
         * @param key          the key presented, or null
         * @return this
         */
        public Builder subscription(SubscriptionInfo subscription, String key) {
            this.subscription = subscription;
            this.subscriptionKey = key;
            return this;
        }

        /**
         * @param deployment gateway, node and region
         * @return this
         */
        public Builder deployment(Deployment deployment) {
            this.deployment = deployment;
            return this;
        }

        /**
         * @param services shared services
         * @return this
         */
        public Builder services(PolicyServices services) {
            this.services = services;
            return this;
        }

        /**
         * @param forwarder the backend client
         * @return this
         */
        public Builder forwarder(BackendForwarder forwarder) {
            this.forwarder = forwarder;
            return this;
        }

        /**
         * @param url the API's service URL, or null if it has none
         * @return this
         */
        public Builder backendUrl(URI url) {
            this.backendUrl = url;
            return this;
        }

        /**
         * @param backends the snapshot's backend entities, for {@code set-backend-service backend-id}
         * @return this
         */
        public Builder backends(BackendDirectory backends) {
            this.backends = Objects.requireNonNull(backends, "backends");
            return this;
        }

        /**
         * @param breakers the gateway's circuit breakers, which outlive snapshots
         * @return this
         */
        public Builder breakers(CircuitBreakers breakers) {
            this.breakers = Objects.requireNonNull(breakers, "breakers");
            return this;
        }

        /** @return the exchange */
        public Exchange build() {
            Objects.requireNonNull(services, "services");
            if (requestId == null) {
                requestId = RequestIds.next();
            }
            if (body == null) {
                body = MessageBody.empty(maxBufferedBody);
            }
            return new Exchange(this);
        }
    }

    private static final class ExchangeRequest implements Request {
        private final Url original;
        private final MessageHeaders headers;
        private final QueryValues query;
        private final MessageBody body;
        private final String clientIp;
        private final Map<String, String> matchedParameters;
        private final String apiPrefix;
        private String method;
        private String pathWithinApi;

        private ExchangeRequest(Builder b, Url original) {
            this.original = original;
            this.method = b.method;
            this.headers = b.headers;
            this.query = b.query != null ? b.query : new QueryValues(b.rawQuery);
            this.body = b.body;
            this.clientIp = b.clientIp;
            this.matchedParameters = new LinkedHashMap<>(b.matchedParameters);
            this.pathWithinApi = b.pathWithinApi;
            String raw = b.rawPath;
            this.apiPrefix = raw.endsWith(b.pathWithinApi)
                    ? raw.substring(0, raw.length() - b.pathWithinApi.length())
                    : raw;
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public void setMethod(String method) {
            this.method = Objects.requireNonNull(method, "method");
        }

        @Override
        public Url url() {
            return new Url(original.scheme(), original.host(), original.port(), apiPrefix + pathWithinApi,
                           query.rawQuery());
        }

        @Override
        public Url originalUrl() {
            return original;
        }

        @Override
        public String pathWithinApi() {
            return pathWithinApi;
        }

        @Override
        public void setPathWithinApi(String rawPath) {
            this.pathWithinApi = rawPath.startsWith("/") ? rawPath : "/" + rawPath;
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
            return clientIp;
        }

        @Override
        public Map<String, String> matchedParameters() {
            return matchedParameters;
        }
    }

    /**
     * Replaces the response body, for instance with a backend's streamed body.
     *
     * @param newBody the body
     */
    public void responseBody(MessageBody newBody) {
        response.body = Objects.requireNonNull(newBody, "newBody");
    }

    /** @return the response headers, as the gateway writes them */
    public MessageHeaders responseHeaders() {
        return response.headers;
    }

    /** Clears the response headers and body, before an error response or a backend response replaces them. */
    public void resetResponse() {
        response.headers.clear();
        response.body = MessageBody.empty(maxBufferedBody);
    }

    private static final class ExchangeVariables implements Variables {
        private final Map<String, Object> values = new HashMap<>();

        @Override
        public Optional<Object> get(String name) {
            return Optional.ofNullable(values.get(name));
        }

        @Override
        public void set(String name, Object value) {
            // A null value is a variable set to null (send-request's ignore-error), not an unset one.
            values.put(Objects.requireNonNull(name, "name"), value);
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
            return Set.copyOf(values.keySet());
        }
    }
}
