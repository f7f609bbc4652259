package io.gatehouse.telemetry;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.azure.monitor.opentelemetry.autoconfigure.AzureMonitorAutoConfigure;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdkBuilder;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.ExplicitBucketHistogramOptions;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.resources.Resource;

/**
 * The gateway's OpenTelemetry: an SDK configured from APIM's settings and the standard {@code OTEL_*} variables,
 * exporting spans and metrics to an OTLP collector and/or Application Insights. Export runs on the SDK's own
 * threads with bounded queues (a full queue drops, counted in {@link #droppedSpans()}); the request path only
 * records. With nothing to export it is a no-op that costs next to nothing.
 */
public final class Telemetry implements AutoCloseable {

    /** The instrumentation scope of everything the gateway records. */
    public static final String SCOPE = "io.gatehouse";
    /** The request duration histogram, in milliseconds as APIM reports it. */
    public static final String REQUEST_DURATION = "http.server.request.duration";

    private static final System.Logger LOGGER = System.getLogger(Telemetry.class.getName());
    private static final String HTTP_SENDER = "io.opentelemetry.sdk.common.export.HttpSenderProvider";
    /** The batch span processor's queue size when {@code otel.bsp.max.queue.size} is unset, as the SDK's. */
    private static final int DEFAULT_SPAN_QUEUE = 2048;

    private final OpenTelemetry openTelemetry;
    private final Optional<OpenTelemetrySdk> sdk;
    private final Tracer tracer;
    private final Meter meter;
    private final DroppedSpans droppedSpans;

    private Telemetry(OpenTelemetry openTelemetry, Optional<OpenTelemetrySdk> sdk, DroppedSpans droppedSpans) {
        this.openTelemetry = openTelemetry;
        this.sdk = sdk;
        this.droppedSpans = droppedSpans;
        this.tracer = openTelemetry.getTracer(SCOPE);
        this.meter = openTelemetry.getMeter(SCOPE);
    }

    /** @return telemetry that records nothing and exports nothing */
    public static Telemetry disabled() {
        return new Telemetry(OpenTelemetry.propagating(ContextPropagators.noop()), Optional.empty(), new DroppedSpans());
    }

