package io.gatehouse.gateway;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.helidon.webserver.http.ServerRequest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;

import io.gatehouse.policy.engine.BackendTarget;
import io.gatehouse.policy.engine.RequestIds;
import io.gatehouse.policy.spi.LastError;
import io.gatehouse.telemetry.Telemetry;

/**
 * Observes each request: a SERVER span (continuing an incoming {@code traceparent}), a CLIENT span per backend call
 * (sending {@code traceparent} on), the request metrics in Helidon's registry (what Prometheus scrapes) and in
 * OpenTelemetry (what OTLP and Application Insights get), and the JSON access log line. Never a subscription key:
 * the key is taken off the request before anything here sees it.
 */
final class RequestObserver {

    private static final ContextKey<Observation> CURRENT = ContextKey.named("gatehouse.request");
    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> API = AttributeKey.stringKey("gatehouse.api.id");
    private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gatehouse.operation.id");
    private static final AttributeKey<String> PRODUCT = AttributeKey.stringKey("gatehouse.product.id");
    private static final AttributeKey<String> SUBSCRIPTION = AttributeKey.stringKey("gatehouse.subscription.id");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final AttributeKey<Boolean> COUNTERS_DEGRADED = AttributeKey.booleanKey("gatehouse.counters.degraded");
    private static final AttributeKey<String> POLICY = AttributeKey.stringKey("gatehouse.policy");
    static final String COUNTERS_DEGRADED_METRIC = "gatehouse.counters.degraded";
    static final String COUNTERS_SHARED_METRIC = "gatehouse.counters.redis.available";
    private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"};
    private static final TextMapGetter<ServerRequest> REQUEST_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(ServerRequest request) {
            return request.headers().stream().map(Header::name).toList();
        }

