/**
 * OpenTelemetry for the gateway: the SDK configured from APIM's settings and the standard {@code OTEL_*} variables,
 * with OTLP and Azure Monitor (Application Insights) exporters.
 */
package io.gatehouse.telemetry;