    /**
     * Starts the SDK, or returns {@link #disabled()} when there is nowhere to export to.
     *
     * @param settings what to export and where
     * @param environment the process environment, for the standard {@code OTEL_*} variables
     * @return the telemetry
     * @throws IllegalArgumentException if a setting is invalid, saying which
     */
    public static Telemetry start(TelemetrySettings settings, Map<String, String> environment) {
        boolean otlp = settings.enabled() && (settings.collector().isPresent()
                || environment.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT")
                || environment.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
        if (settings.enabled() && !otlp) {
            throw new IllegalArgumentException("observability.opentelemetry.enabled is true but no collector is set:"
                    + " set observability.opentelemetry.collector.uri (or OTEL_EXPORTER_OTLP_ENDPOINT)");
        }
        if (!otlp && settings.applicationInsights().isEmpty()) {
            return disabled();
        }
        // Two HTTP senders may be on the class path (the JDK's and OkHttp's, which gRPC needs): HTTP uses the JDK's.
        if (System.getProperty(HTTP_SENDER) == null) {
            System.setProperty(HTTP_SENDER, "io.opentelemetry.exporter.sender.jdk.internal.JdkHttpSenderProvider");
        }
        List<String> exporters = new ArrayList<>();
        if (otlp) {
            exporters.add("otlp");
        }
        if (settings.applicationInsights().isPresent()) {
            exporters.add("azure_monitor");
        }
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", "gatehouse");
        defaults.put("otel.traces.exporter", String.join(",", exporters));
        defaults.put("otel.metrics.exporter", String.join(",", exporters));
        defaults.put("otel.logs.exporter", "none");
        settings.collector().ifPresent(uri -> {
            defaults.put("otel.exporter.otlp.endpoint", uri.toString());
            defaults.put("otel.exporter.otlp.protocol", protocol(uri));
        });
        AutoConfiguredOpenTelemetrySdkBuilder builder = AutoConfiguredOpenTelemetrySdk.builder()
                // Before Azure's customizer, which takes the resource it is given for Application Insights' role.
                .addResourceCustomizer((resource, config) -> withGatehouseDefaults(resource, settings))
                .addMeterProviderCustomizer((meterProvider, config) -> meterProvider.registerView(
                        InstrumentSelector.builder().setName(REQUEST_DURATION).build(),
                        View.builder().setAggregation(Aggregation.explicitBucketHistogram(
                                ExplicitBucketHistogramOptions.builder()
                                        .setBucketBoundaries(settings.histogramBucketsMillis()).build()))
                                .build()))
                .disableShutdownHook();
        settings.applicationInsights().ifPresent(connection -> AzureMonitorAutoConfigure.customize(builder, connection));
        // After Azure's: its properties name azure_monitor as the only exporter, and a later supplier wins, so ours
        // keep OTLP on beside it; and it replaces its placeholder exporter, so the real ones are watched.
        DroppedSpans droppedSpans = new DroppedSpans();
        builder.addPropertiesSupplier(() -> defaults)
                .addSpanExporterCustomizer((exporter, config) -> droppedSpans.watch(exporter))
                .addSpanProcessorCustomizer((processor, config) -> droppedSpans.limit(
                        processor, config.getInt("otel.bsp.max.queue.size", DEFAULT_SPAN_QUEUE)));
        OpenTelemetrySdk sdk = builder.build().getOpenTelemetrySdk();
        LOGGER.log(System.Logger.Level.INFO, "telemetry: exporting to " + String.join(" and ", targets(settings, otlp)));
        return new Telemetry(sdk, Optional.of(sdk), droppedSpans);
    }

    /**
     * Adds the gateway's resource attributes that the standard settings ({@code OTEL_RESOURCE_ATTRIBUTES},
     * {@code otel.resource.attributes}) left unset: what an operator sets there wins, as for {@code service.name}.
     */
    static Resource withGatehouseDefaults(Resource configured, TelemetrySettings settings) {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("service.version", settings.serviceVersion());
        defaults.put("service.instance.id", settings.nodeId());
        defaults.put("gatehouse.gateway.id", settings.gatewayId());
        defaults.put("cloud.region", settings.region());
        AttributesBuilder missing = Attributes.builder();
        defaults.forEach((name, value) -> {
            AttributeKey<String> key = AttributeKey.stringKey(name);
            if (configured.getAttribute(key) == null) {
                missing.put(key, value);
            }
        });
        return configured.merge(Resource.create(missing.build()));
    }

    private static List<String> targets(TelemetrySettings settings, boolean otlp) {
        List<String> targets = new ArrayList<>();
        if (otlp) {
            targets.add("OTLP " + settings.collector().map(URI::toString).orElse("(OTEL_EXPORTER_OTLP_ENDPOINT)"));
        }
        settings.applicationInsights().ifPresent(c -> targets.add("Application Insights"));
        return targets;
    }

    /** OTLP over gRPC on 4317 (the collector's gRPC port), HTTP/protobuf otherwise. */
    static String protocol(URI collector) {
        return collector.getPort() == 4317 ? "grpc" : "http/protobuf";
    }

    /** @return whether anything is exported */
    public boolean enabled() {
        return sdk.isPresent();
    }

    /** @return the OpenTelemetry API, for propagation */
    public OpenTelemetry openTelemetry() {
        return openTelemetry;
    }

    /** @return the gateway's tracer */
    public Tracer tracer() {
        return tracer;
    }

    /** @return the gateway's meter */
    public Meter meter() {
        return meter;
    }

    /**
     * Spans dropped because too many were waiting for export ({@code otel.bsp.max.queue.size}): a collector that is
     * slow or down costs spans, never request latency.
     *
     * @return spans dropped since start
     */
    public long droppedSpans() {
        return droppedSpans.count();
    }

    /** Exports what is buffered now (tests, shutdown). */
    public void flush() {
        sdk.ifPresent(s -> {
            s.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
            s.getSdkMeterProvider().forceFlush().join(10, TimeUnit.SECONDS);
        });
    }

    @Override
    public void close() {
        sdk.ifPresent(s -> s.shutdown().join(10, TimeUnit.SECONDS));
    }
}
