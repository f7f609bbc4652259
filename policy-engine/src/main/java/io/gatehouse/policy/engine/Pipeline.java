package io.gatehouse.policy.engine;

import io.gatehouse.policy.spi.Flow;
import io.gatehouse.policy.spi.LastError;
import io.gatehouse.policy.spi.Policy;
import io.gatehouse.policy.spi.PolicyException;
import io.gatehouse.policy.spi.Section;

/**
 * The four sections an exchange runs for one API, operation and product context, with every scope's
 * {@code <base/>} already inlined. Built once per snapshot; {@link #execute(Exchange)} only walks it.
 */
public final class Pipeline {

    private static final System.Logger LOGGER = System.getLogger(Pipeline.class.getName());

    private final Policy inbound;
    private final Policy backend;
    private final Policy outbound;
    private final Policy onError;
    private final SecretRedactor redactor;

    Pipeline(Policy inbound, Policy backend, Policy outbound, Policy onError, SecretRedactor redactor) {
        this.inbound = inbound;
        this.backend = backend;
        this.outbound = outbound;
        this.onError = onError;
        this.redactor = redactor;
    }

    /**
     * Runs inbound, backend and outbound; on a failure, replaces the response with APIM's error response and runs
     * {@code on-error} with {@code context.LastError} set. Never throws: the exchange's response is always the answer
     * to send.
     *
     * @param exchange the exchange
     */
    public void execute(Exchange exchange) {
        Section section = Section.INBOUND;
        try {
            if (inbound.apply(exchange) == Flow.RETURN) {
                return;
            }
            section = Section.BACKEND;
            if (backend.apply(exchange) == Flow.RETURN) {
                return;
            }
            section = Section.OUTBOUND;
            outbound.apply(exchange);
        } catch (PolicyException e) {
            if (exchange.lastError().isEmpty()) {
                exchange.recordError(e, "", "", section.elementName(), "");
            }
            ApimErrors.applyTo(exchange, e);
            if (!e.clientVisible()) {
                LastError last = exchange.lastError().orElseThrow();
                LOGGER.log(System.Logger.Level.WARNING, "request " + exchange.requestId() + " failed in "
                        + last.section() + " (" + last.scope() + " " + last.path() + "): " + e.reason() + ": "
                        + redactor.redact(e.getMessage()));
                if (e.reason().equals("PolicyExecutionFailure")) {
                    // A policy threw: its author needs the stack trace.
                    LOGGER.log(System.Logger.Level.DEBUG, "policy failure", e.getCause());
                }
            }
            runOnError(exchange);
        }
    }

    /**
     * Runs only the inbound section, for a request that may not reach the backend (a CORS preflight without a key):
     * reports whether a policy answered it. A failure is answered with its error response.
     *
     * @param exchange the exchange
     * @return true if the exchange's response is the answer; false if no policy answered
     */
    public boolean executeInboundOnly(Exchange exchange) {
        try {
            return inbound.apply(exchange) == Flow.RETURN;
        } catch (PolicyException e) {
            ApimErrors.applyTo(exchange, e);
            return true;
        }
    }

    private void runOnError(Exchange exchange) {
        try {
            onError.apply(exchange);
        } catch (PolicyException e) {
            // As APIM: a failure inside on-error ends the exchange with that failure's response.
            LOGGER.log(System.Logger.Level.WARNING, "request " + exchange.requestId() + ": on-error failed: "
                    + e.reason() + ": " + redactor.redact(e.getMessage()));
            ApimErrors.applyTo(exchange, e);
        }
    }

    @Override
    public String toString() {
        return "Pipeline[inbound=" + inbound + ", backend=" + backend + ", outbound=" + outbound + ", on-error="
                + onError + "]";
    }
}
