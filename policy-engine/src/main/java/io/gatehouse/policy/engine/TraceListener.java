package io.gatehouse.policy.engine;

/** Receives the messages of {@code trace} policies as they run; the gateway adds them to the request's span. */
@FunctionalInterface
public interface TraceListener {

    /**
     * A trace message.
     *
     * @param source   who traces
     * @param severity verbose, information or error
     * @param message  the message
     */
    void trace(String source, String severity, String message);
}
