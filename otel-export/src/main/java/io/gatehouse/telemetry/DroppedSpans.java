package io.gatehouse.telemetry;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * Counts the spans that export turns away so the request path never waits. The SDK's batch processor drops a span
 * silently when its queue is full, and its own count of drops is not where an operator looks (Azure Monitor's set-up
 * even discards it). So the batch processor is fronted: a span is handed to it only while fewer than its queue size
 * ({@code otel.bsp.max.queue.size}) wait for export, and is counted here otherwise. What waits is counted from the
 * span's end until an exporter is given it, so the batch processor's own queue can never overflow, and every drop is
 * counted here.
 */
final class DroppedSpans {

    private final AtomicLong waiting = new AtomicLong();
    private final LongAdder dropped = new LongAdder();
    private final AtomicBoolean watching = new AtomicBoolean();

    /** @return spans dropped since start */
    long count() {
        return dropped.sum();
    }

    /**
     * Fronts the batch processor; other processors are returned as they are.
     *
     * @param processor a processor the SDK configured
     * @param capacity  the batch processor's queue size
     * @return the processor to use
     */
    SpanProcessor limit(SpanProcessor processor, int capacity) {
        return processor instanceof BatchSpanProcessor ? new Limited(processor, capacity) : processor;
    }

    /**
     * Watches batches leave for export. Every exporter the gateway has (OTLP, Azure Monitor) sits behind the one
     * batch processor, which gives each the same batch: watching the first is seeing every batch once.
     *
     * @param exporter an exporter the SDK configured
     * @return the exporter to use
     */
    SpanExporter watch(SpanExporter exporter) {
        return watching.compareAndSet(false, true) ? new Watched(exporter) : exporter;
    }

    private final class Limited implements SpanProcessor {
        private final SpanProcessor batch;
        private final int capacity;

        private Limited(SpanProcessor batch, int capacity) {
            this.batch = batch;
            this.capacity = capacity;
        }

        @Override
        public void onStart(Context parent, ReadWriteSpan span) {
            batch.onStart(parent, span);
        }

        @Override
        public boolean isStartRequired() {
            return batch.isStartRequired();
        }

        @Override
        public void onEnd(ReadableSpan span) {
            // The batch processor ignores spans that are not sampled; so does the count.
            if (span.getSpanContext().isSampled() && waiting.incrementAndGet() > capacity) {
                waiting.decrementAndGet();
                dropped.increment();
                return;
            }
            batch.onEnd(span);
        }

        @Override
        public boolean isEndRequired() {
            return batch.isEndRequired();
        }

        @Override
        public CompletableResultCode shutdown() {
            return batch.shutdown();
        }

        @Override
        public CompletableResultCode forceFlush() {
            return batch.forceFlush();
        }

        @Override
        public String toString() {
            return "DroppedSpans.Limited[capacity=" + capacity + ", " + batch + "]";
        }
    }

    private final class Watched implements SpanExporter {
        private final SpanExporter exporter;

        private Watched(SpanExporter exporter) {
            this.exporter = exporter;
        }

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            waiting.addAndGet(-spans.stream().filter(s -> s.getSpanContext().isSampled()).count());
            return exporter.export(spans);
        }

        @Override
        public CompletableResultCode flush() {
            return exporter.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return exporter.shutdown();
        }

        @Override
        public String toString() {
            return exporter.toString();
        }
    }
}
