package io.gatehouse.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleCounter;

import io.gatehouse.policy.spi.CustomMetric;
import io.gatehouse.telemetry.Telemetry;

/**
 * The metrics {@code emit-metric} policies emit: a counter per name in Helidon's registry (Prometheus scrapes it as
 * {@code gatehouse_custom_<name>_total}, with {@code namespace} and each dimension as a label) and in OpenTelemetry
 * (OTLP and Application Insights get the name as given, with the namespace and dimensions as attributes).
 *
 * <p>Prometheus counters count whole units: fractions of a series are carried until they add up to one, while
 * OpenTelemetry gets every value as it is. Negative values are dropped with a warning, as a counter only grows.
 *
 * <p>Dimensions often come from expressions (a client address, a claim), so the number of series is bounded: at
 * most {@value #MAX_SERIES} label sets over all custom metrics; past that, new ones are dropped with one warning.
 * Prometheus wants one set of label names per metric name; a definition that gives the same name other dimensions
 * is dropped with one warning per name.
 */
final class CustomMetrics {

    static final int MAX_SERIES = 10_000;

    private static final System.Logger LOG = System.getLogger(CustomMetrics.class.getName());

    private final Telemetry telemetry;
    private final MeterRegistry registry;
    private final Map<List<String>, Series> counters = new ConcurrentHashMap<>();
    private final Map<String, DoubleCounter> otelCounters = new ConcurrentHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    CustomMetrics(Telemetry telemetry, MeterRegistry registry) {
        this.telemetry = telemetry;
        this.registry = registry;
    }

    /** One label set's counter; Helidon's counters count whole units, so fractions are carried until they add up. */
    private static final class Series {
        private final Counter counter;
        private double total;
        private long counted;

        private Series(Counter counter) {
            this.counter = counter;
        }

        synchronized void add(double value) {
            total += value;
            long whole = (long) Math.floor(total);
            if (whole > counted) {
                counter.increment(whole - counted);
                counted = whole;
            }
        }
    }

    /** Adds a metric's value to its series. */
    void emit(CustomMetric metric) {
        if (!(metric.value() >= 0) || Double.isInfinite(metric.value())) {
            warnOnce("value:" + metric.name(), "emit-metric '" + metric.name() + "': values must be finite and not"
                    + " negative (a counter only grows); " + metric.value() + " and the like are dropped");
            return;
        }
        List<String> key = new ArrayList<>(2 + 2 * metric.dimensions().size());
        key.add(metric.namespace());
        key.add(metric.name());
        metric.dimensions().forEach((name, value) -> {
            key.add(name);
            key.add(value);
        });
        Series series = counters.get(key);
        if (series == null) {
            if (counters.size() >= MAX_SERIES) {
                warnOnce("series", "emit-metric: " + MAX_SERIES + " custom metric series exist; new ones are dropped"
                        + " (dimensions with many values, such as client addresses, make many series)");
                return;
            }
            try {
                series = counters.computeIfAbsent(List.copyOf(key), k -> new Series(registry.getOrCreate(
                        Counter.builder("gatehouse.custom." + meterName(metric.name()))
                                .description("emit-metric " + metric.name())
                                .tags(tags(metric)))));
            } catch (RuntimeException e) {
                warnOnce("name:" + metric.name(), "emit-metric '" + metric.name() + "' is dropped from Prometheus: "
                        + e.getMessage());
            }
        }
        if (series != null) {
            series.add(metric.value());
        }
        if (telemetry.enabled()) {
            AttributesBuilder attributes = Attributes.builder().put("namespace", metric.namespace());
            metric.dimensions().forEach(attributes::put);
            otelCounters.computeIfAbsent(metric.name(), n -> telemetry.meter().counterBuilder(otelName(n)).ofDoubles()
                            .setDescription("emit-metric " + n).build())
                    .add(metric.value(), attributes.build());
        }
    }

    private static List<Tag> tags(CustomMetric metric) {
        List<Tag> tags = new ArrayList<>();
        tags.add(Tag.create("namespace", metric.namespace()));
        metric.dimensions().forEach((name, value) -> tags.add(Tag.create(meterName(name), value)));
        return tags;
    }

    /** {@code API ID} becomes {@code api_id}: what Prometheus accepts in names and labels. */
    static String meterName(String name) {
        String s = name.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        return s.isEmpty() || Character.isDigit(s.charAt(0)) ? "m_" + s : s;
    }

    /** OpenTelemetry instrument names allow letters, digits, {@code _ . - /}, starting with a letter. */
    static String otelName(String name) {
        String s = name.trim().replaceAll("[^A-Za-z0-9_./-]+", "_");
        return s.isEmpty() || !Character.isLetter(s.charAt(0)) ? "m_" + s : s;
    }

    private void warnOnce(String what, String message) {
        if (warned.add(what)) {
            LOG.log(System.Logger.Level.WARNING, message);
        }
    }
}
