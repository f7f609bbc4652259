package io.gatehouse.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.helidon.common.mapper.MapperManager;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.service.registry.Services;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.opentelemetry.context.Scope;

import io.gatehouse.config.Api;
import io.gatehouse.config.Operation;
import io.gatehouse.config.Product;
import io.gatehouse.config.Subscription;
import io.gatehouse.policy.engine.ApimErrors;
import io.gatehouse.policy.engine.CircuitBreakers;
import io.gatehouse.policy.engine.Exchange;
import io.gatehouse.policy.engine.MessageBody;
import io.gatehouse.policy.engine.MessageHeaders;
import io.gatehouse.policy.engine.MetricListener;
import io.gatehouse.policy.engine.Pipeline;
import io.gatehouse.policy.engine.QueryValues;
import io.gatehouse.policy.spi.ApiInfo;
import io.gatehouse.policy.spi.Deployment;
import io.gatehouse.policy.spi.OperationInfo;
import io.gatehouse.policy.spi.PolicyServices;
import io.gatehouse.policy.spi.ProductInfo;
import io.gatehouse.policy.spi.SubscriptionInfo;
import io.gatehouse.telemetry.Telemetry;
import io.gatehouse.telemetry.TelemetrySettings;

/**
 * The gateway's HTTP front: status endpoints, routing, subscription checks, the policy pipeline and writing the
 * answer back, on Helidon's web server (one virtual thread per request).
 */
public final class Gateway implements AutoCloseable {

    /** The health endpoint APIM's self-hosted gateway answers. */
    public static final String STATUS_PATH = "/status-0123456789abcdef";
    /** The internal health endpoint. */
    public static final String INTERNAL_STATUS_PATH = "/internal-status-0123456789abcdef";

    private static final String MANAGEMENT_SOCKET = "management";
    private static boolean mapperManagerFixed;
    /** Bodies up to this size, when their length is known, are sent in one piece rather than streamed. */
    private static final long SMALL_BODY = 64 * 1024;
    private static final int HEADER_NAME_CACHE_LIMIT = 1024;
    private static final ConcurrentHashMap<String, HeaderName> HEADER_NAMES = new ConcurrentHashMap<>();

    /**
     * Helidon 4.4.0's {@code MapperManager.global()} asks the service registry on every call until a manager is set,
     * and each ask builds a new one; {@code Headers.contentLength()} (ours and the web client's) paid that on every
     * request: about 80 % of the gateway's CPU in a JFR profile of {@code ./gatehouse bench}. Setting it once fixes
     * that; it can only be set before anything used mappers, so {@code main} calls this first. Later calls are no-ops.
     */
    @SuppressWarnings("removal") // the deprecated global manager is the very one Headers.contentLength() still uses
    static synchronized void fixMapperManager() {
        if (mapperManagerFixed) {
            return;
        }
        mapperManagerFixed = true;
        try {
            MapperManager.global(MapperManager.create());
        } catch (RuntimeException tooLate) {
            LOGGER.log(System.Logger.Level.DEBUG, "the global mapper manager was already in use: " + tooLate);
        }
    }

    private static final System.Logger LOGGER = System.getLogger(Gateway.class.getName());

    static {
        fixMapperManager();
    }

    private final AtomicReference<CompiledSnapshot> active = new AtomicReference<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Object drained = new Object();
    private final HttpForwarder forwarder;
    private final PolicyServices services;
    private final CircuitBreakers breakers;
    /** Where emit-metric's metrics go: one listener, not a method reference built per request. */
    private final MetricListener metrics;
    private final Deployment deployment;
    private final long maxBufferedBody;
    private final boolean trustForwardedProto;
    private WebServer server;
    private volatile Supplier<byte[]> statusDetail;
    private final RequestObserver observer;
    private final String managementHost;
    private final Optional<Integer> managementPort;

    /**
     * Creates a gateway; {@link #start(String, int)} opens its port.
     *
     * @param settings settings
     * @param services shared policy services
     */
    public Gateway(Settings settings, PolicyServices services) {
        this(settings, services, new RequestObserver(Telemetry.disabled(), Services.get(MeterRegistry.class), AccessLog.off(),
                                                     TelemetrySettings.APIM_BUCKETS));
    }

