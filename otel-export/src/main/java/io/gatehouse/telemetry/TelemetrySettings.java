package io.gatehouse.telemetry;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to export and where, from the gateway's settings (APIM's names; see {@code docs/settings.md}). The standard
 * {@code OTEL_*} environment variables are read as well and win over these.
 *
 * @param enabled                 {@code observability.opentelemetry.enabled}: export to a collector
 * @param collector               {@code observability.opentelemetry.collector.uri}: OTLP gRPC (4317) or HTTP (4318)
 * @param applicationInsights     an Application Insights connection string, if set
 * @param histogramBucketsMillis  bucket boundaries of the request duration histogram, in milliseconds
 * @param serviceVersion          the Gatehouse version
 * @param gatewayId               the gateway id
 * @param nodeId                  this process's id
 * @param region                  the gateway's region
 */
public record TelemetrySettings(boolean enabled,
                                Optional<URI> collector,
                                Optional<String> applicationInsights,
                                List<Double> histogramBucketsMillis,
                                String serviceVersion,
                                String gatewayId,
                                String nodeId,
                                String region) {

    /** APIM's default request duration buckets, in milliseconds. */
    public static final List<Double> APIM_BUCKETS = List.of(5d, 10d, 25d, 50d, 100d, 250d, 500d, 1000d, 2500d, 5000d, 10000d);

    /**
     * Creates settings.
     *
     * @param enabled                export to a collector
     * @param collector              collector URI
     * @param applicationInsights    connection string
     * @param histogramBucketsMillis buckets
     * @param serviceVersion         version
     * @param gatewayId              gateway id
     * @param nodeId                 node id
     * @param region                 region
     */
    public TelemetrySettings {
        Objects.requireNonNull(collector, "collector");
        Objects.requireNonNull(applicationInsights, "applicationInsights");
        histogramBucketsMillis = List.copyOf(histogramBucketsMillis);
    }

    /** Never shows the connection string, which holds the instrumentation key. */
    @Override
    public String toString() {
        return "TelemetrySettings[enabled=" + enabled + ", collector=" + collector + ", applicationInsights="
                + (applicationInsights.isPresent() ? "set" : "unset") + ", gatewayId=" + gatewayId + "]";
    }
}
