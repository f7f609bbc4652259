package io.gatehouse.policy.engine;

import io.gatehouse.policy.spi.CustomMetric;

/** Receives the metrics {@code emit-metric} policies emit; the gateway adds them to its meters. */
@FunctionalInterface
public interface MetricListener {

    /**
     * A metric.
     *
     * @param metric the metric
     */
    void emit(CustomMetric metric);
}