    /**
     * Creates a gateway that reports its traffic to an observer (spans, metrics, access log).
     *
     * @param settings settings
     * @param services shared policy services
     * @param observer the observer
     */
    Gateway(Settings settings, PolicyServices services, RequestObserver observer) {
        this.observer = observer;
        this.managementHost = settings.string(SettingKey.NET_SERVER_MANAGEMENT_HOST);
        this.managementPort = settings.optional(SettingKey.NET_SERVER_MANAGEMENT_PORT).map(Integer::parseInt);
        this.forwarder = new HttpForwarder(Duration.ofSeconds(settings.integer(SettingKey.GATEWAY_BACKEND_CONNECT_TIMEOUT)),
                                           settings.string(SettingKey.GATEWAY_BACKEND_FAILURE_MODE).equals("proxy"),
                                           observer);
        this.services = services;
        // Beside the gateway, not in a snapshot: a tripped backend stays tripped across configuration reloads.
        this.breakers = new CircuitBreakers(services.clock(), CircuitBreakers.DEFAULT_MAX_BACKENDS);
        this.metrics = observer.customMetrics()::emit;
        String name = settings.optional(SettingKey.GATEWAY_NAME).orElse("gatehouse");
        this.deployment = new Deployment(name, ProcessHandle.current().pid() + "", settings.string(SettingKey.GATEWAY_REGION));
        this.maxBufferedBody = settings.longValue(SettingKey.POLICY_MAX_BUFFERED_BODY_BYTES);
        this.trustForwardedProto = settings.bool(SettingKey.NET_SERVER_HTTP_FORWARDED_PROTO_ENABLED);
    }

    /**
     * Opens the HTTP port.
     *
     * @param host address to bind
     * @param port port, 0 for any free one
     * @return this
     */
    public Gateway start(String host, int port) {
        WebServerConfig.Builder builder = WebServer.builder();
        managementPort.ifPresent(management -> builder
                // Metrics on a listener of their own: the catch-all API route cannot shadow them, API callers cannot
                // reach them, and operators can bind it to an internal address.
                .putSocket(MANAGEMENT_SOCKET, socket -> socket.host(managementHost).port(management))
                .addFeature(ObserveFeature.builder()
                                    .sockets(List.of(MANAGEMENT_SOCKET))
                                    .observersDiscoverServices(false)
                                    .addObserver(MetricsObserver.create())
                                    .build()));
        server = builder
                .host(host)
                .port(port)
                .featuresDiscoverServices(false)
                .shutdownHook(false)
                // Helidon 4.4.0's default NIO socket loses the tail of large responses to slow readers (seen here with
                // 512 MiB and curl --limit-rate, and upstream in helidon-io/helidon#11635); the blocking socket does not.
                .useNio(false)
                .routing(this::routing)
                .build()
                .start();
        return this;
    }

    /**
     * Adds the gateway's single catch-all route to a routing (the server tests use it with their own server).
     *
     * @param routing the routing
     */
    public void routing(HttpRouting.Builder routing) {
        routing.any(this::handle);
    }

    /** @return the management listener's port (metrics at {@code /observe/metrics}), if it has one */
    Optional<Integer> managementPort() {
        return managementPort.map(p -> server.port(MANAGEMENT_SOCKET));
    }

    /** @return the port the gateway listens on */
    public int port() {
        return server.port();
    }

    /**
     * Serves a new snapshot from the next request on; requests already running finish with the one they started with.
     *
     * @param snapshot the compiled snapshot
     */
    void activate(CompiledSnapshot snapshot) {
        active.set(snapshot);
        observer.snapshotActivated(snapshot.snapshot().revision());
    }

    /** @return what observes this gateway's requests, for gauges read from other parts */
    RequestObserver observer() {
        return observer;
    }

    /**
     * Gives the internal status endpoint a JSON body that says why the gateway is or is not ready (the federation
     * client's sync status).
     *
     * @param detail produces the body
     */
    void statusDetail(Supplier<byte[]> detail) {
        this.statusDetail = detail;
    }

    /** @return the snapshot being served, if any */
    Optional<CompiledSnapshot> activeSnapshot() {
        return Optional.ofNullable(active.get());
    }