        @Override
        public String get(ServerRequest request, String key) {
            return request == null ? null : request.headers().first(HeaderNames.create(key)).orElse(null);
        }
    };

    /**
     * Helidon gives every timer client-side percentiles by default (an HdrHistogram per timer, updated on every
     * record: several per cent of the gateway's CPU in a profile); the buckets give Prometheus the same
     * information, aggregatable across replicas, so percentiles are switched off.
     */
    private static final double[] NO_PERCENTILES = new double[0];

    private final Telemetry telemetry;
    private final MeterRegistry registry;
    private final AccessLog accessLog;
    private final List<Duration> buckets;
    /** The request timer of each label set, looked up per request: a record key, hashed from the strings' cached hashes. */
    private final Map<RequestKey, Timer> requestTimers = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> rejections = new ConcurrentHashMap<>();
    private final Map<String, Timer> backendTimers = new ConcurrentHashMap<>();
    private final CustomMetrics customMetrics;
    private final Map<String, Counter> degradedDecisions = new ConcurrentHashMap<>();
    private final DoubleHistogram otelRequestDuration;
    private final DoubleHistogram otelBackendDuration;
    private final LongCounter otelRejections;
    private final LongCounter otelDegraded;
    private Optional<String> activeRevision = Optional.empty();
    private volatile long appliedAt;

    RequestObserver(Telemetry telemetry, MeterRegistry registry, AccessLog accessLog, List<Double> bucketsMillis) {
        this.telemetry = telemetry;
        this.registry = registry;
        this.accessLog = accessLog;
        this.customMetrics = new CustomMetrics(telemetry, registry);
        this.buckets = bucketsMillis.stream().map(ms -> Duration.ofNanos(Math.round(ms * 1_000_000))).toList();
        this.otelRequestDuration = telemetry.meter().histogramBuilder(Telemetry.REQUEST_DURATION).setUnit("ms")
                .setDescription("Duration of requests through the gateway").build();
        this.otelBackendDuration = telemetry.meter().histogramBuilder("gatehouse.backend.request.duration").setUnit("ms")
                .setDescription("Time to the backend's response headers").build();
        this.otelRejections = telemetry.meter().counterBuilder("gatehouse.policy.rejections")
                .setDescription("Requests refused by rate-limit or quota policies").build();
        this.otelDegraded = telemetry.meter().counterBuilder(COUNTERS_DEGRADED_METRIC)
                .setDescription("Rate-limit and quota decisions made on this node alone because Redis did not answer")
                .build();
        registry.getOrCreate(Gauge.builder("gatehouse.config.applied.timestamp.seconds", () -> appliedAt)
                                     .description("When the active configuration snapshot became active (epoch seconds)"));
    }

    /** @return where {@code emit-metric} policies' metrics go */
    CustomMetrics customMetrics() {
        return customMetrics;
    }

    /** One request as it is observed; filled in as routing and policies learn more. */
    static final class Observation {
        final long started = System.nanoTime();
        /** Wall-clock start, for the access log: milliseconds are what it prints, and cheaper than an Instant. */
        final long startedMillis = System.currentTimeMillis();
        final Span span;
        final String method;
        final String clientIp;
        final long bytesIn;
        final String requestId = RequestIds.next();
        String path;
        String route = "";
        String apiId = "";
        String operationId = "";
        String productId = "";
        String subscriptionId = "";
        long backendNanos = -1;
        long bytesOut = -1;
        Optional<LastError> error = Optional.empty();

        Observation(Span span, String method, String path, String clientIp, long bytesIn) {
            this.span = span;
            this.method = method;
            this.path = path;
            this.clientIp = clientIp;
            this.bytesIn = bytesIn;
        }
    }

    /**
     * Reports a newly active snapshot: {@code gatehouse.config.revision{revision=...}} is 1 for the active one only,
     * and {@code gatehouse.config.applied.timestamp.seconds} says when it became active.
     *
     * @param revision the revision
     */
    void snapshotActivated(String revision) {
        synchronized (this) {
            activeRevision.ifPresent(previous -> registry.remove("gatehouse.config.revision",
                                                                 List.of(Tag.create("revision", previous))));
            activeRevision = Optional.of(revision);
            appliedAt = Instant.now().getEpochSecond();
        }
        registry.getOrCreate(Gauge.builder("gatehouse.config.revision", () -> 1)
                                     .description("The active configuration snapshot (1 for the active revision)")
                                     .tags(List.of(Tag.create("revision", revision))));
    }

    /**
     * Registers a gauge read from the gateway's state (federation: sync failures, time since the last sync).
     *
     * @param name        the name
     * @param description what it means
     * @param value       reads the value
     */
    void gauge(String name, String description, Supplier<Number> value) {
        registry.getOrCreate(Gauge.builder(name, () -> value.get().doubleValue()).description(description));
    }

    /**
     * Reports whether the counter store shares decisions through Redis now:
     * {@code gatehouse.counters.redis.available} is 1 while it does, 0 while Redis does not answer.
     *
     * @param shared reads whether it does
     */
    void counterStore(BooleanSupplier shared) {
        // The process's store: a gauge left by an earlier one (tests start several) would read the wrong store.
        registry.remove(COUNTERS_SHARED_METRIC, List.of());
        registry.getOrCreate(Gauge.builder(COUNTERS_SHARED_METRIC, () -> shared.getAsBoolean() ? 1 : 0)
                                     .description("1 while rate limits and quotas are counted in Redis, 0 while it does"
                                                          + " not answer"));
    }

    /**
     * Reports a rate-limit or quota decision made on this node alone because Redis did not answer (fail-open): counted
     * in {@code gatehouse.counters.degraded}, and the current request's span gets {@code gatehouse.counters.degraded}.
     *
     * @param policy {@code rate-limit} or {@code quota}
     */
    void counterDegraded(String policy) {
        degradedDecisions.computeIfAbsent(policy, p -> registry.getOrCreate(
                Counter.builder(COUNTERS_DEGRADED_METRIC)
                        .description("Rate-limit and quota decisions made on this node alone because Redis did not answer")
                        .tags(List.of(Tag.create("policy", p))))).increment();
        if (telemetry.enabled()) {
            otelDegraded.add(1, Attributes.of(POLICY, policy));
        }
        Observation current = Context.current().get(CURRENT);
        if (current != null) {
            current.span.setAttribute(COUNTERS_DEGRADED, true);
        }
    }

    /**
     * Starts observing a request: its SERVER span, child of the caller's {@code traceparent} if it sent one.
     *
     * @param req      the request
     * @param clientIp the caller's address
     * @return the observation; make it current while the request is served
     */
    Observation begin(ServerRequest req, String clientIp) {
        String method = req.prologue().method().text();
        Span span = Span.getInvalid();
        if (telemetry.enabled()) {
            Context parent = telemetry.openTelemetry().getPropagators().getTextMapPropagator()
                    .extract(Context.root(), req, REQUEST_HEADERS);
            span = telemetry.tracer().spanBuilder(method).setParent(parent).setSpanKind(SpanKind.SERVER)
                    .setAttribute(METHOD, method)
                    .setAttribute("url.path", req.prologue().uriPath().rawPath())
                    .setAttribute("url.scheme", req.isSecure() ? "https" : "http")
                    .setAttribute("server.address", req.requestedUri().host())
                    .setAttribute("server.port", (long) req.requestedUri().port())
                    .setAttribute("client.address", clientIp)
                    .startSpan();
        }
        return new Observation(span, method, req.prologue().uriPath().rawPath(), clientIp,
                               req.headers().contentLength().orElse(-1));
    }

    /**
     * Makes an observation current on this thread, so the backend call and the trace policy find it.
     *
     * @param observation the observation
     * @return the scope to close
     */
    Scope makeCurrent(Observation observation) {
        return Context.current().with(observation.span).with(CURRENT, observation).makeCurrent();
    }

    /**
     * Names the route once the request matched an operation (the span's name becomes {@code METHOD template}).
     *
     * @param observation the observation
     * @param apiId       the API
     * @param operationId the operation
     * @param route       the operation's URL template, with the API's path
     */
    static void routed(Observation observation, String apiId, String operationId, String route) {
        observation.apiId = apiId;
        observation.operationId = operationId;
        observation.route = route;
        observation.span.updateName(observation.method + " " + route);
        observation.span.setAttribute(ROUTE, route);
        observation.span.setAttribute(API, apiId);
        observation.span.setAttribute(OPERATION, operationId);
    }

    /**
     * Records who called: product and subscription ids, never a key.
     *
     * @param observation    the observation
     * @param productId      the product, or empty
     * @param subscriptionId the subscription, or empty
     */
    static void caller(Observation observation, String productId, String subscriptionId) {
        observation.productId = productId;
        observation.subscriptionId = subscriptionId;
        if (!productId.isEmpty()) {
            observation.span.setAttribute(PRODUCT, productId);
        }
        if (!subscriptionId.isEmpty()) {
            observation.span.setAttribute(SUBSCRIPTION, subscriptionId);
        }
    }

    /**
     * Ends a request: the span, the metrics, the access log line.
     *
     * @param observation the observation
     * @param status      the status sent
     */
    void end(Observation observation, int status) {
        long nanos = System.nanoTime() - observation.started;
        Span span = observation.span;
        span.setAttribute(STATUS, (long) status);
        observation.error.ifPresent(e -> {
            span.setAttribute(ERROR_TYPE, e.reason());
            span.addEvent("policy error", Attributes.builder().put("gatehouse.error.source", e.source())
                    .put("gatehouse.error.section", e.section()).put("gatehouse.error.reason", e.reason())
                    .put("gatehouse.error.message", e.message()).build());
        });
        if (status >= 500) {
            span.setStatus(StatusCode.ERROR);
            if (observation.error.isEmpty()) {
                span.setAttribute(ERROR_TYPE, Integer.toString(status));
            }
        }
        span.end();
        String statusClass = status >= 100 && status < 600 ? STATUS_CLASSES[status / 100] : status / 100 + "xx";
        String api = observation.apiId.isEmpty() ? "none" : observation.apiId;
        String operation = observation.operationId.isEmpty() ? "none" : observation.operationId;
        RequestKey timerKey = new RequestKey(api, operation, statusClass, observation.method);
        requestTimers.computeIfAbsent(timerKey, key -> registry.getOrCreate(
                Timer.builder(Telemetry.REQUEST_DURATION)
                        .description("Duration of requests through the gateway")
                        .tags(List.of(Tag.create("api", key.api()), Tag.create("operation", key.operation()),
                                      Tag.create("status_class", key.statusClass()), Tag.create("method", key.method())))
                        .buckets(buckets.toArray(Duration[]::new))
                        .percentiles(NO_PERCENTILES)))
                .record(nanos, TimeUnit.NANOSECONDS);
        if (telemetry.enabled()) {
            otelRequestDuration.record(nanos / 1e6, Attributes.builder()
                    .put(METHOD, observation.method).put(ROUTE, observation.route).put(STATUS, (long) status)
                    .put(API, api).put(OPERATION, operation).build());
        }
        String reason = observation.error.map(LastError::reason).orElse("");
        if (reason.equals("RateLimitExceeded") || reason.equals("QuotaExceeded")) {
            String policy = reason.equals("RateLimitExceeded") ? "rate-limit" : "quota";
            rejections.computeIfAbsent(List.of(api, policy), key -> registry.getOrCreate(
                    Counter.builder("gatehouse.policy.rejections")
                            .description("Requests refused by rate-limit or quota policies")
                            .tags(List.of(Tag.create("api", key.get(0)), Tag.create("policy", key.get(1)))))).increment();
            if (telemetry.enabled()) {
                otelRejections.add(1, Attributes.builder().put(API, api).put("gatehouse.policy", policy).build());
            }
        }
        accessLog.write(observation, status, nanos);
    }

    /**
     * Starts a CLIENT span for a backend call and writes its {@code traceparent} into the outgoing headers.
     *
     * @param method  the method
     * @param target  the backend URL
     * @param headers receives the propagation headers
     * @return the call, to end when the backend's response headers arrive
     */
    BackendCall backendCall(String method, BackendTarget target, TextMapSetter<Void> headers) {
        Span span;
        if (telemetry.enabled()) {
            URI base = target.base();
            String path = target.requestTarget();
            int query = path.indexOf('?');
            span = telemetry.tracer().spanBuilder(method).setSpanKind(SpanKind.CLIENT)
                    .setAttribute(METHOD, method)
                    .setAttribute("server.address", String.valueOf(base.getHost()))
                    .setAttribute("server.port", (long) (base.getPort() > 0 ? base.getPort()
                            : "https".equals(base.getScheme()) ? 443 : 80))
                    .setAttribute("url.full", base.getScheme() + "://" + base.getRawAuthority()
                            + (query < 0 ? path : path.substring(0, query)))
                    .startSpan();
            telemetry.openTelemetry().getPropagators().getTextMapPropagator()
                    .inject(Context.current().with(span), null, headers);
        } else {
            span = Span.getInvalid();
        }
        return new BackendCall(span, System.nanoTime(), Context.current().get(CURRENT));
    }

    /** A backend call in flight. */
    final class BackendCall {
        private final Span span;
        private final long started;
        private final Observation observation;

        private BackendCall(Span span, long started, Observation observation) {
            this.span = span;
            this.started = started;
            this.observation = observation;
        }

        /**
         * Ends the call.
         *
         * @param status the backend's status, or -1 if it failed
         * @param error  why it failed, if it did
         */
        void end(int status, Optional<Throwable> error) {
            long nanos = System.nanoTime() - started;
            if (status > 0) {
                span.setAttribute(STATUS, (long) status);
            }
            error.ifPresent(e -> {
                span.recordException(e);
                span.setStatus(StatusCode.ERROR);
                span.setAttribute(ERROR_TYPE, e.getClass().getName());
            });
            if (status >= 500) {
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
            String api = observation == null || observation.apiId.isEmpty() ? "none" : observation.apiId;
            if (observation != null) {
                observation.backendNanos = Math.max(0, observation.backendNanos) + nanos;
            }
            backendTimers.computeIfAbsent(api, a -> registry.getOrCreate(
                    Timer.builder("gatehouse.backend.request.duration")
                            .description("Time to the backend's response headers")
                            .tags(List.of(Tag.create("api", a)))
                            .buckets(buckets.toArray(Duration[]::new))
                            .percentiles(NO_PERCENTILES)))
                    .record(nanos, TimeUnit.NANOSECONDS);
            if (telemetry.enabled()) {
                otelBackendDuration.record(nanos / 1e6, Attributes.builder().put(API, api)
                        .put(STATUS, (long) status).build());
            }
        }
    }

    /**
     * Adds a {@code trace} policy message to the current request's span as an event.
     *
     * @param source   the trace's source
     * @param severity its severity
     * @param message  its message
     */
    static void traceEvent(String source, String severity, String message) {
        Span.current().addEvent("trace", Attributes.builder().put("gatehouse.trace.source", source)
                .put("gatehouse.trace.severity", severity).put("gatehouse.trace.message", message).build());
    }

    /** The labels of one request timer. */
    private record RequestKey(String api, String operation, String statusClass, String method) {
    }
}
