package io.gatehouse.policy.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A metric a policy emits, as APIM's {@code emit-metric}: a value added to the sum of {@code name} in
 * {@code namespace}, split by dimensions. See {@link PolicyContext#emitMetric(CustomMetric)}.
 *
 * @param namespace  the metric's namespace, such as {@code API Management}
 * @param name       the metric's name
 * @param value      the value to add
 * @param dimensions dimension names and values, in order
 * @since SPI 1.2
 */
public record CustomMetric(String namespace, String name, double value, Map<String, String> dimensions) {

    /**
     * Validates and copies.
     */
    public CustomMetric {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        dimensions = Collections.unmodifiableMap(new LinkedHashMap<>(dimensions));
    }
}