    private void handle(ServerRequest req, ServerResponse res) throws IOException {
        String rawPath = req.prologue().uriPath().rawPath();
        if (rawPath.equals(STATUS_PATH) || rawPath.equals(INTERNAL_STATUS_PATH)) {
            res.status(active.get() != null && !draining.get() ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
            if (rawPath.equals(INTERNAL_STATUS_PATH) && statusDetail != null) {
                // The internal endpoint says why it is (not) ready; the public one stays empty, as APIM's.
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                res.header(HeaderNames.CACHE_CONTROL, "no-store");
                res.send(statusDetail.get());
            } else {
                res.send();
            }
            return;
        }
        CompiledSnapshot snapshot = active.get();
        if (snapshot == null) {
            sendError(res, 503, "Service Unavailable", ApimErrors.body(503, "The gateway has no configuration yet"));
            return;
        }
        inFlight.incrementAndGet();
        String clientIp = clientIp(req.remotePeer().address());
        RequestObserver.Observation observation = observer.begin(req, clientIp);
        Scope scope = observer.makeCurrent(observation);
        try {
            serve(snapshot, req, res, observation, clientIp);
        } finally {
            scope.close();
            observer.end(observation, res.status().code());
            if (inFlight.decrementAndGet() == 0 && draining.get()) {
                synchronized (drained) {
                    drained.notifyAll();
                }
            }
        }
    }

    private void serve(CompiledSnapshot snapshot, ServerRequest req, ServerResponse res,
                       RequestObserver.Observation observation, String clientIp) throws IOException {
        String method = req.prologue().method().text();
        String rawPath = req.prologue().uriPath().rawPath();
        Optional<RouteTable.Match> match = snapshot.routes().match(method, rawPath);
        // A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) matches the operation it asks about.
        Optional<String> preflightMethod = method.equals("OPTIONS") && req.headers().contains(HeaderNames.ORIGIN)
                ? req.headers().first(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD)
                : Optional.empty();
        if (match.isEmpty() && preflightMethod.isPresent()) {
            match = snapshot.routes().match(preflightMethod.get(), rawPath);
        }
        if (match.isEmpty()) {
            sendError(res, 404, "Not Found", ApimErrors.body(404, ApimErrors.NOT_FOUND));
            return;
        }
        RouteTable.Match route = match.get();
        Api api = route.api();
        RequestObserver.routed(observation, api.id(), route.operation().id(),
                               "/" + api.path() + route.operation().urlTemplate());
        String rawQuery = req.prologue().query().rawValue();
        MessageHeaders headers = requestHeaders(req);
        QueryValues query = new QueryValues(rawQuery);
        // As APIM: the header is looked at first; the query parameter only when there is no header.
        Optional<String> key = headers.first(api.keyNames().header())
                .or(() -> query.first(api.keyNames().query()));
        SubscriptionIndex.Access access = snapshot.subscriptions().authorize(api, key);
        // Browsers send no key with a preflight: let the inbound section (where APIM's cors policy lives) answer it,
        // without a backend call; if nothing in inbound answers, the preflight gets the usual 401.
        boolean unauthenticatedPreflight = access == SubscriptionIndex.Access.Denied.MISSING_KEY && preflightMethod.isPresent();
        if (unauthenticatedPreflight) {
            access = new SubscriptionIndex.Access.Granted(Optional.empty(), Optional.empty());
        }
        if (access instanceof SubscriptionIndex.Access.Denied denied) {
            if (denied == SubscriptionIndex.Access.Denied.MISSING_KEY) {
                sendMissingKey(req, res, api);
            } else {
                sendError(res, 401, "Access Denied", ApimErrors.body(401, ApimErrors.INVALID_KEY));
            }
            return;
        }
        SubscriptionIndex.Access.Granted granted = (SubscriptionIndex.Access.Granted) access;
        RequestObserver.caller(observation, granted.product().map(Product::id).orElse(""),
                               granted.subscription().map(Subscription::id).orElse(""));
        // The key is the caller's credential for the gateway, not for the backend.
        headers.remove(api.keyNames().header());
        String forwardedQuery = rawQuery;
        if (query.contains(api.keyNames().query())) {
            query.remove(api.keyNames().query());
            forwardedQuery = query.rawQuery();
        }
        addForwardedHeaders(req, headers, clientIp);

        Pipeline pipeline = snapshot.policies().pipeline(api.id(), route.operation().id(),
                                                         granted.product().map(Product::id));
        MessageBody body = req.content().hasEntity()
                ? MessageBody.streaming(req.content().inputStream(), req.headers().contentLength().orElse(-1),
                                        maxBufferedBody)
                : MessageBody.empty(maxBufferedBody);
        Authority authority = authority(req);
        observation.path = rawPath + (forwardedQuery == null || forwardedQuery.isEmpty() ? "" : "?" + forwardedQuery);
        try (Exchange exchange = Exchange.builder()
                .requestId(observation.requestId)
                .traceListener(RequestObserver::traceEvent)
                .metricListener(metrics)
                .method(method)
                .url(req.isSecure() ? "https" : "http", authority.host(), authority.port(), rawPath,
                     forwardedQuery)
                .pathWithinApi(route.pathWithinApi())
                .clientIp(clientIp)
                .matchedParameters(route.parameters())
                .headers(headers)
                .query(query)
                .body(body)
                .maxBufferedBody(maxBufferedBody)
                .api(route.apiInfo())
                .operation(route.operationInfo())
                .product(granted.product().map(p -> new ProductInfo(p.id(), p.displayName())).orElse(null))
                .subscription(granted.subscription().map(Gateway::subscriptionInfo).orElse(null), key.orElse(null))
                .deployment(deployment)
                .services(services)
                .forwarder(forwarder)
                .backendUrl(api.serviceUrl().orElse(null))
                .backends(snapshot.policies().backends())
                .breakers(breakers)
                .build()) {
            if (unauthenticatedPreflight) {
                if (!pipeline.executeInboundOnly(exchange)) {
                    sendMissingKey(req, res, api);
                    return;
                }
            } else {
                pipeline.execute(exchange);
            }
            observation.error = exchange.lastError();
            observation.bytesOut = write(exchange, method, res);
        }
    }

    /** The host and port the caller addressed. */
    private record Authority(String host, int port) {
    }

    /**
     * The host and port from the {@code Host} header, which Helidon has already validated; parsing it here costs less
     * than {@code requestedUri()}, which builds a whole URI. Without the header, Helidon's answer.
     */
    private static Authority authority(ServerRequest req) {
        Optional<String> header = req.headers().first(HeaderNames.HOST);
        if (header.isPresent() && !header.get().isEmpty() && header.get().charAt(0) != '[') { // IPv6 literals: Helidon's
            String host = header.get();
            int colon = host.lastIndexOf(':');
            if (colon > 0) {
                try {
                    return new Authority(host.substring(0, colon), Integer.parseInt(host, colon + 1, host.length(), 10));
                } catch (NumberFormatException e) {
                    // not a port after all; Helidon's reading below
                }
            } else {
                return new Authority(host, req.isSecure() ? 443 : 80);
            }
        }
        return new Authority(req.requestedUri().host(), req.requestedUri().port());
    }

    private static void sendMissingKey(ServerRequest req, ServerResponse res, Api api) {
        res.header(HeaderValues.create(HeaderNames.WWW_AUTHENTICATE,
                                       "AzureApiManagementKey realm=\"https://" + req.requestedUri().host() + "/" + api.path()
                                               + "\",name=\"" + api.keyNames().header() + "\",type=\"header\""));
        sendError(res, 401, "Access Denied", ApimErrors.body(401, ApimErrors.MISSING_KEY));
    }

    private static MessageHeaders requestHeaders(ServerRequest req) {
        HopByHop drop = HopByHop.of(req.headers().all(HeaderNames.CONNECTION, List::of));
        MessageHeaders headers = new MessageHeaders();
        for (Header h : req.headers()) {
            if (!drop.drops(h.name())) {
                for (String v : h.allValues()) {
                    headers.add(h.name(), v);
                }
            }
        }
        return headers;
    }

    private void addForwardedHeaders(ServerRequest req, MessageHeaders headers, String clientIp) {
        Optional<String> previous = headers.first("X-Forwarded-For");
        headers.set("X-Forwarded-For", previous.map(p -> p + ", " + clientIp).orElse(clientIp));
        String proto = req.isSecure() ? "https" : "http";
        if (!(trustForwardedProto && headers.contains("X-Forwarded-Proto"))) {
            headers.set("X-Forwarded-Proto", proto);
        }
        req.headers().value(HeaderNames.HOST).ifPresent(host -> headers.set("X-Forwarded-Host", host));
    }

    /**
     * Helidon's name for a response header. {@code HeaderNames.create} lower-cases a copy of the name for every call;
     * the names a backend sends repeat, so they are kept, up to {@link #HEADER_NAME_CACHE_LIMIT} of them (a backend that
     * makes up names does not grow the cache further).
     */
    private static HeaderName headerName(String name) {
        HeaderName cached = HEADER_NAMES.get(name);
        if (cached != null) {
            return cached;
        }
        HeaderName created = HeaderNames.create(name);
        if (HEADER_NAMES.size() < HEADER_NAME_CACHE_LIMIT) {
            HEADER_NAMES.putIfAbsent(name, created);
        }
        return created;
    }

    /** Sends the exchange's response; returns the body bytes sent. */
    private static long write(Exchange exchange, String method, ServerResponse res) throws IOException {
        int status = exchange.response().statusCode();
        String reason = exchange.response().statusReason();
        res.status(reason.isEmpty() ? Status.create(status) : Status.create(status, reason));
        long[] declared = {-1};
        ServerResponseHeaders headers = res.headers();
        exchange.responseHeaders().forEachHeader((name, values) -> {
            if (name.equalsIgnoreCase("content-length")) {
                try {
                    declared[0] = Long.parseLong(values.getFirst().trim());
                } catch (NumberFormatException e) {
                    // a broken Content-Length from a backend is dropped; the body's own length is used
                }
            } else if (!name.equalsIgnoreCase("transfer-encoding") && !name.equalsIgnoreCase("connection")) {
                headers.add(HeaderValues.create(headerName(name), values));
            }
        });
        MessageBody body = exchange.responseBody();
        if (method.equals("HEAD") || status == 204 || status == 304) {
            if (declared[0] >= 0) {
                res.header(HeaderNames.CONTENT_LENGTH, Long.toString(declared[0]));
            }
            res.send();
            return 0;
        }
        if (body.isBuffered()) {
            byte[] bytes = body.bytes(true);
            res.send(bytes);
            return bytes.length;
        }
        OptionalLong length = body.length();
        if (length.isPresent() && length.getAsLong() <= SMALL_BODY) {
            // A small body of known length is read whole and sent in one write: streaming it costs a response output
            // stream and two 16 KiB transfer buffers (the web client's and transferTo's), for a few hundred bytes.
            byte[] bytes;
            try (InputStream in = body.stream()) {
                bytes = in.readNBytes((int) length.getAsLong());
            } catch (IOException | UncheckedIOException e) {
                bytes = null;
                LOGGER.log(System.Logger.Level.WARNING, "[" + exchange.requestId() + "] the backend's response broke off: "
                        + e.getMessage());
            }
            if (bytes == null || bytes.length != length.getAsLong()) {
                // Nothing was sent yet: answer as APIM does for a failed backend rather than with half a body.
                res.headers().clear();
                String error = ApimErrors.internalBody(exchange.requestId());
                sendError(res, 500, "Internal Server Error", error);
                return error.length();
            }
            res.send(bytes);
            return bytes.length;
        }
        length.ifPresent(n -> res.header(HeaderNames.CONTENT_LENGTH, Long.toString(n)));
        try (InputStream in = body.stream(); OutputStream out = res.outputStream()) {
            long sent = in.transferTo(out);
            out.flush();
            return sent;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void sendError(ServerResponse res, int status, String reason, String body) {
        res.status(Status.create(status, reason));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body);
    }

    private static String clientIp(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return String.valueOf(address);
    }

    static ApiInfo apiInfo(Api api) {
        return new ApiInfo(api.id(), api.displayName(), api.path(), api.apiVersion(), api.revision());
    }

    static OperationInfo operationInfo(Operation op) {
        return new OperationInfo(op.id(), op.displayName(), op.method(), op.urlTemplate(),
                                 op.examples().stream()
                                         .map(e -> new OperationInfo.ResponseExample(e.statusCode(), e.contentType(),
                                                                                     e.body()))
                                         .toList());
    }

    static SubscriptionInfo subscriptionInfo(Subscription s) {
        return new SubscriptionInfo(s.id(), s.displayName(), s.createdDate().orElse(null));
    }

    /**
     * Stops taking new work gracefully: the status endpoints answer 503 at once, requests in flight get up to
     * {@code timeout} to finish, then the server stops.
     *
     * @param timeout how long to wait for in-flight requests
     */
    public void drainAndStop(Duration timeout) {
        draining.set(true);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (drained) {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                try {
                    drained.wait(Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        int left = inFlight.get();
        if (left > 0) {
            LOGGER.log(System.Logger.Level.WARNING, left + " requests still running after " + timeout + "; stopping");
        }
        close();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
        forwarder.close();
    }
}
