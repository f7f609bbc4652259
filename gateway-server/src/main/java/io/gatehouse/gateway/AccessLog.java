package io.gatehouse.gateway;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.api.trace.SpanContext;

/**
 * One JSON line per request on standard output ({@code telemetry.logs.std=json}): when, which request and trace,
 * which API, operation, product and subscription, what was asked and answered, how long it took in all and at the
 * backend, from where, and how many bytes. The path is logged without the subscription key (it is taken off the
 * query before routing); no header is logged, so no key or token can end up here.
 */
final class AccessLog {

    private static final JsonFactory JSON = new JsonFactory();

    private final boolean enabled;
    private final PrintStream out;

    private AccessLog(boolean enabled, PrintStream out) {
        this.enabled = enabled;
        this.out = out;
    }

    /** @return an access log that writes nothing */
    static AccessLog off() {
        return new AccessLog(false, System.out);
    }

    /**
     * An access log writing to a stream.
     *
     * @param out where the lines go
     * @return the log
     */
    static AccessLog to(PrintStream out) {
        return new AccessLog(true, out);
    }

    void write(RequestObserver.Observation o, int status, long nanos) {
        if (!enabled) {
            return;
        }
        StringBuilderWriter line = new StringBuilderWriter();
        try (JsonGenerator json = JSON.createGenerator(line)) {
            json.writeStartObject();
            json.writeStringField("time", Instant.ofEpochMilli(o.startedMillis).toString());
            json.writeStringField("type", "request");
            json.writeStringField("requestId", o.requestId);
            SpanContext span = o.span.getSpanContext();
            if (span.isValid()) {
                json.writeStringField("traceId", span.getTraceId());
                json.writeStringField("spanId", span.getSpanId());
            }
            json.writeStringField("apiId", o.apiId);
            json.writeStringField("operationId", o.operationId);
            json.writeStringField("productId", o.productId);
            json.writeStringField("subscriptionId", o.subscriptionId);
            json.writeStringField("method", o.method);
            json.writeStringField("path", o.path);
            json.writeNumberField("status", status);
            json.writeNumberField("durationMs", nanos / 1e6);
            if (o.backendNanos >= 0) {
                json.writeNumberField("backendDurationMs", o.backendNanos / 1e6);
            }
            json.writeStringField("clientIp", o.clientIp);
            json.writeNumberField("bytesIn", Math.max(0, o.bytesIn));
            json.writeNumberField("bytesOut", Math.max(0, o.bytesOut));
            if (o.error.isPresent()) {
                json.writeStringField("errorReason", o.error.get().reason());
                json.writeStringField("errorSection", o.error.get().section());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen: writing JSON to memory", e);
        }
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        // One write per line, so lines from concurrent requests never interleave.
        synchronized (out) {
            out.write(bytes, 0, bytes.length);
            out.flush();
        }
    }

    /** A Writer over a StringBuilder (StringWriter synchronizes every call; this is one request's line). */
    private static final class StringBuilderWriter extends Writer {
        private final StringBuilder text = new StringBuilder(256);

        @Override
        public void write(char[] buffer, int offset, int length) {
            text.append(buffer, offset, length);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
